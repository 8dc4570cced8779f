/**
 * A bounded, deterministic sample of the segments one capture point saw in one direction, so
 * the same segments can be found at another point (TTL difference, MAC rewrite, clock offset,
 * copies lost between the points).
 *
 * Sampling is by a hash of the TCP sequence number, never by arrival order: every point keeps
 * the same sequence numbers, so samples line up. When the buffer fills, the mask doubles and
 * the samples that no longer qualify are dropped; comparisons use the coarser mask of the two.
 */
export const MAX_SAMPLES = 4096;
const INITIAL_CAPACITY = 256;

export function seqHash(seq: number): number {
  let h = Math.imul(seq ^ (seq >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}

export class SegmentSampler {
  /** Samples kept: those with (seqHash(seq) & mask) === 0. */
  mask = 0;
  size = 0;
  seq = new Uint32Array(INITIAL_CAPACITY);
  len = new Uint32Array(INITIAL_CAPACITY);
  /** Run-relative time of the first copy. */
  t = new Float64Array(INITIAL_CAPACITY);
  ttl = new Uint8Array(INITIAL_CAPACITY);
  srcMac = new Float64Array(INITIAL_CAPACITY);
  input = new Int32Array(INITIAL_CAPACITY);
  frame = new Float64Array(INITIAL_CAPACITY);
  /** Copies seen (retransmissions of the same sequence number add up here). */
  copies = new Uint32Array(INITIAL_CAPACITY);
  private readonly index = new Map<number, number>();
  /** Sequence range observed (first seq, and highest seq + len), and segments considered. */
  minSeq = -1;
  seen = 0;

  add(seq: number, len: number, t: number, ttl: number, srcMac: number, input: number, frame: number): void {
    this.seen++;
    if (this.minSeq < 0) this.minSeq = seq;
    if ((seqHash(seq) & this.mask) !== 0) return;
    const at = this.index.get(seq);
    if (at !== undefined) { this.copies[at]++; return; }
    if (this.size === this.seq.length) {
      if (this.size < MAX_SAMPLES) this.grow(); else { this.coarsen(); if ((seqHash(seq) & this.mask) !== 0) return; }
    }
    const i = this.size++;
    this.seq[i] = seq; this.len[i] = len; this.t[i] = t; this.ttl[i] = ttl; this.srcMac[i] = srcMac;
    this.input[i] = input; this.frame[i] = frame; this.copies[i] = 1;
    this.index.set(seq, i);
  }

  /** Sample index of a sequence number, or -1. */
  find(seq: number): number {
    return this.index.get(seq) ?? -1;
  }

  private grow(): void {
    const n = Math.min(MAX_SAMPLES, this.seq.length * 2);
    const g = <T extends Uint32Array | Float64Array | Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => { const b = make(n); b.set(a); return b; };
    this.seq = g(this.seq, (k) => new Uint32Array(k)); this.len = g(this.len, (k) => new Uint32Array(k));
    this.t = g(this.t, (k) => new Float64Array(k)); this.ttl = g(this.ttl, (k) => new Uint8Array(k));
    this.srcMac = g(this.srcMac, (k) => new Float64Array(k)); this.input = g(this.input, (k) => new Int32Array(k));
    this.frame = g(this.frame, (k) => new Float64Array(k)); this.copies = g(this.copies, (k) => new Uint32Array(k));
  }

  private coarsen(): void {
    do {
      this.mask = this.mask * 2 + 1;
      let w = 0;
      for (let r = 0; r < this.size; r++) {
        if ((seqHash(this.seq[r]) & this.mask) !== 0) continue;
        this.seq[w] = this.seq[r]; this.len[w] = this.len[r]; this.t[w] = this.t[r]; this.ttl[w] = this.ttl[r];
        this.srcMac[w] = this.srcMac[r]; this.input[w] = this.input[r]; this.frame[w] = this.frame[r]; this.copies[w] = this.copies[r];
        w++;
      }
      this.size = w;
    } while (this.size >= MAX_SAMPLES && this.mask < 0xffff);
    this.index.clear();
    for (let i = 0; i < this.size; i++) this.index.set(this.seq[i], i);
  }
}
