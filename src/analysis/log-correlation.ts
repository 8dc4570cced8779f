import { formatIp } from '../decode/addresses.js';
import { startOf, type LogMigration, type VmkernelLogSet } from '../logs/vmkernel-log.js';
import type { LogRole } from '../logs/vmkernel-line.js';
import type { Analyzer } from './analyzer.js';
import type { ResultContext, ResultEnricher } from './build-result.js';
import { finding } from './findings.js';
import type { MigrationGroup } from './migrations.js';
import type { AnalysisResult, Finding, LogCorrelationReport, MigrationLogReport } from './result.js';

/**
 * Packets + vmkernel.log: attaches each log migration id (`ts`) to the captured migration with the
 * same IPs that started when the log says it did, and lets the log group streams where packets
 * alone cannot.
 *
 * Clocks: host and capture clocks differ. Per logging host the offset (capture = host + offset)
 * is the one within ±maxOffsetSeconds under which the most log migrations start where a captured
 * migration of their IPs starts (estimateOffsets), re-centred on the final pairs; or the offset
 * the user gave ("assumed").
 * A log migration belongs to a captured migration of its IPs when its corrected first line falls
 * in [capture start - tolerance, capture end] (the Migrate line precedes the streams).
 *
 * Grouping with the log (packet-only grouping is unchanged when no log is given):
 * - one captured migration that several log migrations of its IPs start in (concurrent
 *   migrations between the same hosts) is split: its streams, in order of their start, are cut at
 *   the largest gaps between starts into as many runs as log migrations, given out in log order.
 *   (Streams of concurrent migrations that start interleaved cannot be split this way.)
 * - captured migrations at one capture point that one log migration names (its vmknic IPs:
 *   multi-NIC) are merged into one.
 */
export interface LogCorrelationOptions {
  /** Search window for the host-vs-capture clock offset. */
  maxOffsetSeconds: number;
  /** Known offset (capture = host + offset); null: estimate it per host. */
  offsetSeconds: number | null;
  /** Slack before a captured migration's start. */
  toleranceSeconds: number;
}

export const DEFAULT_LOG_CORRELATION: LogCorrelationOptions = { maxOffsetSeconds: 600, offsetSeconds: null, toleranceSeconds: 2 };

/** MB in the vmkernel bandwidth estimate, taken as 2^20 bytes (*uncertain*: docs/esxi-logs.md). */
export const LOG_MB = 1 << 20;

interface GroupView { g: MigrationGroup; src: string[]; dst: string[]; start: number; end: number }
interface HostClock { key: string; hostIps: string[]; files: number[]; seconds: number; method: 'estimated' | 'assumed'; matches: number }

export class LogCorrelation implements ResultEnricher {
  private readonly opts: LogCorrelationOptions;
  private readonly clocks = new Map<string, HostClock>();
  private readonly clockOfFile: HostClock[] = [];
  /** Log migration attached to each final group. */
  private readonly logOf = new Map<MigrationGroup, LogMigration>();
  private epoch = 0;

  constructor(readonly log: VmkernelLogSet, opts: Partial<LogCorrelationOptions> = {}) {
    this.opts = { ...DEFAULT_LOG_CORRELATION, ...opts };
    log.files.forEach((f, i) => {
      const key = f.hostIps.length > 0 ? f.hostIps.join(',') : `file:${f.path}`;
      let c = this.clocks.get(key);
      if (c === undefined) {
        c = { key, hostIps: f.hostIps, files: [], seconds: this.opts.offsetSeconds ?? 0, method: 'assumed', matches: 0 };
        this.clocks.set(key, c);
      }
      c.files.push(i);
      this.clockOfFile.push(c);
    });
  }

  /** Corrected (capture-clock, epoch seconds) first time of a log migration. */
  private startAbs(m: LogMigration): number {
    let t = Infinity;
    for (const role of ['source', 'destination'] as LogRole[]) {
      const ft = m.firstTime[role]; const fi = m.fileOf[role];
      if (ft !== undefined && fi !== undefined) t = Math.min(t, ft + this.clockOfFile[fi].seconds);
    }
    return t;
  }

