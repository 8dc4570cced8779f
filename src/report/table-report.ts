import Table from 'cli-table3';
import type { AnalysisResult, FrameRef, StreamReport } from '../analysis/result.js';
import { logCorrelationLines, logText, tunnelText } from './report-model.js';
import { humanBits, humanBytes, humanCount, humanSeconds, shortTime, sparkline } from './units.js';

export interface TableOptions { verbose: boolean }

const STYLE = { head: [] as string[], border: [] as string[] };

/** The default human view: inputs, migrations, (streams with -v), findings. */
export function renderTable(result: AnalysisResult, opts: TableOptions): string {
  const out: string[] = [];
  out.push(inputsSection(result));
  out.push(migrationsSection(result));
  if (opts.verbose) out.push(streamsSection(result));
  if (opts.verbose) out.push(healthSection(result));
  const nfc = result.streams.filter((s) => s.kind === 'nfc');
  if (nfc.length > 0) {
    const bytes = nfc.reduce((a, s) => a + s.clientToServer.payloadBytes + s.serverToClient.payloadBytes, 0);
    out.push(`NFC / provisioning (port ${result.options.nfcPorts.join(', ')}): ${nfc.length} stream(s), ${humanBytes(bytes)} — reported apart, not part of any migration${opts.verbose ? '' : ' (-v lists them)'}\n`);
  }
  const logs = logsSection(result);
  if (logs) out.push(logs);
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
  // Mirror sessions name the capture point of ERSPAN / GRE / VXLAN captures.
  for (const i of r.inputs) {
    for (const t of i.tunnels ?? []) lines.push(`  ${i.path}: ${tunnelText(t)}`);
  }
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
  // The hosts' own word (vmkernel.log): migration id, encryption, and their bandwidth estimate beside ours.
  for (const m of r.migrations) if (m.log) lines.push(`  #${m.id} log: ${logText(m.log, m.throughputBitsPerSecond)}`);
  for (const m of r.migrations) {
    if (m.series.length > 1) {
      // Same intervals, same width, same column: a stall above lines up with the retransmissions below it.
      const rs = m.health?.retransmissionSeries ?? [];
      const tp = `  #${m.id} throughput per ${m.intervalSeconds} s (peak ${humanBits(m.peakThroughputBitsPerSecond)}): `;
      const rp = `  #${m.id} retransmissions (max ${Math.max(0, ...rs.map((p) => p.segments))} segments per interval): `;
      const hasRetrans = rs.some((p) => p.segments > 0);
      const w = hasRetrans ? Math.max(tp.length, rp.length) : tp.length;
      lines.push(tp.padEnd(w) + sparkline(m.series.map((p) => p.bitsPerSecond)));
      if (hasRetrans) lines.push(rp.padEnd(w) + sparkline(rs.map((p) => p.segments)));
    }
    const h = m.health;
    if (h && h.streamShares.length > 1) {
      lines.push(`  #${m.id} streams: start skew ${humanSeconds(h.startSkewSeconds)}, payload share ${(h.minShare * 100).toFixed(0)}–${(h.maxShare * 100).toFixed(0)} %${h.byteSpreadCv !== null ? ` (carriers' CV ${h.byteSpreadCv.toFixed(2)})` : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}

function logsSection(r: AnalysisResult): string {
  const lines = logCorrelationLines(r);
  return lines.length === 0 ? '' : ['ESXi logs', ...lines.map((l) => `  ${l}`)].join('\n') + '\n';
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

/** -v: TCP health per stream direction that sent anything (definitions: docs/tcp-health.md). */
function healthSection(r: AnalysisResult): string {
  const t = new Table({ head: ['#', 'Dir', 'Retrans\nsegs / bytes', 'Fast /\nspurious', 'Out of\norder', 'Dup ACK\n(3x)', 'Lost /\nACKed unseen', 'Zero win /\nwin full', 'RTT min / median / max\n(samples)', 'MSS / WS', 'Largest\nIP packet', 'DF / DSCP', 'Longest\nstall', 'Max in\nflight'], style: STYLE });
  const ms = (v: number | null): string => (v === null ? '-' : humanSeconds(v));
  for (const s of r.streams) {
    const h = s.health;
    if (!h) continue;
    for (const [name, d, pkts] of [['C→S', h.clientToServer, s.clientToServer.packets], ['S→C', h.serverToClient, s.serverToClient.packets]] as const) {
      if (pkts === 0) continue;
      t.push([s.id, name + (h.oneWay ? '\n(one-way)' : ''), `${humanCount(d.retransmittedSegments)} / ${humanBytes(d.retransmittedBytes)}`,
        `${d.fastRetransmissions} / ${d.spuriousRetransmissions}`, d.outOfOrderSegments, `${d.duplicateAcks} (${d.tripleDuplicateAcks})`,
        `${d.lostSegments} / ${d.ackedUnseenSegments}`, `${d.zeroWindowAdvertisements} / ${d.windowFullEvents}`,
        `${ms(d.rtt.minSeconds)} / ${ms(d.rtt.medianSeconds)} / ${ms(d.rtt.maxSeconds)}\n(${d.rtt.samples})`,
        `${d.mss ?? '-'} / ${d.windowScale ?? '-'}`, `${d.largestIpPacketBytes}\n${d.largestSegmentClass}`,
        `${d.dontFragmentPackets === pkts ? 'all' : d.dontFragmentPackets === 0 ? 'none' : `${d.dontFragmentPackets}/${pkts}`} / ${d.dscpValues.join(',') || '-'}`,
        humanSeconds(d.longestIdleSeconds), humanBytes(d.maxBytesInFlight)]);
    }
  }
  const hs = r.streams.filter((s) => s.health?.handshake.totalSeconds != null)
    .map((s) => `#${s.id} ${humanSeconds(s.health!.handshake.synToSynAckSeconds!)} + ${humanSeconds(s.health!.handshake.synAckToAckSeconds!)}`);
  return `TCP health (per sending direction)\n${t.toString()}\n${hs.length ? `  handshake RTT at the capture point (SYN→SYN/ACK server side + SYN/ACK→ACK client side): ${hs.slice(0, 12).join(', ')}${hs.length > 12 ? ', …' : ''}\n` : ''}`;
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
