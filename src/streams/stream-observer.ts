import type { DecodedPacket } from '../decode/packet.js';
import type { RecordViews } from '../decode/packed-frame.js';
import type { Frame } from '../source/frame.js';
import type { Stream } from './stream.js';

/**
 * The packet and frame fields a StreamObserver may read. The tracker defers observers for a
 * stream's first handshake-only packets and replays them later (see StreamTracker), so these
 * are all it keeps of such a packet: an observer that reads another field does not compile
 * until the field is listed here, and the lists are what the tracker copies.
 */
export const OBSERVED_PACKET_FIELDS = [
  'tcpFlags', 'seq', 'ack', 'window', 'payloadLength', 'ipTotalLength', 'ttl', 'hasMacs', 'srcMac', 'dstMac',
  'dontFragment', 'dscp', 'mss', 'windowScale', 'sackPermitted',
] as const satisfies ReadonlyArray<keyof DecodedPacket>;
export const OBSERVED_FRAME_FIELDS = ['inputIndex', 'frameNumber', 'interfaceId'] as const satisfies ReadonlyArray<keyof Frame>;
export type ObservedPacket = Pick<DecodedPacket, typeof OBSERVED_PACKET_FIELDS[number]>;
export type ObservedFrame = Pick<Frame, typeof OBSERVED_FRAME_FIELDS[number]>;

/**
 * Later analyses (path evidence, TCP health) hook into the per-packet stream update without
 * a second pass over the capture. Each observer keeps its per-stream state in stream.ext[slot].
 * Per stream, packets arrive in capture order, but not necessarily when they are read: a
 * stream's first packets without payload may be delivered only at its next packet, or when the
 * run's result is built (StreamTracker.settle), so that streams which never prove real (a SYN
 * flood's) cost no observer state. Observers must therefore not read the stream's core counters
 * (they may be ahead of the packet) nor keep state across streams that depends on arrival order.
 */
export interface StreamObserver {
  /** Called for every packet of a tracked stream after the core counters are updated. dir: 0 client->server. */
  onStreamPacket(stream: Stream, dir: number, pkt: ObservedPacket, frame: ObservedFrame, t: number): void;
}

/**
 * A StreamObserver that can also read a packet straight from a decode worker's record: the analysis
 * of records in place (src/analysis/record-fast-path.ts) hands it the record's offset instead of
 * filling a packet for it. Packets of the same stream may come either way, in order.
 */
export interface RecordObserver extends StreamObserver {
  /** The records handed over from now on are in `views`, of input `inputIndex`; null after the last. */
  useRing(views: RecordViews | null, inputIndex: number): void;
  /** onStreamPacket for the packet of the record at byte `at` of the ring. */
  onStreamRecord(stream: Stream, dir: number, at: number): void;
  /** Be done with every record handed over: the ring's writer may overwrite them once this returns. */
  releaseRecords(): void;
}

export function isRecordObserver(o: StreamObserver): o is RecordObserver {
  return typeof (o as Partial<RecordObserver>).onStreamRecord === 'function';
}

/**
 * Sees every decoded frame that is not a packet of a tracked stream (ARP, ICMP, neighbour
 * discovery, other traffic), e.g. for hop evidence; tracked stream packets go to StreamObservers
 * (skipping them here saves a call per observer on the bulk path).
 */
export interface PacketObserver {
  onPacket(pkt: DecodedPacket, frame: Frame, t: number, point: number): void;
}
