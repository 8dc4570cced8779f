/**
 * A single-producer, single-consumer ring of packed frame records (packed-frame.ts) in shared
 * memory: the decode worker writes, the analysis thread reads, in frame order. No message and no
 * object per packet; the two sides meet only through a few counters.
 *
 * Positions are byte counters modulo 2^32 (the ring size divides 2^32, so counter & MASK is the
 * position and (written - read) | 0 the bytes in use). A record never wraps: the writer leaves a
 * RECORD_WRAP marker and continues at 0. It wraps early, at SOFT_BYTES, unless a record is bigger:
 * the pages past the soft limit are touched only by huge frames (pcapng blocks of up to 16 MiB),
 * so the resident ring stays small while any legal frame fits.
 */
import { RECORD_WRAP } from './packed-frame.js';

export const RING_BYTES = 32 * 1024 * 1024;
/**
 * Records in flight: ~45,000 at 192 bytes, ~15 ms of analysis. The worker is ahead on average but
 * is now and then descheduled for several milliseconds (two cores, other threads, a VM's steal
 * time); a deeper ring absorbs that (4 MiB let the analysis thread wait ~100 ms per 10 M packets
 * mid-run, 16 MiB almost never). Resident as far as it is used: 8 MiB is the compromise with
 * the 200 MiB memory budget (a SYN flood fills it).
 */
const SOFT_BYTES = 8 * 1024 * 1024;
const MASK = RING_BYTES - 1;
/** Publish progress to the other side after this many bytes (fewer atomic operations). */
const BATCH_BYTES = 256 * 1024;

// Int32 slots of the control block.
const C_WRITTEN = 0;
const C_READ = 1;
/** Bumped by the writer on every publish and at the end: the reader sleeps on it. */
const C_SIGNAL = 2;
const C_DONE = 3;
/** Set by the reader when it gives up: the writer stops instead of waiting for space. */
const C_ABORT = 4;
/**
 * Wake-ups cost a futex call each (tens of microseconds on a busy two-core VM): the reader says when
 * it sleeps, so the writer notifies only then. The writer never asks to be woken (see waitFor).
 */
const C_READER_WAITING = 7;
// Float64 slots: raw input bytes read so far, and the input's size (-1 unknown).
const D_RAW_READ = 4;
const D_TOTAL = 5;
export const CONTROL_BYTES = 64;
/** A full writer waits until this much is free: the ring stays three quarters full, in batches. */
const WRITER_WAKE_BYTES = SOFT_BYTES / 4;
/** The writer's poll interval while it waits for space (milliseconds). */
const WRITER_POLL_MS = 0.5;

export interface RingMemory {
  control: SharedArrayBuffer;
  ring: SharedArrayBuffer;
}

export function newRingMemory(): RingMemory {
  return { control: new SharedArrayBuffer(CONTROL_BYTES), ring: new SharedArrayBuffer(RING_BYTES) };
}

/** Views both sides keep of the shared memory. */
abstract class RingSide {
  protected readonly ctrl: Int32Array;
  protected readonly progress: Float64Array;
  protected readonly words: Int32Array;

  constructor(mem: RingMemory) {
    this.ctrl = new Int32Array(mem.control);
    this.progress = new Float64Array(mem.control);
    this.words = new Int32Array(mem.ring);
  }
}

export class RingWriter extends RingSide {
  private written = 0;
  private readCached = 0;
  private unpublished = 0;

  /** The reader gave up: stop producing. */
  get aborted(): boolean {
    return Atomics.load(this.ctrl, C_ABORT) !== 0;
  }

  /**
   * Byte offset where a record of `size` bytes (8-aligned, at most RING_BYTES) can be written now,
   * waiting for the reader if the ring is full; -1 if the reader aborted.
   */
  reserve(size: number): number {
    let pos = this.written & MASK;
    if (pos + size > (size <= SOFT_BYTES ? SOFT_BYTES : RING_BYTES) && pos !== 0) {
      const tail = RING_BYTES - pos;
      if (!this.waitFor(tail)) return -1;
      this.words[pos >> 2] = RECORD_WRAP;
      this.written = (this.written + tail) | 0;
      this.unpublished += tail;
      pos = 0;
    }
    if (!this.waitFor(size)) return -1;
    return pos;
  }

  /**
   * Room for a run of records written back to back (the native packer's): like reserve(min), and
   * spanRoom then says how many contiguous bytes from the returned offset are free (at most max).
   * commit() the bytes actually written.
   */
  reserveSpan(min: number, max: number): number {
    const at = this.reserve(min);
    if (at < 0) return -1;
    const free = RING_BYTES - ((this.written - this.readCached) | 0);
    // Runs end at the soft limit: only a record bigger than it goes beyond (see reserve).
    this.spanRoom = Math.min(free, SOFT_BYTES - at, max);
    return at;
  }

  /** Bytes free from the offset reserveSpan returned. */
  spanRoom = 0;

