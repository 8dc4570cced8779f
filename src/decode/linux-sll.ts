/** LINKTYPE_LINUX_SLL (113): the 16-byte "cooked" header of `tcpdump -i any` on older libpcap. */
import { DecodedPacket, STOP_TRUNCATED } from './packet.js';
import { Cursor, mac48, stop, u16 } from './cursor.js';
import { sllProtocol } from './sll-protocol.js';

export function decodeLinuxSll(c: Cursor, pkt: DecodedPacket): number {
  const b = c.buf; const o = c.off;
  if (c.end - o < 16) return stop(pkt, STOP_TRUNCATED, 'linux_sll', 'frame shorter than the 16-byte SLL header');
  pkt.sllPacketType = u16(b, o);
  const arphrd = u16(b, o + 2);
  const addrLen = u16(b, o + 4);
  // SLL carries only the link-layer source address (the sender's MAC for Ethernet devices).
  if (addrLen === 6) { pkt.hasMacs = true; pkt.srcMac = mac48(b, o + 6); }
  c.off = o + 16;
  return sllProtocol(c, pkt, arphrd, u16(b, o + 14), 'linux_sll');
}