  /** The Regroup hook for buildResult. */
  readonly regroup = (groups: MigrationGroup[], analyzer: Analyzer): MigrationGroup[] => {
    this.epoch = analyzer.clock.epochSec < 0 ? 0 : analyzer.clock.epochSec;
    const gap = analyzer.options.gapSeconds;
    const tol = Math.max(this.opts.toleranceSeconds, gap);
    const logs = this.log.migrations;

    if (this.opts.offsetSeconds === null) this.estimateOffsets(groups.map((g) => this.view(g)), logs, tol);

    // Which log migrations start inside each captured migration.
    let views = groups.map((g) => this.view(g));
    const startsIn = (v: GroupView, m: LogMigration): boolean => {
      const t = this.startAbs(m);
      return t >= v.start - tol && t <= v.end && compatible(v, m);
    };
    const out: MigrationGroup[] = [];
    for (const v of views) {
      const ms = logs.filter((m) => startsIn(v, m)).sort((a, b) => this.startAbs(a) - this.startAbs(b));
      if (ms.length <= 1) { out.push(v.g); if (ms.length === 1) this.logOf.set(v.g, ms[0]); continue; }
      splitByStarts(v.g, ms.length).forEach((part, i) => { out.push(part); this.logOf.set(part, ms[i]); });
    }

    // Merge captured migrations at one point that one log migration names (multi-NIC).
    const merged: MigrationGroup[] = [];
    const byKey = new Map<string, MigrationGroup>();
    for (const g of out) {
      const m = this.logOf.get(g);
      if (m === undefined) { merged.push(g); continue; }
      const key = `${g.point}\u0000${m.ts}`;
      const into = byKey.get(key);
      if (into === undefined) { byKey.set(key, g); merged.push(g); continue; }
      into.members.push(...g.members);
      into.members.sort((a, b) => a.stream.id - b.stream.id);
      into.startT = Math.min(into.startT, g.startT);
      into.endT = Math.max(into.endT, g.endT);
      into.sourceHost = joinNames(into.sourceHost, g.sourceHost);
      into.destinationHost = joinNames(into.destinationHost, g.destinationHost);
      this.logOf.delete(g);
    }
    merged.sort((a, b) => a.startT - b.startT || a.members[0].stream.id - b.members[0].stream.id);

    // Refine the estimate on the final one-to-one pairs (a merged concurrent group skewed the first one).
    if (this.opts.offsetSeconds === null) {
      views = merged.map((g) => this.view(g));
      const byClock = new Map<HostClock, number[]>();
      for (const v of views) {
        const m = this.logOf.get(v.g);
        if (m === undefined) continue;
        for (const role of ['source', 'destination'] as LogRole[]) {
          const ft = m.firstTime[role]; const fi = m.fileOf[role];
          if (ft === undefined || fi === undefined) continue;
          const c = this.clockOfFile[fi];
          let list = byClock.get(c); if (!list) byClock.set(c, list = []);
          list.push(v.start - ft);
        }
      }
      for (const [c, ds] of byClock) { c.seconds = median(ds); c.method = 'estimated'; c.matches = ds.length; }
    }
    return merged;
  };

  private view(g: MigrationGroup): GroupView {
    const src = new Set<string>(); const dst = new Set<string>();
    for (const mem of g.members) {
      const s = mem.stream;
      const c = formatIp(s.ipVersion, s.clientIp); const sv = formatIp(s.ipVersion, s.serverIp);
      if (mem.forwardDir === 0) { src.add(c); dst.add(sv); } else { src.add(sv); dst.add(c); }
    }
    return { g, src: [...src], dst: [...dst], start: this.epoch + g.startT, end: this.epoch + g.endT };
  }

  /**
   * Per host: the offset that lets the most log migrations start within tolerance of a captured
   * migration of their IPs (fewest residual seconds on a tie), tried at every (captured start -
   * log time) within ±maxOffsetSeconds, then centred on the median residual. Nearest-start voting
   * fails as soon as the clocks differ by half the spacing between migrations.
   */
  private estimateOffsets(views: GroupView[], logs: LogMigration[], tol: number): void {
    const byClock = new Map<HostClock, Array<{ t: number; starts: number[] }>>();
    for (const m of logs) {
      for (const role of ['source', 'destination'] as LogRole[]) {
        const ft = m.firstTime[role]; const fi = m.fileOf[role];
        if (ft === undefined || fi === undefined) continue;
        const starts = views.filter((v) => compatible(v, m) && Math.abs(v.start - ft) <= this.opts.maxOffsetSeconds).map((v) => v.start);
        if (starts.length === 0) continue;
        const c = this.clockOfFile[fi];
        let list = byClock.get(c); if (!list) byClock.set(c, list = []);
        list.push({ t: ft, starts });
      }
    }
    for (const [c, items] of byClock) {
      let best = { score: -1, cost: Infinity, off: 0, residuals: [] as number[] };
      const tried = new Set<number>();
      for (const it of items) {
        for (const st of it.starts) {
          const off = st - it.t;
          const key = Math.round(off * 1000);
          if (tried.has(key)) continue;
          tried.add(key);
          let score = 0; let cost = 0; const residuals: number[] = [];
          for (const x of items) {
            let r = Infinity;
            for (const s2 of x.starts) { const d = s2 - (x.t + off); if (Math.abs(d) < Math.abs(r)) r = d; }
            if (Math.abs(r) <= tol) { score++; cost += Math.abs(r); residuals.push(r); }
          }
          if (score > best.score || (score === best.score && cost < best.cost)) best = { score, cost, off, residuals };
        }
      }
      if (best.score <= 0) continue;
      c.seconds = best.off + median(best.residuals);
      c.method = 'estimated';
      c.matches = best.score;
    }
  }

