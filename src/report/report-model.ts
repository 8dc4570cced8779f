/**
 * What the ticket reports (HTML, Markdown) say, computed once from the result so both views
 * tell the same story. Fields added by analyses after the core (`path`, `health`) are read
 * defensively: a result without them still renders, saying the analysis is absent.
 */
import type { AnalysisResult, Finding, FrameRef, MigrationLogReport, MigrationReport, StreamReport, TunnelReport } from '../analysis/result.js';
import { humanBits, humanBytes, humanCount, humanSeconds } from './units.js';

export interface PathEvidenceView { kind: string; detail: string; frames: FrameRef[] }

export interface PathView {
  verdict: string;
  hops: number | null;
  confidence: string | null;
  reasons: string[];
  evidence: PathEvidenceView[];
}

/** Extra context when the report is part of an evidence bundle. */
export interface ReportContext {
  redacted?: boolean;
  evidence?: { file: string; packets: number; fullPayload?: boolean; missing: FrameRef[]; overBudget: number };
  bundleFiles?: string[];
  generatedAt?: string;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFrameRef(v: unknown): v is FrameRef {
  return isObj(v) && typeof v.input === 'number' && typeof v.frame === 'number';
}

/** The `path` verdict of a stream or migration, when the path analysis ran. */
export function pathOf(x: StreamReport | MigrationReport): PathView | null {
  const p = (x as unknown as Record<string, unknown>).path;
  if (!isObj(p) || typeof p.verdict !== 'string') return null;
  const evidence = Array.isArray(p.evidence) ? p.evidence.filter(isObj).map((e) => ({
    kind: String(e.kind ?? ''),
    detail: String(e.detail ?? ''),
    frames: Array.isArray(e.frames) ? e.frames.filter(isFrameRef) : [],
  })) : [];
  return {
    verdict: p.verdict,
    hops: typeof p.hops === 'number' ? p.hops : null,
    confidence: typeof p.confidence === 'string' ? p.confidence : null,
    reasons: Array.isArray(p.reasons) ? p.reasons.map(String) : [],
    evidence,
  };
}

/** One line: "routed · 1 hop · confidence high". */
export function verdictText(p: PathView | null): string {
  if (!p) return 'path not analysed';
  const parts = [p.verdict];
  if (p.hops !== null) parts.push(`${p.hops} hop${p.hops === 1 ? '' : 's'}`);
  if (p.confidence) parts.push(`confidence ${p.confidence}`);
  return parts.join(' · ');
}

export function healthOf(x: StreamReport | MigrationReport): Record<string, unknown> | null {
  const h = (x as unknown as Record<string, unknown>).health;
  return isObj(h) ? h : null;
}

/** Findings about a migration: named directly or through one of its streams. */
export function findingsFor(r: AnalysisResult, m: MigrationReport): Finding[] {
  return r.findings.filter((f) => f.migrationIds.includes(m.id) || f.streamIds.some((s) => m.streamIds.includes(s)));
}

/** Findings about no migration in particular (capture quality, streams outside migrations). */
export function generalFindings(r: AnalysisResult): Finding[] {
  return r.findings.filter((f) => !r.migrations.some((m) => findingsFor(r, m).includes(f)));
}

export function framesText(frames: FrameRef[], r: AnalysisResult, max = 20): string {
  const multi = r.inputs.length > 1;
  const shown = frames.slice(0, max).map((f) => (multi ? `${f.input}:${f.frame}` : `${f.frame}`)).join(', ');
  return frames.length > max ? `${shown}, … (${frames.length} in all)` : shown;
}

export function hostWithIps(host: string, ips: string[]): string {
  return ips.length === 1 && ips[0] === host ? host : `${host} (${ips.join(', ')})`;
}

export function migrationTitle(m: MigrationReport): string {
  const side = (host: string, ips: string[]): string => (ips.length === 1 && ips[0] === host ? host : `${host} (${ips.join(', ')})`);
  return `${side(m.sourceHost, m.sourceIps)} → ${side(m.destinationHost, m.destinationIps)}`;
}

export function throughputText(m: MigrationReport): string {
  return `${humanBits(m.peakThroughputBitsPerSecond)} peak · ` +
    `${humanBytes(m.payloadBytes)} in ${humanSeconds(m.activeSeconds)}` +
    (m.retransmittedBytes > 0 ? ` · ${humanBytes(m.retransmittedBytes)} retransmitted` : ' · no retransmissions');
}

/**
 * The retransmission series of a migration aligned with its throughput series, when the TCP
 * health analysis provides one (any array under `health` whose name says retrans...).
 */
export function retransmissionSeries(m: MigrationReport): number[] | null {
  const h = healthOf(m);
  const candidates: Array<[string, unknown]> = [];
  const collect = (o: Record<string, unknown>, depth: number): void => {
    for (const [k, v] of Object.entries(o)) {
      if (Array.isArray(v) && /retrans/i.test(k)) candidates.push([k, v]);
      else if (isObj(v) && depth < 3) collect(v, depth + 1);
    }
  };
  if (h) collect(h, 0);
  for (const [k, v] of Object.entries(m as unknown as Record<string, unknown>)) {
    if (Array.isArray(v) && /retrans/i.test(k)) candidates.push([k, v]);
  }
  for (const [, arr] of candidates) {
    const a = arr as unknown[];
    if (a.length === 0) continue;
    if (a.every((x) => typeof x === 'number')) return align(a as number[], m.series.length);
    if (a.every(isObj)) {
      const byTime = new Map(m.series.map((p, i) => [p.time, i]));
      const out = new Array<number>(m.series.length).fill(0);
      let placed = 0;
      a.forEach((x, i) => {
        const o = x as Record<string, unknown>;
        const num = Object.entries(o).find(([key, val]) => key !== 'time' && typeof val === 'number');
        if (!num) return;
        const idx = typeof o.time === 'string' && byTime.has(o.time) ? byTime.get(o.time)! : i;
        if (idx < out.length) { out[idx] += num[1] as number; placed++; }
      });
      if (placed > 0) return out;
    }
  }
  return null;
}

function align(a: number[], n: number): number[] {
  const out = a.slice(0, n);
  while (out.length < n) out.push(0);
  return out;
}

/** Flattens an analysis object into label/value rows for a plain table (frames as frame lists). */
export function flattenRows(o: Record<string, unknown>, r: AnalysisResult, prefix = '', out: Array<[string, string]> = [], depth = 0): Array<[string, string]> {
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (out.length >= 80) break;
    if (v === null || v === undefined) out.push([key, '—']);
    else if (typeof v === 'number') out.push([key, Number.isInteger(v) ? v.toLocaleString('en-US') : String(Number(v.toPrecision(6)))]);
    else if (typeof v === 'string' || typeof v === 'boolean') out.push([key, String(v)]);
    else if (Array.isArray(v)) {
      if (v.length > 0 && v.every(isFrameRef)) out.push([key, `frames ${framesText(v as FrameRef[], r)}`]);
      else if (v.every((x) => typeof x === 'string' || typeof x === 'number')) out.push([key, v.length > 12 ? `${v.slice(0, 12).join(', ')}, … (${v.length})` : v.join(', ')]);
      else out.push([key, `${v.length} entries (see report.json)`]);
    } else if (isObj(v) && depth < 4) {
      if (isFrameRef(v)) out.push([key, `frame ${framesText([v], r)}`]);
      else flattenRows(v, r, key, out, depth + 1);
    }
  }
  return out;
}

