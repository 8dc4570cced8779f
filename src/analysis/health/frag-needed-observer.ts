import { formatIp } from '../../decode/addresses.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, type DecodedPacket } from '../../decode/packet.js';
import type { Frame } from '../../source/frame.js';
import type { PacketObserver } from '../../streams/stream-observer.js';
import { FrameList } from './frame-list.js';

const V4_DEST_UNREACHABLE = 3;
const V4_CODE_FRAG_NEEDED = 4;
const V6_PACKET_TOO_BIG = 2;
/** Distinct (router, quoted connection) pairs remembered; the count goes on beyond it. */
const MAX_SOURCES = 32;

export interface FragNeededSource {
  point: number;
  /** The router (or host) that sent the ICMP error. */
  router: string;
  mtu: number;
  /** The quoted packet's TCP connection, as the sender addressed it. */
  ipVersion: number;
  innerSrc: string; innerSrcPort: number;
  innerDst: string; innerDstPort: number;
  count: number;
  frames: FrameList;
}

/**
 * ICMP "fragmentation needed" (IPv4 type 3 code 4) and ICMPv6 "packet too big" quoting a TCP
 * segment on a tracked port: the path's MTU is smaller than the vmknics' (a jumbo mismatch).
 * Kept bounded: MAX_SOURCES distinct (router, connection) pairs, a few frames each.
 */
export class FragNeededObserver implements PacketObserver {
  readonly sources: FragNeededSource[] = [];
  total = 0;

  constructor(private readonly isTrackedPort: (port: number) => boolean) {}

  onPacket(pkt: DecodedPacket, frame: Frame, _t: number, point: number): void {
    if (pkt.icmpType < 0) return;
    const v4 = pkt.l4Protocol === PROTO_ICMP && pkt.icmpType === V4_DEST_UNREACHABLE && pkt.icmpCode === V4_CODE_FRAG_NEEDED;
    const v6 = pkt.l4Protocol === PROTO_ICMPV6 && pkt.icmpType === V6_PACKET_TOO_BIG;
    if (!v4 && !v6) return;
    if (pkt.icmpInnerProtocol !== PROTO_TCP) return;
    if (!this.isTrackedPort(pkt.icmpInnerDstPort) && !this.isTrackedPort(pkt.icmpInnerSrcPort)) return;
    this.total++;
    // Rare packets: formatting strings here is fine (never on the bulk TCP path).
    const router = formatIp(pkt.ipVersion, pkt.src);
    const innerSrc = formatIp(pkt.icmpInnerIpVersion, pkt.icmpInnerSrc);
    const innerDst = formatIp(pkt.icmpInnerIpVersion, pkt.icmpInnerDst);
    let src = this.sources.find((s) => s.point === point && s.router === router && s.innerSrc === innerSrc && s.innerDst === innerDst
      && s.innerSrcPort === pkt.icmpInnerSrcPort && s.innerDstPort === pkt.icmpInnerDstPort);
    if (src === undefined) {
      if (this.sources.length >= MAX_SOURCES) return;
      src = { point, router, mtu: pkt.icmpMtu, ipVersion: pkt.icmpInnerIpVersion, innerSrc, innerSrcPort: pkt.icmpInnerSrcPort,
        innerDst, innerDstPort: pkt.icmpInnerDstPort, count: 0, frames: new FrameList(8) };
      this.sources.push(src);
    }
    src.count++;
    if (pkt.icmpMtu > 0 && (src.mtu <= 0 || pkt.icmpMtu < src.mtu)) src.mtu = pkt.icmpMtu;
    src.frames.add(frame.inputIndex, frame.frameNumber);
  }
}
