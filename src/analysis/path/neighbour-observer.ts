/**
 * Neighbour evidence outside the TCP streams, per capture point: ARP (and IPv6 neighbour
 * discovery): who asked for which address, and which MAC claimed which address. These packets
 * are rare; the observer returns after two comparisons for every other packet. ICMP errors
 * naming a router are collected by src/analysis/icmp-errors.ts.
 */
import { formatIp, formatIpv4 } from '../../decode/addresses.js';
import { DecodedPacket, PROTO_ICMPV6 } from '../../decode/packet.js';
import type { Frame } from '../../source/frame.js';
import type { PacketObserver } from '../../streams/stream-observer.js';
import type { FrameRef } from '../result.js';

export const MAX_NEIGHBOUR_ENTRIES = 4096;
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

export class NeighbourObserver implements PacketObserver {
  readonly questions = new Map<string, NeighbourQuestion>();
  readonly bindings = new Map<string, NeighbourBinding>();
  private readonly v6 = new Uint32Array(4);

  onPacket(pkt: DecodedPacket, frame: Frame, _t: number, point: number): void {
    if (pkt.isArp) { this.onArp(pkt, frame, point); return; }
    if (pkt.l4Protocol === PROTO_ICMPV6 && (pkt.icmpType === 135 || pkt.icmpType === 136)) this.onNd(pkt, frame, point);
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
