import { formatIp } from '../decode/addresses.js';
import { decodeFrame } from '../decode/decode-frame.js';
import {
  DecodedPacket, STOP_MALFORMED, STOP_TRUNCATED, STOP_UNSUPPORTED, TUNNEL_ERSPAN_I, TUNNEL_ERSPAN_II, TUNNEL_ERSPAN_III,
  TUNNEL_GRE_TEB, TUNNEL_VXLAN,
} from '../decode/packet.js';
import { newFrame } from '../source/frame.js';
import { linkTypeName } from '../source/link-types.js';
import type { InputSummary } from '../source/capture-source.js';
import type { Direction, Stream } from '../streams/stream.js';
import { KIND_VMOTION } from '../streams/stream.js';
import type { Analyzer } from './analyzer.js';
import { finding, sortFindings } from './findings.js';
import { isoTime, isoTimePlus, secondsBetween } from './iso-time.js';
import { migrationIntervals } from './migration-intervals.js';
import { groupMigrations, type MigrationGroup, type StreamHosts } from './migrations.js';
import {
  SCHEMA_VERSION, type AnalysisResult, type DirectionReport, type Finding, type InputReport,
  type MigrationReport, type SeriesPoint, type StreamReport, type TunnelReport,
} from './result.js';

const TUNNEL_TYPES: Record<number, TunnelReport['type']> = {
  [TUNNEL_GRE_TEB]: 'gre-teb', [TUNNEL_ERSPAN_I]: 'erspan-i', [TUNNEL_ERSPAN_II]: 'erspan-ii', [TUNNEL_ERSPAN_III]: 'erspan-iii', [TUNNEL_VXLAN]: 'vxlan',
};

const STOP_KIND_NAMES: Record<number, 'truncated' | 'malformed' | 'unsupported'> = {
  [STOP_TRUNCATED]: 'truncated', [STOP_MALFORMED]: 'malformed', [STOP_UNSUPPORTED]: 'unsupported',
};

export const GENERATOR = { name: 'vmotion-analyzer', version: '0.1.0' };

/**
 * Adds to the result after the core is built (path verdicts, TCP health...). Enrichers see the
 * live Stream objects by report id and may add fields and findings.
 */
export interface ResultEnricher {
  enrich(result: AnalysisResult, ctx: ResultContext): void;
}

/**
 * Replaces the packet-only grouping (e.g. the ESXi logs split concurrent migrations of one host
 * pair and join multi-NIC ones). Without one, grouping is packets only.
 */
export type Regroup = (groups: MigrationGroup[], analyzer: Analyzer) => MigrationGroup[];

export interface ResultContext {
  analyzer: Analyzer;
  streamsById: Map<number, Stream>;
  groups: MigrationGroup[];
}

/** Turns the analyzer's state into the plain-data result (schema version 1). */
export function buildResult(analyzer: Analyzer, enrichers: ResultEnricher[] = [], regroup?: Regroup): AnalysisResult {
  // The observers' state is read below: hand them the packets still deferred (handshake-only streams).
  analyzer.tracker.settle();
  const opts = analyzer.options;
  const inputs = analyzer.inputs.map((_, i) => inputReport(analyzer, i));
  const digitsByPoint = new Map<number, number>();
  inputs.forEach((inp, i) => {
    const stats = analyzer.inputs[i];
    for (const p of [stats.point, ...(stats.interfacePoints ?? []).filter((x) => x !== undefined)]) {
      digitsByPoint.set(p, Math.max(digitsByPoint.get(p) ?? 0, inputDigits(analyzer.summaries[i])));
    }
  });
  const digitsOfInput = (i: number): number => inputDigits(analyzer.summaries[i]);
  const hostOf = (ip: string): string => (opts.hostMap ? opts.hostMap.hostOf(ip) : ip);

  const all = analyzer.tracker.table.streams;
  const hosts: StreamHosts[] = [];
  for (const s of all) {
    if (s.kind !== KIND_VMOTION) continue;
    hosts.push({ stream: s, clientHost: hostOf(formatIp(s.ipVersion, s.clientIp)), serverHost: hostOf(formatIp(s.ipVersion, s.serverIp)) });
  }
  const packetGroups = groupMigrations(hosts, opts.gapSeconds);
  const groups = regroup ? regroup(packetGroups, analyzer) : packetGroups;
  const migrationOf = new Map<Stream, number>();
  groups.forEach((g, i) => g.members.forEach((m) => migrationOf.set(m.stream, i + 1)));

  const streams = all.map((s) => streamReport(analyzer, s, digitsOfInput(s.firstInput), migrationOf.get(s) ?? null));
  const migrations = groups.map((g, i) => migrationReport(analyzer, g, i + 1, digitsByPoint.get(g.point) ?? 6));

  const result: AnalysisResult = {
    schemaVersion: SCHEMA_VERSION,
    generator: { ...GENERATOR },
    options: {
      vmotionPorts: [...opts.vmotionPorts], nfcPorts: [...opts.nfcPorts], gapSeconds: opts.gapSeconds,
      intervalSeconds: opts.intervalSeconds, hostMap: opts.hostMapPath,
    },
    inputs,
    streams,
    migrations,
    findings: captureFindings(analyzer, inputs, streams),
    logMigrations: [],
    logCorrelation: null,
  };
  const streamsById = new Map<number, Stream>();
  for (const s of all) streamsById.set(s.id, s);
  for (const e of enrichers) e.enrich(result, { analyzer, streamsById, groups });
  result.findings = sortFindings(result.findings);
  return result;
}

