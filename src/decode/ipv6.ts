/** IPv6: fixed header plus a bounded walk over extension headers (fragment header fills the fragment fields). */
import { DecodedPacket, STOP_MALFORMED, STOP_TRUNCATED, STOP_UNSUPPORTED } from './packet.js';
import { Cursor, NEXT_DONE, ipv6Words, stop, u16, u32 } from './cursor.js';
import { nextForIpProtocol } from './ip-protocol.js';

export const IPV6_HOP_BY_HOP = 0;
export const IPV6_ROUTING = 43;
export const IPV6_FRAGMENT = 44;
export const IPV6_ESP = 50;
export const IPV6_AH = 51;
export const IPV6_DEST_OPTS = 60;

/** Real packets carry a handful of extension headers; a longer chain is a loop or garbage. */
export const MAX_IPV6_EXT_HEADERS = 16;

/** Extension headers in the common (next header, length) format, plus fragment and AH. */
export function isIpv6ExtensionHeader(nh: number): boolean {
  return nh === 0 || nh === 43 || nh === 44 || nh === 51 || nh === 60 || nh === 135 || nh === 139 ||
    nh === 140 || nh === 253 || nh === 254;
}

const JUMBO_OPTION = 0xc2;

export function decodeIpv6(c: Cursor, pkt: DecodedPacket): number {
  const b = c.buf; const o = c.off;
  if (c.end - o < 40) return stop(pkt, STOP_TRUNCATED, 'ipv6', 'IPv6 header cut off before 40 bytes');
  if (b[o] >> 4 !== 6) return stop(pkt, STOP_MALFORMED, 'ipv6', 'version field is not 6');

  pkt.ipVersion = 6;
  pkt.l3Offset = o;
  const trafficClass = ((b[o] & 15) << 4) | (b[o + 1] >> 4);
  pkt.dscp = trafficClass >> 2;
  pkt.ecn = trafficClass & 3;
  pkt.flowLabel = ((b[o + 1] & 15) << 16) | u16(b, o + 2);
  const payloadLength = u16(b, o + 4);
  let nh = b[o + 6];
  pkt.ttl = b[o + 7];
  ipv6Words(b, o + 8, pkt.src);
  ipv6Words(b, o + 24, pkt.dst);

  let totalLength = 40 + payloadLength;
  if (payloadLength === 0) {
    // 0 means either a jumbogram (hop-by-hop option below corrects this) or a TSO/LRO capture.
    totalLength = c.wireEnd - o;
    if (totalLength < 40) totalLength = 40;
    pkt.ipLengthFromFrame = true;
  }
  pkt.ipTotalLength = totalLength;
  if (c.end > o + totalLength) c.end = o + totalLength;

  let p = o + 40;
  let count = 0;
  let laterFragment = false;
  while (isIpv6ExtensionHeader(nh)) {
    if (++count > MAX_IPV6_EXT_HEADERS) return stop(pkt, STOP_MALFORMED, 'ipv6', 'more than 16 extension headers');
    // Every extension header is at least 8 bytes.
    if (p + 8 > o + totalLength) return stop(pkt, STOP_MALFORMED, 'ipv6', 'extension header runs past the payload length');
    if (c.end - p < 8) return stop(pkt, STOP_TRUNCATED, 'ipv6', 'extension header cut off');
    let len: number;
    if (nh === IPV6_FRAGMENT) {
      len = 8;
      const field = u16(b, p + 2);
      pkt.isFragment = true;
      pkt.fragmentOffset = field & 0xfff8;
      pkt.moreFragments = (field & 1) !== 0;
      pkt.ipId = u32(b, p + 4);
      laterFragment = pkt.fragmentOffset > 0;
    } else if (nh === IPV6_AH) {
      len = (b[p + 1] + 2) * 4;
    } else {
      len = (b[p + 1] + 1) * 8;
    }
    if (p + len > o + totalLength) return stop(pkt, STOP_MALFORMED, 'ipv6', 'extension header runs past the payload length');
    if (p + len > c.end) return stop(pkt, STOP_TRUNCATED, 'ipv6', 'extension header cut off');
    if (nh === IPV6_HOP_BY_HOP && payloadLength === 0 && count === 1) {
      const jumbo = findJumbo(b, p + 2, p + len);
      if (jumbo > 0) {
        totalLength = 40 + jumbo;
        pkt.ipTotalLength = totalLength;
        pkt.ipLengthFromFrame = false;
        if (c.end > o + totalLength) c.end = o + totalLength;
      }
    }
    nh = b[p];
    p += len;
    if (laterFragment) break;
  }
  if (p > o + totalLength) return stop(pkt, STOP_MALFORMED, 'ipv6', 'extension header runs past the payload length');

  pkt.ipHeaderLength = p - o;
  pkt.l4Protocol = nh;
  pkt.l4Offset = p;
  c.off = p;
  c.wireEnd = o + totalLength;
  if (laterFragment) return NEXT_DONE;
  if (nh === IPV6_ESP) return stop(pkt, STOP_UNSUPPORTED, 'ipv6', 'ESP-encrypted payload');
  return nextForIpProtocol(pkt, nh, 'ipv6');
}

/** Jumbo payload option (RFC 2675) in a hop-by-hop header's options area; 0 when absent. */
function findJumbo(b: Buffer, start: number, end: number): number {
  let p = start;
  while (p < end) {
    const type = b[p];
    if (type === 0) { p++; continue; } // Pad1
    if (p + 2 > end) return 0;
    const len = b[p + 1];
    if (type === JUMBO_OPTION && len === 4 && p + 6 <= end) return u32(b, p + 2);
    p += 2 + len;
  }
  return 0;
}
