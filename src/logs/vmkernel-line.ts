import { formatIp, parseIp } from '../decode/addresses.js';

/**
 * One vmkernel.log line -> the vMotion facts it states, or nothing.
 *
 * Formats (docs/esxi-logs.md has the published examples they were built from):
 * - 6.x/7.x: `Migrate: vm 2758492: 3284: Setting VMOTION info: Source ts = 1451061663105920,
 *   src ip = <a> dest ip = <b> Dest wid = ... using SHARED swap` (`Dest ts = ...` on the destination).
 * - 8.x: `Migrate: 314: vmotion: Source vmmLeaderID = 2118927, ts = 7182955985622810397,
 *   srcIP = <a> dstIP = <b> Dest wid = ... using SHARED swap, encrypted` (`Dest vmmLeaderID` on the destination).
 * - Pre-copy: `VMotion: 3878: 1424430291970314 S: Stopping pre-copy: ... (network bandwidth ~931.354 MB/s, ...)`.
 * - vmknic: `VMotion: 2734: 1451061663105920 S: Set ip address '192.168.1.176' worldlet affinity ...`
 *   (one per vMotion vmknic: how a multi-NIC migration names its other IPs; *uncertain* that every
 *   release prints it, so it only ever adds IPs).
 * Every line starts with an ISO 8601 time, directly (`2015-12-25T16:39:25.565Z cpu4:...)`) or as
 * forwarded by syslog (`... In(182) vmkernel: cpu3:...)` / `... esx01 vmkernel: cpu3:...)`).
 * Migration ids (`ts`) exceed 2^53 on 8.x, so they stay strings.
 */
export type LogRole = 'source' | 'destination';
export type LogFormat = '6.x/7.x' | '8.x';

export interface MigrateEvent { kind: 'migrate'; ts: string; role: LogRole; format: LogFormat; srcIps: string[]; dstIps: string[]; encrypted: boolean | null }
export interface PrecopyEvent { kind: 'precopy'; ts: string; role: LogRole; bandwidthMBps: number }
export interface VmknicEvent { kind: 'vmknic'; ts: string; role: LogRole; ip: string }
export type LogEvent = MigrateEvent | PrecopyEvent | VmknicEvent;

export interface ParsedLine {
  /** Epoch seconds of the line's own timestamp (host clock), or NaN when the line has none. */
  time: number;
  /** The timestamp as printed. */
  timeText: string;
  event: LogEvent | null;
  /** The line looks like a migration or bandwidth line but no known format matched (a future release?). */
  unknownFormat: boolean;
}

const TIME_RE = /^\s*(?:<\d+>)?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?)(Z|[+-]\d\d:?\d\d)?/;
const SETTING_RE = /Setting VMOTION info:\s*(Source|Dest\w*)\s+ts\s*=\s*(\d+)\s*,?\s*src ip\s*=\s*<([^>]*)>\s*,?\s*dest ip\s*=\s*<([^>]*)>/i;
const V8_RE = /Migrate:\s*\d+:\s*vmotion:\s*(Source|Dest\w*)\s+vmmLeaderID\s*=\s*\d+\s*,\s*ts\s*=\s*(\d+)\s*,?\s*srcIP\s*=\s*<([^>]*)>\s*,?\s*dstIP\s*=\s*<([^>]*)>/i;
const PRECOPY_RE = /VMotion:\s*\d+:\s*(\d+)\s+([SD]):\s*Stopping pre-copy:.*?network bandwidth\s*~?\s*(\d+(?:\.\d+)?)\s*MB\/s/i;
const VMKNIC_RE = /VMotion:\s*\d+:\s*(\d+)\s+([SD]):\s*Set ip address\s*'([^']+)'/i;
/** Lines that name a migration or a bandwidth but that none of the above understood. */
const CANDIDATE_RE = /Setting VMOTION info|Migrate:\s*\d+:\s*vmotion:|network bandwidth|\bsrcIP\s*=|\bsrc ip\s*=/i;
const ENCRYPTED_RE = /(^|[\s,;(])encrypted\b/i;

const words = new Uint32Array(4);

/** Canonical IPs in a `<...>` field; several (multi-NIC, *uncertain* separator) split on commas or blanks. */
export function parseIpList(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/[\s,;]+/)) {
    if (!part) continue;
    const v = parseIp(part, words);
    if (v !== 0) out.push(formatIp(v, words));
  }
  return out;
}

