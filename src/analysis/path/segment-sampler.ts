/**
 * A bounded, deterministic sample of the segments one capture point saw in one direction, so
 * the same segments can be found at another point (TTL difference, MAC rewrite, clock offset,
 * copies lost between the points).
 *
 * Sampling is by a hash of the TCP sequence number, never by arrival order: every point keeps
 * the same sequence numbers, so samples line up. When the buffer fills, the mask doubles and
 * the samples that no longer qualify are dropped; comparisons use the coarser mask of the two.
 */
import { startAsDoubles } from '../../streams/field-priming.js';

export const MAX_SAMPLES = 4096;
// Small at first: most streams (handshake-only ones above all) keep a handful of samples; grows by doubling.
const INITIAL_CAPACITY = 4;
// Shared by every sampler until its first sample (never written: grow replaces them). A direction
// that sends nothing costs no buffers: 9 typed arrays, ~1.6 KB, each of its own before.
const NONE_U32 = new Uint32Array(0);
const NONE_F64 = new Float64Array(0);
const NONE_U8 = new Uint8Array(0);
const NONE_I32 = new Int32Array(0);

export function seqHash(seq: number): number {
  let h = Math.imul(seq ^ (seq >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}

export class SegmentSampler {
  /** Samples kept: those with (seqHash(seq) & mask) === 0. */
  mask = 0;
  size = 0;
  // Empty until the first sample, then doubling.
  seq = NONE_U32;
  len = NONE_U32;
  /** Run-relative time of the first copy. */
  t = NONE_F64;
  ttl = NONE_U8;
  srcMac = NONE_F64;
  input = NONE_I32;
  frame = NONE_F64;
  /** Copies seen (retransmissions of the same sequence number add up here). */
  copies = NONE_U32;
  /**
   * Sequence number -> sample index + 1 (0: empty), open addressing with linear probing, twice
   * the sample capacity. Replaces a Map keyed by 32-bit sequence numbers: half of them exceed
   * 2^31, so every key was a heap number and each sample allocated.
   */
  private slots = NONE_I32;
  private slotShift = 32;
  /**
   * Samples past the arrays' end (only when more than MAX_SAMPLES sequence numbers survive the
   * coarsest mask, i.e. crafted input): indexed here so the table above can never fill up.
   */
  private spill: Map<number, number> | null = null;
  /** Sequence range observed (first seq, and highest seq + len), and segments considered. */
  minSeq = -1;
  seen = 0;

  add(seq: number, len: number, t: number, ttl: number, srcMac: number, input: number, frame: number): void {
    this.seen++;
    if (this.minSeq < 0) this.minSeq = seq;
    if ((seqHash(seq) & this.mask) === 0) this.keep(seq, len, t, ttl, srcMac, input, frame);
  }

  // Out of line: add, called for every segment but keeping few, stays small enough to be inlined
  // (not inlined, every segment paid a call that boxed its doubles).
  private keep(seq: number, len: number, t: number, ttl: number, srcMac: number, input: number, frame: number): void {
    const at = this.find(seq);
    if (at >= 0) { this.copies[at]++; return; }
    if (this.size === this.seq.length) {
      if (this.size < MAX_SAMPLES) this.grow(); else { this.coarsen(); if ((seqHash(seq) & this.mask) !== 0) return; }
    }
    const i = this.size++;
    this.seq[i] = seq; this.len[i] = len; this.t[i] = t; this.ttl[i] = ttl; this.srcMac[i] = srcMac;
    this.input[i] = input; this.frame[i] = frame; this.copies[i] = 1;
    if (i < this.seq.length) this.insert(i); else (this.spill ??= new Map()).set(seq >>> 0, i);
  }

  /** Sample index of a sequence number, or -1. */
  find(seq: number): number {
    if (this.size === 0) return -1;
    const want = seq >>> 0;
    const slots = this.slots;
    const m = slots.length - 1;
    // Kept samples share zero low bits of seqHash (the mask), so the slot comes from a different mix's high bits.
    for (let k = Math.imul(want, 0x9e3779b1) >>> this.slotShift; ; k = (k + 1) & m) {
      const v = slots[k];
      if (v === 0) return this.spill === null ? -1 : this.spill.get(want) ?? -1;
      if (this.seq[v - 1] === want) return v - 1;
    }
  }

  /** Index sample i (its sequence number is not in the table yet). */
  private insert(i: number): void {
    const slots = this.slots;
    const m = slots.length - 1;
    let k = Math.imul(this.seq[i], 0x9e3779b1) >>> this.slotShift;
    while (slots[k] !== 0) k = (k + 1) & m;
    slots[k] = i + 1;
  }

  /** Rebuild the index for the current samples, with room for twice the arrays' capacity. */
  private reindex(): void {
    const n = this.seq.length * 2;
    if (this.slots.length !== n) { this.slots = new Int32Array(n); this.slotShift = 32 - Math.log2(n); } else this.slots.fill(0);
    this.spill = null;
    for (let i = 0; i < this.size && i < this.seq.length; i++) this.insert(i);
  }

  private grow(): void {
    const n = Math.min(MAX_SAMPLES, Math.max(INITIAL_CAPACITY, this.seq.length * 2));
    const g = <T extends Uint32Array | Float64Array | Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => { const b = make(n); b.set(a); return b; };
    this.seq = g(this.seq, (k) => new Uint32Array(k)); this.len = g(this.len, (k) => new Uint32Array(k));
    this.t = g(this.t, (k) => new Float64Array(k)); this.ttl = g(this.ttl, (k) => new Uint8Array(k));
    this.srcMac = g(this.srcMac, (k) => new Float64Array(k)); this.input = g(this.input, (k) => new Int32Array(k));
    this.frame = g(this.frame, (k) => new Float64Array(k)); this.copies = g(this.copies, (k) => new Uint32Array(k));
    this.reindex();
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
    this.reindex();
  }
}

// A raw 32-bit sequence number (src/streams/field-priming.ts).
startAsDoubles(new SegmentSampler(), ['minSeq']);
