/** IPv4: fixed header, options skipped, fragments, and the length rules for TSO/LRO captures. */
import { DecodedPacket, STOP_MALFORMED, STOP_TRUNCATED } from './packet.js';
import { Cursor, NEXT_DONE, stop, u16, u32 } from './cursor.js';
import { nextForIpProtocol } from './ip-protocol.js';

export function decodeIpv4(c: Cursor, pkt: DecodedPacket): number {
  const b = c.buf; const o = c.off;
  if (c.end - o < 20) return stop(pkt, STOP_TRUNCATED, 'ipv4', 'IPv4 header cut off before 20 bytes');
  const vihl = b[o];
  if (vihl >> 4 !== 4) return stop(pkt, STOP_MALFORMED, 'ipv4', 'version field is not 4');
  const headerLength = (vihl & 15) * 4;
  if (headerLength < 20) return stop(pkt, STOP_MALFORMED, 'ipv4', 'header length (IHL) below 20 bytes');

  pkt.ipVersion = 4;
  pkt.l3Offset = o;
  pkt.ipHeaderLength = headerLength;
  const tos = b[o + 1];
  pkt.dscp = tos >> 2;
  pkt.ecn = tos & 3;
  pkt.ipId = u16(b, o + 4);
  const frag = u16(b, o + 6);
  pkt.dontFragment = (frag & 0x4000) !== 0;
  pkt.moreFragments = (frag & 0x2000) !== 0;
  pkt.fragmentOffset = (frag & 0x1fff) * 8;
  pkt.isFragment = pkt.moreFragments || pkt.fragmentOffset > 0;
  pkt.ttl = b[o + 8];
  const protocol = b[o + 9];
  pkt.l4Protocol = protocol;
  pkt.src[0] = u32(b, o + 12);
  pkt.dst[0] = u32(b, o + 16);

  let totalLength = u16(b, o + 2);
  if (totalLength === 0) {
    // TSO/LRO host captures leave total length 0: the frame's wire length is all we have.
    // Not clamped to 65535: Linux BIG TCP (GSO/GRO > 64 KiB) also writes 0 for larger packets.
    totalLength = c.wireEnd - o;
    pkt.ipLengthFromFrame = true;
  }
  pkt.ipTotalLength = totalLength;
  if (totalLength < headerLength) return stop(pkt, STOP_MALFORMED, 'ipv4', 'total length below header length');
  if (c.end - o < headerLength) return stop(pkt, STOP_TRUNCATED, 'ipv4', 'IPv4 options cut off');

  // Bytes past the IP packet are Ethernet padding (or trailers): never part of the payload.
  const ipEnd = o + totalLength;
  c.wireEnd = ipEnd;
  if (c.end > ipEnd) c.end = ipEnd;
  c.off = o + headerLength;
  pkt.l4Offset = c.off;
  // Later fragments carry payload bytes, not a transport header.
  if (pkt.fragmentOffset > 0) return NEXT_DONE;
  return nextForIpProtocol(pkt, protocol, 'ipv4');
}
