import { analyzeFiles, type AnalyzeFilesOptions } from '../analysis/analyze-files.js';
import { DEFAULT_OPTIONS, type AnalyzerOptions } from '../analysis/analyzer.js';
import { HostMap } from '../analysis/host-map.js';
import { parsePointSpecs } from '../analysis/capture-points.js';
import type { AnalysisResult } from '../analysis/result.js';
import { renderMigrationsCsv, renderStreamsCsv } from '../report/csv-report.js';
import { renderHtml } from '../report/html-report.js';
import { renderJson } from '../report/json-report.js';
import { renderMarkdown } from '../report/markdown-report.js';
import { renderTable } from '../report/table-report.js';
import { writeFileAtomic } from '../report/write-output.js';
import { makeProgress } from './progress.js';
import { expandLogPaths } from '../logs/log-files.js';
import { tuneV8 } from './v8-tuning.js';

export interface AnalyzeCliOptions {
  port?: number[];
  nfcPort?: number[];
  gap: number;
  interval: number;
  hostMap?: string;
  point?: string[];
  format: 'table' | 'json' | 'csv' | 'markdown' | 'html';
  streams?: boolean;
  verbose?: boolean;
  output?: string;
  progress: boolean;
  /** 'routed': exit 4 when any migration's path verdict is routed. */
  failOn?: 'routed';
  /** --vmkernel-log files or directories. */
  vmkernelLog?: string[];
  /** --sha256: hash every input for the report. */
  sha256?: boolean;
  /** --threads: decode workers (undefined: one per spare core). */
  threads?: number;
  /** --log-offset: capture time = log time + seconds. */
  logOffset?: number;
}

export function analyzerOptionsFrom(o: AnalyzeCliOptions): AnalyzerOptions {
  return {
    ...DEFAULT_OPTIONS,
    vmotionPorts: o.port ?? DEFAULT_OPTIONS.vmotionPorts,
    nfcPorts: (o.nfcPort ?? DEFAULT_OPTIONS.nfcPorts).filter((p) => !(o.port ?? DEFAULT_OPTIONS.vmotionPorts).includes(p)),
    gapSeconds: o.gap,
    intervalSeconds: o.interval,
    hostMap: o.hostMap ? HostMap.load(o.hostMap) : null,
    hostMapPath: o.hostMap ?? null,
  };
}

export function renderReport(result: AnalysisResult, o: Pick<AnalyzeCliOptions, 'format' | 'streams' | 'verbose'>): string {
  switch (o.format) {
    case 'json': return renderJson(result);
    case 'csv': return o.streams ? renderStreamsCsv(result) : renderMigrationsCsv(result);
    case 'markdown': return renderMarkdown(result, { generatedAt: new Date().toISOString() });
    case 'html': return renderHtml(result, { generatedAt: new Date().toISOString() });
    default: return renderTable(result, { verbose: !!o.verbose });
  }
}

/** What a run over capture files needs from the command line; throws on usage errors. */
export function fileRunOptions(files: string[], o: AnalyzeCliOptions): { options: AnalyzerOptions; run: AnalyzeFilesOptions } {
  const logs = expandLogPaths(o.vmkernelLog ?? []);
  const options = analyzerOptionsFrom(o);
  const points = parsePointSpecs(o.point ?? []);
  const unknown = [...points.keys()].filter((f) => !files.includes(f));
  if (unknown.length > 0) throw new Error(`--point names ${unknown.join(', ')}, which is not among the input files`);
  if (files.filter((f) => f === '-').length > 1) throw new Error('standard input ("-") can be given only once');
  return {
    options,
    run: { points, vmkernelLogs: logs, logCorrelation: o.logOffset === undefined ? undefined : { offsetSeconds: o.logOffset }, threads: o.threads },
  };
}

/** Writes the rendered report to -o (atomically) or stdout; returns false (after saying why) on failure. */
export function writeReport(text: string, output: string | undefined): boolean {
  if (!output) { process.stdout.write(text); return true; }
  try {
    writeFileAtomic(output, text);
    return true;
  } catch (err) {
    process.stderr.write(`vmotion-analyzer: ${(err as Error).message}\n`);
    return false;
  }
}

/**
 * Says what went wrong with each input; true when some input could not be read at all. Cut-off
 * or partly corrupt files were analysed as far as they go: a warning and a finding, not a failure.
 */
export function reportInputProblems(result: AnalysisResult): boolean {
  let failed = false;
  for (const inp of result.inputs) {
    // Reader messages already name the file; say it only when they do not.
    const msg = (m: string) => (m.includes(inp.path) ? m : `${inp.path}: ${m}`);
    if (inp.failed) { failed = true; process.stderr.write(`vmotion-analyzer: ${msg(inp.error?.message ?? 'could not be read')}\n`); }
    else if (inp.error) process.stderr.write(`vmotion-analyzer: warning: ${msg(inp.error.message)}\n`);
  }
  // A log cut off or unreadable part-way: the lines before it were used (finding LOG_UNREADABLE).
  for (const f of result.logCorrelation?.files ?? []) if (f.error) process.stderr.write(`vmotion-analyzer: warning: ${f.error.message}\n`);
  return failed;
}

/** Exit 4 (README "Exit codes") when --fail-on routed and some migration crossed a router, else 0. */
export function failOnExit(result: AnalysisResult, failOn: 'routed' | undefined): number {
  if (failOn !== 'routed') return 0;
  const routed = result.migrations.filter((m) => m.path?.verdict === 'routed');
  if (routed.length === 0) return 0;
  process.stderr.write(`vmotion-analyzer: --fail-on routed: migration(s) ${routed.map((m) => `#${m.id}`).join(', ')} crossed a router\n`);
  return 4;
}

/** `analyze`: returns the exit code (0 analysed, 2 usage, 3 an input could not be read, 4 --fail-on routed matched). */
export async function runAnalyze(files: string[], o: AnalyzeCliOptions): Promise<number> {
  let prepared: ReturnType<typeof fileRunOptions>;
  try {
    prepared = fileRunOptions(files, o);
  } catch (err) {
    process.stderr.write(`vmotion-analyzer: ${(err as Error).message}\n`);
    return 2;
  }
  const progress = makeProgress(o.progress);
  const result = await analyzeFiles(files, prepared.options, {
    ...prepared.run, hashInputs: o.sha256 === true, onProgress: progress.update, onWorkersStarted: tuneV8,
  });
  progress.done();
  if (!writeReport(renderReport(result, o), o.output)) return 3;
  // An unreadable input (3) wins over --fail-on (4): the check could not see everything.
  if (reportInputProblems(result)) return 3;
  return failOnExit(result, o.failOn);
}
