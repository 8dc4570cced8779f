/**
 * What the path observers keep per stream (in stream.ext[slot]): per vantage (the interface a
 * frame came in on) and per direction, the TTL values, source/destination MACs, TTL changes and
 * a segment sample for cross-point matching. Bounded; nothing is allocated per packet once a
 * direction has been seen.
 *
 * A stream has one vantage in practice: the Analyzer makes each busy interface of a pcapng its own
 * capture point (also when it discovers the second interface only while reading, as for gzip or
 * standard input). The per-interface split stays as a guard: were two interfaces ever to reach
 * one stream, merging them would make every packet look like a TTL change.
 */
import type { FrameRef } from '../result.js';
import { SegmentSampler } from './segment-sampler.js';
import { ValueSet } from './value-set.js';

export const MAX_TTL_VALUES = 8;
export const MAX_MACS = 4;
export const MAX_TTL_CHANGE_FRAMES = 10;

export class DirectionPath {
  private readonly ttlSet = new ValueSet(MAX_TTL_VALUES);
  private readonly srcMacSet = new ValueSet(MAX_MACS);
  private readonly dstMacSet = new ValueSet(MAX_MACS);
  private noMacs = 0;
  /**
   * Packets since the last one counted in the sets that repeated its TTL and MACs exactly (the
   * bulk of a stream), counted into the sets when they are read (flush): one comparison per
   * value and a single increment per packet, instead of an update of each set.
   */
  private repeats = 0;
  /** The TTL and MACs `repeats` stands for; repTtl -1: no packet to repeat (a value overflowed its set). */
  private repTtl = -1;
  private repHasMacs = false;
  private repSrcMac = 0;
  private repDstMac = 0;
  /** Times the TTL differed from the previous packet's, and (bounded) where: previous frame, new frame. */
  ttlChanges = 0;
  readonly ttlChangeFrames: FrameRef[] = [];
  readonly segments = new SegmentSampler();
  lastInput = -1;
  lastFrame = 0;

  get ttl(): ValueSet { this.flush(); return this.ttlSet; }
  get srcMac(): ValueSet { this.flush(); return this.srcMacSet; }
  get dstMac(): ValueSet { this.flush(); return this.dstMacSet; }
  /** Packets without Ethernet addresses (raw IP, SLL receive side...). */
  get noMacPackets(): number { this.flush(); return this.noMacs; }
  get packets(): number { return this.ttl.total(); }

  /** Count one packet's TTL and MACs (dstMac 0: none); returns true when its TTL differs from the previous packet's. */
  countPacket(ttl: number, hasMacs: boolean, srcMac: number, dstMac: number, input: number, frame: number): boolean {
    if (ttl === this.repTtl && hasMacs === this.repHasMacs && srcMac === this.repSrcMac && dstMac === this.repDstMac) {
      this.repeats++;
      return false;
    }
    return this.countNew(ttl, hasMacs, srcMac, dstMac, input, frame);
  }

  // Out of line: countPacket stays small enough for TurboFan to inline it into the per-packet path.
  private countNew(ttl: number, hasMacs: boolean, srcMac: number, dstMac: number, input: number, frame: number): boolean {
    this.flush();
    const changed = this.ttlSet.add(ttl, input, frame);
    if (hasMacs) {
      this.srcMacSet.add(srcMac, input, frame);
      if (dstMac !== 0) this.dstMacSet.add(dstMac, input, frame);
    } else this.noMacs++;
    // Repeats of this packet may be counted later only if each value is its set's current one
    // (a value that found no room is counted as overflow, and its TTL as a change, every time).
    const repeatable = this.ttlSet.isLast(ttl) && (!hasMacs || (this.srcMacSet.isLast(srcMac) && (dstMac === 0 || this.dstMacSet.isLast(dstMac))));
    this.repTtl = repeatable ? ttl : -1;
    this.repHasMacs = hasMacs;
    this.repSrcMac = srcMac;
    this.repDstMac = dstMac;
    return changed;
  }

  /** Count the pending repeats into the sets. */
  private flush(): void {
    const n = this.repeats;
    if (n === 0) return;
    this.repeats = 0;
    this.ttlSet.repeatLast(n);
    if (this.repHasMacs) {
      this.srcMacSet.repeatLast(n);
      if (this.repDstMac !== 0) this.dstMacSet.repeatLast(n);
    } else this.noMacs += n;
  }
}

export class VantagePath {
  readonly dirs: [DirectionPath, DirectionPath] = [new DirectionPath(), new DirectionPath()];
  constructor(readonly interfaceId: number) {}
}

export class StreamPath {
  readonly vantages: VantagePath[] = [];
  private last: VantagePath | null = null;

  vantage(interfaceId: number): VantagePath {
    const l = this.last;
    if (l !== null && l.interfaceId === interfaceId) return l;
    return this.otherVantage(interfaceId);
  }

  // Out of line, as DirectionPath.countNew.
  private otherVantage(interfaceId: number): VantagePath {
    for (const v of this.vantages) if (v.interfaceId === interfaceId) { this.last = v; return v; }
    const v = new VantagePath(interfaceId);
    this.vantages.push(v);
    this.last = v;
    return v;
  }
}
