/**
 * Exact conversion of capture timestamps (64-bit counts of time units) to whole seconds plus
 * nanoseconds. Doubles hold integers exactly only up to 2^53, and a nanosecond count since 1970 is
 * ~2^61, so the common µs/ns paths divide in 16-bit limbs (every intermediate stays below 2^53);
 * BigInt is used only for unusual resolutions (finer than 10^-11 s, or 2^-n with n > 20).
 */

/** How one interface's timestamp units map to seconds (derived once per interface, not per packet). */
export interface TimestampResolution {
  /** 'pow10': units are 10^-exponent s; 'pow2': units are 2^-exponent s. */
  base: 'pow10' | 'pow2';
  exponent: number;
  /** Digits after the decimal point this resolution can express (6 for µs, 9 for ns). */
  digits: number;
  /** Seconds added to every timestamp (pcapng if_tsoffset). */
  offsetSec: number;
}

/** Scratch result: callers keep one and read sec/nsec right after each call (no per-packet allocation). */
export interface Timestamp { sec: number; nsec: number }

const LOG10_2 = Math.log10(2);

/**
 * Resolution from a pcapng if_tsresol byte: high bit clear = 10^-n, set = 2^-n.
 * Digits: 10^-n -> n, 2^-n -> ceil(n * log10 2).
 */
export function resolutionFromTsresol(tsresol: number, offsetSec = 0): TimestampResolution {
  const n = tsresol & 0x7f;
  if (tsresol & 0x80) return { base: 'pow2', exponent: n, digits: Math.ceil(n * LOG10_2), offsetSec };
  return { base: 'pow10', exponent: n, digits: n, offsetSec };
}

export const MICROSECONDS: TimestampResolution = { base: 'pow10', exponent: 6, digits: 6, offsetSec: 0 };
export const NANOSECONDS: TimestampResolution = { base: 'pow10', exponent: 9, digits: 9, offsetSec: 0 };

const TWO32 = 4294967296;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11];

/**
 * Converts the 64-bit unit count hi:lo (unsigned 32-bit halves) to seconds + nanoseconds into `out`.
 * Fractions finer than a nanosecond are truncated, as Wireshark does.
 */
export function unitsToTimestamp(hi: number, lo: number, res: TimestampResolution, out: Timestamp): void {
  if (res.base === 'pow10') {
    const e = res.exponent;
    if (e <= 11) {
      const unitsPerSec = POW10[e];
      if (hi < 0x200000) {
        // Fits in 53 bits: one exact double division (the usual µs case and near-epoch ns).
        const v = hi * TWO32 + lo;
        const sec = Math.floor(v / unitsPerSec);
        out.sec = sec + res.offsetSec;
        out.nsec = scaleFraction(v - sec * unitsPerSec, e);
        return;
      }
      // Long division by 10^e in limbs: hi, then two 16-bit halves of lo.
      const q1 = Math.floor(hi / unitsPerSec);
      let r = hi - q1 * unitsPerSec;
      let x = r * 65536 + (lo >>> 16);
      const q2 = Math.floor(x / unitsPerSec);
      r = x - q2 * unitsPerSec;
      x = r * 65536 + (lo & 0xffff);
      const q3 = Math.floor(x / unitsPerSec);
      r = x - q3 * unitsPerSec;
      out.sec = q1 * TWO32 + q2 * 65536 + q3 + res.offsetSec;
      out.nsec = scaleFraction(r, e);
      return;
    }
    // Picoseconds and finer: rare, so BigInt is acceptable here.
    const v = (BigInt(hi) << 32n) | BigInt(lo);
    const per = 10n ** BigInt(e);
    out.sec = Number(v / per) + res.offsetSec;
    out.nsec = Number((v % per) / 10n ** BigInt(e - 9));
    return;
  }
  const n = res.exponent;
  if (n <= 20) {
    // sec = v >> n, frac = v & (2^n - 1); frac * 1e9 < 2^50 stays exact.
    const unit = 2 ** n;
    const frac = lo % unit;
    const sec = hi * 2 ** (32 - n) + Math.floor(lo / unit);
    out.sec = sec + res.offsetSec;
    out.nsec = Math.floor((frac * 1e9) / unit);
    return;
  }
  const v = (BigInt(hi) << 32n) | BigInt(lo);
  const bn = BigInt(n);
  out.sec = Number(v >> bn) + res.offsetSec;
  out.nsec = Number(((v & ((1n << bn) - 1n)) * 1_000_000_000n) >> bn);
}

/** A remainder in 10^-e second units as nanoseconds (truncating below 1 ns). */
function scaleFraction(r: number, e: number): number {
  if (e === 9) return r;
  if (e < 9) return r * POW10[9 - e];
  return Math.floor(r / POW10[e - 9]);
}
