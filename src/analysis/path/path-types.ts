/**
 * The path verdict as it appears in the result (`path` on every stream and migration).
 * Plain data: every output format renders it, tests assert on it.
 */
import type { FrameRef } from '../result.js';

export type PathVerdict = 'routed' | 'l2-adjacent' | 'unknown';
export type PathConfidence = 'high' | 'medium' | 'low';
export type PathEvidenceKind = 'ttl' | 'ttl-change' | 'mac' | 'arp' | 'icmp' | 'multi-point';

export interface PathEvidence {
  kind: PathEvidenceKind;
  /** One sentence a skeptical engineer can check in Wireshark with the frames below. */
  detail: string;
  frames: FrameRef[];
}

export interface PathReport {
  verdict: PathVerdict;
  /** Routers between the two hosts: 0 for l2-adjacent, null when not known. */
  hops: number | null;
  confidence: PathConfidence;
  /** Why, as sentences: the signals that decided, and any that disagreed. */
  reasons: string[];
  evidence: PathEvidence[];
  /** One line for humans, e.g. "routed · 1 hop · TTL 64→63 · src MAC 02:80:00:01:02:01 (locally administered)". */
  summary: string;
}
