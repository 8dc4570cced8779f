/** Next layer for an IP protocol number (IPv4 protocol field or the last IPv6 next header). */
import { DecodedPacket, PROTO_GRE, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, STOP_UNSUPPORTED } from './packet.js';
import { NEXT_DONE, NEXT_GRE, NEXT_ICMPV4, NEXT_ICMPV6, NEXT_TCP, NEXT_UDP, stop } from './cursor.js';

/** IPv6 "no next header": nothing follows, which is a complete packet, not an error. */
const PROTO_NONE = 59;

export function nextForIpProtocol(pkt: DecodedPacket, protocol: number, layer: string): number {
  switch (protocol) {
    case PROTO_TCP: return NEXT_TCP;
    case PROTO_UDP: return NEXT_UDP;
    case PROTO_ICMP: return NEXT_ICMPV4;
    case PROTO_ICMPV6: return NEXT_ICMPV6;
    case PROTO_GRE: return NEXT_GRE;
    case PROTO_NONE: return NEXT_DONE;
    default: return stop(pkt, STOP_UNSUPPORTED, layer, 'IP protocol not decoded');
  }
}
