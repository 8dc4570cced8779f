/**
 * Runs a fuzz campaign on worker threads and watches them: an input that runs longer than
 * hangMs is a hang (the worker is terminated, the input recorded, and the worker's remaining
 * inputs continue on a fresh worker); a worker that dies (out of memory: each has a heap limit)
 * records its current input as a crash. Inputs are (seed, index) pairs, so every failure is
 * reproducible from its index; writeCrasher() saves the bytes as a regression fixture.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSrc } from './build-src.mjs';
import { loadCorpus, truncationSeeds } from './seeds.mjs';
import { makeInput } from './mutate.mjs';

const WORKER = new URL('./worker.mjs', import.meta.url);

/**
 * opts: { seed, inputs (count; or Infinity with seconds), seconds (0 = no deadline), workers,
 * hangMs, slowMs, heapMb, packets, onProgress(done) }. Resolves to { inputs, failures, ms }.
 */
export async function runFuzz(opts) {
  const distDir = buildSrc();
  const seed = opts.seed >>> 0;
  const workers = Math.max(1, opts.workers ?? Math.min(2, availableParallelism()));
  const total = opts.inputs ?? Number.MAX_SAFE_INTEGER;
  const deadline = opts.seconds > 0 ? Date.now() + opts.seconds * 1000 : 0;
  const hangMs = opts.hangMs ?? 20_000;
  const failures = [];
  const t0 = Date.now();
  let doneTotal = 0;

  /** One lane: indices lane, lane + workers, ... ; restarted after a hang or a dead worker. */
  const lane = (first) => new Promise((resolve) => {
    let next = first;
    const launch = () => {
      if (next >= total || (deadline > 0 && Date.now() > deadline)) { resolve(); return; }
      const progress = new SharedArrayBuffer(8);
      const state = new Int32Array(progress);
      state[0] = -1;
      const w = new Worker(WORKER, {
        workerData: { distDir, seed, start: next, end: total, stride: workers, deadline, slowMs: opts.slowMs ?? 5_000, packets: opts.packets ?? 100, progress },
        resourceLimits: { maxOldGenerationSizeMb: opts.heapMb ?? 512 },
      });
      let counted = 0;
      let lastIndex = -1;
      let since = Date.now();
      let finished = false;
      const account = () => { const d = Atomics.load(state, 1); doneTotal += d - counted; counted = d; opts.onProgress?.(doneTotal); };
      const timer = setInterval(() => {
        account();
        const idx = Atomics.load(state, 0);
        if (idx !== lastIndex) { lastIndex = idx; since = Date.now(); return; }
        if (idx >= 0 && Date.now() - since > hangMs) {
          failures.push({ index: idx, kind: 'hang', message: `no progress for ${hangMs} ms` });
          finished = true;
          clearInterval(timer);
          w.terminate().then(() => { next = idx + workers; launch(); });
        }
      }, 250);
      w.on('message', (m) => {
        if (m.type === 'failure') failures.push({ index: m.index, kind: m.kind, label: m.label, message: m.message });
      });
      w.on('error', (err) => {
        // Uncaught error or heap exhaustion inside the worker: the input it was on is the culprit.
        const idx = Atomics.load(state, 0);
        failures.push({ index: idx, kind: /out of memory|heap/i.test(String(err)) ? 'memory' : 'crash', message: String(err?.stack ?? err) });
        next = idx >= 0 ? idx + workers : next;
      });
      w.on('exit', () => {
        if (finished) return;
        finished = true;
        clearInterval(timer);
        account();
        const idx = Atomics.load(state, 0);
        if (idx >= 0) { next = Math.max(next, idx + workers); launch(); } else resolve();
      });
    };
    launch();
  });

  await Promise.all(Array.from({ length: workers }, (_, i) => lane(i)));
  failures.sort((a, b) => a.index - b.index);
  return { inputs: doneTotal, failures, ms: Date.now() - t0, seed, workers };
}

/** Rebuilds the bytes of input `index` of run `seed` (what the worker ran). */
export function inputOf(seed, index, packets = 100) {
  const corpus = loadCorpus({ packets });
  return makeInput(corpus, truncationSeeds(corpus), seed >>> 0, index);
}

/** Saves a failing input as test/fuzz/fixtures/<kind>-<seed>-<index>.cap with a .txt note beside it. */
export function writeCrasher(dir, seed, failure, packets = 100) {
  mkdirSync(dir, { recursive: true });
  const input = inputOf(seed, failure.index, packets);
  const base = join(dir, `${failure.kind}-${seed}-${failure.index}`);
  writeFileSync(`${base}.cap`, input.bytes);
  writeFileSync(`${base}.txt`, `seed ${seed} index ${failure.index}: ${input.label}\n${failure.kind}: ${failure.message}\n`);
  return `${base}.cap`;
}
