/**
 * The ticket report as one self-contained HTML file: inline CSS and SVG, no script, no font,
 * no URL, so it opens offline in any browser and prints. Verdict first, details after.
 */
import type { AnalysisResult, Finding, MigrationReport, StreamReport } from '../analysis/result.js';
import {
  findingsFor, flattenRows, hostWithIps, framesText, generalFindings, healthOf, inputFormat, logCorrelationLines, logText, migrationTitle,
  openClose, pathOf, retransmissionSeries, streamHealthNotes, streamHealthTable, streamLabel, throughputText, tunnelText, verdictText,
  type PathView, type ReportContext,
} from './report-model.js';
import { renderThroughputSvg } from './svg-chart.js';
import { humanBits, humanBytes, humanCount, humanSeconds } from './units.js';

function esc(v: unknown): string {
  return String(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CSS = `
:root{--fg:#1d2430;--muted:#5b6575;--line:#d9dee6;--bg:#fff;--card:#f6f8fb;--routed:#8a4b00;--routed-bg:#fff1dc;--l2:#0f5d2e;--l2-bg:#e2f5e8;--unk:#444;--unk-bg:#eceff3;--err:#a1121f;--warn:#8a5a00;--info:#2c4f86}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1000px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
.meta{color:var(--muted);font-size:12.5px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:10px 0;break-inside:avoid}
.card h3{margin-top:0}
.verdict{display:inline-block;font-weight:600;border-radius:4px;padding:2px 8px;margin-right:6px}
.v-routed{color:var(--routed);background:var(--routed-bg)}.v-l2-adjacent{color:var(--l2);background:var(--l2-bg)}.v-unknown,.v-none{color:var(--unk);background:var(--unk-bg)}
.sev{font-weight:600;font-size:11.5px;border-radius:3px;padding:1px 5px;text-transform:uppercase}
.sev-error{color:#fff;background:var(--err)}.sev-warning{color:#fff;background:var(--warn)}.sev-info{color:#fff;background:var(--info)}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:12.5px}
th,td{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{background:var(--card)}td.num{text-align:right;font-variant-numeric:tabular-nums}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.mono{word-break:break-all}code{white-space:nowrap}
ul{margin:4px 0 8px 18px;padding:0}
.chart{width:100%;height:auto;max-width:760px}
.chart .grid{stroke:#e4e8ee}.chart .axis{stroke:#8a94a3}.chart .tick{stroke:#8a94a3}
.chart .ylab,.chart .xlab,.chart .legend{font:11px system-ui,sans-serif;fill:#5b6575}
.chart .area{fill:#2f6fd1;fill-opacity:.16;stroke:none}.chart .line{fill:none;stroke:#2f6fd1;stroke-width:1.8}
.chart .avg{stroke:#2f6fd1;stroke-dasharray:4 4;stroke-opacity:.7}.chart .retrans{fill:#c8202f}.chart .retrans-legend{fill:#c8202f}
.note{color:var(--muted);font-size:12.5px}
@media print{body{max-width:none;padding:0;font-size:11px}h2{break-after:avoid}.card,table,svg{break-inside:avoid}.sev,.verdict{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
`;

export function renderHtml(r: AnalysisResult, ctx: ReportContext = {}): string {
  const out: string[] = [];
  const title = r.migrations.length > 0
    ? `vMotion analysis: ${r.migrations.length} migration${r.migrations.length === 1 ? '' : 's'}`
    : 'vMotion analysis: no migration found';
  out.push(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`);
  out.push(`<title>${esc(title)}</title><style>${CSS}</style></head><body>`);
  out.push(`<header><h1>${esc(title)}</h1><div class="meta">${esc(r.generator.name)} ${esc(r.generator.version)}` +
    `${ctx.generatedAt ? ` · generated ${esc(ctx.generatedAt)}` : ''} · ${r.inputs.length} input${r.inputs.length === 1 ? '' : 's'}` +
    `${ctx.redacted ? ' · <strong>addresses redacted</strong> (consistent pseudonyms; MAC vendor prefixes and subnet relations kept)' : ''}</div></header>`);

  out.push('<section id="summary"><h2>Summary</h2>');
  if (r.migrations.length === 0) out.push('<p>No vMotion migration was found in the capture(s). See the findings below.</p>');
  for (const m of r.migrations) out.push(summaryCard(r, m));
  out.push('</section>');

  out.push(findingsSection(r));
  for (const m of r.migrations) out.push(migrationSection(r, m));
  const loose = r.streams.filter((s) => s.migrationId === null);
  if (loose.length > 0) out.push(`<section><h2>Streams outside migrations</h2>${streamsTable(r, loose)}</section>`);
  out.push(provenanceSection(r, ctx));
  out.push('</body></html>\n');
  return out.join('\n');
}

function verdictBadge(p: PathView | null): string {
  const cls = p ? `v-${p.verdict.replace(/[^a-z0-9-]/gi, '')}` : 'v-none';
  return `<span class="verdict ${cls}">${esc(verdictText(p))}</span>`;
}

function summaryCard(r: AnalysisResult, m: MigrationReport): string {
  const p = pathOf(m);
  const fs = findingsFor(r, m);
  const main = fs.filter((f) => f.severity !== 'info').slice(0, 3);
  return `<div class="card migration-summary" data-migration="${m.id}"><h3>Migration ${m.id}: ${esc(migrationTitle(m))}</h3>` +
    `<div>${verdictBadge(p)}${p && p.reasons.length > 0 ? `<span>${esc(p.reasons[0])}</span>` : ''}</div>` +
    `<div class="throughput"><strong>${esc(humanBits(m.throughputBitsPerSecond))}</strong> average · ${esc(throughputText(m))}</div>` +
    `<div class="meta">${esc(m.startTime)} → ${esc(m.endTime)} · ${m.streamIds.length} stream${m.streamIds.length === 1 ? '' : 's'} · capture point ${esc(m.point)}</div>` +
    (m.log ? `<div class="meta host-log">Host log (vmkernel.log): ${esc(logText(m.log, m.throughputBitsPerSecond))}</div>` : '') +
    (main.length > 0 ? `<ul class="main-findings">${main.map((f) => `<li>${sev(f)} <code>${esc(f.code)}</code> ${esc(f.message)}</li>`).join('')}</ul>`
      : `<div class="note">No warnings or errors for this migration.</div>`) +
    '</div>';
}

function sev(f: Finding): string {
  return `<span class="sev sev-${f.severity}">${f.severity}</span>`;
}

function findingsSection(r: AnalysisResult): string {
  if (r.findings.length === 0) return '<section id="findings"><h2>Findings</h2><p>None.</p></section>';
  const rows = r.findings.map((f) => `<tr><td>${sev(f)}</td><td><code>${esc(f.code)}</code></td><td>${esc(f.message)}</td>` +
    `<td class="mono">${esc(framesText(f.frames, r))}</td></tr>`).join('');
  return `<section id="findings"><h2>Findings</h2><table class="findings"><thead><tr><th>Severity</th><th>Code</th><th>What</th><th>Frames</th></tr></thead><tbody>${rows}</tbody></table>` +
    `<p class="note">Frame numbers are those of the original capture${r.inputs.length > 1 ? ' as input:frame (inputs numbered as in Provenance)' : ''}, as Wireshark numbers them.</p></section>`;
}

function migrationSection(r: AnalysisResult, m: MigrationReport): string {
  const out: string[] = [`<section class="migration" id="migration-${m.id}"><h2>Migration ${m.id}: ${esc(migrationTitle(m))}</h2>`];
  out.push('<h3>Throughput over time</h3>');
  if (m.series.length > 0) {
    const re = retransmissionSeries(m);
    out.push(renderThroughputSvg(m, { retransmissions: re }));
    out.push(`<p class="note">Per ${m.intervalSeconds} s interval; dashed line: average ${esc(humanBits(m.throughputBitsPerSecond))}.` +
      `${!re ? ' No retransmission series in this result (TCP health analysis absent).' : re.some((v) => v > 0) ? ' Red marks: intervals with retransmissions.' : ' No retransmissions in any interval.'}</p>`);
  } else {
    out.push('<p class="note">No payload from source to destination: no throughput series.</p>');
  }
  out.push(`<table class="kv"><tbody>${[
    ['Source', hostWithIps(m.sourceHost, m.sourceIps)], ['Destination', hostWithIps(m.destinationHost, m.destinationIps)],
    ['Start / end', `${m.startTime} → ${m.endTime}`], ['Duration / active', `${humanSeconds(m.durationSeconds)} / ${humanSeconds(m.activeSeconds)}`],
    ['Payload source → destination', `${humanBytes(m.payloadBytes)} (${humanCount(m.payloadBytes)} bytes)`],
    ['Payload destination → source', humanBytes(m.reversePayloadBytes)], ['Retransmitted', humanBytes(m.retransmittedBytes)],
    ['Average / peak', `${humanBits(m.throughputBitsPerSecond)} / ${humanBits(m.peakThroughputBitsPerSecond)}`],
    ...(m.log ? [['Host log (vmkernel.log)', logText(m.log, m.throughputBitsPerSecond)]] : []),
  ].map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>`);

  out.push('<h3>Path: routed or Layer-2 adjacent</h3>');
  const p = pathOf(m);
  if (!p) {
    out.push('<p class="note">The path analysis is not part of this result.</p>');
  } else {
    out.push(`<p>${verdictBadge(p)}</p>`);
    if (p.reasons.length > 0) out.push(`<ul class="reasons">${p.reasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>`);
    if (p.evidence.length > 0) {
      out.push(`<table class="hop-evidence"><thead><tr><th>Evidence</th><th>Detail</th><th>Frames</th></tr></thead><tbody>${p.evidence.map((e) =>
        `<tr><td>${esc(e.kind)}</td><td>${esc(e.detail)}</td><td class="mono">${esc(framesText(e.frames, r))}</td></tr>`).join('')}</tbody></table>`);
    }
  }

  out.push('<h3>TCP health</h3>');
  const streams = r.streams.filter((s) => m.streamIds.includes(s.id));
  out.push(streamsTable(r, streams));
  const h = healthOf(m);
  if (h) out.push(kvTable(flattenRows(h, r).filter(([k]) => !/series/i.test(k)), 'health'));
  const ht = streamHealthTable(streams);
  if (ht) {
    out.push(`<table class="stream-health"><thead><tr>${ht.head.map((x) => `<th>${esc(x)}</th>`).join('')}</tr></thead><tbody>${ht.rows.map((row) =>
      `<tr>${row.map((c, i) => `<td${i > 0 ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`);
    const notes = streams.flatMap(streamHealthNotes);
    if (notes.length > 0) out.push(`<p class="note">${notes.map(esc).join('; ')}. All measures per direction are in report.json.</p>`);
  }
  if (!h && streams.every((s) => !healthOf(s))) out.push('<p class="note">Detailed TCP health (RTT, duplicate ACKs, zero windows) is not part of this result.</p>');
  const fs = findingsFor(r, m);
  if (fs.length > 0) {
    out.push(`<h3>Findings for this migration</h3><ul>${fs.map((f) => `<li>${sev(f)} <code>${esc(f.code)}</code> ${esc(f.message)}` +
      `${f.frames.length ? ` <span class="mono">(frames ${esc(framesText(f.frames, r))})</span>` : ''}</li>`).join('')}</ul>`);
  }
  out.push('</section>');
  return out.join('\n');
}

function kvTable(rows: Array<[string, string]>, cls: string): string {
  return `<table class="${cls}"><tbody>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>`;
}

function streamsTable(r: AnalysisResult, streams: StreamReport[]): string {
  const rows = streams.map((s) => `<tr><td class="num">${s.id}</td><td>${esc(s.kind)}</td><td class="mono">${esc(streamLabel(s))}</td>` +
    `<td>${esc(openClose(s))}</td><td class="num">${esc(humanSeconds(s.durationSeconds))}</td>` +
    `<td class="num">${humanCount(s.clientToServer.packets)} / ${humanCount(s.serverToClient.packets)}</td>` +
    `<td class="num">${esc(humanBytes(s.clientToServer.payloadBytes))} / ${esc(humanBytes(s.serverToClient.payloadBytes))}</td>` +
    `<td class="num">${humanCount(s.clientToServer.retransmittedPackets + s.serverToClient.retransmittedPackets)} (${esc(humanBytes(s.clientToServer.retransmittedBytes + s.serverToClient.retransmittedBytes))})</td>` +
    `<td class="mono">${esc(framesText([s.firstFrame, s.lastFrame], r))}</td><td>${esc(pathOf(s) ? verdictText(pathOf(s)) : '—')}</td></tr>`).join('');
  return `<table class="streams"><thead><tr><th>#</th><th>Kind</th><th>Client → server</th><th>Open / close</th><th>Duration</th>` +
    `<th>Packets c→s / s→c</th><th>Payload c→s / s→c</th><th>Retransmitted</th><th>First, last frame</th><th>Path</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function provenanceSection(r: AnalysisResult, ctx: ReportContext): string {
  const out: string[] = ['<section id="provenance"><h2>Capture provenance</h2>'];
  out.push(`<table class="inputs"><thead><tr><th>#</th><th>Input</th><th>Format</th><th>Packets</th><th>First / last packet (UTC)</th><th>Snaplen</th><th>Truncated</th><th>Dropped</th><th>SHA-256</th></tr></thead><tbody>${r.inputs.map((i, n) =>
    `<tr><td class="num">${n}</td><td class="mono">${esc(i.path)}${i.point !== i.path.split('/').pop() ? `<br>point ${esc(i.point)}` : ''}</td><td>${esc(inputFormat(i))}</td>` +
    `<td class="num">${humanCount(i.packets)}</td><td class="mono">${esc(i.firstPacketTime ?? '-')}<br>${esc(i.lastPacketTime ?? '-')}</td>` +
    `<td class="num">${esc(i.snaplen ?? '-')}</td><td class="num">${humanCount(i.truncatedPackets)}</td><td class="num">${i.droppedPackets === null ? 'n/a' : humanCount(i.droppedPackets)}</td>` +
    `<td class="mono">${esc(i.sha256 ?? 'n/a')}</td></tr>`).join('')}</tbody></table>`);
  for (const i of r.inputs) if (i.error) out.push(`<p class="note">! ${esc(i.path)}: ${esc(i.error.message)}</p>`);
  // Mirror sessions name the capture point of ERSPAN / GRE / VXLAN captures.
  const tunnels = r.inputs.flatMap((i) => (i.tunnels ?? []).map((t) => `<li><span class="mono">${esc(i.path)}</span>: ${esc(tunnelText(t))}</li>`));
  if (tunnels.length > 0) out.push(`<ul class="tunnels">${tunnels.join('')}</ul>`);
  const logLines = logCorrelationLines(r);
  if (logLines.length > 0) out.push(`<h3>ESXi logs</h3><ul class="esxi-logs">${logLines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`);
  const o = r.options;
  out.push(`<p class="note">Options: vMotion port(s) ${esc(o.vmotionPorts.join(', '))}; NFC port(s) ${esc(o.nfcPorts.join(', '))}; migration gap ${o.gapSeconds} s; interval ${o.intervalSeconds} s${o.hostMap ? `; host map ${esc(o.hostMap)}` : ''}.</p>`);
  const gen = generalFindings(r);
  if (gen.length > 0 && r.migrations.length > 0) out.push(`<p class="note">${gen.length} finding(s) concern the capture rather than one migration (see Findings).</p>`);
  if (ctx.evidence) {
    const e = ctx.evidence;
    out.push(`<h3>Evidence capture</h3><p><code>${esc(e.file)}</code> holds ${humanCount(e.packets)} packets, ${e.fullPayload ? 'with their full captured bytes (--full-payload)' : 'headers only (payload cut after the TCP header)'}, original lengths and timestamps kept. ` +
      `Each packet's comment names its original input and frame number and why it is there; in Wireshark: <code>frame.comment contains "frame 123"</code>.` +
      `${e.overBudget > 0 ? ` ${humanCount(e.overBudget)} further wanted packets were left out to keep it small.` : ''}` +
      `${e.missing.length > 0 ? ` Cited frames not found when re-reading the inputs: ${esc(framesText(e.missing, r))}.` : ''}</p>`);
  }
  if (ctx.bundleFiles) out.push(`<p class="note">Bundle files: ${ctx.bundleFiles.map((f) => `<code>${esc(f)}</code>`).join(', ')}; manifest.json and SHA256SUMS hold their SHA-256 (<code>sha256sum -c SHA256SUMS</code>).</p>`);
  out.push('</section>');
  return out.join('\n');
}
