/**
 * Read + decode on a worker thread, analysis on this one: the main side of decode-worker.ts.
 * Frames arrive in file order through the shared ring (frame-ring.ts) as the same reused Frame and
 * DecodedPacket a single-threaded run would produce (test/cli/threads.test.ts compares whole
 * analyses). The caller decides when to use it (decodeWorkerAvailable, --threads) and keeps the
 * single-threaded path (readCapture + Analyzer.onFrame) for one core, standard input and live capture.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InputSummary } from '../source/capture-source.js';
import { newFrame, type Frame } from '../source/frame.js';
import { DecodedPacket } from './packet.js';
import { FrameUnpacker, recordViews, W_SIZE, type RecordViews } from './packed-frame.js';
import { newRingMemory, RingReader, type RingMemory } from './frame-ring.js';
import type { DecodeWorkerData, DecodeWorkerMessage } from './decode-worker.js';

/**
 * Receives each frame with its decoded headers. Cleanly decoded TCP frames come without their
 * bytes (frame.data is empty): analyses after decoding read headers, not bytes.
 */
export type DecodedFrameSink = (frame: Frame, pkt: DecodedPacket) => void;

const WORKER_URL = new URL('./decode-worker.js', import.meta.url);

/** The compiled worker script exists (not when running from TypeScript sources, e.g. under vitest). */
export function decodeWorkerAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER_URL));
}

/** Default number of decode workers: one core stays with the analysis. */
export function defaultDecodeThreads(): number {
  return Math.max(0, availableParallelism() - 1);
}

/**
 * Hand each record the ring holds now to `handle`; returns when it is empty. The per-record loop
 * is a function of its own: V8 compiles it while it runs (on-stack replacement), for the code it
 * has seen run. Inside drainRecords that was the whole loop, and the code after it, which runs only
 * when the worker falls behind (mid-run, and at the end), threw the compiled loop away each first
 * time (docs/benchmark.md, "Seventh round").
 */
function drainAvailable(reader: RingReader, views: RecordViews, handle: (views: RecordViews, at: number) => void): void {
  const i32 = views.i32;
  for (let at = reader.next(); at >= 0; at = reader.next()) {
    handle(views, at);
    reader.consume(i32[(at >> 2) + W_SIZE]);
  }
}

/** A worker already reading and decoding one input into its ring, ahead of the analysis. */
export class DecodeAhead {
  private readonly memory: RingMemory = newRingMemory();
  private readonly worker: Worker;
  private message: DecodeWorkerMessage | null = null;
  private failure: Error | null = null;
  private exited = false;
  private readonly settled: Promise<void>;
  /** The worker runs JavaScript (its thread and Node's internals are up), or it ended. */
  readonly started: Promise<void>;
  /** After drain: frames the worker's native packer decoded (0 without the addon). */
  nativeFrames = 0;

  constructor(readonly path: string, chunkSize?: number) {
    // The worker allocates little (chunks are reused, records go to the ring): a small young
    // generation keeps its heap, which counts in the process's RSS, ~5 MiB smaller.
    this.worker = new Worker(WORKER_URL, {
      workerData: { path, chunkSize, memory: this.memory } satisfies DecodeWorkerData,
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    this.started = new Promise<void>((resolve) => {
      this.worker.once('online', () => resolve());
      this.worker.once('exit', () => resolve());
    });
    this.settled = new Promise<void>((resolve) => {
      this.worker.on('message', (m: DecodeWorkerMessage) => { this.message = m; });
      this.worker.on('error', (e: Error) => { this.failure = e; });
      this.worker.on('exit', () => { this.exited = true; resolve(); });
    });
  }

  /** Whether the running worker keeps the process alive (as a worker does by default). */
  keepProcessAlive(keep: boolean): void {
    if (keep) this.worker.ref(); else this.worker.unref();
  }

  /**
   * Hand every frame to `sink` on this thread, in order; resolves with the reader's summary.
   * An exception from the sink stops the worker and propagates.
   */
  async drain(inputIndex: number, sink: DecodedFrameSink, onProgress?: (bytesRead: number, totalBytes: number | null) => void): Promise<InputSummary> {
    const frame = newFrame();
    frame.inputIndex = inputIndex;
    const pkt = new DecodedPacket();
    const unpacker = new FrameUnpacker(Buffer.from(this.memory.ring), inputIndex);
    return this.drainRecords((views, at) => {
      unpacker.unpack(views, at, frame, pkt);
      sink(frame, pkt);
    }, onProgress);
  }

  /** The ring's records (drainRecords hands out byte offsets into views of it). */
  get ringBuffer(): SharedArrayBuffer {
    return this.memory.ring;
  }

  /**
   * Hand every record (its byte offset in views of ringBuffer) to `handle` on this thread, in order;
   * resolves with the reader's summary. drain() unpacks each into a frame; the analysis reads most
   * records in place (src/analysis/record-fast-path.ts). An exception from `handle` stops the worker.
   * `beforeRelease` runs before the records handled so far may be overwritten: a handler that kept
   * offsets of records must be done with them when it returns.
   */
  async drainRecords(handle: (views: RecordViews, at: number) => void, onProgress?: (bytesRead: number, totalBytes: number | null) => void,
    beforeRelease?: () => void, views: RecordViews = recordViews(this.memory.ring)): Promise<InputSummary> {
    const reader = new RingReader(this.memory);
    reader.beforeRelease = beforeRelease ?? null;
    try {
      for (;;) {
        const signal = reader.signal;
        drainAvailable(reader, views, handle);
        reader.release();
        onProgress?.(reader.rawRead, reader.total);
        if (reader.done) break;
        if (this.exited || this.failure) break;
        await reader.waitForMore(signal, 250);
      }
    } catch (err) {
      reader.abort();
      await this.worker.terminate();
      throw err;
    }
    await this.settled;
    const m = this.message;
    if (reader.done && m?.summary) {
      this.nativeFrames = m.nativeFrames ?? 0;
      return m.summary as InputSummary;
    }
    const why = this.failure?.message ?? m?.error ?? 'it stopped without a result';
    throw new Error(`${this.path}: the decode worker failed (${why}); run again with --threads 0 to read on one thread, and report this`);
  }

  /** Stop reading (the analysis ended early). */
  async cancel(): Promise<void> {
    new RingReader(this.memory).abort();
    await this.worker.terminate();
  }
}
