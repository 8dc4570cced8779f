/**
 * Hop evidence outside the TCP streams, per capture point: ARP (and IPv6 neighbour discovery)
 * questions and answers, and ICMP errors that name a router (time exceeded, redirect,
 * fragmentation needed / packet too big). These packets are rare; the observer returns after
 * two comparisons for every other packet.
 */
import { formatIp, formatIpv4 } from '../../decode/addresses.js';
import { DecodedPacket, PROTO_ICMP, PROTO_ICMPV6 } from '../../decode/packet.js';
import type { Frame } from '../../source/frame.js';
import type { PacketObserver } from '../../streams/stream-observer.js';
import type { FrameRef } from '../result.js';

export const MAX_NEIGHBOUR_ENTRIES = 4096;
export const MAX_ICMP_RECORDS = 1000;
export const MAX_FRAMES_PER_ENTRY = 5;

/** "Who has TARGET? tell SENDER" (ARP request or IPv6 neighbour solicitation). */
export interface NeighbourQuestion {
  point: number;
  sender: string;
  target: string;
  count: number;
  frames: FrameRef[];
}

/** An address claimed by a MAC (ARP reply/request sender fields, neighbour advertisement). */
export interface NeighbourBinding {
  point: number;
  ip: string;
  mac: number;
  count: number;
  frames: FrameRef[];
}

export type IcmpKind = 'time-exceeded' | 'redirect' | 'frag-needed' | 'packet-too-big';

export interface IcmpRecord {
  point: number;
  kind: IcmpKind;
  /** The router (or host) that sent the ICMP message. */
  from: string;
  /** Redirect: the better gateway; else null. */
  gateway: string | null;
  mtu: number | null;
  ipVersion: number;
  innerSrc: string;
  innerDst: string;
  innerProtocol: number;
  innerSrcPort: number;
  innerDstPort: number;
  frame: FrameRef;
}

export class PathPacketObserver implements PacketObserver {
  readonly questions = new Map<string, NeighbourQuestion>();
  readonly bindings = new Map<string, NeighbourBinding>();
  readonly icmp: IcmpRecord[] = [];
  /** ICMP errors beyond MAX_ICMP_RECORDS (counted, not kept). */
  icmpDropped = 0;
  private readonly v6 = new Uint32Array(4);

  onPacket(pkt: DecodedPacket, frame: Frame, _t: number, point: number): void {
    if (pkt.isArp) { this.onArp(pkt, frame, point); return; }
    const proto = pkt.l4Protocol;
    if (proto !== PROTO_ICMP && proto !== PROTO_ICMPV6) return;
    if (proto === PROTO_ICMPV6 && (pkt.icmpType === 135 || pkt.icmpType === 136)) { this.onNd(pkt, frame, point); return; }
    this.onIcmp(pkt, frame, point);
  }

  private onArp(pkt: DecodedPacket, frame: Frame, point: number): void {
    const ref = { input: frame.inputIndex, frame: frame.frameNumber };
    const sender = formatIpv4(pkt.arpSenderIp);
    // The sender of any ARP packet claims its own address (0.0.0.0 is an ARP probe: no claim).
    if (pkt.arpSenderIp !== 0) this.bind(point, sender, pkt.arpSenderMac, ref);
    if (pkt.arpOp === 1 && pkt.arpTargetIp !== pkt.arpSenderIp) this.ask(point, sender, formatIpv4(pkt.arpTargetIp), ref);
  }

  /** Neighbour solicitation (135) / advertisement (136): target at +8, link-layer options from +24. */
  private onNd(pkt: DecodedPacket, frame: Frame, point: number): void {
    const b = frame.data;
    const o = pkt.l4Offset;
    const end = frame.offset + frame.capturedLength;
    if (end - o < 24) return;
    const w = this.v6;
    for (let i = 0; i < 4; i++) w[i] = b.readUInt32BE(o + 8 + i * 4);
    const target = formatIp(6, w);
    const ref = { input: frame.inputIndex, frame: frame.frameNumber };
    let llAddr = -1;
    for (let p = o + 24, k = 0; k < 8 && end - p >= 8; k++) {
      const len = b[p + 1] * 8;
      if (len === 0) break;
      if ((b[p] === 1 || b[p] === 2) && len >= 8) llAddr = b.readUIntBE(p + 2, 6);
      p += len;
    }
    const src = formatIp(6, pkt.src);
    if (pkt.icmpType === 135) {
      const unspecified = pkt.src[0] === 0 && pkt.src[1] === 0 && pkt.src[2] === 0 && pkt.src[3] === 0;
      if (!unspecified) {
        this.ask(point, src, target, ref);
        const mac = llAddr >= 0 ? llAddr : pkt.hasMacs ? pkt.srcMac : -1;
        if (mac >= 0) this.bind(point, src, mac, ref);
      }
    } else {
      const mac = llAddr >= 0 ? llAddr : pkt.hasMacs ? pkt.srcMac : -1;
      if (mac >= 0) this.bind(point, target, mac, ref);
    }
  }

