import { analyzeFiles } from '../analysis/analyze-files.js';
import { BundleError, prepareOutDir, writeEvidenceBundle } from '../evidence/bundle.js';
import { humanBytes } from '../report/units.js';
import { fileRunOptions, reportInputProblems, type AnalyzeCliOptions } from './analyze-command.js';
import { makeProgress } from './progress.js';
import { tuneV8 } from './v8-tuning.js';

export interface EvidenceCliOptions extends Pick<AnalyzeCliOptions, 'port' | 'nfcPort' | 'gap' | 'interval' | 'hostMap' | 'point' | 'progress' | 'vmkernelLog' | 'logOffset'> {
  out: string;
  force?: boolean;
  redact?: boolean;
  fullPayload?: boolean;
  /** Data packets kept per stream direction in evidence.pcapng. */
  dataPackets?: number;
  maxPackets?: number;
}

/** `evidence`: analyse, then write the bundle. Exit codes as analyze (0, 2 usage, 3 input/output). */
export async function runEvidence(files: string[], o: EvidenceCliOptions, commandLine: string[]): Promise<number> {
  let prepared: ReturnType<typeof fileRunOptions>;
  try {
    prepared = fileRunOptions(files, { ...o, format: 'json' });
  } catch (err) {
    process.stderr.write(`vmotion-analyzer: ${(err as Error).message}\n`);
    return 2;
  }
  if (files.includes('-')) {
    // The evidence capture is cut from the inputs in a second pass: standard input cannot be read twice.
    process.stderr.write('vmotion-analyzer: evidence needs capture files it can read twice, not standard input ("-"): save the capture to a file first\n');
    return 2;
  }
  try {
    prepareOutDir(o.out, files, !!o.force); // fail before a long analysis, not after it
  } catch (err) {
    process.stderr.write(`vmotion-analyzer: ${(err as Error).message}\n`);
    return err instanceof BundleError ? 2 : 3;
  }
  const progress = makeProgress(o.progress);
  const result = await analyzeFiles(files, prepared.options, { ...prepared.run, hashInputs: true, onProgress: progress.update, onWorkersStarted: tuneV8 });
  progress.done();
  const failed = reportInputProblems(result);
  try {
    const b = await writeEvidenceBundle(files, result, {
      outDir: o.out, force: true, redact: !!o.redact, fullPayload: !!o.fullPayload, commandLine,
      selection: { ...(o.dataPackets !== undefined ? { dataPacketsPerDirection: o.dataPackets } : {}), ...(o.maxPackets !== undefined ? { maxPackets: o.maxPackets } : {}) },
    });
    const total = b.files.reduce((a, f) => a + f.sizeBytes, 0);
    process.stderr.write(`vmotion-analyzer: wrote ${b.outDir}/ (${b.files.map((f) => f.file).join(', ')}, manifest.json, SHA256SUMS; ${humanBytes(total)}; ` +
      `${b.selection.packets.length} evidence packets${o.redact ? '; addresses redacted' : ''})\n`);
    if (b.selection.missing.length > 0) process.stderr.write(`vmotion-analyzer: warning: ${b.selection.missing.length} cited frame(s) were not found when re-reading the inputs\n`);
  } catch (err) {
    process.stderr.write(`vmotion-analyzer: ${(err as Error).message}\n`);
    return err instanceof BundleError ? 2 : 3;
  }
  return failed ? 3 : 0;
}