export function inputFormat(i: AnalysisResult['inputs'][number]): string {
  return i.failed ? 'unreadable' : `${i.format}${i.compression ? ` (${i.compression})` : ''}; ${i.linkTypes.map((l) => l.name).join(', ') || 'no packets'}`;
}

export function streamLabel(s: StreamReport): string {
  const ep = (ip: string, port: number): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  return `${ep(s.client.ip, s.client.port)} → ${ep(s.server.ip, s.server.port)}`;
}

export function openClose(s: StreamReport): string {
  return `${s.synSeen ? (s.synAckSeen ? 'SYN, SYN-ACK' : 'SYN only') : 'mid-stream'} / ${s.closed ?? 'open at end'}`;
}

/** Per-direction TCP health measures shown in the reports' table (the rest stays in report.json). */
const HEALTH_COLUMNS: Array<[string, string, (d: Record<string, unknown>) => unknown]> = [
  ['Retrans', 'retransmitted segments', (d) => d.retransmittedSegments],
  ['Fast', 'fast retransmissions', (d) => d.fastRetransmissions],
  ['Out of order', 'out-of-order segments', (d) => d.outOfOrderSegments],
  ['Dup ACKs', 'duplicate ACKs', (d) => d.duplicateAcks],
  ['Lost', 'segments lost before the capture point', (d) => d.lostSegments],
  ['Zero win', 'zero-window advertisements', (d) => d.zeroWindowAdvertisements],
  ['RTT median', 'round-trip time, median of data/ACK samples', (d) => (isObj(d.rtt) && typeof d.rtt.medianSeconds === 'number' ? humanSeconds(d.rtt.medianSeconds) : null)],
  ['MSS', 'MSS from the SYN', (d) => d.mss],
  ['Largest segment', 'largest payload seen', (d) => (typeof d.largestPayloadBytes === 'number' ? `${d.largestPayloadBytes.toLocaleString('en-US')} B${typeof d.largestSegmentClass === 'string' ? ` (${d.largestSegmentClass})` : ''}` : null)],
  ['Longest idle', 'longest stall', (d) => (typeof d.longestIdleSeconds === 'number' ? humanSeconds(d.longestIdleSeconds) : null)],
];

