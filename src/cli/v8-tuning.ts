/**
 * V8 settings for the analysis. They are process-wide, so the CLI sets them (a library user of
 * src/analysis keeps their own), and only once the decode workers have started: a V8 flag changed
 * before a worker thread is up makes Node reject its start-up snapshot and code cache for that
 * worker, which then takes ~50 ms longer to start (analyzeFiles' onWorkersStarted).
 *
 * TurboFan inlines callees into a hot function only until their bytecode adds up to a budget (920
 * bytes by default). The per-packet path of a record (src/analysis/record-fast-path.ts: stream
 * counters, the path observer, their helpers) is several times that, so it was cut into calls, and
 * each call re-reads from memory what the caller had just written (the observed packet's fields).
 * A larger budget lets those calls be inlined (the TCP health observer, 2 KB of bytecode, stays a
 * call): the analysis thread does ~11% less work per packet (docs/benchmark.md, "Sixth round").
 * It changes only what is compiled, never a result.
 */
import { setFlagsFromString } from 'node:v8';

export const INLINING_BUDGET_FLAG = '--max-inlined-bytecode-size-cumulative=3000';

let tuned = false;

export function tuneV8(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString(INLINING_BUDGET_FLAG);
}
