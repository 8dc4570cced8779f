/**
 * Bytes per time bucket on a grid anchored at the run's epoch, growable in both directions
 * (inputs of one run need not start at the same time). Bounded: at most MAX_BUCKETS buckets,
 * so a pathological time span cannot exhaust memory; bytes beyond it are counted as dropped.
 */
export const MAX_BUCKETS = 1 << 20;
// Shared by every series without data (never written: add and grow replace it): handshake-only
// streams, a SYN flood's millions of them above all, cost no buffers.
const NO_DATA = new Float64Array(0);

export class IntervalSeries {
  /** Bucket index of data[0]. */
  base = 0;
  length = 0;
  data = NO_DATA;
  /** Bytes that fell outside the bounded range. */
  droppedBytes = 0;

  add(bucket: number, bytes: number): void {
    if (this.length === 0) {
      this.base = bucket;
      this.length = 1;
    }
    let i = bucket - this.base;
    if (i < 0) {
      if (this.length - i > MAX_BUCKETS) { this.droppedBytes += bytes; return; }
      this.grow(this.length - i, -i);
      this.base = bucket;
      i = 0;
    } else if (i >= this.length) {
      if (i + 1 > MAX_BUCKETS) { this.droppedBytes += bytes; return; }
      this.length = i + 1;
    }
    // One call for the first buffer and for every growth after it: the first add of a run makes
    // the call, so optimized per-packet code never meets it for the first time minutes into a
    // capture (V8 would throw that code away and compile it again).
    if (i >= this.data.length) this.grow(i + 1, 0);
    this.data[i] += bytes;
  }

  get(bucket: number): number {
    const i = bucket - this.base;
    return i >= 0 && i < this.length ? this.data[i] : 0;
  }

  /** Last bucket index holding data (base + length - 1). */
  get end(): number {
    return this.base + this.length - 1;
  }

  private grow(minLength: number, shift: number): void {
    let cap = Math.max(this.data.length * 2, 64);
    while (cap < minLength) cap *= 2;
    const next = new Float64Array(Math.min(cap, MAX_BUCKETS));
    next.set(this.data.subarray(0, this.length), shift);
    this.data = next;
    if (shift > 0) this.length += shift;
  }
}
