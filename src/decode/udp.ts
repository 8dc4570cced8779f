/** UDP: ports and length; VXLAN (dst port 4789) continues into the mirrored frame. */
import { DecodedPacket, STOP_TRUNCATED } from './packet.js';
import { Cursor, NEXT_DONE, NEXT_VXLAN, stop, u16 } from './cursor.js';

export const VXLAN_PORT = 4789;

export function decodeUdp(c: Cursor, pkt: DecodedPacket): number {
  const b = c.buf; const o = c.off;
  const avail = c.end - o;
  pkt.l4Offset = o;
  if (avail < 4) return stop(pkt, STOP_TRUNCATED, 'udp', 'UDP header cut off before the ports');
  pkt.srcPort = u16(b, o);
  pkt.dstPort = u16(b, o + 2);
  if (avail < 8) return stop(pkt, STOP_TRUNCATED, 'udp', 'UDP header cut off');
  const length = u16(b, o + 4);
  // A valid UDP length bounds the datagram tighter than IP; 0 (jumbo/offload) leaves the IP bound.
  if (length >= 8 && o + length < c.wireEnd) {
    c.wireEnd = o + length;
    if (c.end > c.wireEnd) c.end = c.wireEnd;
  }
  c.off = o + 8;
  if (pkt.dstPort === VXLAN_PORT) return NEXT_VXLAN;
  return NEXT_DONE;
}
