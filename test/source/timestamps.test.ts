import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resolutionFromTsresol, unitsToTimestamp, MICROSECONDS, NANOSECONDS, type Timestamp } from '../../src/source/timestamps.js';

/** Reference conversion with BigInt only: seconds and truncated nanoseconds. */
function reference(hi: number, lo: number, tsresol: number, offset: number): [number, number] {
  const v = (BigInt(hi) << 32n) | BigInt(lo);
  const per = tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol & 0x7f);
  return [Number(v / per) + offset, Number(((v % per) * 1_000_000_000n) / per)];
}

describe('unitsToTimestamp', () => {
  it('is exact for every 64-bit value and resolution (10^-n and 2^-n)', () => {
    const out: Timestamp = { sec: 0, nsec: 0 };
    fc.assert(fc.property(
      fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }),
      fc.oneof(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0x80, max: 0x80 + 40 })),
      fc.integer({ min: -1_000_000, max: 1_000_000 }),
      (hi, lo, tsresol, offset) => {
        unitsToTimestamp(hi, lo, resolutionFromTsresol(tsresol, offset), out);
        expect([out.sec, out.nsec]).toEqual(reference(hi, lo, tsresol, offset));
      }), { numRuns: 20_000 });
  });

  it('keeps nanoseconds of present-day 64-bit ns counts that a double would round', () => {
    const out: Timestamp = { sec: 0, nsec: 0 };
    const v = 1_751_234_567_123_456_789n; // > 2^53
    expect(Number(v) % 1000).not.toBe(789); // a double really loses it
    unitsToTimestamp(Number(v >> 32n), Number(v & 0xffffffffn), NANOSECONDS, out);
    expect(out).toEqual({ sec: 1_751_234_567, nsec: 123_456_789 });
    unitsToTimestamp(0xffffffff, 0xffffffff, MICROSECONDS, out);
    expect([out.sec, out.nsec]).toEqual(reference(0xffffffff, 0xffffffff, 6, 0));
  });

  it('derives timestamp digits from if_tsresol', () => {
    expect(resolutionFromTsresol(6).digits).toBe(6);
    expect(resolutionFromTsresol(9).digits).toBe(9);
    expect(resolutionFromTsresol(0x80 | 10).digits).toBe(4); // ceil(3.01)
    expect(resolutionFromTsresol(0x80 | 20).digits).toBe(7); // ceil(6.02)
    expect(resolutionFromTsresol(0x80 | 30).digits).toBe(10); // ceil(9.03)
    expect(resolutionFromTsresol(0x80).digits).toBe(0);
  });
});
