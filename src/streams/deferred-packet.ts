import {
  OBSERVED_FRAME_FIELDS, OBSERVED_PACKET_FIELDS, type ObservedFrame, type ObservedPacket,
} from './stream-observer.js';

/**
 * A packet whose stream observers have not run yet (see StreamTracker): the fields they may read,
 * its direction and time, chained in arrival order. About 300 bytes, where the observers' state
 * of one stream is several kilobytes. A class with every field declared (`implements` makes the
 * compiler check the list), so each one is a small fixed-shape object.
 */
export class DeferredPacket implements ObservedPacket, ObservedFrame {
  tcpFlags = 0; seq = 0; ack = 0; window = 0; payloadLength = 0; ipTotalLength = 0; ttl = 0;
  hasMacs = false; srcMac = 0; dstMac = 0; dontFragment = false; dscp = 0; mss = -1; windowScale = -1; sackPermitted = false;
  inputIndex = 0; frameNumber = 0; interfaceId = 0;
  next: DeferredPacket | null = null;

  constructor(readonly dir: number, readonly t: number) {}
}

type Fields = Record<string, unknown>;

/** Copy what the observers may read of this packet. */
export function deferPacket(pkt: ObservedPacket, frame: ObservedFrame, dir: number, t: number): DeferredPacket {
  const d = new DeferredPacket(dir, t);
  const to = d as unknown as Fields;
  const p = pkt as unknown as Fields;
  const f = frame as unknown as Fields;
  for (let i = 0; i < OBSERVED_PACKET_FIELDS.length; i++) { const k = OBSERVED_PACKET_FIELDS[i]; to[k] = p[k]; }
  for (let i = 0; i < OBSERVED_FRAME_FIELDS.length; i++) { const k = OBSERVED_FRAME_FIELDS[i]; to[k] = f[k]; }
  return d;
}

/** Write a deferred packet back into a reused packet and frame (only the observed fields: their shapes stay as they are). */
export function restorePacket(d: DeferredPacket, pkt: ObservedPacket, frame: ObservedFrame): void {
  const src = d as unknown as Fields;
  const p = pkt as unknown as Fields;
  const f = frame as unknown as Fields;
  for (let i = 0; i < OBSERVED_PACKET_FIELDS.length; i++) { const k = OBSERVED_PACKET_FIELDS[i]; p[k] = src[k]; }
  for (let i = 0; i < OBSERVED_FRAME_FIELDS.length; i++) { const k = OBSERVED_FRAME_FIELDS[i]; f[k] = src[k]; }
}
