import { readLines } from './line-reader.js';
import { leadingTimeText, parseLogTime, parseVmkernelLine, type LogFormat, type LogRole } from './vmkernel-line.js';

/**
 * vmkernel.log files (either host, any rotation, plain or gzip) -> one record per migration id.
 * A migration's lines are interleaved with every other VM's and with kernel noise, and may sit
 * in several files (source host, destination host, rotations): they are joined by their `ts`.
 * Memory: one small record per migration, at most MAX_LINE_REFS line references each.
 */
export interface LogLineRef { file: string; line: number }

export interface LogMigration {
  /** The migration id (`ts`) as printed: the same on both hosts and in the VM's vmware.log. */
  ts: string;
  format: LogFormat;
  sourceIps: string[];
  destinationIps: string[];
  /** Which host's log printed it ('source' from `Source ...` lines, 'destination' from `Dest ...`). */
  seenOn: LogRole[];
  /** true when a line says `encrypted`; null when the log does not say (never assumed false). */
  encrypted: boolean | null;
  /** Last pre-copy estimate (`network bandwidth ~N MB/s`), MB/s as printed; null when absent. */
  bandwidthMBps: number | null;
  /** Host-clock times (epoch seconds) of the first and last line naming this id, per role. */
  firstTime: Partial<Record<LogRole, number>>;
  lastTime: Partial<Record<LogRole, number>>;
  /** The first line's timestamp as printed. */
  firstTimeText: string;
  /** Index into VmkernelLogSet.files of the first file that named this id, per role (whose host clock the times are on). */
  fileOf: Partial<Record<LogRole, number>>;
  lines: LogLineRef[];
}

export interface LogFileReport {
  path: string;
  compressed: boolean;
  lines: number;
  /** Lines without a leading timestamp (continuations, cut lines). */
  untimedLines: number;
  /** Lines cut at the line-length limit. */
  longLines: number;
  firstTime: string | null;
  lastTime: string | null;
  firstEpoch: number | null;
  lastEpoch: number | null;
  /** Lines that stated a migration, pre-copy or vmknic fact. */
  migrationLines: number;
  /** Lines that looked like migration/bandwidth lines in no known format (ignored). */
  unknownFormatLines: number;
  firstUnknownLine: number | null;
  /** This host's own vMotion IPs as the log names them (Source lines' src, Dest lines' dst). */
  hostIps: string[];
  error: { message: string; offset: number } | null;
}

export interface VmkernelLogSet {
  files: LogFileReport[];
  migrations: LogMigration[];
}

export const MAX_LINE_REFS = 20;

export async function readVmkernelLogs(paths: string[]): Promise<VmkernelLogSet> {
  const byTs = new Map<string, LogMigration>();
  const files: LogFileReport[] = [];
  for (const path of paths) {
    const fileIndex = files.length;
    const rep: LogFileReport = {
      path, compressed: false, lines: 0, untimedLines: 0, longLines: 0, firstTime: null, lastTime: null, firstEpoch: null, lastEpoch: null,
      migrationLines: 0, unknownFormatLines: 0, firstUnknownLine: null, hostIps: [], error: null,
    };
    files.push(rep);
    const hostIps = new Set<string>();
    const sum = await readLines(path, (line, lineNo) => {
      const tt = leadingTimeText(line);
      if (tt === '') { if (line.trim() !== '') rep.untimedLines++; } else {
        if (rep.firstTime === null || tt < rep.firstTime) rep.firstTime = tt;
        if (rep.lastTime === null || tt > rep.lastTime) rep.lastTime = tt;
      }
      const p = parseVmkernelLine(line);
      if (p.unknownFormat) {
        rep.unknownFormatLines++;
        rep.firstUnknownLine ??= lineNo;
      }
      const e = p.event;
      if (e === null) return;
      rep.migrationLines++;
      let m = byTs.get(e.ts);
      if (m === undefined) {
        m = { ts: e.ts, format: '6.x/7.x', sourceIps: [], destinationIps: [], seenOn: [], encrypted: null, bandwidthMBps: null, firstTime: {}, lastTime: {}, firstTimeText: p.timeText, fileOf: {}, lines: [] };
        byTs.set(e.ts, m);
      }
      const first = m.firstTime[e.role];
      if (first === undefined || p.time < first) m.firstTime[e.role] = p.time;
      if ((m.lastTime[e.role] ?? -Infinity) < p.time) m.lastTime[e.role] = p.time;
      if (p.time <= Math.min(...Object.values(m.firstTime))) m.firstTimeText = p.timeText;
      m.fileOf[e.role] ??= fileIndex;
      if (m.lines.length < MAX_LINE_REFS) m.lines.push({ file: path, line: lineNo });
      if (e.kind === 'migrate') {
        m.format = e.format;
        if (!m.seenOn.includes(e.role)) m.seenOn.push(e.role);
        addAll(m.sourceIps, e.srcIps);
        addAll(m.destinationIps, e.dstIps);
        if (e.encrypted) m.encrypted = true;
        for (const ip of e.role === 'source' ? e.srcIps : e.dstIps) hostIps.add(ip);
      } else if (e.kind === 'precopy') {
        m.bandwidthMBps = e.bandwidthMBps;
      } else {
        addAll(e.role === 'source' ? m.sourceIps : m.destinationIps, [e.ip]);
        hostIps.add(e.ip);
      }
    });
    rep.compressed = sum.compressed;
    rep.lines = sum.lines;
    rep.longLines = sum.longLines;
    rep.error = sum.error;
    rep.hostIps = [...hostIps].sort();
    rep.firstEpoch = rep.firstTime === null ? null : epochOf(rep.firstTime);
    rep.lastEpoch = rep.lastTime === null ? null : epochOf(rep.lastTime);
  }
  const migrations = [...byTs.values()]
    .filter((m) => m.seenOn.length > 0) // pre-copy lines alone (Migrate line rotated away) cannot be placed on IPs
    .sort((a, b) => startOf(a) - startOf(b) || a.ts.localeCompare(b.ts));
  for (const m of migrations) { m.sourceIps.sort(); m.destinationIps.sort(); m.seenOn.sort().reverse(); }
  return { files, migrations };
}

/** Earliest host-clock time of a migration over both hosts' logs. */
export function startOf(m: LogMigration): number {
  return Math.min(m.firstTime.source ?? Infinity, m.firstTime.destination ?? Infinity);
}

function epochOf(text: string): number | null {
  const m = /^(.*?)(Z|[+-]\d\d:?\d\d)?$/.exec(text)!;
  const t = parseLogTime(m[1], m[2]);
  return Number.isNaN(t) ? null : t;
}

function addAll(list: string[], items: string[]): void {
  for (const x of items) if (!list.includes(x)) list.push(x);
}