function inputDigits(summary: InputSummary | null): number {
  if (!summary || summary.interfaces.length === 0) return 6;
  return Math.max(...summary.interfaces.map((i) => i.tsDigits));
}

function inputReport(analyzer: Analyzer, i: number): InputReport {
  const meta = analyzer.metas[i];
  const stats = analyzer.inputs[i];
  const sum = analyzer.summaries[i];
  stats.flushLinkType();
  const digits = inputDigits(sum);
  const fatal = sum?.errors.find((e) => e.fatal) ?? null;
  const firstErr = fatal ?? sum?.errors[0] ?? null;
  const problems: InputReport['decodeProblems'] = [];
  for (const [layer, byReason] of stats.problems) {
    for (const [reason, v] of byReason) problems.push({ layer, reason, kind: STOP_KIND_NAMES[v.kind] ?? 'malformed', count: v.count, firstFrame: v.firstFrame });
  }
  problems.sort((a, b) => b.count - a.count);
  const packets = sum?.packets ?? 0;
  return {
    path: meta.path,
    format: sum?.format ?? 'unknown',
    compression: sum?.compression ?? null,
    sha256: meta.sha256,
    sizeBytes: meta.sizeBytes,
    point: analyzer.pointNames[stats.point],
    packets,
    linkTypes: [...stats.linkTypes].sort((a, b) => b[1] - a[1]).map(([code, n]) => ({ code, name: linkTypeName(code), packets: n })),
    snaplen: sum && sum.interfaces.length > 0 ? Math.max(...sum.interfaces.map((f) => f.snaplen)) : null,
    truncatedPackets: sum?.truncatedPackets ?? 0,
    droppedPackets: sum?.droppedPackets ?? null,
    firstPacketTime: sum && packets > 0 ? isoTime(sum.firstTsSec, sum.firstTsNsec, digits) : null,
    lastPacketTime: sum && packets > 0 ? isoTime(sum.lastTsSec, sum.lastTsNsec, digits) : null,
    durationSeconds: sum && packets > 0 ? secondsBetween(sum.firstTsSec, sum.firstTsNsec, sum.lastTsSec, sum.lastTsNsec) : 0,
    vmotionPackets: stats.vmotionPackets,
    nfcPackets: stats.nfcPackets,
    otherPackets: stats.otherPackets,
    decodeProblems: problems,
    error: firstErr ? { message: firstErr.message, offset: firstErr.offset } : null,
    failed: fatal !== null && packets === 0,
    cutOff: sum?.cutOff ?? false,
    tunnels: stats.tunnels.map((t) => ({
      type: TUNNEL_TYPES[t.kind], outerSrc: formatIp(t.ipVersion, t.src), outerDst: formatIp(t.ipVersion, t.dst),
      sessionId: t.sessionId >= 0 ? t.sessionId : null, frames: t.frames,
    })),
  };
}

