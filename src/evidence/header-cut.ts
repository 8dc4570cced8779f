/**
 * How many bytes of a frame the evidence capture keeps: the headers and nothing after them.
 * vMotion payload is guest memory, so nothing past the transport header leaves the customer.
 */
import { DecodedPacket, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../decode/packet.js';
import type { Frame } from '../source/frame.js';

/** ARP and frames without IP: the whole ARP fits; anything else keeps at most its link header. */
const MAX_ARP_FRAME = 128;
/** ICMPv6 neighbour discovery carries addresses and options only: kept, bounded. */
const MAX_ND_BYTES = 256;

/** Bytes to keep from the start of the frame, 0..capturedLength. Call after decodeFrame(frame, pkt). */
export function headerCutLength(frame: Frame, pkt: DecodedPacket): number {
  const cap = Math.max(0, Math.min(frame.capturedLength, frame.data.length - frame.offset));
  const rel = (abs: number): number => Math.min(cap, Math.max(0, abs - frame.offset));
  if (pkt.isArp) return Math.min(cap, MAX_ARP_FRAME);
  if (pkt.ipVersion === 0) {
    // Not IP: keep the link header the decoder got through (if any), never an unknown payload.
    return pkt.l3Offset > frame.offset ? rel(pkt.l3Offset) : 0;
  }
  const l4 = pkt.l4Offset > frame.offset ? pkt.l4Offset : pkt.l3Offset + pkt.ipHeaderLength;
  // A later fragment names the transport protocol but carries only its payload (guest memory).
  if (pkt.fragmentOffset > 0) return rel(pkt.l3Offset + pkt.ipHeaderLength);
  switch (pkt.l4Protocol) {
    case PROTO_TCP:
      // A malformed data offset leaves tcpHeaderLength 0: keep the fixed 20-byte header.
      return rel(l4 + (pkt.tcpHeaderLength >= 20 ? pkt.tcpHeaderLength : 20));
    case PROTO_UDP:
      return rel(l4 + 8);
    case PROTO_ICMP:
    case PROTO_ICMPV6:
      return rel(l4 + icmpKeep(frame.data, l4, frame.offset + cap, pkt));
    default:
      return rel(l4);
  }
}

/** ICMP: the header, plus for errors the quoted IP header and its first 8 transport bytes (ports, seq). */
function icmpKeep(b: Buffer, l4: number, end: number, pkt: DecodedPacket): number {
  const t = pkt.icmpType;
  const v6 = pkt.l4Protocol === PROTO_ICMPV6;
  const isError = v6 ? t >= 1 && t <= 4 : t === 3 || t === 4 || t === 5 || t === 11 || t === 12;
  if (v6 && t >= 133 && t <= 136) return MAX_ND_BYTES;
  if (v6 && t === 137) return 40 + 8 + 40 + 8; // redirect: target, destination, then the quoted header option
  if (!isError) return 8;
  const q = l4 + 8;
  if (q >= end) return 8;
  const version = b[q] >> 4;
  const ipLen = version === 4 ? Math.max(20, (b[q] & 15) * 4) : 40;
  return 8 + ipLen + 8;
}
