/** ERSPAN type II (8-byte header) and type III (12 bytes, optional 8-byte platform sub-header). */
import { DecodedPacket, STOP_MALFORMED, STOP_TRUNCATED, STOP_UNSUPPORTED, TUNNEL_ERSPAN_II, TUNNEL_ERSPAN_III } from './packet.js';
import { Cursor, NEXT_ETHERNET, NEXT_IP_BY_VERSION, stop, u16 } from './cursor.js';
import { enterTunnel } from './tunnel.js';

const ERSPAN_II_VERSION = 1;
const ERSPAN_III_VERSION = 2;
const FRAME_TYPE_ETHERNET = 0;
const FRAME_TYPE_IP = 2;

export function decodeErspanII(c: Cursor, pkt: DecodedPacket): number {
  const b = c.buf; const o = c.off;
  if (c.end - o < 8) return stop(pkt, STOP_TRUNCATED, 'erspan', 'ERSPAN II header cut off');
  if (b[o] >> 4 !== ERSPAN_II_VERSION) return stop(pkt, STOP_MALFORMED, 'erspan', 'ERSPAN II header version is not 1');
  const session = u16(b, o + 2) & 0x3ff;
  c.off = o + 8;
  return enterTunnel(c, pkt, TUNNEL_ERSPAN_II, session, NEXT_ETHERNET);
}

export function decodeErspanIII(c: Cursor, pkt: DecodedPacket): number {
  const b = c.buf; const o = c.off;
  if (c.end - o < 12) return stop(pkt, STOP_TRUNCATED, 'erspan', 'ERSPAN III header cut off');
  if (b[o] >> 4 !== ERSPAN_III_VERSION) return stop(pkt, STOP_MALFORMED, 'erspan', 'ERSPAN III header version is not 2');
  const session = u16(b, o + 2) & 0x3ff;
  const word = u16(b, o + 10);
  const frameType = (word >> 10) & 0x1f;
  let len = 12;
  if (word & 1) len += 8; // O bit: platform-specific sub-header follows
  if (c.end - o < len) return stop(pkt, STOP_TRUNCATED, 'erspan', 'ERSPAN III sub-header cut off');
  c.off = o + len;
  if (frameType === FRAME_TYPE_ETHERNET) return enterTunnel(c, pkt, TUNNEL_ERSPAN_III, session, NEXT_ETHERNET);
  if (frameType === FRAME_TYPE_IP) return enterTunnel(c, pkt, TUNNEL_ERSPAN_III, session, NEXT_IP_BY_VERSION);
  return stop(pkt, STOP_UNSUPPORTED, 'erspan', 'ERSPAN III frame type not Ethernet or IP');
}
