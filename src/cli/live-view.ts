import Table from 'cli-table3';
import type { AnalysisResult } from '../analysis/result.js';
import { humanBits, humanBytes, humanCount, humanSeconds } from '../report/units.js';

export interface LiveStatus {
  device: string;
  elapsedSeconds: number;
  packets: number;
  dropped: number;
  writing: string | null;
}

/** A one-word path verdict when the path analysis has judged the migration yet. */
function verdictOf(m: AnalysisResult['migrations'][number]): string {
  const path = (m as { path?: { verdict?: string; hops?: number | null } }).path;
  if (!path || !path.verdict) return '…';
  return path.verdict === 'routed' && typeof path.hops === 'number' ? `routed · ${path.hops} hop${path.hops === 1 ? '' : 's'}` : path.verdict;
}

/** The current rate: the newest interval of the series. */
function currentRate(m: AnalysisResult['migrations'][number]): number {
  return m.series.length > 0 ? m.series[m.series.length - 1].bitsPerSecond : 0;
}

/** Full-screen view for a terminal, refreshed about once a second. */
export function renderLiveScreen(r: AnalysisResult, st: LiveStatus): string {
  const head = `vmotion-analyzer live on ${st.device} — ${humanSeconds(st.elapsedSeconds)}, ${humanCount(st.packets)} packets, ${humanCount(st.dropped)} dropped`
    + (st.writing ? `, writing ${st.writing}` : '') + '   (Ctrl-C stops and prints the report)';
  if (r.migrations.length === 0) return `${head}\n\nNo vMotion traffic seen yet on port(s) ${r.options.vmotionPorts.join(', ')}.\n`;
  const t = new Table({ head: ['#', 'Source → Destination', 'Streams', 'Payload', 'Now', 'Average', 'Path'], style: { head: [], border: [] } });
  for (const m of r.migrations) {
    t.push([m.id, `${m.sourceHost} → ${m.destinationHost}`, m.streamIds.length, humanBytes(m.payloadBytes),
      humanBits(currentRate(m)), humanBits(m.throughputBitsPerSecond), verdictOf(m)]);
  }
  const findings = r.findings.filter((f) => f.severity !== 'info').slice(0, 5).map((f) => `  [${f.severity.toUpperCase()}] ${f.code}: ${f.message}`);
  return `${head}\n\n${t.toString()}\n${findings.length ? `\n${findings.join('\n')}\n` : ''}`;
}

/** One line per refresh when stdout is not a terminal (logs, pipes). */
export function renderLiveLine(r: AnalysisResult, st: LiveStatus): string {
  const parts = r.migrations.map((m) => `#${m.id} ${m.sourceHost}>${m.destinationHost} ${humanBytes(m.payloadBytes)} now ${humanBits(currentRate(m))} avg ${humanBits(m.throughputBitsPerSecond)} ${verdictOf(m)}`);
  return `live ${st.device} t=${st.elapsedSeconds.toFixed(0)}s packets=${st.packets} dropped=${st.dropped}${parts.length ? ` | ${parts.join(' | ')}` : ' | no vMotion traffic yet'}\n`;
}
