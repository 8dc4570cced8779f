/**
 * Worker thread entry (started by read-decoded.ts): reads one capture, decodes every frame and
 * packs it into the shared ring for the analysis thread. Reading and decoding are about half of
 * the per-packet work, so with a second core they overlap with the analysis instead of adding to it.
 *
 * With the addon (native-packer.ts), classic pcap records are framed, decoded and packed in runs by
 * one native call each (native-pcap-runs.ts); the other Ethernet frames the reader delivers are
 * batched for the native packer (the reader's frames stay valid until it calls onRelease, which
 * packs the batch). Everything else, and every frame the native packer hands back (anything but
 * clean TCP, UDP and ARP: see nativeTakes), is decoded here.
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
  DESCRIPTOR_SLOTS, MAX_NATIVE_RECORD_BYTES, PACK_FALLBACK, describeFrame, frameOfDescriptor, nativePacker, nativePcapPacker,
  newFlowTable,
} from './native-packer.js';
import { NativePcapRuns, type RecordRoom } from './native-pcap-runs.js';

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
    if (status === PACK_FALLBACK) packOne(frameOfDescriptor(desc, DESCRIPTOR_SLOTS * i++, buf, fallbackFrame));
  }
  batched = 0;
  batchData = null;
}

// --- classic pcap: runs of plain records framed and packed by one native call each --------------
const packPcap = nativePcapPacker();
const ringRoom: RecordRoom & { bytes: Uint8Array; room: number } = {
  bytes: views.u8,
  room: 0,
  begin(): number {
    const at = writer.reserveSpan(MAX_NATIVE_RECORD_BYTES, RUN_BYTES);
    if (at < 0) { stopped = true; return -1; }
    this.room = writer.spanRoom;
    return at;
  },
  end(written: number): void { writer.commit(written); },
};
const pcapRuns = packPcap === null ? undefined : new NativePcapRuns(packPcap, ringRoom, flows, () => { if (batched > 0) flush(); });

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
  describeFrame(frame, desc, batched * DESCRIPTOR_SLOTS);
  if (++batched === BATCH_FRAMES) flush();
}

try {
  const summary = await readCapture(data.path, sink, {
    inputIndex: 0,
    chunkSize: data.chunkSize,
    syncReads: true,
    pcapRuns,
    onRelease: () => { if (batched > 0) flush(); },
    onProgress: (rawRead, total) => { writer.setProgress(rawRead, total); writer.publish(); },
  });
  if (batched > 0) flush();
  parentPort!.postMessage({ summary, nativeFrames: nativeFrames + (pcapRuns?.frames ?? 0) } satisfies DecodeWorkerMessage);
} catch (err) {
  parentPort!.postMessage({ error: (err as Error)?.stack ?? String(err) } satisfies DecodeWorkerMessage);
} finally {
  writer.finish();
}