function directionReport(d: Direction, digits: number): DirectionReport {
  return {
    packets: d.packets,
    wireBytes: d.wireBytes,
    ipBytes: d.ipBytes,
    payloadBytes: d.seq.uniqueBytes,
    retransmittedBytes: d.retransmittedBytes,
    retransmittedPackets: d.retransmittedPackets,
    dataPackets: d.dataPackets,
    firstDataTime: d.firstDataT >= 0 ? isoTime(d.firstDataSec, d.firstDataNsec, digits) : null,
    lastDataTime: d.lastDataT >= 0 ? isoTime(d.lastDataSec, d.lastDataNsec, digits) : null,
  };
}

function streamReport(analyzer: Analyzer, s: Stream, digits: number, migrationId: number | null): StreamReport {
  const c2s = s.dirs[0].seq.uniqueBytes;
  const s2c = s.dirs[1].seq.uniqueBytes;
  return {
    id: s.id,
    kind: s.kind === KIND_VMOTION ? 'vmotion' : 'nfc',
    point: analyzer.pointNames[s.point],
    ipVersion: s.ipVersion,
    client: { ip: formatIp(s.ipVersion, s.clientIp), port: s.clientPort },
    server: { ip: formatIp(s.ipVersion, s.serverIp), port: s.serverPort },
    openedBy: s.synSeen ? 'client' : null,
    synSeen: s.synSeen,
    synAckSeen: s.synAckSeen,
    closed: s.rstSeen ? 'rst' : s.closedByFin ? 'fin' : null,
    firstPacketTime: isoTime(s.firstSec, s.firstNsec, digits),
    lastPacketTime: isoTime(s.lastSec, s.lastNsec, digits),
    durationSeconds: secondsBetween(s.firstSec, s.firstNsec, s.lastSec, s.lastNsec),
    firstFrame: { input: s.firstInput, frame: s.firstFrame },
    lastFrame: { input: s.lastInput, frame: s.lastFrame },
    clientToServer: directionReport(s.dirs[0], digits),
    serverToClient: directionReport(s.dirs[1], digits),
    bulkDirection: c2s === 0 && s2c === 0 ? null : c2s >= s2c ? 'clientToServer' : 'serverToClient',
    migrationId,
  };
}

function migrationReport(analyzer: Analyzer, g: MigrationGroup, id: number, digits: number): MigrationReport {
  const clock = analyzer.clock;
  let payload = 0; let reverse = 0; let retrans = 0;
  let activeStart = Infinity; let activeEnd = -Infinity;
  let startStamp: Stream | null = null; let endStamp: Stream | null = null;
  const srcIps = new Set<string>(); const dstIps = new Set<string>();
  for (const m of g.members) {
    const s = m.stream;
    const fwd = s.dirs[m.forwardDir];
    payload += fwd.seq.uniqueBytes;
    reverse += s.dirs[1 - m.forwardDir].seq.uniqueBytes;
    retrans += fwd.retransmittedBytes;
    if (fwd.firstDataT >= 0) {
      activeStart = Math.min(activeStart, fwd.firstDataT);
      activeEnd = Math.max(activeEnd, fwd.lastDataT);
    }
    if (startStamp === null || s.firstT < startStamp.firstT) startStamp = s;
    if (endStamp === null || s.lastT > endStamp.lastT) endStamp = s;
    const cip = formatIp(s.ipVersion, s.clientIp); const sip = formatIp(s.ipVersion, s.serverIp);
    if (m.forwardDir === 0) { srcIps.add(cip); dstIps.add(sip); } else { srcIps.add(sip); dstIps.add(cip); }
  }
  const active = activeEnd > activeStart ? activeEnd - activeStart : 0;
  // The series' own interval: the requested one, or a whole multiple of it for very long spans.
  let interval = analyzer.options.intervalSeconds;
  const series: SeriesPoint[] = [];
  let peak = 0;
  if (activeStart !== Infinity) {
    const fwdSeries = g.members.map((m) => m.stream.dirs[m.forwardDir].series);
    for (const iv of migrationIntervals(clock, interval, activeStart, activeEnd, fwdSeries)) {
      interval = iv.intervalSeconds;
      const bps = (iv.total * 8) / iv.coveredSeconds;
      peak = Math.max(peak, bps);
      const offsetNs = Math.round(iv.startBucket * clock.resolution * 1e9);
      series.push({ time: isoTimePlus(clock.epochSec, 0, offsetNs, digits), bitsPerSecond: bps });
    }
  }
  const s0 = startStamp!; const s1 = endStamp!;
  return {
    id,
    point: analyzer.pointNames[g.point],
    sourceHost: g.sourceHost,
    destinationHost: g.destinationHost,
    sourceIps: [...srcIps].sort(),
    destinationIps: [...dstIps].sort(),
    streamIds: g.members.map((m) => m.stream.id),
    startTime: isoTime(s0.firstSec, s0.firstNsec, digits),
    endTime: isoTime(s1.lastSec, s1.lastNsec, digits),
    durationSeconds: secondsBetween(s0.firstSec, s0.firstNsec, s1.lastSec, s1.lastNsec),
    activeSeconds: active,
    payloadBytes: payload,
    reversePayloadBytes: reverse,
    retransmittedBytes: retrans,
    throughputBitsPerSecond: active > 0 ? (payload * 8) / active : 0,
    peakThroughputBitsPerSecond: peak,
    intervalSeconds: interval,
    series,
    log: null,
  };
}