  private onIcmp(pkt: DecodedPacket, frame: Frame, point: number): void {
    if (pkt.icmpInnerIpVersion === 0) return;
    const v4 = pkt.l4Protocol === PROTO_ICMP;
    const t = pkt.icmpType;
    let kind: IcmpKind | null = null;
    if (v4) {
      if (t === 11) kind = 'time-exceeded';
      else if (t === 5) kind = 'redirect';
      else if (t === 3 && pkt.icmpCode === 4) kind = 'frag-needed';
    } else {
      if (t === 3) kind = 'time-exceeded';
      else if (t === 137) kind = 'redirect';
      else if (t === 2) kind = 'packet-too-big';
    }
    if (kind === null) return;
    if (this.icmp.length >= MAX_ICMP_RECORDS) { this.icmpDropped++; return; }
    const iv = pkt.icmpInnerIpVersion;
    this.icmp.push({
      point, kind,
      from: formatIp(pkt.ipVersion, pkt.src),
      gateway: kind === 'redirect' ? formatIp(pkt.ipVersion, pkt.icmpGateway) : null,
      mtu: pkt.icmpMtu >= 0 ? pkt.icmpMtu : null,
      ipVersion: iv,
      innerSrc: formatIp(iv, pkt.icmpInnerSrc),
      innerDst: formatIp(iv, pkt.icmpInnerDst),
      innerProtocol: pkt.icmpInnerProtocol,
      innerSrcPort: pkt.icmpInnerSrcPort,
      innerDstPort: pkt.icmpInnerDstPort,
      frame: { input: frame.inputIndex, frame: frame.frameNumber },
    });
  }

  private ask(point: number, sender: string, target: string, ref: FrameRef): void {
    const key = `${point}|${sender}|${target}`;
    let q = this.questions.get(key);
    if (q === undefined) {
      if (this.questions.size >= MAX_NEIGHBOUR_ENTRIES) return;
      q = { point, sender, target, count: 0, frames: [] };
      this.questions.set(key, q);
    }
    q.count++;
    if (q.frames.length < MAX_FRAMES_PER_ENTRY) q.frames.push(ref);
  }

  private bind(point: number, ip: string, mac: number, ref: FrameRef): void {
    const key = `${point}|${ip}|${mac}`;
    let e = this.bindings.get(key);
    if (e === undefined) {
      if (this.bindings.size >= MAX_NEIGHBOUR_ENTRIES) return;
      e = { point, ip, mac, count: 0, frames: [] };
      this.bindings.set(key, e);
    }
    e.count++;
    if (e.frames.length < MAX_FRAMES_PER_ENTRY) e.frames.push(ref);
  }

  /** MACs that claimed an address at a point. */
  macsOf(point: number, ip: string): NeighbourBinding[] {
    const out: NeighbourBinding[] = [];
    for (const b of this.bindings.values()) if (b.point === point && b.ip === ip) out.push(b);
    return out;
  }

  /** Addresses a MAC claimed at a point. */
  ipsOf(point: number, mac: number): NeighbourBinding[] {
    const out: NeighbourBinding[] = [];
    for (const b of this.bindings.values()) if (b.point === point && b.mac === mac) out.push(b);
    return out;
  }

  questionsFrom(point: number, sender: string): NeighbourQuestion[] {
    const out: NeighbourQuestion[] = [];
    for (const q of this.questions.values()) if (q.point === point && q.sender === sender) out.push(q);
    return out;
  }
}
