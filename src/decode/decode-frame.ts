/**
 * decodeFrame: the one entry point from a captured Frame to a filled DecodedPacket.
 * Layers decode in place and name the next layer (a loop, not recursion, so tunnel nesting
 * and header chains stay bounded); problems become pkt.stop/stopLayer/stopReason, never
 * exceptions. Nothing is allocated per frame.
 */
import { DecodedPacket, STOP_MALFORMED, STOP_UNSUPPORTED } from './packet.js';
import type { Frame } from '../source/frame.js';
import {
  LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_LOOP,
  LINKTYPE_NULL, LINKTYPE_RAW, LINKTYPE_RAW_LEGACY_12, LINKTYPE_RAW_LEGACY_14,
} from '../source/link-types.js';
import {
  Cursor, NEXT_ARP, NEXT_DONE, NEXT_ERSPAN_II, NEXT_ERSPAN_III, NEXT_ETHERNET, NEXT_GRE, NEXT_ICMPV4,
  NEXT_ICMPV6, NEXT_IP_BY_VERSION, NEXT_IPV4, NEXT_IPV6, NEXT_TCP, NEXT_UDP, NEXT_VXLAN, stop,
} from './cursor.js';
import { decodeEthernet } from './ethernet.js';
import { decodeLinuxSll } from './linux-sll.js';
import { decodeLinuxSll2 } from './linux-sll2.js';
import { decodeLoop, decodeNull, decodeRawIp } from './raw-ip.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';
import { decodeArp } from './arp.js';
import { decodeIcmpv4, decodeIcmpv6 } from './icmp.js';
import { decodeGre } from './gre.js';
import { decodeErspanII, decodeErspanIII } from './erspan.js';
import { decodeVxlan } from './vxlan.js';

/** Far above any legal chain (4 tunnels x ~5 layers); guards against a decoder bug looping. */
const MAX_LAYERS = 64;

const cursor = new Cursor();

export function decodeFrame(frame: Frame, pkt: DecodedPacket): void {
  pkt.reset();
  const c = cursor;
  const start = frame.offset;
  const data = frame.data;
  // The FCS is not part of any layer; lengths that went missing or are bogus in the record are clamped.
  const fcs = frame.fcsLength > 0 ? frame.fcsLength : 0;
  const onWire = frame.originalLength > frame.capturedLength ? frame.originalLength : frame.capturedLength;
  let wireEnd = start + onWire - fcs;
  if (wireEnd < start) wireEnd = start;
  let end = start + (frame.capturedLength > 0 ? frame.capturedLength : 0);
  if (end > data.length) end = data.length;
  if (end > wireEnd) end = wireEnd;
  if (end < start) end = start;
  c.buf = data; c.off = start; c.end = end; c.wireEnd = wireEnd; c.depth = 0;

  let next: number;
  switch (frame.linkType) {
    case LINKTYPE_ETHERNET: next = NEXT_ETHERNET; break;
    case LINKTYPE_LINUX_SLL: next = decodeLinuxSll(c, pkt); break;
    case LINKTYPE_LINUX_SLL2: next = decodeLinuxSll2(c, pkt); break;
    case LINKTYPE_RAW: case LINKTYPE_RAW_LEGACY_12: case LINKTYPE_RAW_LEGACY_14: next = NEXT_IP_BY_VERSION; break;
    case LINKTYPE_IPV4: next = NEXT_IPV4; pkt.etherType = 0x0800; break;
    case LINKTYPE_IPV6: next = NEXT_IPV6; pkt.etherType = 0x86dd; break;
    case LINKTYPE_NULL: next = decodeNull(c, pkt); break;
    case LINKTYPE_LOOP: next = decodeLoop(c, pkt); break;
    default: next = stop(pkt, STOP_UNSUPPORTED, 'linktype', 'link type not decoded');
  }

  for (let layers = 0; next !== NEXT_DONE; layers++) {
    if (layers >= MAX_LAYERS) { stop(pkt, STOP_MALFORMED, 'decode', 'too many layers'); return; }
    switch (next) {
      case NEXT_ETHERNET: next = decodeEthernet(c, pkt); break;
      case NEXT_IP_BY_VERSION: next = decodeRawIp(c, pkt); break;
      case NEXT_IPV4: next = decodeIpv4(c, pkt); break;
      case NEXT_IPV6: next = decodeIpv6(c, pkt); break;
      case NEXT_TCP: next = decodeTcp(c, pkt); break;
      case NEXT_UDP: next = decodeUdp(c, pkt); break;
      case NEXT_ICMPV4: next = decodeIcmpv4(c, pkt); break;
      case NEXT_ICMPV6: next = decodeIcmpv6(c, pkt); break;
      case NEXT_ARP: next = decodeArp(c, pkt); break;
      case NEXT_GRE: next = decodeGre(c, pkt); break;
      case NEXT_ERSPAN_II: next = decodeErspanII(c, pkt); break;
      case NEXT_ERSPAN_III: next = decodeErspanIII(c, pkt); break;
      case NEXT_VXLAN: next = decodeVxlan(c, pkt); break;
      default: next = NEXT_DONE;
    }
  }
}
