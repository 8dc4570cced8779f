/**
 * The packet quoted inside an ICMP/ICMPv6 error: inner IP header and the first 8 bytes of its
 * transport header (ports, and the TCP sequence number that says which segment bounced).
 * The quote is short by design, so a cut-off quote fills what is there and is not an error.
 */
import { DecodedPacket, PROTO_TCP, PROTO_UDP } from './packet.js';
import { ipv6Words, u16, u32 } from './cursor.js';
import { IPV6_AH, IPV6_FRAGMENT, isIpv6ExtensionHeader } from './ipv6.js';

const PROTO_SCTP = 132;
const MAX_INNER_EXT_HEADERS = 8;

export function decodeIcmpInner(b: Buffer, o: number, end: number, pkt: DecodedPacket): void {
  if (end - o < 1) return;
  const version = b[o] >> 4;
  let l4: number;
  let protocol: number;
  if (version === 4) {
    if (end - o < 20) return;
    const headerLength = (b[o] & 15) * 4;
    if (headerLength < 20) return;
    pkt.icmpInnerIpVersion = 4;
    pkt.icmpInnerSrc[0] = u32(b, o + 12);
    pkt.icmpInnerDst[0] = u32(b, o + 16);
    protocol = b[o + 9];
    pkt.icmpInnerProtocol = protocol;
    if ((u16(b, o + 6) & 0x1fff) !== 0) return; // a later fragment quotes no transport header
    l4 = o + headerLength;
  } else if (version === 6) {
    if (end - o < 40) return;
    pkt.icmpInnerIpVersion = 6;
    ipv6Words(b, o + 8, pkt.icmpInnerSrc);
    ipv6Words(b, o + 24, pkt.icmpInnerDst);
    protocol = b[o + 6];
    l4 = o + 40;
    let count = 0;
    while (isIpv6ExtensionHeader(protocol)) {
      if (++count > MAX_INNER_EXT_HEADERS || end - l4 < 8) return;
      let len = (b[l4 + 1] + 1) * 8;
      if (protocol === IPV6_FRAGMENT) {
        if ((u16(b, l4 + 2) & 0xfff8) !== 0) { pkt.icmpInnerProtocol = b[l4]; return; }
        len = 8;
      } else if (protocol === IPV6_AH) {
        len = (b[l4 + 1] + 2) * 4;
      }
      protocol = b[l4];
      l4 += len;
    }
    pkt.icmpInnerProtocol = protocol;
  } else {
    return;
  }
  if (protocol !== PROTO_TCP && protocol !== PROTO_UDP && protocol !== PROTO_SCTP) return;
  if (end - l4 < 4) return;
  pkt.icmpInnerSrcPort = u16(b, l4);
  pkt.icmpInnerDstPort = u16(b, l4 + 2);
  if (protocol === PROTO_TCP && end - l4 >= 8) pkt.icmpInnerSeq = u32(b, l4 + 4);
}
