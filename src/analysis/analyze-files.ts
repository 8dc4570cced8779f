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

export interface AnalyzeFilesOptions {
  /** Explicit capture points (file -> point name, from --point); others get the default plan. */
  points?: Map<string, string>;
  onProgress?: (path: string, bytesRead: number, totalBytes: number | null) => void;
  /** Extra analyses beyond the standard ones (tests, experiments). */
  enrichers?: ResultEnricher[];
  setup?: (analyzer: Analyzer) => void;
  /** ESXi vmkernel.log files (plain or gzip, either host, any rotation) to correlate with (--vmkernel-log). */
  vmkernelLogs?: string[];
  logCorrelation?: Partial<LogCorrelationOptions>;
}

/** Offline analysis: files -> frames -> the same Analyzer that live capture feeds -> result. */
export async function analyzeFiles(paths: string[], options: AnalyzerOptions, opts: AnalyzeFilesOptions = {}): Promise<AnalysisResult> {
  const analyzer = new Analyzer(options);
  const enrichers = attachStandardAnalyses(analyzer);
  opts.setup?.(analyzer);
  for (const { path, point, interfacePoints } of planInputs(paths, opts.points ?? new Map())) {
    let sizeBytes: number | null = null;
    try { const st = statSync(path); if (st.isFile()) sizeBytes = st.size; } catch { /* reported by the reader */ }
    const index = analyzer.addInput({ path, point, interfacePoints, sha256: null, sizeBytes });
    const [summary, sha256] = await Promise.all([
      readCapture(path, analyzer.onFrame, { inputIndex: index, onProgress: opts.onProgress ? (b, t) => opts.onProgress!(path, b, t) : undefined }),
      path === '-' || sizeBytes === null ? Promise.resolve(null) : sha256File(path),
    ]);
    analyzer.metas[index].sha256 = sha256;
    analyzer.finishInput(index, summary);
  }
  if (opts.vmkernelLogs && opts.vmkernelLogs.length > 0) {
    const corr = new LogCorrelation(await readVmkernelLogs(opts.vmkernelLogs), opts.logCorrelation);
    return buildResult(analyzer, [...enrichers, ...(opts.enrichers ?? []), corr], corr.regroup);
  }
  return buildResult(analyzer, [...enrichers, ...(opts.enrichers ?? [])]);
}
