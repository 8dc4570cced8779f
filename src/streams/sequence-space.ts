/**
 * Tracks one direction's TCP sequence space, unwrapped to a 53-bit line so streams larger
 * than 4 GiB (a 64 GiB VM's memory) count correctly. Payload bytes are counted from
 * sequence numbers, never from captured lengths: exact under snaplen truncation and TSO.
 *
 * unique bytes = highest sequence reached - first sequence. Bytes skipped over (lost before the
 * capture point, then retransmitted) count once, as unique; bytes sent again below the highest
 * sequence already reached count as retransmitted.
 */
import { startAsDoubles } from './field-priming.js';

export class SequenceSpace {
  started = false;
  /** Raw (32-bit) sequence number at the current high mark. */
  private highRaw = 0;
  /** Unwrapped position of the high mark, relative to the first sequence (0). */
  highAbs = 0;
  /** Unwrapped position where counting started (0, or below when data from before the start shows up). */
  isn = -1;
  /** Set by the last onData call: bytes that advanced the high mark, and bytes below it. */
  advanced = 0;
  overlap = 0;

  /** A SYN: data starts at seq + 1. */
  onSyn(seq: number): void {
    if (this.started) return;
    this.started = true;
    this.isn = seq;
    this.highRaw = (seq + 1) >>> 0;
    this.highAbs = 0;
  }

  /** A segment with payload (len > 0) starting at seq. Sets advanced and overlap. */
  onData(seq: number, len: number): void {
    if (!this.started) {
      this.started = true;
      this.highRaw = seq >>> 0;
      this.highAbs = 0;
    }
    // Signed 32-bit distance from the high mark: wrap-safe while segments stay within 2 GiB of it.
    const start = this.highAbs + ((seq - this.highRaw) | 0);
    const end = start + len;
    if (end > this.highAbs) {
      this.overlap = start < this.highAbs ? this.highAbs - start : 0;
      this.advanced = end - this.highAbs;
      this.highAbs = end;
      this.highRaw = (seq + len) >>> 0;
    } else {
      this.overlap = len;
      this.advanced = 0;
    }
  }

  /** Unique payload bytes seen in sequence space. */
  get uniqueBytes(): number {
    return this.highAbs;
  }
}

// Raw 32-bit sequence numbers and unwrapped positions past 2^31 (field-priming.ts); advanced and
// overlap are differences of those positions. overlap used to turn double at the first retransmission:
// a new class of SequenceSpace, and at the next new stream every per-packet function was recompiled.
startAsDoubles(new SequenceSpace(), ['highRaw', 'highAbs', 'isn', 'advanced', 'overlap']);
