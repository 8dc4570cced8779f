/**
 * Decoding state shared by the layer decoders (gopacket DecodingLayerParser style): each
 * decoder reads its header at `off`, fills its fields of DecodedPacket, advances `off` and
 * returns the id of the next layer (NEXT_DONE to stop). One Cursor is reused per frame.
 *
 * Two ends are kept because snap length and wire length differ: `end` is the last captured
 * byte of the current layer (never beyond the buffer), `wireEnd` is where the layer ended on
 * the wire (may lie beyond the buffer; only used for length arithmetic, never for reads).
 */
import { DecodedPacket, STOP_NONE } from './packet.js';

export const NEXT_DONE = 0;
export const NEXT_ETHERNET = 1;
export const NEXT_IPV4 = 2;
export const NEXT_IPV6 = 3;
export const NEXT_TCP = 4;
export const NEXT_UDP = 5;
export const NEXT_ICMPV4 = 6;
export const NEXT_ICMPV6 = 7;
export const NEXT_ARP = 8;
export const NEXT_GRE = 9;
export const NEXT_ERSPAN_II = 10;
export const NEXT_ERSPAN_III = 11;
export const NEXT_VXLAN = 12;
/** Raw IP link types: IPv4 or IPv6 chosen by the version nibble. */
export const NEXT_IP_BY_VERSION = 13;

/** Mirror tunnels inside mirror tunnels beyond this depth are treated as a loop. */
export const MAX_TUNNEL_DEPTH = 4;

export class Cursor {
  buf: Buffer = Buffer.alloc(0);
  /** Start of the current header (absolute index into buf). */
  off = 0;
  /** End of captured bytes belonging to the current layer (exclusive, <= buf.length). */
  end = 0;
  /** End of the current layer on the wire (exclusive; may exceed end). */
  wireEnd = 0;
  /** Mirror tunnels entered so far. */
  depth = 0;
}

export function u16(b: Buffer, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

export function u32(b: Buffer, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** 48-bit MAC as an exact integer. */
export function mac48(b: Buffer, o: number): number {
  return u16(b, o) * 0x100000000 + u32(b, o + 2);
}

/** Four big-endian words of an IPv6 address into out (no allocation). */
export function ipv6Words(b: Buffer, o: number, out: Uint32Array): void {
  out[0] = u32(b, o); out[1] = u32(b, o + 4); out[2] = u32(b, o + 8); out[3] = u32(b, o + 12);
}

/** Record where and why decoding stopped; returns NEXT_DONE so callers can `return stop(...)`. */
export function stop(pkt: DecodedPacket, kind: number, layer: string, reason: string): number {
  if (pkt.stop === STOP_NONE) { pkt.stop = kind; pkt.stopLayer = layer; pkt.stopReason = reason; }
  return NEXT_DONE;
}
