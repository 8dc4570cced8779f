import { describe, expect, it } from 'vitest';
import { DirectionPath, MAX_MACS, MAX_TTL_VALUES } from '../../src/analysis/path/path-evidence.js';
import { ValueSet } from '../../src/analysis/path/value-set.js';

describe('DirectionPath.countPacket', () => {
  it('counts as three ValueSets updated on every packet would, repeats and overflowing values included', () => {
    let seed = 7;
    const rnd = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return Math.floor((seed / 2 ** 32) * n); };
    for (let round = 0; round < 40; round++) {
      const d = new DirectionPath();
      const ttl = new ValueSet(MAX_TTL_VALUES); const src = new ValueSet(MAX_MACS); const dst = new ValueSet(MAX_MACS);
      let noMacs = 0;
      // Few distinct values in some rounds (long runs), more than the sets hold in others (overflow).
      const kinds = 1 + (round % 12);
      let p = { ttl: 64, hasMacs: true, src: 1, dst: 2 };
      for (let i = 0; i < 3000; i++) {
        if (rnd(10) < 3) p = { ttl: 60 + rnd(kinds), hasMacs: rnd(8) !== 0, src: 1 + rnd(kinds), dst: rnd(kinds) };
        const frame = i + 1;
        const changed = ttl.add(p.ttl, 0, frame);
        if (p.hasMacs) { src.add(p.src, 0, frame); if (p.dst !== 0) dst.add(p.dst, 0, frame); } else noMacs++;
        expect(d.countPacket(p.ttl, p.hasMacs, p.src, p.dst, 0, frame)).toBe(changed);
        if (rnd(500) === 0 || i === 2999) {
          for (const [a, b] of [[d.ttl, ttl], [d.srcMac, src], [d.dstMac, dst]] as const) {
            expect(a.size).toBe(b.size);
            expect(a.overflow).toBe(b.overflow);
            expect([...a.values]).toEqual([...b.values]);
            expect([...a.counts]).toEqual([...b.counts]);
            expect([...a.firstFrame]).toEqual([...b.firstFrame]);
          }
          expect(d.noMacPackets).toBe(noMacs);
        }
      }
    }
  });
});
