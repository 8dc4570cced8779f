/**
 * IntervalSeries: bytes per bucket, growing at either end, bounded (src/streams/interval-series.ts).
 * Checked against a plain Map of bucket -> bytes over random adds, across the buffer's growth.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IntervalSeries, MAX_BUCKETS } from '../../src/streams/interval-series.js';

function contents(s: IntervalSeries): Map<number, number> {
  const m = new Map<number, number>();
  for (let b = s.base; b <= s.end; b++) if (s.get(b) !== 0) m.set(b, s.get(b));
  return m;
}

describe('IntervalSeries', () => {
  it('holds the same bytes per bucket as a map, whatever the order of buckets (growth both ways)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: -500, max: 2000 }), fc.integer({ min: 1, max: 9000 })), { minLength: 1, maxLength: 300 }), (adds) => {
      const s = new IntervalSeries();
      const want = new Map<number, number>();
      for (const [b, n] of adds) { s.add(b, n); want.set(b, (want.get(b) ?? 0) + n); }
      expect(contents(s)).toEqual(new Map([...want].sort((x, y) => x[0] - y[0])));
      expect(s.base).toBe(Math.min(...adds.map((a) => a[0])));
      expect(s.end).toBe(Math.max(...adds.map((a) => a[0])));
      expect(s.droppedBytes).toBe(0);
    }), { numRuns: 300, seed: 9 });
  });

  it('a first add allocates, later ones past the buffer grow it, keeping what was there', () => {
    const s = new IntervalSeries();
    s.add(10, 5);
    expect(s.data.length).toBe(64);
    s.add(10 + 64, 7);
    expect(s.data.length).toBe(128);
    expect(s.get(10)).toBe(5);
    expect(s.get(74)).toBe(7);
    expect(s.length).toBe(65);
  });

  it('bytes beyond MAX_BUCKETS (at either end) are counted as dropped, not stored', () => {
    const s = new IntervalSeries();
    s.add(0, 1);
    s.add(MAX_BUCKETS - 1, 2); // the last bucket that fits
    s.add(MAX_BUCKETS, 3);
    s.add(-1, 4);
    expect(s.droppedBytes).toBe(7);
    expect(s.get(0)).toBe(1);
    expect(s.get(MAX_BUCKETS - 1)).toBe(2);
    expect(s.length).toBe(MAX_BUCKETS);
  });
});
