/**
 * The same TCP segments seen at two capture points (two files, or two interfaces of one
 * pcapng): matched by sequence number from the deterministic samples of both points.
 * Yields the TTL at each point (their difference = routers between them), the source MAC at
 * each (rewritten = a router between them), the clock offset between the captures (median of
 * the time differences, never assumed zero) and the copies seen at one point but not the next.
 */
import type { FrameRef } from '../result.js';
import { seqHash, type SegmentSampler } from './segment-sampler.js';

export interface SampleMatch {
  /** Sampled segments compared (those both samples could hold) and how many were found at both points. */
  eligible: number;
  matched: number;
  /** Most common TTL of matched segments at each point. */
  ttlA: number;
  ttlB: number;
  srcMacA: number;
  srcMacB: number;
  /** Median of tB - tA over matched segments (seconds), null when none matched. */
  offsetSeconds: number | null;
  /** Copies at A missing at B and vice versa, scaled up by the sampling rate; null when segmentation differs. */
  missingAtB: number | null;
  missingAtA: number | null;
  frames: FrameRef[];
}

/** Below this share of matched segments the two points cut the stream differently (TSO/GRO): no loss count. */
export const MIN_MATCH_SHARE = 0.5;

export function matchSamples(a: SegmentSampler, b: SegmentSampler): SampleMatch {
  const mask = Math.max(a.mask, b.mask);
  const rate = mask + 1;
  let eligible = 0; let matched = 0;
  const dts: number[] = [];
  const ttlCount = new Map<number, number>();
  const macA = new Map<number, number>(); const macB = new Map<number, number>();
  let missB = 0; let missA = 0;
  let firstI = -1; let firstJ = -1;
  let tMin = Infinity; let tMax = -Infinity;
  for (let i = 0; i < a.size; i++) {
    if ((seqHash(a.seq[i]) & mask) !== 0) continue;
    eligible++;
    const j = b.find(a.seq[i]);
    if (j < 0) continue;
    matched++;
    tMin = Math.min(tMin, a.t[i]); tMax = Math.max(tMax, a.t[i]);
    if (firstI < 0) { firstI = i; firstJ = j; }
    dts.push(b.t[j] - a.t[i]);
    const key = a.ttl[i] * 256 + b.ttl[j];
    ttlCount.set(key, (ttlCount.get(key) ?? 0) + 1);
    macA.set(a.srcMac[i], (macA.get(a.srcMac[i]) ?? 0) + 1);
    macB.set(b.srcMac[j], (macB.get(b.srcMac[j]) ?? 0) + 1);
    if (a.copies[i] > b.copies[j]) missB += a.copies[i] - b.copies[j];
    else missA += b.copies[j] - a.copies[i];
  }
  const segmentationAgrees = eligible > 0 && matched / eligible >= MIN_MATCH_SHARE;
  if (segmentationAgrees) {
    // Samples present at one point only, inside the span both points saw, were lost in between.
    for (let i = 0; i < a.size; i++) {
      if ((seqHash(a.seq[i]) & mask) !== 0 || a.t[i] < tMin || a.t[i] > tMax) continue;
      if (b.find(a.seq[i]) < 0) missB += a.copies[i];
    }
    const off = median(dts);
    for (let j = 0; j < b.size; j++) {
      if ((seqHash(b.seq[j]) & mask) !== 0) continue;
      const tA = b.t[j] - off;
      if (tA < tMin || tA > tMax) continue;
      if (a.find(b.seq[j]) < 0) missA += b.copies[j];
    }
  }
  const mode = (m: Map<number, number>) => [...m].sort((x, y) => y[1] - x[1])[0]?.[0] ?? -1;
  const ttlKey = mode(ttlCount);
  return {
    eligible, matched,
    ttlA: ttlKey >= 0 ? Math.floor(ttlKey / 256) : -1,
    ttlB: ttlKey >= 0 ? ttlKey % 256 : -1,
    srcMacA: mode(macA), srcMacB: mode(macB),
    offsetSeconds: dts.length > 0 ? median(dts) : null,
    missingAtB: segmentationAgrees ? missB * rate : null,
    missingAtA: segmentationAgrees ? missA * rate : null,
    frames: firstI >= 0 ? [{ input: a.input[firstI], frame: a.frame[firstI] }, { input: b.input[firstJ], frame: b.frame[firstJ] }] : [],
  };
}

export function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}
