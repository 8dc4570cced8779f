/** ICMPv4 and ICMPv6: the messages that name a router or an MTU, and the packet they quote. */
import { DecodedPacket, STOP_TRUNCATED } from './packet.js';
import { Cursor, NEXT_DONE, ipv6Words, stop, u16, u32 } from './cursor.js';
import { decodeIcmpInner } from './icmp-inner.js';

const V4_DEST_UNREACHABLE = 3;
const V4_SOURCE_QUENCH = 4;
const V4_REDIRECT = 5;
const V4_TIME_EXCEEDED = 11;
const V4_PARAMETER_PROBLEM = 12;
const V4_CODE_FRAG_NEEDED = 4;

const V6_DEST_UNREACHABLE = 1;
const V6_PACKET_TOO_BIG = 2;
const V6_TIME_EXCEEDED = 3;
const V6_PARAMETER_PROBLEM = 4;
const V6_REDIRECT = 137;
const V6_OPT_REDIRECTED_HEADER = 4;
const MAX_ND_OPTIONS = 16;

export function decodeIcmpv4(c: Cursor, pkt: DecodedPacket): number {
  const b = c.buf; const o = c.off;
  if (c.end - o < 4) return stop(pkt, STOP_TRUNCATED, 'icmp', 'ICMP header cut off');
  const type = b[o];
  const code = b[o + 1];
  pkt.icmpType = type;
  pkt.icmpCode = code;
  const isError = type === V4_DEST_UNREACHABLE || type === V4_SOURCE_QUENCH || type === V4_REDIRECT ||
    type === V4_TIME_EXCEEDED || type === V4_PARAMETER_PROBLEM;
  if (!isError) return NEXT_DONE;
  if (c.end - o < 8) return stop(pkt, STOP_TRUNCATED, 'icmp', 'ICMP header cut off');
  if (type === V4_DEST_UNREACHABLE && code === V4_CODE_FRAG_NEEDED) pkt.icmpMtu = u16(b, o + 6);
  if (type === V4_REDIRECT) pkt.icmpGateway[0] = u32(b, o + 4);
  decodeIcmpInner(b, o + 8, c.end, pkt);
  return NEXT_DONE;
}

export function decodeIcmpv6(c: Cursor, pkt: DecodedPacket): number {
  const b = c.buf; const o = c.off;
  if (c.end - o < 4) return stop(pkt, STOP_TRUNCATED, 'icmpv6', 'ICMPv6 header cut off');
  const type = b[o];
  pkt.icmpType = type;
  pkt.icmpCode = b[o + 1];
  if (type === V6_DEST_UNREACHABLE || type === V6_PACKET_TOO_BIG || type === V6_TIME_EXCEEDED ||
    type === V6_PARAMETER_PROBLEM) {
    if (c.end - o < 8) return stop(pkt, STOP_TRUNCATED, 'icmpv6', 'ICMPv6 header cut off');
    if (type === V6_PACKET_TOO_BIG) pkt.icmpMtu = u32(b, o + 4);
    decodeIcmpInner(b, o + 8, c.end, pkt);
    return NEXT_DONE;
  }
  if (type === V6_REDIRECT) {
    if (c.end - o < 40) return stop(pkt, STOP_TRUNCATED, 'icmpv6', 'ICMPv6 redirect cut off');
    ipv6Words(b, o + 8, pkt.icmpGateway);
    // The redirected-header option quotes the packet that triggered the redirect.
    let p = o + 40;
    for (let i = 0; i < MAX_ND_OPTIONS && c.end - p >= 8; i++) {
      const len = b[p + 1] * 8;
      if (len === 0) break;
      if (b[p] === V6_OPT_REDIRECTED_HEADER) { decodeIcmpInner(b, p + 8, Math.min(c.end, p + len), pkt); break; }
      p += len;
    }
  }
  return NEXT_DONE;
}
