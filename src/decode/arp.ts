/** ARP for Ethernet/IPv4 (the only kind that says anything about vMotion paths). */
import { DecodedPacket, STOP_TRUNCATED, STOP_UNSUPPORTED } from './packet.js';
import { Cursor, NEXT_DONE, mac48, stop, u16, u32 } from './cursor.js';

export function decodeArp(c: Cursor, pkt: DecodedPacket): number {
  const b = c.buf; const o = c.off;
  if (c.end - o < 8) return stop(pkt, STOP_TRUNCATED, 'arp', 'ARP header cut off');
  if (u16(b, o) !== 1 || u16(b, o + 2) !== 0x0800 || b[o + 4] !== 6 || b[o + 5] !== 4) {
    return stop(pkt, STOP_UNSUPPORTED, 'arp', 'ARP not for Ethernet/IPv4');
  }
  pkt.isArp = true;
  pkt.arpOp = u16(b, o + 6);
  if (c.end - o < 28) return stop(pkt, STOP_TRUNCATED, 'arp', 'ARP addresses cut off');
  pkt.arpSenderMac = mac48(b, o + 8);
  pkt.arpSenderIp = u32(b, o + 14);
  pkt.arpTargetMac = mac48(b, o + 18);
  pkt.arpTargetIp = u32(b, o + 24);
  c.off = o + 28;
  return NEXT_DONE;
}
