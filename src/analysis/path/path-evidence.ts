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
  readonly ttl = new ValueSet(MAX_TTL_VALUES);
  readonly srcMac = new ValueSet(MAX_MACS);
  readonly dstMac = new ValueSet(MAX_MACS);
  /** Packets without Ethernet addresses (raw IP, SLL receive side...). */
  noMacPackets = 0;
  /** Times the TTL differed from the previous packet's, and (bounded) where: previous frame, new frame. */
  ttlChanges = 0;
  readonly ttlChangeFrames: FrameRef[] = [];
  readonly segments = new SegmentSampler();
  lastInput = -1;
  lastFrame = 0;

  get packets(): number { return this.ttl.total(); }
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
    for (const v of this.vantages) if (v.interfaceId === interfaceId) { this.last = v; return v; }
    const v = new VantagePath(interfaceId);
    this.vantages.push(v);
    this.last = v;
    return v;
  }
}
