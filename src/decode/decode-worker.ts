/**
 * Worker thread entry (started by read-decoded.ts): reads one capture, decodes every frame and
 * packs it into the shared ring for the analysis thread. Reading and decoding are about half of
 * the per-packet work, so with a second core they overlap with the analysis instead of adding to it.
 *
 * Ethernet frames are batched and decoded by the native packer when the addon has it
 * (native-packer.ts): the reader's frames stay valid until it calls onRelease, which packs the
 * batch. Everything else, and every frame the native packer hands back, is decoded here.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readCapture } from '../source/read-capture.js';
import { newFrame, type Frame } from '../source/frame.js';
import { LINKTYPE_ETHERNET } from '../source/link-types.js';
import { decodeFrame } from './decode-frame.js';
import { DecodedPacket } from './packet.js';
import { RecordPacker, recordViews } from './packed-frame.js';
import { RingWriter, type RingMemory } from './frame-ring.js';
import {
  D_CAPTURED, D_FCS, D_FILE_OFFSET, D_FRAME_NUMBER, D_INTERFACE, D_LINK_TYPE, D_OFFSET, D_ORIGINAL, D_TS_NSEC, D_TS_SEC,
  DESCRIPTOR_SLOTS, MAX_NATIVE_RECORD_BYTES, PACK_FALLBACK, nativePacker, newFlowTable,
} from './native-packer.js';

export interface DecodeWorkerData {
  path: string;
  chunkSize?: number;
  memory: RingMemory;
}

export interface DecodeWorkerMessage {
  summary?: unknown;
  /** Frames the native packer decoded (the rest were decoded in TypeScript). */
  nativeFrames?: number;
  error?: string;
}

/** Frames per native call at most. */
const BATCH_FRAMES = 2048;
/** Bytes of records per native call at most: the reader sees records published every so often. */
const RUN_BYTES = 256 * 1024;

const data = workerData as DecodeWorkerData;
const writer = new RingWriter(data.memory);
const views = recordViews(data.memory.ring);
const pkt = new DecodedPacket();
const packer = new RecordPacker();
const pack = nativePacker();
let stopped = false;
let nativeFrames = 0;

/** Decode and pack one frame in TypeScript. */
function packOne(frame: Frame): void {
  decodeFrame(frame, pkt);
  const size = packer.measure(frame, pkt);
  const at = writer.reserve(size);
  if (at < 0) { stopped = true; return; } // the analysis thread gave up: drain the reader quickly
  packer.write(frame, pkt, views, at);
  writer.commit(size);
}

// --- the native batch: descriptors of Ethernet frames whose bytes are all in batchData --------
const desc = new Float64Array(BATCH_FRAMES * DESCRIPTOR_SLOTS);
const out = new Int32Array(2);
const flows = pack === null ? undefined : newFlowTable();
let batched = 0;
let batchData: Buffer | null = null;
const fallbackFrame = newFrame();

function flush(): void {
  const buf = batchData;
  let i = 0;
  while (i < batched && !stopped && buf !== null) {
    const at = writer.reserveSpan(MAX_NATIVE_RECORD_BYTES, RUN_BYTES);
    if (at < 0) { stopped = true; break; }
    const status = pack!(buf, desc, i, batched - i, views.u8, at, writer.spanRoom, out, flows);
    writer.commit(out[1]);
    i += out[0];
    nativeFrames += out[0];
    if (status === PACK_FALLBACK) packOne(frameAt(buf, i++));
  }
  batched = 0;
  batchData = null;
}

/** The batched frame i as a Frame (for the TypeScript decoder). */
function frameAt(buf: Buffer, i: number): Frame {
  const f = fallbackFrame;
  const k = i * DESCRIPTOR_SLOTS;
  f.data = buf; f.offset = desc[k + D_OFFSET]; f.capturedLength = desc[k + D_CAPTURED]; f.originalLength = desc[k + D_ORIGINAL];
  f.tsSec = desc[k + D_TS_SEC]; f.tsNsec = desc[k + D_TS_NSEC]; f.frameNumber = desc[k + D_FRAME_NUMBER];
  f.fileOffset = desc[k + D_FILE_OFFSET]; f.linkType = desc[k + D_LINK_TYPE]; f.fcsLength = desc[k + D_FCS];
  f.interfaceId = desc[k + D_INTERFACE];
  return f;
}

function sink(frame: Frame): void {
  if (stopped) return;
  if (pack === null || frame.linkType !== LINKTYPE_ETHERNET) {
    if (batched > 0) flush();
    packOne(frame);
    return;
  }
  if (frame.data !== batchData) {
    if (batched > 0) flush();
    batchData = frame.data;
  }
  const k = batched * DESCRIPTOR_SLOTS;
  desc[k + D_OFFSET] = frame.offset; desc[k + D_CAPTURED] = frame.capturedLength; desc[k + D_ORIGINAL] = frame.originalLength;
  desc[k + D_TS_SEC] = frame.tsSec; desc[k + D_TS_NSEC] = frame.tsNsec; desc[k + D_FRAME_NUMBER] = frame.frameNumber;
  desc[k + D_FILE_OFFSET] = frame.fileOffset; desc[k + D_LINK_TYPE] = frame.linkType; desc[k + D_FCS] = frame.fcsLength;
  desc[k + D_INTERFACE] = frame.interfaceId;
  if (++batched === BATCH_FRAMES) flush();
}

try {
  const summary = await readCapture(data.path, sink, {
    inputIndex: 0,
    chunkSize: data.chunkSize,
    syncReads: true,
    onRelease: () => { if (batched > 0) flush(); },
    onProgress: (rawRead, total) => { writer.setProgress(rawRead, total); writer.publish(); },
  });
  if (batched > 0) flush();
  parentPort!.postMessage({ summary, nativeFrames } satisfies DecodeWorkerMessage);
} catch (err) {
  parentPort!.postMessage({ error: (err as Error)?.stack ?? String(err) } satisfies DecodeWorkerMessage);
} finally {
  writer.finish();
}
