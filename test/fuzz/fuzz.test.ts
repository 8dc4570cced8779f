/**
 * The CI fuzz run: 100,000 mutated captures (fixed seed, so a failure reproduces from its index)
 * through the whole pipeline on worker threads, with hang and memory detection. Longer runs with
 * a random seed: `npm run fuzz -- --seconds 600` (crashers land in test/fuzz/fixtures/).
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helper shared with scripts/fuzz.mjs (runs in worker threads outside vitest)
import { runFuzz } from './lib/supervisor.mjs';

const SEED = 20251126;
const INPUTS = 100_000;

interface Failure { index: number; kind: string; label?: string; message: string }

describe('mutation fuzzer', () => {
  it(`${INPUTS} mutated inputs: no crash, no hang, no lie, bounded memory`, async () => {
    const r = await runFuzz({ seed: SEED, inputs: INPUTS, hangMs: 30_000, slowMs: 10_000 }) as { inputs: number; failures: Failure[]; ms: number; workers: number };
    const failures = r.failures;
    console.log(`fuzz: ${r.inputs} inputs, ${failures.length} crashes (seed ${SEED}, ${r.workers} workers, ${(r.ms / 1000).toFixed(0)} s)`);
    for (const f of failures.slice(0, 20)) {
      console.log(`fuzz failure: seed ${SEED} index ${f.index} [${f.kind}] ${f.label ?? ''}\n  ${f.message.split('\n').slice(0, 6).join('\n  ')}`);
    }
    if (failures.length > 0) console.log('reproduce: node scripts/fuzz.mjs --seed ' + SEED + ' --replay INDEX (writes the input to test/fuzz/fixtures/)');
    expect(failures).toEqual([]);
    expect(r.inputs).toBe(INPUTS);
  }, 30 * 60_000);
});
