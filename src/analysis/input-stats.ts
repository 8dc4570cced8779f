import { TUNNEL_NONE, type DecodedPacket } from '../decode/packet.js';
import type { Frame } from '../source/frame.js';

/** One mirror tunnel (outer addresses + session): the capture point of the frames it carried. */
export interface TunnelCount {
  kind: number;
  ipVersion: number;
  src: Uint32Array;
  dst: Uint32Array;
  sessionId: number;
  frames: number;
}

/** Distinct tunnels kept per input (a mirror collector sees a handful; a bound keeps hostile input small). */
export const MAX_TUNNELS = 32;

/** What the analysis itself counts per input (the source reports the rest in InputSummary). */
export class InputStats {
  vmotionPackets = 0;
  nfcPackets = 0;
  otherPackets = 0;
  /** Link type -> frames. */
  readonly linkTypes = new Map<number, number>();
  /** stopLayer -> stopReason -> {count, firstFrame}; keys are the decoders' static strings. */
  readonly problems = new Map<string, Map<string, { kind: number; count: number; firstFrame: number }>>();
  private lastLinkType = -1;
  private lastLinkCount = 0;
  /** Distinct mirror tunnels seen, the first MAX_TUNNELS of them (frames of later ones are analysed, not listed). */
  readonly tunnels: TunnelCount[] = [];
  /** The tunnel of the previous tunnelled frame (null before the first, or when it was not listed). */
  private lastTunnel: TunnelCount | null = null;

  /** Point per interface id when the interfaces are separate capture points, else null. */
  interfacePoints: number[] | null = null;
  /** The interface of the previous frame and its point (runs of one interface are the norm). */
  lastInterface = -1;
  lastPoint = 0;

  constructor(readonly point: number) {}

  countFrame(frame: Frame, pkt: DecodedPacket): void {
    this.countLinkType(frame.linkType);
    if (pkt.tunnel !== TUNNEL_NONE) this.countTunnel(pkt);
  }

  /** A frame without a tunnel (countFrame's part for it). */
  countLinkType(linkType: number): void {
    // Runs of one link type are the norm: count them locally and flush on change.
    if (linkType !== this.lastLinkType) {
      this.flushLinkType();
      this.lastLinkType = linkType;
    }
    this.lastLinkCount++;
  }

  /** Runs of one tunnel are the norm: compare with the last one, allocate only for a new tunnel. */
  private countTunnel(pkt: DecodedPacket): void {
    const last = this.lastTunnel;
    if (last !== null && sameTunnel(last, pkt)) { last.frames++; return; }
    for (const t of this.tunnels) {
      if (sameTunnel(t, pkt)) { t.frames++; this.lastTunnel = t; return; }
    }
    if (this.tunnels.length >= MAX_TUNNELS) return;
    const t: TunnelCount = {
      kind: pkt.tunnel, ipVersion: pkt.tunnelIpVersion, src: Uint32Array.from(pkt.tunnelSrc), dst: Uint32Array.from(pkt.tunnelDst),
      sessionId: pkt.tunnelSessionId, frames: 1,
    };
    this.tunnels.push(t);
    this.lastTunnel = t;
  }

  countProblem(pkt: DecodedPacket, frameNumber: number): void {
    let byReason = this.problems.get(pkt.stopLayer);
    if (byReason === undefined) { byReason = new Map(); this.problems.set(pkt.stopLayer, byReason); }
    const entry = byReason.get(pkt.stopReason);
    if (entry === undefined) byReason.set(pkt.stopReason, { kind: pkt.stop, count: 1, firstFrame: frameNumber });
    else entry.count++;
  }

  flushLinkType(): void {
    if (this.lastLinkCount > 0) {
      this.linkTypes.set(this.lastLinkType, (this.linkTypes.get(this.lastLinkType) ?? 0) + this.lastLinkCount);
      this.lastLinkCount = 0;
    }
  }
}

function sameTunnel(t: TunnelCount, p: DecodedPacket): boolean {
  return t.kind === p.tunnel && t.sessionId === p.tunnelSessionId && t.ipVersion === p.tunnelIpVersion
    && t.src[0] === p.tunnelSrc[0] && t.src[1] === p.tunnelSrc[1] && t.src[2] === p.tunnelSrc[2] && t.src[3] === p.tunnelSrc[3]
    && t.dst[0] === p.tunnelDst[0] && t.dst[1] === p.tunnelDst[1] && t.dst[2] === p.tunnelDst[2] && t.dst[3] === p.tunnelDst[3];
}
