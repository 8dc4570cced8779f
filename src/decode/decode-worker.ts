/**
 * Worker thread entry (started by read-decoded.ts): reads one capture, decodes every frame and
 * packs it into the shared ring for the analysis thread. Reading and decoding are about half of
 * the per-packet work, so with a second core they overlap with the analysis instead of adding to it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readCapture } from '../source/read-capture.js';
import type { Frame } from '../source/frame.js';
import { decodeFrame } from './decode-frame.js';
import { DecodedPacket } from './packet.js';
import { RecordPacker, recordViews } from './packed-frame.js';
import { RingWriter, type RingMemory } from './frame-ring.js';

export interface DecodeWorkerData {
  path: string;
  chunkSize?: number;
  memory: RingMemory;
}

export interface DecodeWorkerMessage {
  summary?: unknown;
  error?: string;
}

const data = workerData as DecodeWorkerData;
const writer = new RingWriter(data.memory);
const views = recordViews(data.memory.ring);
const pkt = new DecodedPacket();
const packer = new RecordPacker();
let stopped = false;

function sink(frame: Frame): void {
  if (stopped) return;
  decodeFrame(frame, pkt);
  const size = packer.measure(frame, pkt);
  const at = writer.reserve(size);
  if (at < 0) { stopped = true; return; } // the analysis thread gave up: drain the reader quickly
  packer.write(frame, pkt, views, at);
  writer.commit(size);
}

try {
  const summary = await readCapture(data.path, sink, {
    inputIndex: 0,
    chunkSize: data.chunkSize,
    onProgress: (rawRead, total) => { writer.setProgress(rawRead, total); writer.publish(); },
  });
  parentPort!.postMessage({ summary } satisfies DecodeWorkerMessage);
} catch (err) {
  parentPort!.postMessage({ error: (err as Error)?.stack ?? String(err) } satisfies DecodeWorkerMessage);
} finally {
  writer.finish();
}
