/**
 * Throughput over time as inline SVG (no script, no external font): the HTML report must open
 * anywhere, offline, and print. Retransmissions, when the series exists, are red marks per
 * interval under the curve.
 */
import type { MigrationReport } from '../analysis/result.js';
import { humanBits } from './units.js';

export interface ChartOptions {
  width?: number;
  height?: number;
  /** Retransmitted bytes (or segments) per interval, aligned with m.series. */
  retransmissions?: number[] | null;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A "nice" axis maximum and step (1, 2, 5 x 10^k) for about four gridlines. */
function niceScale(max: number): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.25 };
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  return { top: Math.ceil(max / step) * step, step };
}

function fmt(n: number): string {
  return Number(n.toFixed(1)).toString();
}

export function renderThroughputSvg(m: MigrationReport, opts: ChartOptions = {}): string {
  const W = opts.width ?? 760; const H = opts.height ?? 240;
  const L = 78; const R = 16; const T = 16; const B = 42;
  const pw = W - L - R; const ph = H - T - B;
  const n = m.series.length;
  const dt = m.intervalSeconds;
  const span = Math.max(n * dt, dt);
  const max = Math.max(0, ...m.series.map((p) => p.bitsPerSecond));
  const { top, step } = niceScale(max);
  const x = (t: number): number => L + (t / span) * pw;
  const y = (v: number): number => T + ph - (v / top) * ph;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(`Throughput of migration ${m.id} per ${dt} s interval`)}">`);
  parts.push(`<title>${esc(`Migration ${m.id}: throughput per ${dt} s (peak ${humanBits(m.peakThroughputBitsPerSecond)})`)}</title>`);
  // Grid and y labels.
  for (let v = 0; v <= top + step / 2; v += step) {
    parts.push(`<line class="grid" x1="${L}" x2="${W - R}" y1="${fmt(y(v))}" y2="${fmt(y(v))}"/>`);
    parts.push(`<text class="ylab" x="${L - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${esc(humanBits(v))}</text>`);
  }
  // X ticks in seconds since the migration's first payload.
  const xStep = niceScale(span).step;
  for (let t = 0; t <= span + 1e-9; t += xStep) {
    parts.push(`<line class="tick" x1="${fmt(x(t))}" x2="${fmt(x(t))}" y1="${T + ph}" y2="${T + ph + 4}"/>`);
    parts.push(`<text class="xlab" x="${fmt(x(t))}" y="${T + ph + 16}" text-anchor="middle">${fmt(t)} s</text>`);
  }
  parts.push(`<text class="xlab" x="${L + pw / 2}" y="${H - 4}" text-anchor="middle">seconds from ${esc(m.series[0]?.time ?? m.startTime)} (interval starts)</text>`);
  if (n > 0) {
    // Step curve: each interval's rate is flat across it.
    let d = `M${fmt(x(0))},${fmt(y(0))}`;
    m.series.forEach((p, i) => { d += ` L${fmt(x(i * dt))},${fmt(y(p.bitsPerSecond))} L${fmt(x((i + 1) * dt))},${fmt(y(p.bitsPerSecond))}`; });
    parts.push(`<path class="area" d="${d} L${fmt(x(n * dt))},${fmt(y(0))} Z"/>`);
    parts.push(`<path class="line" d="${d.replace(/^M[^L]*L/, 'M')}"/>`);
    const avgY = y(m.throughputBitsPerSecond);
    parts.push(`<line class="avg" x1="${L}" x2="${W - R}" y1="${fmt(avgY)}" y2="${fmt(avgY)}"><title>average ${esc(humanBits(m.throughputBitsPerSecond))}</title></line>`);
  }
  const re = opts.retransmissions;
  if (re && re.some((v) => v > 0)) {
    re.forEach((v, i) => {
      if (v > 0) parts.push(`<rect class="retrans" x="${fmt(x(i * dt))}" y="${T + ph - 8}" width="${fmt(Math.max(2, (pw / n) - 1))}" height="8"><title>interval ${i + 1}: ${v.toLocaleString('en-US')} retransmitted</title></rect>`);
    });
    parts.push(`<text class="legend retrans-legend" x="${W - R}" y="${T + 10}" text-anchor="end">▮ retransmissions</text>`);
  }
  parts.push(`<line class="axis" x1="${L}" x2="${W - R}" y1="${T + ph}" y2="${T + ph}"/><line class="axis" x1="${L}" x2="${L}" y1="${T}" y2="${T + ph}"/>`);
  parts.push('</svg>');
  return parts.join('');
}
