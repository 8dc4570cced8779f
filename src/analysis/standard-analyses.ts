import type { Analyzer } from './analyzer.js';
import type { ResultEnricher } from './build-result.js';
import { pathAnalysis } from './path/path-analysis.js';
import { tcpHealthAnalysis } from './health/health-analysis.js';
import { streamBudgetAnalysis } from './stream-evictions.js';

/**
 * The analyses every run performs on top of the core stream counters, for files and live
 * capture alike: each registers its observers on the analyzer before the first frame and
 * returns its enricher, which adds its fields and findings to the result.
 * Add a new analysis here (one line) — nowhere else.
 */
export type AnalysisPlugin = (analyzer: Analyzer) => ResultEnricher;

export const STANDARD_ANALYSES: AnalysisPlugin[] = [
  pathAnalysis, // routed or L2-adjacent: TTL, MAC, ARP/ND, ICMP, several capture points (src/analysis/path)
  streamBudgetAnalysis, // what the stream table's memory budget evicted (SYN floods, scans): src/streams/stream-budget.ts
  tcpHealthAnalysis, // retransmissions, dup ACKs, windows, RTT, sizes, stalls, capture quality, findings (src/analysis/health)
];

/** Attach every standard analysis to an analyzer; returns the enrichers for buildResult. */
export function attachStandardAnalyses(analyzer: Analyzer): ResultEnricher[] {
  return STANDARD_ANALYSES.map((plugin) => plugin(analyzer));
}
