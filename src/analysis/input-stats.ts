import type { DecodedPacket } from '../decode/packet.js';
import type { Frame } from '../source/frame.js';

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

  /** Point per interface id when the interfaces are separate capture points, else null. */
  interfacePoints: number[] | null = null;

  constructor(readonly point: number) {}

  countFrame(frame: Frame, _pkt: DecodedPacket): void {
    // Runs of one link type are the norm: count them locally and flush on change.
    if (frame.linkType !== this.lastLinkType) {
      this.flushLinkType();
      this.lastLinkType = frame.linkType;
    }
    this.lastLinkCount++;
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