  /** The record reserved last is complete. */
  commit(size: number): void {
    this.written = (this.written + size) | 0;
    this.unpublished += size;
    if (this.unpublished >= BATCH_BYTES) this.publish();
  }

  setProgress(rawRead: number, total: number | null): void {
    this.progress[D_RAW_READ] = rawRead;
    this.progress[D_TOTAL] = total ?? -1;
  }

  publish(): void {
    this.unpublished = 0;
    Atomics.store(this.ctrl, C_WRITTEN, this.written);
    Atomics.add(this.ctrl, C_SIGNAL, 1);
    if (Atomics.load(this.ctrl, C_READER_WAITING) !== 0) Atomics.notify(this.ctrl, C_SIGNAL);
  }

  /** Everything is written: publish and tell the reader. */
  finish(): void {
    Atomics.store(this.ctrl, C_WRITTEN, this.written);
    Atomics.store(this.ctrl, C_DONE, 1);
    Atomics.add(this.ctrl, C_SIGNAL, 1);
    Atomics.notify(this.ctrl, C_SIGNAL);
  }

  private waitFor(need: number): boolean {
    while (((this.written - this.readCached) | 0) + need > RING_BYTES) {
      this.readCached = Atomics.load(this.ctrl, C_READ);
      if (((this.written - this.readCached) | 0) + need <= RING_BYTES) break;
      if (this.aborted) return false;
      if (this.unpublished > 0) this.publish();
      // Sleep until `need` fits and a good part of the ring is free, polling the reader's position
      // instead of asking it to wake us: a futex wake-up from the analysis thread tends to run this
      // thread on the analysis thread's own core (the scheduler's wake-affine placement), stealing
      // about a millisecond from it each time. The reader still has three quarters of the ring to
      // work on, far more than the poll interval. abort() wakes the sleep at once.
      const wakeAt = (this.written + Math.max(need, WRITER_WAKE_BYTES) - RING_BYTES) | 0;
      while (((Atomics.load(this.ctrl, C_READ) - wakeAt) | 0) < 0) {
        if (Atomics.wait(this.ctrl, C_ABORT, 0, WRITER_POLL_MS) === 'not-equal') return false;
      }
    }
    return true;
  }
}

export class RingReader extends RingSide {
  private read = 0;
  private writtenCached = 0;
  private unreleased = 0;
  /** Called before the writer is told it may overwrite what was consumed (a consumer that kept offsets finishes with them). */
  beforeRelease: (() => void) | null = null;

  /** Value to pass to waitForMore: read it before draining, so no wake-up is missed. */
  get signal(): number {
    return Atomics.load(this.ctrl, C_SIGNAL);
  }

  get done(): boolean {
    return Atomics.load(this.ctrl, C_DONE) !== 0 && Atomics.load(this.ctrl, C_WRITTEN) === this.read;
  }

  get rawRead(): number {
    return this.progress[D_RAW_READ];
  }

  get total(): number | null {
    const t = this.progress[D_TOTAL];
    return t < 0 ? null : t;
  }

  /** Byte offset of the next published record, or -1 when none is available yet. */
  next(): number {
    for (;;) {
      if (this.read === this.writtenCached) {
        this.writtenCached = Atomics.load(this.ctrl, C_WRITTEN);
        if (this.read === this.writtenCached) return -1;
      }
      const pos = this.read & MASK;
      const size = this.words[pos >> 2];
      if (size !== RECORD_WRAP) return pos;
      this.consume(RING_BYTES - pos);
    }
  }

  /** The record at next() was handled: its bytes may be overwritten. */
  consume(size: number): void {
    this.read = (this.read + size) | 0;
    this.unreleased += size;
    if (this.unreleased >= BATCH_BYTES) this.release();
  }

  /** Tell the writer how far we are (it polls this when it waits for space). */
  release(): void {
    if (this.beforeRelease !== null) this.beforeRelease();
    this.unreleased = 0;
    Atomics.store(this.ctrl, C_READ, this.read);
  }

  /** Sleep until the writer publishes (or `timeoutMs` passes), without blocking the event loop. */
  async waitForMore(signal: number, timeoutMs: number): Promise<void> {
    // Said before waiting: a publish after this sees the flag, one before it changed the signal.
    Atomics.store(this.ctrl, C_READER_WAITING, 1);
    const r = (Atomics as unknown as AtomicsWaitAsync).waitAsync(this.ctrl, C_SIGNAL, signal, timeoutMs);
    if (r.async) await r.value;
    Atomics.store(this.ctrl, C_READER_WAITING, 0);
  }

  abort(): void {
    Atomics.store(this.ctrl, C_ABORT, 1);
    Atomics.notify(this.ctrl, C_ABORT);
  }
}

/** Node 20 has Atomics.waitAsync; the ES2022 library typings do not know it yet. */
interface AtomicsWaitAsync {
  waitAsync(a: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string };
}
