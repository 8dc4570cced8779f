/**
 * The ticket report as Markdown (GitHub/Jira-style pipe tables): the same content as the HTML
 * report, pasteable into a ticket. The chart becomes a sparkline plus its numbers.
 */
import type { AnalysisResult, MigrationReport, StreamReport } from '../analysis/result.js';
import {
  findingsFor, flattenRows, hostWithIps, framesText, healthOf, inputFormat, logCorrelationLines, logText, migrationTitle, openClose,
  pathOf, retransmissionSeries, streamHealthNotes, streamHealthTable, streamLabel, throughputText, tunnelText, verdictText, type ReportContext,
} from './report-model.js';
import { humanBits, humanBytes, humanCount, humanSeconds, sparkline } from './units.js';

/** Escapes text for a table cell or a line: pipes, backslashes, emphasis markers, line breaks. */
function md(v: unknown): string {
  return String(v).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/([*_`<>[\]])/g, '\\$1').replace(/\r?\n/g, ' ');
}

function code(v: unknown): string {
  return `\`${String(v).replace(/`/g, "'")}\``;
}

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n') + '\n';
}

export function renderMarkdown(r: AnalysisResult, ctx: ReportContext = {}): string {
  const out: string[] = [];
  out.push(`# vMotion analysis: ${r.migrations.length > 0 ? `${r.migrations.length} migration${r.migrations.length === 1 ? '' : 's'}` : 'no migration found'}\n`);
  out.push(`${md(r.generator.name)} ${md(r.generator.version)}${ctx.generatedAt ? ` · generated ${md(ctx.generatedAt)}` : ''} · ${r.inputs.length} input(s)` +
    `${ctx.redacted ? ' · **addresses redacted** (consistent pseudonyms; MAC vendor prefixes and subnet relations kept)' : ''}\n`);

  out.push('## Summary\n');
  if (r.migrations.length === 0) out.push('No vMotion migration was found in the capture(s). See the findings below.\n');
  for (const m of r.migrations) {
    const p = pathOf(m);
    out.push(`**Migration ${m.id}: ${md(migrationTitle(m))}**\n`);
    out.push(`- Path: **${md(verdictText(p))}**${p && p.reasons.length > 0 ? ` — ${md(p.reasons[0])}` : ''}`);
    out.push(`- Throughput: **${md(humanBits(m.throughputBitsPerSecond))}** average · ${md(throughputText(m))}`);
    out.push(`- ${md(m.startTime)} → ${md(m.endTime)}, ${m.streamIds.length} stream(s), capture point ${md(m.point)}`);
    if (m.log) out.push(`- Host log (vmkernel.log): ${md(logText(m.log, m.throughputBitsPerSecond))}`);
    const main = findingsFor(r, m).filter((f) => f.severity !== 'info').slice(0, 3);
    for (const f of main) out.push(`- ${f.severity.toUpperCase()} ${code(f.code)}: ${md(f.message)}`);
    if (main.length === 0) out.push('- No warnings or errors for this migration.');
    out.push('');
  }

  out.push('## Findings\n');
  if (r.findings.length === 0) out.push('None.\n');
  else {
    out.push(table(['Severity', 'Code', 'What', 'Frames'], r.findings.map((f) => [f.severity.toUpperCase(), code(f.code), md(f.message), md(framesText(f.frames, r))])));
    out.push(`Frame numbers are those of the original capture${r.inputs.length > 1 ? ' as input:frame' : ''}, as Wireshark numbers them.\n`);
  }

  for (const m of r.migrations) out.push(migrationSection(r, m));
  const loose = r.streams.filter((s) => s.migrationId === null);
  if (loose.length > 0) out.push(`## Streams outside migrations\n\n${streamsTable(r, loose)}`);

  out.push('## Capture provenance\n');
  out.push(table(['#', 'Input', 'Format', 'Packets', 'First packet (UTC)', 'Last packet (UTC)', 'Snaplen', 'Truncated', 'Dropped', 'SHA-256'],
    r.inputs.map((i, n) => [String(n), code(i.path), md(inputFormat(i)), humanCount(i.packets), md(i.firstPacketTime ?? '-'), md(i.lastPacketTime ?? '-'),
      String(i.snaplen ?? '-'), humanCount(i.truncatedPackets), i.droppedPackets === null ? 'n/a' : humanCount(i.droppedPackets), code(i.sha256 ?? 'n/a')])));
  for (const i of r.inputs) if (i.error) out.push(`- ${code(i.path)}: ${md(i.error.message)}`);
  // Mirror sessions name the capture point of ERSPAN / GRE / VXLAN captures.
  for (const i of r.inputs) for (const t of i.tunnels ?? []) out.push(`- ${code(i.path)}: ${md(tunnelText(t))}`);
  const logLines = logCorrelationLines(r);
  if (logLines.length > 0) out.push(`\nESXi logs:\n\n${logLines.map((l) => `- ${md(l)}`).join('\n')}\n`);
  const o = r.options;
  out.push(`Options: vMotion port(s) ${o.vmotionPorts.join(', ')}; NFC port(s) ${o.nfcPorts.join(', ')}; migration gap ${o.gapSeconds} s; interval ${o.intervalSeconds} s${o.hostMap ? `; host map ${code(o.hostMap)}` : ''}.\n`);
  if (ctx.evidence) {
    const e = ctx.evidence;
    out.push(`Evidence capture ${code(e.file)}: ${humanCount(e.packets)} packets, ${e.fullPayload ? 'with their full captured bytes (--full-payload)' : 'headers only (payload cut after the TCP header)'}, original lengths and timestamps kept; ` +
      `each packet's comment names its original input and frame number and why it is there (Wireshark filter ${code('frame.comment contains "frame 123"')}).` +
      `${e.overBudget > 0 ? ` ${humanCount(e.overBudget)} further wanted packets were left out to keep it small.` : ''}` +
      `${e.missing.length > 0 ? ` Cited frames not found when re-reading the inputs: ${md(framesText(e.missing, r))}.` : ''}\n`);
  }
  if (ctx.bundleFiles) out.push(`Bundle files: ${ctx.bundleFiles.map(code).join(', ')}; verify with ${code('sha256sum -c SHA256SUMS')} (also listed in manifest.json).\n`);
  return out.join('\n');
}

