/**
 * The analysis of a decode worker's records (src/decode/read-decoded.ts) without unpacking the
 * common one. Almost every record of a vMotion capture is a cleanly decoded TCP frame of a stream
 * the stream table already knows by the record's flow slot (the native packer's; see StreamTable.find).
 * Such a frame needs a handful of its ~60 fields: the input's counts, the stream's counters
 * (StreamTracker.count) and what the stream observers may read (OBSERVED_PACKET_FIELDS). Those are
 * read straight from the record here; an observer that reads records itself (RecordObserver: the
 * native TCP health pass) gets the record's offset instead. Every other record is unpacked and goes
 * to Analyzer.onDecoded.
 * The results are the same either way (test/cli/threads.test.ts compares whole analyses with the
 * single-threaded run; test/analysis/record-fast-path.test.ts checks which records take this path).
 */
import {
  B_DONT_FRAGMENT, B_HAS_MACS, B_SACK_PERMITTED, D_DST_MAC, D_FRAME_NUMBER, D_IP_TOTAL_LENGTH, D_PAYLOAD_LENGTH,
  D_SRC_MAC, D_TS_SEC, FrameUnpacker, NATIVE_OPTIONAL_FLAGS, NATIVE_TCP_FLAGS, W_ACK, W_BITS, W_FLAGS, W_FLOW,
  W_FLOW_EPOCH, W_INTERFACE, W_LINK_TYPE, W_MSS, W_ORIGINAL, W_SEQ, W_TCP, W_TS_NSEC, W_WINDOW_SCALE, recordViews, type RecordViews,
} from '../decode/packed-frame.js';
import { DecodedPacket, TCP_FIN, TCP_RST, TCP_SYN } from '../decode/packet.js';
import type { DecodeAhead } from '../decode/read-decoded.js';
import type { InputSummary } from '../source/capture-source.js';
import { newFrame } from '../source/frame.js';
import { KIND_VMOTION } from '../streams/stream.js';
import { isRecordObserver, type RecordObserver, type StreamObserver } from '../streams/stream-observer.js';
import type { Analyzer } from './analyzer.js';

/**
 * A SYN may open a new connection on old ports. FIN and RST come a few times per connection: the
 * general path counts them, so the optimized code of this one never meets their branches (V8
 * would deoptimize it, the whole per-packet path inlined, the first time one ran).
 */
const RARE_FLAGS = TCP_SYN | TCP_FIN | TCP_RST;

export class RecordFastPath {
  // What the observers are handed: only the observed fields are kept up to date.
  private readonly pkt = new DecodedPacket();
  private readonly frame = newFrame();
  /** Flow tags of this input (FrameUnpacker): input index * 2^32 + the flow table's epoch. */
  private readonly tagBase: number;
  /** Records analysed here (the rest were unpacked). */
  taken = 0;
  /** The stream observers that read records in place, and those that read the packet. */
  private readonly recordObservers: RecordObserver[];
  private readonly packetObservers: StreamObserver[];

  /** Records of input `inputIndex` in `views` will be taken; call release() before they may be overwritten, end() after the last. */
  constructor(private readonly analyzer: Analyzer, private readonly inputIndex: number, views: RecordViews) {
    this.tagBase = inputIndex * 0x100000000;
    this.frame.inputIndex = inputIndex;
    const obs = analyzer.tracker.observers;
    this.recordObservers = obs.filter(isRecordObserver);
    this.packetObservers = obs.filter((o) => !isRecordObserver(o));
    for (const o of this.recordObservers) o.useRing(views, inputIndex);
  }

  /** The records taken so far may be overwritten once this returns (observers that kept their offsets are done with them). */
  release(): void {
    const ro = this.recordObservers;
    for (let i = 0; i < ro.length; i++) ro[i].releaseRecords();
  }

  /** No more records of this input. */
  end(): void {
    for (const o of this.recordObservers) o.useRing(null, this.inputIndex);
  }

