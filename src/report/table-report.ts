import Table from 'cli-table3';
import type { AnalysisResult, FrameRef, StreamReport } from '../analysis/result.js';
import { humanBits, humanBytes, humanCount, humanSeconds, shortTime, sparkline } from './units.js';

export interface TableOptions { verbose: boolean }

const STYLE = { head: [] as string[], border: [] as string[] };

/** The default human view: inputs, migrations, (streams with -v), findings. */
export function renderTable(result: AnalysisResult, opts: TableOptions): string {
  const out: string[] = [];
  out.push(inputsSection(result));
  out.push(migrationsSection(result));
  if (opts.verbose) out.push(streamsSection(result));
  const nfc = result.streams.filter((s) => s.kind === 'nfc');
  if (nfc.length > 0) {
    const bytes = nfc.reduce((a, s) => a + s.clientToServer.payloadBytes + s.serverToClient.payloadBytes, 0);
    out.push(`NFC / provisioning (port ${result.options.nfcPorts.join(', ')}): ${nfc.length} stream(s), ${humanBytes(bytes)} — reported apart, not part of any migration${opts.verbose ? '' : ' (-v lists them)'}\n`);
  }
  out.push(findingsSection(result));
  return out.join('\n');
}

function inputsSection(r: AnalysisResult): string {
  const t = new Table({ head: ['#', 'Input', 'Format', 'Packets', 'First packet (UTC)', 'Span', 'Snaplen', 'Truncated', 'Dropped', 'vMotion pkts'], style: STYLE });
  r.inputs.forEach((i, n) => {
    t.push([n, i.path + (i.point !== baseName(i.path) ? `\n(point ${i.point})` : ''),
      i.failed ? 'unreadable' : `${i.format}${i.compression ? `+${i.compression}` : ''}\n${i.linkTypes.map((l) => l.name).join(', ')}`,
      humanCount(i.packets), i.firstPacketTime ? i.firstPacketTime.replace('T', ' ').replace('Z', '') : '-',
      humanSeconds(i.durationSeconds), i.snaplen ?? '-', humanCount(i.truncatedPackets),
      i.droppedPackets === null ? 'n/a' : humanCount(i.droppedPackets), humanCount(i.vmotionPackets)]);
  });
  const lines = [`Inputs\n${t.toString()}`];
  for (const i of r.inputs) if (i.error) lines.push(`  ! ${i.path}: ${i.error.message}`);
  return lines.join('\n') + '\n';
}

function migrationsSection(r: AnalysisResult): string {
  if (r.migrations.length === 0) return 'Migrations: none found on the vMotion port(s) ' + r.options.vmotionPorts.join(', ') + '\n';
  const t = new Table({ head: ['#', 'Source → Destination', 'Streams', 'Start', 'Active', 'Payload', 'Retrans', 'Average', 'Peak'], style: STYLE });
  for (const m of r.migrations) {
    const ips = (hosts: string, ips: string[]) => (ips.length === 1 && ips[0] === hosts ? hosts : `${hosts} (${ips.join(', ')})`);
    t.push([m.id, `${ips(m.sourceHost, m.sourceIps)}\n→ ${ips(m.destinationHost, m.destinationIps)}`, m.streamIds.length,
      shortTime(m.startTime), humanSeconds(m.activeSeconds), humanBytes(m.payloadBytes),
      m.retransmittedBytes > 0 ? humanBytes(m.retransmittedBytes) : '0', humanBits(m.throughputBitsPerSecond), humanBits(m.peakThroughputBitsPerSecond)]);
  }
  const lines = [`Migrations\n${t.toString()}`];
  // The path verdict at a glance (JSON has the reasons and the evidence frames).
  for (const m of r.migrations) if (m.path) lines.push(`  #${m.id} path: ${m.path.summary}`);
  for (const m of r.migrations) {
    if (m.series.length > 1) {
      lines.push(`  #${m.id} throughput per ${m.intervalSeconds} s (peak ${humanBits(m.peakThroughputBitsPerSecond)}): ${sparkline(m.series.map((p) => p.bitsPerSecond))}`);
    }
  }
  return lines.join('\n') + '\n';
}

function streamsSection(r: AnalysisResult): string {
  const t = new Table({ head: ['#', 'Kind', 'Mig', 'Client → Server', 'Open/Close', 'Start', 'Duration', 'C→S pkts', 'C→S payload', 'S→C pkts', 'S→C payload', 'Retrans'], style: STYLE });
  for (const s of r.streams) {
    t.push([s.id, s.kind, s.migrationId ?? '-', `${endpoint(s.client.ip, s.client.port)}\n→ ${endpoint(s.server.ip, s.server.port)}`,
      `${s.synSeen ? 'SYN' : '…'} / ${s.closed ?? 'open'}`, shortTime(s.firstPacketTime), humanSeconds(s.durationSeconds),
      humanCount(s.clientToServer.packets), humanBytes(s.clientToServer.payloadBytes), humanCount(s.serverToClient.packets),
      humanBytes(s.serverToClient.payloadBytes), humanBytes(s.clientToServer.retransmittedBytes + s.serverToClient.retransmittedBytes)]);
  }
  return `Streams\n${t.toString()}\n`;
}

function findingsSection(r: AnalysisResult): string {
  if (r.findings.length === 0) return 'Findings: none\n';
  const lines = ['Findings'];
  for (const f of r.findings) {
    lines.push(`  [${f.severity.toUpperCase()}] ${f.code}: ${f.message}${f.frames.length ? ` (frames ${framesText(f.frames, r)})` : ''}`);
  }
  return lines.join('\n') + '\n';
}

export function framesText(frames: FrameRef[], r: AnalysisResult): string {
  const multi = r.inputs.length > 1;
  return frames.map((f) => (multi ? `${f.input}:${f.frame}` : `${f.frame}`)).join(', ');
}

function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function baseName(p: string): string {
  return p.split('/').pop() ?? p;
}

export type { StreamReport };