  enrich(result: AnalysisResult, ctx: ResultContext): void {
    const captureIdsOf = new Map<LogMigration, number[]>();
    ctx.groups.forEach((g, i) => {
      const m = this.logOf.get(g);
      const rep = result.migrations[i];
      if (m === undefined || rep === undefined) return;
      rep.log = this.logReport(m);
      let ids = captureIdsOf.get(m); if (!ids) captureIdsOf.set(m, ids = []);
      ids.push(rep.id);
    });
    result.logMigrations = this.log.migrations.map((m) => ({ ...this.logReport(m), captureMigrationIds: captureIdsOf.get(m) ?? [] }));
    const clocks = [...this.clocks.values()].filter((c) => c.hostIps.length > 0);
    const report: LogCorrelationReport = {
      files: this.log.files.map((f) => ({
        path: f.path, compressed: f.compressed, lines: f.lines, untimedLines: f.untimedLines, longLines: f.longLines,
        firstTime: f.firstTime, lastTime: f.lastTime, migrationLines: f.migrationLines, unknownFormatLines: f.unknownFormatLines,
        firstUnknownLine: f.firstUnknownLine, hostIps: f.hostIps, error: f.error,
      })),
      clockOffsets: clocks.map((c) => ({ hostIps: c.hostIps, files: c.files.map((i) => this.log.files[i].path), seconds: round3(c.seconds), method: c.method, matches: c.matches })),
      toleranceSeconds: Math.max(this.opts.toleranceSeconds, ctx.analyzer.options.gapSeconds),
    };
    result.logCorrelation = report;
    result.findings.push(...this.findings(result, ctx, captureIdsOf));
  }

  private logReport(m: LogMigration): MigrationLogReport {
    const start = this.startAbs(m);
    return {
      migrationId: m.ts,
      format: m.format,
      sourceIps: m.sourceIps,
      destinationIps: m.destinationIps,
      seenOn: m.seenOn,
      encrypted: m.encrypted,
      bandwidthEstimateMBps: m.bandwidthMBps,
      bandwidthEstimateBytesPerSecond: m.bandwidthMBps === null ? null : Math.round(m.bandwidthMBps * LOG_MB),
      hostTime: m.firstTimeText,
      captureTime: Number.isFinite(start) ? new Date(Math.round(start * 1000)).toISOString() : m.firstTimeText,
      lines: m.lines.map((l) => ({ ...l })),
    };
  }

