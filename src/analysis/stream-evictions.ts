import type { Analyzer } from './analyzer.js';
import type { ResultEnricher } from './build-result.js';
import { finding } from './findings.js';
import { MAX_IDLE_STREAMS, MAX_STREAMS } from '../streams/stream-budget.js';

/**
 * Reports what the stream table's memory budget evicted (src/streams/stream-budget.ts), so a
 * flooded capture says plainly that the streams listed are not all the streams it held.
 */
export function streamBudgetAnalysis(analyzer: Analyzer): ResultEnricher {
  return {
    enrich(result) {
      const b = analyzer.tracker.table.budget;
      if (b.evicted === 0) return;
      const parts: string[] = [];
      if (b.evictedIdle > 0) {
        parts.push(`${b.evictedIdle} handshake-only TCP streams (no payload either way, ${b.evictedIdlePackets} packets) were ` +
          `evicted because more than ${MAX_IDLE_STREAMS} such streams were open at once (a SYN flood or port scan on the ` +
          'tracked ports looks like this): they are counted here, not listed; the oldest were evicted first');
      }
      if (b.evictedWithPayload > 0) {
        parts.push(`${b.evictedWithPayload} streams with payload (${b.evictedPayloadBytes} bytes) were evicted because more than ` +
          `${MAX_STREAMS} streams were open at once: migration byte counts are lower bounds; split the capture by host pair ` +
          '(editcap/tshark -Y) and analyse the parts');
      }
      result.findings.push(finding('STREAM_TABLE_EVICTIONS', parts.join('; ')));
    },
  };
}
