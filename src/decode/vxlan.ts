/** VXLAN (RFC 7348) on UDP 4789: 8-byte header with the 24-bit VNI, then the inner Ethernet frame. */
import { DecodedPacket, STOP_TRUNCATED, STOP_UNSUPPORTED, TUNNEL_VXLAN } from './packet.js';
import { Cursor, NEXT_ETHERNET, stop, u32 } from './cursor.js';
import { enterTunnel } from './tunnel.js';

const FLAG_VNI_VALID = 0x08;

export function decodeVxlan(c: Cursor, pkt: DecodedPacket): number {
  const b = c.buf; const o = c.off;
  if (c.end - o < 8) return stop(pkt, STOP_TRUNCATED, 'vxlan', 'VXLAN header cut off');
  if ((b[o] & FLAG_VNI_VALID) === 0) return stop(pkt, STOP_UNSUPPORTED, 'vxlan', 'VXLAN I flag clear (not VXLAN or GPE)');
  const vni = u32(b, o + 4) >>> 8;
  c.off = o + 8;
  return enterTunnel(c, pkt, TUNNEL_VXLAN, vni, NEXT_ETHERNET);
}
