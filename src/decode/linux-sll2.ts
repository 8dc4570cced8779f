/** LINKTYPE_LINUX_SLL2 (276): the 20-byte cooked header of `tcpdump -i any` on libpcap >= 1.10. */
import { DecodedPacket, STOP_TRUNCATED } from './packet.js';
import { Cursor, mac48, stop, u16 } from './cursor.js';
import { sllProtocol } from './sll-protocol.js';

export function decodeLinuxSll2(c: Cursor, pkt: DecodedPacket): number {
  const b = c.buf; const o = c.off;
  if (c.end - o < 20) return stop(pkt, STOP_TRUNCATED, 'linux_sll2', 'frame shorter than the 20-byte SLL2 header');
  const protocol = u16(b, o);
  const arphrd = u16(b, o + 8);
  pkt.sllPacketType = b[o + 10];
  const addrLen = b[o + 11];
  if (addrLen === 6) { pkt.hasMacs = true; pkt.srcMac = mac48(b, o + 12); }
  c.off = o + 20;
  return sllProtocol(c, pkt, arphrd, protocol, 'linux_sll2');
}