/** Epoch seconds of an ISO time as vmkernel prints it (UTC when no zone is given). */
export function parseLogTime(date: string, zone: string | undefined): number {
  const [whole, frac = ''] = date.split('.');
  let ms = Date.parse(`${whole}Z`);
  if (Number.isNaN(ms)) return NaN;
  if (zone && zone !== 'Z') {
    const m = /^([+-])(\d\d):?(\d\d)$/.exec(zone);
    if (m) ms -= (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
  }
  return ms / 1000 + (frac ? Number(`0.${frac}`) : 0);
}

function role(word: string): LogRole {
  return word.toLowerCase().startsWith('source') || word.toUpperCase() === 'S' ? 'source' : 'destination';
}

const NOISE: ParsedLine = { time: NaN, timeText: '', event: null, unknownFormat: false };

/**
 * The line's leading ISO time as printed (`2015-12-25T16:39:25.565Z`), or '' — a cheap check for
 * every line (file spans); UTC `Z` times of one host compare as strings.
 */
export function leadingTimeText(line: string): string {
  // The common shape without a regex (this runs on every line): YYYY-MM-DDTHH:MM:SS[.fff][Z].
  if (line.length >= 19 && line.charCodeAt(4) === 45 && line.charCodeAt(10) === 84 && line.charCodeAt(13) === 58 && line.charCodeAt(16) === 58) {
    let e = 19;
    if (line.charCodeAt(e) === 46) { e++; while (e < line.length && line.charCodeAt(e) >= 48 && line.charCodeAt(e) <= 57) e++; }
    if (line.charCodeAt(e) === 90) return line.slice(0, e + 1);
  }
  const tm = TIME_RE.exec(line);
  return tm ? tm[1] + (tm[2] ?? '') : '';
}

/** Noise lines (nearly all of a vmkernel.log) return a shared result without their time: callers take spans from leadingTimeText. */
export function parseVmkernelLine(line: string): ParsedLine {
  // Cheap pre-checks first: nearly every line of a vmkernel.log is other noise.
  const hasSetting = line.includes('VMOTION info');
  const hasV8 = !hasSetting && line.includes('vmotion:');
  const hasVMotion = line.includes('VMotion:');
  if (!hasSetting && !hasV8 && !hasVMotion && !line.includes('bandwidth') && !/src\s?ip/i.test(line)) return NOISE;
  const tm = TIME_RE.exec(line);
  const time = tm ? parseLogTime(tm[1], tm[2]) : NaN;
  const timeText = tm ? tm[1] + (tm[2] ?? '') : '';
  let event: LogEvent | null = null;
  let m: RegExpExecArray | null;
  if (hasSetting && (m = SETTING_RE.exec(line)) !== null) {
    const rest = line.slice(m.index + m[0].length);
    event = { kind: 'migrate', ts: m[2], role: role(m[1]), format: '6.x/7.x', srcIps: parseIpList(m[3]), dstIps: parseIpList(m[4]), encrypted: ENCRYPTED_RE.test(rest) ? true : null };
  } else if (hasV8 && (m = V8_RE.exec(line)) !== null) {
    const rest = line.slice(m.index + m[0].length);
    event = { kind: 'migrate', ts: m[2], role: role(m[1]), format: '8.x', srcIps: parseIpList(m[3]), dstIps: parseIpList(m[4]), encrypted: ENCRYPTED_RE.test(rest) ? true : null };
  } else if (hasVMotion && (m = PRECOPY_RE.exec(line)) !== null) {
    event = { kind: 'precopy', ts: m[1], role: role(m[2]), bandwidthMBps: Number(m[3]) };
  } else if (hasVMotion && (m = VMKNIC_RE.exec(line)) !== null) {
    const ips = parseIpList(m[3]);
    if (ips.length === 1) event = { kind: 'vmknic', ts: m[1], role: role(m[2]), ip: ips[0] };
  }
  if (event !== null && Number.isNaN(time)) {
    // A migration line without its timestamp cannot be placed in time: count it as not understood.
    return { time, timeText, event: null, unknownFormat: true };
  }
  const unknownFormat = event === null && CANDIDATE_RE.test(line);
  return event === null && !unknownFormat ? NOISE : { time, timeText, event, unknownFormat };
}
