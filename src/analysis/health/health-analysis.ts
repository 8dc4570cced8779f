/**
 * The TCP health plugin: per-direction sequence analysis (Wireshark-equivalent counts), RTT,
 * sizes and stalls per stream; retransmission series, start skew and byte spread per migration;
 * capture-quality checks; and the findings that say why a migration was slow or failed.
 */
import type { Analyzer } from '../analyzer.js';
import type { ResultContext, ResultEnricher } from '../build-result.js';
import type { IcmpErrors } from '../icmp-errors.js';
import type { AnalysisResult } from '../result.js';
import { healthFindings } from './health-findings.js';
import { migrationHealth, streamHealth } from './health-report.js';
import { NativeHealthObserver, nativeHealthEngine } from './native-health-observer.js';
import { TcpHealthObserver, type HealthObserver } from './tcp-health-observer.js';

export function tcpHealthAnalysis(analyzer: Analyzer): ResultEnricher {
  const slot = analyzer.tracker.observers.length;
  // The native pass when the addon is built (same results, a fraction of the time), else the TypeScript one.
  const engine = nativeHealthEngine();
  const observer = engine !== null ? new NativeHealthObserver(slot, analyzer.clock, engine) : new TcpHealthObserver(slot, analyzer.clock);
  analyzer.tracker.observers.push(observer);
  return new HealthEnricher(observer, analyzer.icmpErrors);
}

export class HealthEnricher implements ResultEnricher {
  constructor(readonly observer: HealthObserver, readonly icmp: IcmpErrors) {}

  enrich(result: AnalysisResult, ctx: ResultContext): void {
    // Series times at the precision the core used for the migration's own times.
    const digitsOf = (iso: string): number => /\.(\d+)Z$/.exec(iso)?.[1].length ?? 0;
    for (const sr of result.streams) {
      const s = ctx.streamsById.get(sr.id);
      const h = s ? this.observer.stateOf(s) : null;
      if (s && h) sr.health = streamHealth(s, h);
    }
    result.migrations.forEach((mr, i) => {
      const g = ctx.groups[i];
      if (g) mr.health = migrationHealth(ctx.analyzer, g, this.observer, digitsOf(mr.startTime));
    });
    result.findings.push(...healthFindings(result, ctx, this.observer, this.icmp));
  }
}