  private findings(result: AnalysisResult, ctx: ResultContext, captureIdsOf: Map<LogMigration, number[]>): Finding[] {
    const out: Finding[] = [];
    const tol = Math.max(this.opts.toleranceSeconds, ctx.analyzer.options.gapSeconds);
    for (const f of this.log.files) {
      if (f.error) out.push(finding('LOG_UNREADABLE', `${f.error.message} (byte offset ${f.error.offset}); ${f.lines} lines before it were used`));
      if (f.unknownFormatLines > 0) {
        out.push(finding('LOG_UNKNOWN_FORMAT', `${f.path}: ${f.unknownFormatLines} line(s) look like vMotion migration or bandwidth lines in no known format and were ignored (first: line ${f.firstUnknownLine}); a newer ESXi release? See docs/esxi-logs.md`));
      }
    }
    // The capture's own span, absolute.
    let capFirst = Infinity; let capLast = -Infinity;
    for (const s of ctx.analyzer.summaries) {
      if (!s || s.packets === 0) continue;
      capFirst = Math.min(capFirst, s.firstTsSec + s.firstTsNsec * 1e-9);
      capLast = Math.max(capLast, s.lastTsSec + s.lastTsNsec * 1e-9);
    }
    const iso = (t: number): string => new Date(Math.round(t * 1000)).toISOString();
    let inSpan = 0;
    const outside: LogMigration[] = [];
    for (const m of this.log.migrations) {
      if ((captureIdsOf.get(m) ?? []).length > 0) { inSpan++; continue; }
      const t = this.startAbs(m);
      if (t >= capFirst - tol && t <= capLast + tol) {
        inSpan++;
        const where = m.lines[0];
        out.push(finding('LOG_MIGRATION_NOT_CAPTURED',
          `log migration ${m.ts} (${m.sourceIps.join(', ') || '?'} → ${m.destinationIps.join(', ') || '?'}, ${where.file}:${where.line}) started at ${iso(t)} (capture clock) inside the capture's time span but none of its traffic was captured: the capture was taken on another vmknic or port, or filtered it out`));
      } else outside.push(m);
    }
    if (this.log.migrations.length > 0 && inSpan === 0 && Number.isFinite(capFirst)) {
      out.push(finding('LOG_CAPTURE_NO_OVERLAP',
        `none of the ${this.log.migrations.length} migration(s) in the logs falls in the capture's span ${iso(capFirst)} – ${iso(capLast)} (capture clock): capture and logs are from different times, or the host clock is off by more than ${this.opts.maxOffsetSeconds} s`));
    }
    // Captured migrations the logs should have named: a log of one of its hosts covers its time.
    ctx.groups.forEach((g, i) => {
      const rep = result.migrations[i];
      if (!rep || rep.log || rep.payloadBytes === 0) return;
      const ips = [...rep.sourceIps, ...rep.destinationIps];
      const start = this.epoch + g.startT;
      const covering = this.log.files.filter((f, fi) => {
        if (f.firstEpoch === null || f.lastEpoch === null || !f.hostIps.some((ip) => ips.includes(ip))) return false;
        const off = this.clockOfFile[fi].seconds;
        return start >= f.firstEpoch + off - tol && start <= f.lastEpoch + off + tol;
      });
      if (covering.length === 0) return;
      out.push(finding('CAPTURE_MIGRATION_NOT_IN_LOG',
        `migration #${rep.id} (${rep.sourceIps.join(', ')} → ${rep.destinationIps.join(', ')}, ${rep.startTime}) is not named in ${covering.map((f) => f.path).join(', ')}, which cover(s) that host and time: not a vMotion (NFC/cold migration over 8000?), or the log is from another host or has been rotated`,
        { migrationIds: [rep.id], streamIds: rep.streamIds }));
    });
    return out;
  }
}

/** The group's IPs all belong to the log migration (a log that names no IP matches none). */
function compatible(v: GroupView, m: LogMigration): boolean {
  if (m.sourceIps.length === 0 || m.destinationIps.length === 0) return false;
  return v.src.every((ip) => m.sourceIps.includes(ip)) && v.dst.every((ip) => m.destinationIps.includes(ip));
}

/** Cut a group's streams, ordered by start, at the n-1 largest gaps between consecutive starts. */
export function splitByStarts(g: MigrationGroup, n: number): MigrationGroup[] {
  const members = [...g.members].sort((a, b) => a.stream.firstT - b.stream.firstT || a.stream.id - b.stream.id);
  if (members.length < n) n = members.length;
  const gaps = members.slice(1).map((m, i) => ({ i: i + 1, gap: m.stream.firstT - members[i].stream.firstT }));
  const cuts = gaps.sort((a, b) => b.gap - a.gap || a.i - b.i).slice(0, n - 1).map((x) => x.i).sort((a, b) => a - b);
  const parts: MigrationGroup[] = [];
  let from = 0;
  for (const cut of [...cuts, members.length]) {
    const ms = members.slice(from, cut).sort((a, b) => a.stream.id - b.stream.id);
    from = cut;
    parts.push({
      point: g.point, sourceHost: g.sourceHost, destinationHost: g.destinationHost, members: ms,
      startT: Math.min(...ms.map((m) => m.stream.firstT)), endT: Math.max(...ms.map((m) => m.stream.lastT)),
    });
  }
  return parts;
}

function joinNames(a: string, b: string): string {
  const parts = new Set([...a.split('+'), ...b.split('+')]);
  return [...parts].sort().join('+');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function round3(x: number): number { return Math.round(x * 1000) / 1000; }
