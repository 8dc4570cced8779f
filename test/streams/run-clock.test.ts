import { describe, expect, it } from 'vitest';
import { RunClock } from '../../src/streams/run-clock.js';

describe('RunClock.bucketOf', () => {
  it('equals floor(t / resolution) for times in order, out of order, near bucket edges and far out', () => {
    for (const interval of [1, 0.3, 7, 1e-3, 60]) {
      const clock = new RunClock(interval);
      const r = clock.resolution;
      const times: number[] = [0, -0, r, -r, 1e9, -1e9, 1e15, Number.MAX_VALUE, Number.NaN, Infinity, -Infinity];
      let seed = 12345;
      const rnd = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
      for (let i = 0; i < 20000; i++) {
        const b = Math.floor((rnd() - 0.3) * 5000);
        // On an edge (b * r and its neighbouring doubles), or anywhere in the bucket, in runs.
        const edge = b * r;
        times.push(edge, edge * (1 + Number.EPSILON), edge * (1 - Number.EPSILON), edge + rnd() * r, edge + r * (1 - 1e-12));
        if (i % 7 === 0) times.push(rnd() * 1e6 - 5e5);
      }
      for (const t of times) expect(Object.is(clock.bucketOf(t), Math.floor(t / r))).toBe(true);
    }
  });
});
