/** Ethernet II with any nesting of 802.1Q / 802.1ad (QinQ) / legacy 0x9100 VLAN tags. */
import { DecodedPacket, STOP_MALFORMED, STOP_TRUNCATED, STOP_UNSUPPORTED } from './packet.js';
import { Cursor, NEXT_ARP, NEXT_IPV4, NEXT_IPV6, stop, u16 } from './cursor.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_QINQ_OLD = 0x9100;

/** More tags than any real network stacks: a longer chain is garbage, not a frame. */
const MAX_VLAN_TAGS = 8;

export function decodeEthernet(c: Cursor, pkt: DecodedPacket): number {
  const b = c.buf; const o = c.off;
  if (c.end - o < 14) return stop(pkt, STOP_TRUNCATED, 'ethernet', 'frame shorter than the 14-byte Ethernet header');
  pkt.hasMacs = true;
  // mac48 spelled out: that call was not inlined here, and a non-inlined function returning a
  // 48-bit double boxes it (two heap numbers per frame, a third of all allocation on the hot path).
  pkt.dstMac = ((b[o] << 8) | b[o + 1]) * 0x100000000 + (((b[o + 2] << 24) | (b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5]) >>> 0);
  pkt.srcMac = ((b[o + 6] << 8) | b[o + 7]) * 0x100000000 + (((b[o + 8] << 24) | (b[o + 9] << 16) | (b[o + 10] << 8) | b[o + 11]) >>> 0);
  c.off = o + 14;
  return decodeEtherType(c, pkt, u16(b, o + 12));
}

/**
 * Follow an ethertype (from Ethernet, SLL or SLL2) through VLAN tags to the network layer.
 * c.off points just after the ethertype field.
 */
export function decodeEtherType(c: Cursor, pkt: DecodedPacket, etherType: number): number {
  const b = c.buf;
  let type = etherType;
  let tags = 0;
  while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
    if (++tags > MAX_VLAN_TAGS) return stop(pkt, STOP_MALFORMED, 'vlan', 'more than 8 VLAN tags');
    if (c.end - c.off < 4) return stop(pkt, STOP_TRUNCATED, 'vlan', 'VLAN tag cut off');
    const vid = u16(b, c.off) & 0x0fff;
    if (pkt.vlanCount === 0) pkt.vlan0 = vid; else if (pkt.vlanCount === 1) pkt.vlan1 = vid;
    pkt.vlanCount++;
    type = u16(b, c.off + 2);
    c.off += 4;
  }
  pkt.etherType = type;
  switch (type) {
    case ETHERTYPE_IPV4: return NEXT_IPV4;
    case ETHERTYPE_IPV6: return NEXT_IPV6;
    case ETHERTYPE_ARP: return NEXT_ARP;
    default:
      if (type < 0x0600) return stop(pkt, STOP_UNSUPPORTED, 'ethernet', '802.3 length field (LLC frame), not an ethertype');
      return stop(pkt, STOP_UNSUPPORTED, 'ethernet', 'ethertype not decoded');
  }
}