/**
 * The input's link types the decoders stop at, e.g. "IEEE802_11 (105)". Asked of decodeFrame itself
 * (an empty frame of each type), so this list cannot drift from what the decoders read.
 */
function undecodedLinkTypes(inp: InputReport): string {
  const probe = newFrame();
  const pkt = new DecodedPacket();
  const names = inp.linkTypes.filter((l) => {
    probe.linkType = l.code;
    decodeFrame(probe, pkt);
    return pkt.stopLayer === 'linktype';
  }).map((l) => `${l.name} (${l.code})`);
  return names.length > 0 ? names.join(', ') : 'unknown';
}

function captureFindings(analyzer: Analyzer, inputs: InputReport[], streams: StreamReport[]): Finding[] {
  const out: Finding[] = [];
  inputs.forEach((inp, i) => {
    if (inp.failed) {
      out.push(finding('CAPTURE_UNREADABLE', `${inp.path}: ${inp.error?.message ?? 'could not be read'}`));
      return;
    }
    if (inp.cutOff) {
      out.push(finding('CAPTURE_TRUNCATED_FILE',
        `${inp.path} ends in the middle of a packet at byte ${inp.error?.offset ?? '?'} (file cut off, e.g. a full disk or an interrupted copy); analysed the ${inp.packets} complete packets before it`,
        { frames: inp.packets > 0 ? [{ input: i, frame: inp.packets }] : [] }));
    } else if (inp.error) {
      out.push(finding('CAPTURE_MALFORMED_FRAMES', `${inp.path}: ${inp.error.message} (byte offset ${inp.error.offset})`));
    }
    if (inp.droppedPackets !== null && inp.droppedPackets > 0) {
      out.push(finding('CAPTURE_DROPS', `${inp.path}: the capture itself dropped ${inp.droppedPackets} packets (pcapng interface statistics): byte counts and loss judgements are lower bounds; capture with a larger buffer or a tighter filter`));
    }
    for (const p of inp.decodeProblems) {
      const frames = [{ input: i, frame: p.firstFrame }];
      if (p.kind === 'unsupported') {
        out.push(finding('CAPTURE_UNSUPPORTED_FRAMES', p.layer === 'linktype'
          ? `${inp.path}: ${p.count} frames of link type ${undecodedLinkTypes(inp)} not analysed (first is frame ${p.firstFrame}): the analyzer reads Ethernet, Linux cooked (SLL/SLL2), raw IP and NULL/LOOP; capture on the vmknic or an Ethernet/SPAN port instead`
          : `${inp.path}: ${p.count} frames not analysed (${p.layer}: ${p.reason}); first is frame ${p.firstFrame}`, { frames }));
      } else if (p.kind === 'malformed') {
        out.push(finding('CAPTURE_MALFORMED_FRAMES', `${inp.path}: ${p.count} malformed frames (${p.layer}: ${p.reason}); first is frame ${p.firstFrame}`, { frames }));
      }
    }
  });
  if (streams.filter((s) => s.kind === 'vmotion').length === 0 && inputs.some((i) => !i.failed)) {
    out.push(finding('NO_VMOTION_TRAFFIC', `no TCP streams on the vMotion port(s) ${analyzer.options.vmotionPorts.join(', ')} were found: check the capture point (vMotion vmknic), the capture filter, and --port`));
  }
  return out;
}
