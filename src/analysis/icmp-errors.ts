/**
 * ICMP errors that name a router or an MTU (time exceeded, redirect, fragmentation needed,
 * packet too big), with the connection they quote: one collector per run, registered by the
 * Analyzer, read by every analysis that needs them (path: routers on the way; health: MTU
 * mismatches). These packets are rare; every other packet costs two comparisons.
 */
import { formatIp } from '../decode/addresses.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, type DecodedPacket } from '../decode/packet.js';
import type { Frame } from '../source/frame.js';
import type { PacketObserver } from '../streams/stream-observer.js';
import type { FrameRef } from './result.js';

/** ICMP errors kept one by one; beyond it they are counted in `dropped`. */
export const MAX_ICMP_RECORDS = 1000;
/** Distinct (point, router, quoted connection) pairs of MTU errors remembered; their count goes on beyond it. */
export const MAX_MTU_SOURCES = 32;
export const MAX_FRAMES_PER_MTU_SOURCE = 8;

export type IcmpKind = 'time-exceeded' | 'redirect' | 'frag-needed' | 'packet-too-big';

export interface IcmpRecord {
  point: number;
  kind: IcmpKind;
  /** The router (or host) that sent the ICMP message. */
  from: string;
  /** Redirect: the better gateway; else null. */
  gateway: string | null;
  mtu: number | null;
  /** The quoted packet, as its sender addressed it. */
  ipVersion: number;
  innerSrc: string;
  innerDst: string;
  innerProtocol: number;
  innerSrcPort: number;
  innerDstPort: number;
  frame: FrameRef;
}

/**
 * "Fragmentation needed" / "packet too big" quoting a TCP segment on a tracked port, per
 * (point, router, quoted connection): the path's MTU is smaller than the vmknics'.
 */
export interface MtuSource {
  point: number;
  /** The router (or host) that sent the ICMP error. */
  router: string;
  /** Smallest next-hop MTU it gave (0: not given). */
  mtu: number;
  ipVersion: number;
  innerSrc: string; innerSrcPort: number;
  innerDst: string; innerDstPort: number;
  count: number;
  /** The first MAX_FRAMES_PER_MTU_SOURCE messages. */
  frames: FrameRef[];
}

export class IcmpErrors implements PacketObserver {
  readonly records: IcmpRecord[] = [];
  /** Errors beyond MAX_ICMP_RECORDS (counted, not kept). */
  dropped = 0;
  readonly mtuSources: MtuSource[] = [];
  /** Every MTU error quoting a tracked port, also those beyond MAX_MTU_SOURCES. */
  mtuTotal = 0;

  constructor(private readonly isTrackedPort: (port: number) => boolean) {}

  onPacket(pkt: DecodedPacket, frame: Frame, _t: number, point: number): void {
    const proto = pkt.l4Protocol;
    if (proto !== PROTO_ICMP && proto !== PROTO_ICMPV6) return;
    if (pkt.icmpInnerIpVersion === 0) return;
    const kind = kindOf(proto === PROTO_ICMP, pkt.icmpType, pkt.icmpCode);
    if (kind === null) return;
    const tooBig = (kind === 'frag-needed' || kind === 'packet-too-big') && pkt.icmpInnerProtocol === PROTO_TCP
      && (this.isTrackedPort(pkt.icmpInnerDstPort) || this.isTrackedPort(pkt.icmpInnerSrcPort));
    const keep = this.records.length < MAX_ICMP_RECORDS;
    if (!keep) this.dropped++;
    if (!keep && !tooBig) return;
    // Rare packets: formatting strings here is fine (never on the bulk TCP path).
    const iv = pkt.icmpInnerIpVersion;
    const from = formatIp(pkt.ipVersion, pkt.src);
    const innerSrc = formatIp(iv, pkt.icmpInnerSrc);
    const innerDst = formatIp(iv, pkt.icmpInnerDst);
    const ref = { input: frame.inputIndex, frame: frame.frameNumber };
    if (keep) {
      this.records.push({
        point, kind, from,
        gateway: kind === 'redirect' ? formatIp(pkt.ipVersion, pkt.icmpGateway) : null,
        mtu: pkt.icmpMtu >= 0 ? pkt.icmpMtu : null,
        ipVersion: iv, innerSrc, innerDst,
        innerProtocol: pkt.icmpInnerProtocol, innerSrcPort: pkt.icmpInnerSrcPort, innerDstPort: pkt.icmpInnerDstPort,
        frame: ref,
      });
    }
    if (tooBig) this.countTooBig(pkt, point, from, innerSrc, innerDst, ref);
  }

  private countTooBig(pkt: DecodedPacket, point: number, router: string, innerSrc: string, innerDst: string, ref: FrameRef): void {
    this.mtuTotal++;
    const sp = pkt.icmpInnerSrcPort; const dp = pkt.icmpInnerDstPort;
    let src = this.mtuSources.find((s) => s.point === point && s.router === router && s.innerSrc === innerSrc && s.innerDst === innerDst
      && s.innerSrcPort === sp && s.innerDstPort === dp);
    if (src === undefined) {
      if (this.mtuSources.length >= MAX_MTU_SOURCES) return;
      src = { point, router, mtu: pkt.icmpMtu, ipVersion: pkt.icmpInnerIpVersion, innerSrc, innerSrcPort: sp, innerDst, innerDstPort: dp, count: 0, frames: [] };
      this.mtuSources.push(src);
    }
    src.count++;
    if (pkt.icmpMtu > 0 && (src.mtu <= 0 || pkt.icmpMtu < src.mtu)) src.mtu = pkt.icmpMtu;
    if (src.frames.length < MAX_FRAMES_PER_MTU_SOURCE) src.frames.push(ref);
  }
}

/** ICMPv4 11 / 5 / 3 code 4; ICMPv6 3 / 137 / 2. */
function kindOf(v4: boolean, type: number, code: number): IcmpKind | null {
  if (v4) {
    if (type === 11) return 'time-exceeded';
    if (type === 5) return 'redirect';
    if (type === 3 && code === 4) return 'frag-needed';
    return null;
  }
  if (type === 3) return 'time-exceeded';
  if (type === 137) return 'redirect';
  if (type === 2) return 'packet-too-big';
  return null;
}