  /**
   * Analyse the record at byte `at` if it is a native TCP record (no bytes, no rare section) of a
   * stream cached under its flow slot, the stream is past its deferred start, the frame has no
   * SYN, FIN or RST (RARE_FLAGS) and it came from the previous frame's interface (same capture
   * point). Returns false, having changed nothing, otherwise.
   */
  take(v: RecordViews, at: number): boolean {
    const { i32, u32, f64 } = v;
    const w = at >> 2;
    const d = at >> 3;
    if ((i32[w + W_FLAGS] & ~NATIVE_OPTIONAL_FLAGS) !== NATIVE_TCP_FLAGS) return false;
    const flow = i32[w + W_FLOW];
    const bits = i32[w + W_BITS];
    const flags = (bits >>> 8) & 0xff;
    if (flow < 0 || (flags & RARE_FLAGS) !== 0) return false;
    const a = this.analyzer;
    const stats = a.inputs[this.inputIndex];
    const iface = i32[w + W_INTERFACE];
    if (iface !== stats.lastInterface) return false;
    const table = a.tracker.table;
    const s = table.cached(flow & 0xffff, flow >>> 16, this.tagBase + i32[w + W_FLOW_EPOCH], stats.lastPoint);
    if (s === null || s.deferred !== null) return false;
    this.taken++;

    // Analyzer.onDecoded: the input's counts (the stream's kind came from these very ports).
    const tsSec = f64[d + D_TS_SEC];
    const tsNsec = i32[w + W_TS_NSEC];
    const t = a.clock.toT(tsSec, tsNsec);
    stats.countLinkType(i32[w + W_LINK_TYPE]);
    if (s.kind === KIND_VMOTION) stats.vmotionPackets++; else stats.nfcPackets++;

    // StreamTracker.onTcp: the counters, then the observers.
    const dir = table.dir;
    const len = f64[d + D_PAYLOAD_LENGTH];
    const ipLength = f64[d + D_IP_TOTAL_LENGTH];
    const frameNumber = f64[d + D_FRAME_NUMBER];
    a.tracker.count(s, dir, flags, i32[w + W_SEQ], len, ipLength, i32[w + W_ORIGINAL], t, tsSec, tsNsec, this.inputIndex, frameNumber);
    const ro = this.recordObservers;
    for (let i = 0; i < ro.length; i++) ro[i].onStreamRecord(s, dir, at);
    const obs = this.packetObservers;
    if (obs.length === 0) return true;
    const pkt = this.pkt;
    const frame = this.frame;
    pkt.tcpFlags = flags; pkt.seq = u32[w + W_SEQ]; pkt.ack = u32[w + W_ACK]; pkt.window = i32[w + W_TCP] & 0xffff;
    pkt.payloadLength = len; pkt.ipTotalLength = ipLength; pkt.ttl = (bits >>> 16) & 0xff;
    pkt.hasMacs = (bits & B_HAS_MACS) !== 0; pkt.srcMac = f64[d + D_SRC_MAC]; pkt.dstMac = f64[d + D_DST_MAC];
    pkt.dontFragment = (bits & B_DONT_FRAGMENT) !== 0; pkt.dscp = bits >>> 26; pkt.mss = i32[w + W_MSS];
    pkt.windowScale = i32[w + W_WINDOW_SCALE]; pkt.sackPermitted = (bits & B_SACK_PERMITTED) !== 0;
    frame.frameNumber = frameNumber; frame.interfaceId = iface;
    for (let i = 0; i < obs.length; i++) obs[i].onStreamPacket(s, dir, pkt, frame, t);
    return true;
  }
}

/**
 * Drain a decode worker's records into `analyzer`: in place where RecordFastPath can, else
 * unpacked for Analyzer.onDecoded. What analyze-files.ts does with each input read ahead.
 */
export async function drainInto(ahead: DecodeAhead, inputIndex: number, analyzer: Analyzer,
  onProgress?: (bytesRead: number, totalBytes: number | null) => void): Promise<InputSummary> {
  const views = recordViews(ahead.ringBuffer);
  const fast = new RecordFastPath(analyzer, inputIndex, views);
  const frame = newFrame();
  frame.inputIndex = inputIndex;
  const pkt = new DecodedPacket();
  const unpacker = new FrameUnpacker(Buffer.from(ahead.ringBuffer), inputIndex);
  const summary = await ahead.drainRecords((v, at) => {
    if (fast.take(v, at)) return;
    unpacker.unpack(v, at, frame, pkt);
    analyzer.onDecoded(frame, pkt);
  }, onProgress, () => fast.release(), views);
  // (After an exception the run ends: the ring's records are not read again.)
  fast.end();
  return summary;
}
