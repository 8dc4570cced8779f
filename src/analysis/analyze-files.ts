import { statSync } from 'node:fs';
import { readCapture } from '../source/read-capture.js';
import { Analyzer, type AnalyzerOptions } from './analyzer.js';
import { planInputs } from './capture-points.js';
import { buildResult, type ResultEnricher } from './build-result.js';
import type { AnalysisResult } from './result.js';
import { attachStandardAnalyses } from './standard-analyses.js';
import { sha256File } from './sha256-file.js';
import { readVmkernelLogs } from '../logs/vmkernel-log.js';
import { LogCorrelation, type LogCorrelationOptions } from './log-correlation.js';
import { DecodeAhead, decodeWorkerAvailable, defaultDecodeThreads } from '../decode/read-decoded.js';
import { drainInto } from './record-fast-path.js';
import { dropEarlyDecode, takeEarlyDecode } from '../decode/early-start.js';

export interface AnalyzeFilesOptions {
  /** Explicit capture points (file -> point name, from --point); others get the default plan. */
  points?: Map<string, string>;
  onProgress?: (path: string, bytesRead: number, totalBytes: number | null) => void;
  /** Extra analyses beyond the standard ones (tests, experiments). */
  enrichers?: ResultEnricher[];
  setup?: (analyzer: Analyzer) => void;
  /**
   * Called once the first decode workers have started (at once when there are none). Process-wide
   * changes that would slow a worker's start-up if made before it go here (the CLI's V8 tuning).
   */
  onWorkersStarted?: () => void;
  /** ESXi vmkernel.log files (plain or gzip, either host, any rotation) to correlate with (--vmkernel-log). */
  vmkernelLogs?: string[];
  logCorrelation?: Partial<LogCorrelationOptions>;
  /**
   * Worker threads that read and decode inputs ahead of the analysis (--threads). Default: one per
   * spare core. 0: everything on this thread. Standard input is always read here.
   */
  threads?: number;
  /**
   * SHA-256 of every input file for the report (default true). Hashing costs about as much CPU as
   * reading and decoding (~400 MB/s on one core here), so `analyze` asks only with --sha256;
   * evidence bundles always include it.
   */
  hashInputs?: boolean;
}

/** Offline analysis: files -> frames -> the same Analyzer that live capture feeds -> result. */
export async function analyzeFiles(paths: string[], options: AnalyzerOptions, opts: AnalyzeFilesOptions = {}): Promise<AnalysisResult> {
  const plan = planInputs(paths, opts.points ?? new Map());
  const threads = decodeWorkerAvailable() ? Math.max(0, Math.floor(opts.threads ?? defaultDecodeThreads())) : 0;
  // Inputs are analysed in order; up to `threads` of them are read and decoded ahead, each on its own worker.
  const ahead: Array<DecodeAhead | undefined> = [];
  const startAhead = (i: number): void => {
    if (i >= plan.length || ahead[i] !== undefined || plan[i].path === '-') return;
    // The CLI may have started this input's worker before it loaded (src/decode/early-start.ts).
    try { ahead[i] = takeEarlyDecode(plan[i].path) ?? new DecodeAhead(plan[i].path); } catch { /* no thread to be had: this input is read here */ }
  };
  // The first workers start before the analysis is set up: a worker takes ~0.1 s to start (a
  // thread, its modules, the file's first chunk), which then overlaps the set-up instead of following it.
  for (let j = 0; j < threads; j++) startAhead(j);
  void dropEarlyDecode();
  // A tuning hook must never fail the analysis: an error in it is reported, not thrown.
  void Promise.all(ahead.map((w) => w?.started)).then(() => opts.onWorkersStarted?.())
    .catch((err: unknown) => { process.emitWarning(`onWorkersStarted failed: ${(err as Error)?.message ?? err}`); });
  try {
    const analyzer = new Analyzer(options);
    const enrichers = attachStandardAnalyses(analyzer);
    opts.setup?.(analyzer);
    for (let i = 0; i < plan.length; i++) {
      for (let j = i; j < i + threads; j++) startAhead(j);
      const { path, point, interfacePoints } = plan[i];
      let sizeBytes: number | null = null;
      try { const st = statSync(path); if (st.isFile()) sizeBytes = st.size; } catch { /* reported by the reader */ }
      const index = analyzer.addInput({ path, point, interfacePoints, sha256: null, sizeBytes });
      const onProgress = opts.onProgress ? (b: number, t: number | null) => opts.onProgress!(path, b, t) : undefined;
      const worker = ahead[i];
      const [summary, sha256] = await Promise.all([
        worker ? drainInto(worker, index, analyzer, onProgress) : readCapture(path, analyzer.onFrame, { inputIndex: index, onProgress }),
        path === '-' || sizeBytes === null || opts.hashInputs === false ? Promise.resolve(null) : sha256File(path),
      ]);
      ahead[i] = undefined;
      analyzer.metas[index].sha256 = sha256;
      analyzer.finishInput(index, summary);
    }
    if (opts.vmkernelLogs && opts.vmkernelLogs.length > 0) {
      const corr = new LogCorrelation(await readVmkernelLogs(opts.vmkernelLogs), opts.logCorrelation);
      return buildResult(analyzer, [...enrichers, ...(opts.enrichers ?? []), corr], corr.regroup);
    }
    return buildResult(analyzer, [...enrichers, ...(opts.enrichers ?? [])]);
  } finally {
    await Promise.all(ahead.map((w) => w?.cancel()));
  }
}
