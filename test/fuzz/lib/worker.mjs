/**
 * Fuzz worker (worker_threads): runs inputs [start, end) of a run through the pipeline and
 * publishes progress in shared memory (slot 0: index being run, slot 1: inputs done) so the
 * supervisor can tell a hang (index stuck) from slow progress and kill this thread without
 * its cooperation. Failures are posted as { index, kind, message }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadCorpus, truncationSeeds } from './seeds.mjs';
import { makeInput } from './mutate.mjs';
import { FuzzFailure, loadPipeline, runInput } from './run-input.mjs';

const { distDir, seed, start, end, stride, deadline, slowMs, packets, progress } = workerData;
const state = new Int32Array(progress);
const P = await loadPipeline(distDir);
const corpus = loadCorpus({ packets });
const sweep = truncationSeeds(corpus);
/** Process-wide memory check every so often: a leak across inputs shows as steady growth. */
const MEM_EVERY = 512;
const MAX_RSS = 1536 * 1024 * 1024;

let done = 0;
for (let index = start; index < end; index += stride) {
  if (deadline > 0 && Date.now() > deadline) break;
  Atomics.store(state, 0, index);
  const input = makeInput(corpus, sweep, seed, index);
  const t0 = performance.now();
  try {
    runInput(P, input.bytes, { index, seed, cut: input.cut, thorough: index % 16 === 0, table: index % 256 === 0 });
  } catch (err) {
    const kind = err instanceof FuzzFailure ? 'lie' : 'crash';
    parentPort.postMessage({ type: 'failure', index, kind, label: input.label, message: String(err?.stack ?? err) });
  }
  const ms = performance.now() - t0;
  if (ms > slowMs) {
    parentPort.postMessage({ type: 'failure', index, kind: 'slow', label: input.label, message: `took ${ms.toFixed(0)} ms (limit ${slowMs} ms) for ${input.bytes.length} bytes` });
  }
  done++;
  Atomics.store(state, 1, done);
  if (done % MEM_EVERY === 0) {
    const rss = process.memoryUsage.rss();
    if (rss > MAX_RSS) {
      parentPort.postMessage({ type: 'failure', index, kind: 'memory', label: input.label, message: `process RSS ${Math.round(rss / 1048576)} MiB after ${done} inputs` });
    }
  }
}
Atomics.store(state, 0, -1);
parentPort.postMessage({ type: 'done', done });
