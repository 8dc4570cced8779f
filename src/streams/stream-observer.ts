import type { DecodedPacket } from '../decode/packet.js';
import type { Frame } from '../source/frame.js';
import type { Stream } from './stream.js';

/**
 * Later analyses (path evidence, TCP health) hook into the per-packet stream update without
 * a second pass over the capture. Each observer keeps its per-stream state in stream.ext[slot].
 */
export interface StreamObserver {
  /** Called for every packet of a tracked stream after the core counters are updated. dir: 0 client->server. */
  onStreamPacket(stream: Stream, dir: number, pkt: DecodedPacket, frame: Frame, t: number): void;
}

/** Sees every decoded frame (ARP, ICMP, anything), e.g. for hop evidence. */
export interface PacketObserver {
  onPacket(pkt: DecodedPacket, frame: Frame, t: number, point: number): void;
}