/** Stream health as one compact table (one row per stream direction), or null without health. */
export function streamHealthTable(streams: StreamReport[]): { head: string[]; rows: string[][] } | null {
  const rows: string[][] = [];
  for (const s of streams) {
    const h = healthOf(s);
    if (!h) continue;
    for (const [key, label] of [['clientToServer', 'c→s'], ['serverToClient', 's→c']] as const) {
      const d = h[key];
      if (!isObj(d)) continue;
      rows.push([`${s.id} ${label}`, ...HEALTH_COLUMNS.map(([, , get]) => {
        const v = get(d);
        return v === null || v === undefined ? '—' : typeof v === 'number' ? v.toLocaleString('en-US') : String(v);
      })]);
    }
  }
  return rows.length > 0 ? { head: ['Stream', ...HEALTH_COLUMNS.map(([h]) => h)], rows } : null;
}

/** Stream-level health facts worth a line: one-way capture, what cannot be judged, handshake RTT. */
export function streamHealthNotes(s: StreamReport): string[] {
  const h = healthOf(s);
  if (!h) return [];
  const notes: string[] = [];
  if (h.oneWay === true) notes.push(`stream ${s.id}: only one direction captured`);
  if (h.rttJudgeable === false) notes.push(`stream ${s.id}: RTT cannot be judged from this capture`);
  if (h.lossJudgeable === false) notes.push(`stream ${s.id}: loss cannot be judged from this capture`);
  if (isObj(h.handshake) && typeof h.handshake.totalSeconds === 'number') notes.push(`stream ${s.id}: handshake RTT ${humanSeconds(h.handshake.totalSeconds)}`);
  return notes;
}

/** The mirror session an input's frames arrived through (ERSPAN / GRE / VXLAN): what names its capture point. */
export function tunnelText(t: TunnelReport): string {
  return `mirrored via ${t.type.toUpperCase()} ${t.outerSrc} → ${t.outerDst}${t.sessionId === null ? '' : ` session ${t.sessionId}`} (${humanCount(t.frames)} frames)`;
}

/** The hosts' own word on a migration (vmkernel.log): its id, encryption, and their bandwidth estimate beside ours. */
export function logText(l: MigrationLogReport, measuredBps: number): string {
  const parts = [`id ${l.migrationId}`, l.encrypted ? 'encrypted' : 'encryption not stated'];
  if (l.bandwidthEstimateBytesPerSecond !== null) {
    parts.push(`host estimate ${humanBits(l.bandwidthEstimateBytesPerSecond * 8)} (~${l.bandwidthEstimateMBps} MB/s) vs measured ${humanBits(measuredBps)}`);
  }
  const at = l.lines[0] ? `${l.lines[0].file.split('/').pop() ?? l.lines[0].file}:${l.lines[0].line}` : '';
  parts.push(`${l.seenOn.join('+')} log ${at}`.trim());
  return parts.join(' · ');
}

/** The ESXi logs read (--vmkernel-log): one line per file and per host clock offset, then how many of their migrations the capture has. Empty without logs. */
export function logCorrelationLines(r: AnalysisResult): string[] {
  const c = r.logCorrelation;
  if (!c) return [];
  const lines: string[] = [];
  for (const f of c.files) {
    lines.push(`${f.path}${f.compressed ? ' (gzip)' : ''}: ${humanCount(f.lines)} lines${f.firstTime ? `, ${f.firstTime} – ${f.lastTime}` : ''}, ${f.migrationLines} vMotion line(s)${f.unknownFormatLines ? `, ${f.unknownFormatLines} in an unknown format (ignored)` : ''}${f.error ? ` — ${f.error.message}` : ''}`);
  }
  for (const o of c.clockOffsets) {
    lines.push(`clock of host ${o.hostIps.join(', ')}: capture = log ${o.seconds >= 0 ? '+' : '−'} ${Math.abs(o.seconds).toFixed(3)} s (${o.method}${o.method === 'estimated' ? ` from ${o.matches} migration(s)` : ''})`);
  }
  const lm = r.logMigrations ?? [];
  const unmatched = lm.filter((m) => m.captureMigrationIds.length === 0).length;
  lines.push(`${lm.length} migration(s) in the logs, ${lm.length - unmatched} found in the capture`);
  return lines;
}