function migrationSection(r: AnalysisResult, m: MigrationReport): string {
  const out: string[] = [`## Migration ${m.id}: ${md(migrationTitle(m))}\n`];
  if (m.series.length > 0) {
    const re = retransmissionSeries(m);
    out.push(`Throughput per ${m.intervalSeconds} s (peak ${md(humanBits(m.peakThroughputBitsPerSecond))}, average ${md(humanBits(m.throughputBitsPerSecond))}):\n`);
    out.push('```text');
    out.push(sparkline(m.series.map((p) => p.bitsPerSecond)));
    if (re && re.some((v) => v > 0)) out.push(sparkline(re).replace(/[▁-█]/g, '!') + '  ← intervals with retransmissions');
    out.push('```\n');
    if (re && !re.some((v) => v > 0)) out.push('No retransmissions in any interval.\n');
  }
  out.push(table(['', ''], [
    ['Source', md(hostWithIps(m.sourceHost, m.sourceIps))], ['Destination', md(hostWithIps(m.destinationHost, m.destinationIps))],
    ['Start / end', md(`${m.startTime} → ${m.endTime}`)], ['Duration / active', `${humanSeconds(m.durationSeconds)} / ${humanSeconds(m.activeSeconds)}`],
    ['Payload source → destination', `${humanBytes(m.payloadBytes)} (${humanCount(m.payloadBytes)} bytes)`],
    ['Payload destination → source', humanBytes(m.reversePayloadBytes)], ['Retransmitted', humanBytes(m.retransmittedBytes)],
    ['Average / peak', `${humanBits(m.throughputBitsPerSecond)} / ${humanBits(m.peakThroughputBitsPerSecond)}`],
    ...(m.log ? [['Host log (vmkernel.log)', md(logText(m.log, m.throughputBitsPerSecond))]] : []),
  ]));
  out.push('### Path: routed or Layer-2 adjacent\n');
  const p = pathOf(m);
  if (!p) out.push('The path analysis is not part of this result.\n');
  else {
    out.push(`**${md(verdictText(p))}**\n`);
    for (const x of p.reasons) out.push(`- ${md(x)}`);
    if (p.reasons.length > 0) out.push('');
    if (p.evidence.length > 0) out.push(table(['Evidence', 'Detail', 'Frames'], p.evidence.map((e) => [md(e.kind), md(e.detail), md(framesText(e.frames, r))])));
  }
  out.push('### TCP health\n');
  const streams = r.streams.filter((s) => m.streamIds.includes(s.id));
  out.push(streamsTable(r, streams));
  const h = healthOf(m);
  if (h) out.push(table(['Measure', 'Value'], flattenRows(h, r).filter(([k]) => !/series/i.test(k)).map(([k, v]) => [md(k), md(v)])));
  const ht = streamHealthTable(streams);
  if (ht) {
    out.push(table(ht.head.map(md), ht.rows.map((row) => row.map(md))));
    const notes = streams.flatMap(streamHealthNotes);
    if (notes.length > 0) out.push(`${notes.map(md).join('; ')}. All measures per direction are in report.json.\n`);
  }
  if (!h && streams.every((s) => !healthOf(s))) out.push('Detailed TCP health (RTT, duplicate ACKs, zero windows) is not part of this result.\n');
  const fs = findingsFor(r, m);
  if (fs.length > 0) {
    out.push('Findings for this migration:\n');
    for (const f of fs) out.push(`- ${f.severity.toUpperCase()} ${code(f.code)}: ${md(f.message)}${f.frames.length ? ` (frames ${md(framesText(f.frames, r))})` : ''}`);
    out.push('');
  }
  return out.join('\n');
}

function streamsTable(r: AnalysisResult, streams: StreamReport[]): string {
  return table(['#', 'Kind', 'Client → server', 'Open / close', 'Duration', 'Packets c→s / s→c', 'Payload c→s / s→c', 'Retransmitted', 'First, last frame', 'Path'],
    streams.map((s) => [String(s.id), s.kind, code(streamLabel(s)), md(openClose(s)), humanSeconds(s.durationSeconds),
      `${humanCount(s.clientToServer.packets)} / ${humanCount(s.serverToClient.packets)}`,
      `${humanBytes(s.clientToServer.payloadBytes)} / ${humanBytes(s.serverToClient.payloadBytes)}`,
      `${humanCount(s.clientToServer.retransmittedPackets + s.serverToClient.retransmittedPackets)} (${humanBytes(s.clientToServer.retransmittedBytes + s.serverToClient.retransmittedBytes)})`,
      md(framesText([s.firstFrame, s.lastFrame], r)), md(pathOf(s) ? verdictText(pathOf(s)) : '—')]));
}
