/**
 * A small bounded set of numeric values (TTLs, MACs) with a count and the first frame of each.
 * Typed arrays sized once: adding a value that is already known allocates nothing, and the
 * common case (same value as the previous packet) is one comparison.
 */
const NONE_F64 = new Float64Array(0);
const NONE_I32 = new Int32Array(0);

export class ValueSet {
  // Allocated with the first value: a stream direction that never carries a packet (and the
  // millions of streams of a SYN flood) costs no buffers.
  values: Float64Array = NONE_F64;
  counts: Float64Array = NONE_F64;
  firstInput: Int32Array = NONE_I32;
  firstFrame: Float64Array = NONE_F64;
  size = 0;
  /** Packets whose value did not fit (more distinct values than capacity). */
  overflow = 0;
  private last = -1;

  constructor(readonly capacity: number) {}

  /** Count one packet with this value; returns true when it differs from the previous packet's. */
  add(v: number, input: number, frame: number): boolean {
    const last = this.last;
    if (last >= 0 && this.values[last] === v) { this.counts[last]++; return false; }
    for (let i = 0; i < this.size; i++) {
      if (this.values[i] === v) { this.counts[i]++; this.last = i; return last >= 0; }
    }
    if (this.size < this.capacity) {
      if (this.values.length === 0) {
        this.values = new Float64Array(this.capacity);
        this.counts = new Float64Array(this.capacity);
        this.firstInput = new Int32Array(this.capacity);
        this.firstFrame = new Float64Array(this.capacity);
      }
      const i = this.size++;
      this.values[i] = v; this.counts[i] = 1; this.firstInput[i] = input; this.firstFrame[i] = frame;
      this.last = i;
    } else {
      this.overflow++;
    }
    return last >= 0;
  }

  /** v is the value the previous add counted (a repeat of it would be counted at that index). */
  isLast(v: number): boolean {
    return this.last >= 0 && this.values[this.last] === v;
  }

  /** Count n more packets with the value the previous add counted (isLast held for it). */
  repeatLast(n: number): void {
    this.counts[this.last] += n;
  }

  /** Index of the most frequent value, -1 when empty. */
  dominant(): number {
    let best = -1;
    for (let i = 0; i < this.size; i++) if (best < 0 || this.counts[i] > this.counts[best]) best = i;
    return best;
  }

  total(): number {
    let n = this.overflow;
    for (let i = 0; i < this.size; i++) n += this.counts[i];
    return n;
  }
}
