import type { Finding, FrameRef, Severity } from './result.js';

/**
 * The findings catalogue: stable codes (scripts and tickets refer to them), each with its
 * severity. README "Findings" explains what each means for a vMotion and what to do next.
 */
export const FINDINGS = {
  CAPTURE_TRUNCATED_FILE: 'warning',
  CAPTURE_UNREADABLE: 'error',
  CAPTURE_DROPS: 'warning',
  CAPTURE_ONE_WAY: 'warning',
  CAPTURE_GAPS: 'warning',
  CAPTURE_UNSUPPORTED_FRAMES: 'info',
  CAPTURE_MALFORMED_FRAMES: 'warning',
  NO_VMOTION_TRAFFIC: 'info',
  SYN_UNANSWERED: 'error',
  CONNECTION_REFUSED: 'error',
  CONNECTION_RESET: 'warning',
  RETRANSMISSIONS: 'warning',
  ZERO_WINDOW: 'warning',
  LOW_THROUGHPUT: 'warning',
  HIGH_RTT: 'warning',
  MTU_FRAGMENTATION_NEEDED: 'error',
  MTU_BLACKHOLE_SUSPECTED: 'error',
  MSS_MISMATCH: 'warning',
  TTL_CHANGED: 'warning',
  DUPLICATE_IP: 'error',
  STREAM_TABLE_EVICTIONS: 'warning',
  LOG_MIGRATION_NOT_CAPTURED: 'warning',
  CAPTURE_MIGRATION_NOT_IN_LOG: 'warning',
  LOG_CAPTURE_NO_OVERLAP: 'warning',
  LOG_UNKNOWN_FORMAT: 'info',
  LOG_UNREADABLE: 'warning',
} as const satisfies Record<string, Severity>;

export type FindingCode = keyof typeof FINDINGS;

/** Frames cited per finding are capped: enough to open in Wireshark, never a flood. */
export const MAX_FRAMES_PER_FINDING = 20;

export function finding(code: FindingCode, message: string, opts: { streamIds?: number[]; migrationIds?: number[]; frames?: FrameRef[] } = {}): Finding {
  return {
    code,
    severity: FINDINGS[code],
    message,
    streamIds: opts.streamIds ?? [],
    migrationIds: opts.migrationIds ?? [],
    frames: (opts.frames ?? []).slice(0, MAX_FRAMES_PER_FINDING),
  };
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * Most severe first, then by code, stable otherwise. Codes compare by code unit: localeCompare
 * would depend on the machine's locale and cost ~10 ms to set up its collator in every run.
 */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITY_ORDER[a.f.severity] - SEVERITY_ORDER[b.f.severity] || compareCodes(a.f.code, b.f.code) || a.i - b.i)
    .map(({ f }) => f);
}

function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
