import type { Analyzer } from '../analyzer.js';
import { isoTimePlus } from '../iso-time.js';
import { migrationIntervals, type FineSeries } from '../migration-intervals.js';
import type { MigrationGroup } from '../migrations.js';
import type { Stream } from '../../streams/stream.js';
import type { DirectionHealth, StreamHealth } from './direction-health.js';
import type { DirectionHealthReport, MigrationHealthReport, RttStats, StreamHealthReport } from './health-types.js';
import type { HealthObserver } from './tcp-health-observer.js';

const EMPTY: FineSeries = { get: () => 0 };

export function rttStats(d: DirectionHealth): RttStats {
  const r = d.rtt;
  return { samples: r.count, minSeconds: r.count ? r.min : null, medianSeconds: r.median(), maxSeconds: r.count ? r.max : null };
}

function sizeClass(ipLen: number): DirectionHealthReport['largestSegmentClass'] {
  if (ipLen === 0) return 'none';
  if (ipLen <= 1500) return 'standard';
  if (ipLen <= 9216) return 'jumbo';
  return 'super-segment';
}

function directionHealth(d: DirectionHealth): DirectionHealthReport {
  return {
    retransmittedSegments: d.retransmissions,
    retransmittedBytes: d.retransmittedBytes,
    fastRetransmissions: d.fastRetransmissions,
    spuriousRetransmissions: d.spuriousRetransmissions,
    outOfOrderSegments: d.outOfOrder,
    duplicateAcks: d.duplicateAcks,
    tripleDuplicateAcks: d.tripleDuplicateAcks,
    lostSegments: d.lostSegments,
    ackedUnseenSegments: d.ackedUnseen,
    zeroWindowAdvertisements: d.zeroWindows,
    windowFullEvents: d.windowFull,
    keepAlives: d.keepAlives,
    zeroWindowProbes: d.zeroWindowProbes,
    rtt: rttStats(d),
    mss: d.mss >= 0 ? d.mss : null,
    windowScale: d.synWindowScale >= 0 ? d.synWindowScale : null,
    sackPermitted: d.sackPermitted,
    largestPayloadBytes: d.maxPayload,
    largestIpPacketBytes: d.maxIpLength,
    largestSegmentClass: sizeClass(d.maxIpLength),
    segmentsOverMss: d.segmentsOverMss,
    dontFragmentPackets: d.dfPackets,
    dscpValues: d.segments > 0 ? d.dscpValues : [],
    longestIdleSeconds: d.longestGap,
    longestIdleEndFrame: d.longestGap > 0 ? { input: d.longestGapEndInput, frame: d.longestGapEndFrame } : null,
    maxBytesInFlight: d.maxInFlight,
  };
}

/** One direction has ACK-carrying (established) traffic and the other none at all. */
export function isOneWay(s: Stream): boolean {
  const [a, b] = s.dirs;
  return (a.packets === 0) !== (b.packets === 0) && (s.synAckSeen || a.dataPackets + b.dataPackets > 0);
}

export function streamHealth(s: Stream, h: StreamHealth): StreamHealthReport {
  const oneWay = isOneWay(s);
  const synToSynAck = h.synT >= 0 && h.synAckT >= 0 ? h.synAckT - h.synT : null;
  const synAckToAck = h.synAckT >= 0 && h.handshakeAckT >= 0 ? h.handshakeAckT - h.synAckT : null;
  return {
    handshake: {
      synToSynAckSeconds: synToSynAck,
      synAckToAckSeconds: synAckToAck,
      totalSeconds: synToSynAck !== null && synAckToAck !== null ? synToSynAck + synAckToAck : null,
    },
    oneWay,
    rttJudgeable: !oneWay,
    lossJudgeable: !oneWay,
    clientToServer: directionHealth(h.dirs[0]),
    serverToClient: directionHealth(h.dirs[1]),
  };
}

/** The migration's forward span, exactly as the core computes it for the goodput series. */
export function activeSpan(g: MigrationGroup): [number, number] {
  let start = Infinity; let end = -Infinity;
  for (const m of g.members) {
    const fwd = m.stream.dirs[m.forwardDir];
    if (fwd.firstDataT >= 0) { start = Math.min(start, fwd.firstDataT); end = Math.max(end, fwd.lastDataT); }
  }
  return [start, end];
}

export function migrationHealth(analyzer: Analyzer, g: MigrationGroup, obs: HealthObserver, digits: number): MigrationHealthReport {
  const clock = analyzer.clock;
  const [start, end] = activeSpan(g);
  const bytesSeries: FineSeries[] = [];
  const segSeries: FineSeries[] = [];
  let retrans = 0; let data = 0;
  for (const m of g.members) {
    const h = obs.stateOf(m.stream);
    const d = h?.dirs[m.forwardDir];
    bytesSeries.push(d?.retransBytesSeries ?? EMPTY);
    segSeries.push(d?.retransSegmentsSeries ?? EMPTY);
    retrans += d?.retransmissions ?? 0;
    data += d?.dataSegments ?? 0;
  }
  const series: MigrationHealthReport['retransmissionSeries'] = [];
  if (start !== Infinity) {
    const bytes = migrationIntervals(clock, analyzer.options.intervalSeconds, start, end, bytesSeries);
    const segs = migrationIntervals(clock, analyzer.options.intervalSeconds, start, end, segSeries);
    bytes.forEach((iv, k) => series.push({
      time: isoTimePlus(clock.epochSec, 0, Math.round(iv.startBucket * clock.resolution * 1e9), digits),
      segments: segs[k].total,
      bytes: iv.total,
    }));
  }
  // Skew and spread over the carriers (streams that moved forward payload).
  const payloads = g.members.map((m) => m.stream.dirs[m.forwardDir].seq.uniqueBytes);
  const total = payloads.reduce((a, b) => a + b, 0);
  const shares = payloads.map((p) => (total > 0 ? p / total : 0));
  const carriers = g.members.filter((m) => m.stream.dirs[m.forwardDir].firstDataT >= 0);
  const starts = carriers.map((m) => m.stream.dirs[m.forwardDir].firstDataT);
  const carrierBytes = carriers.map((m) => m.stream.dirs[m.forwardDir].seq.uniqueBytes);
  let cv: number | null = null;
  if (carrierBytes.length >= 2) {
    const mean = carrierBytes.reduce((a, b) => a + b, 0) / carrierBytes.length;
    const variance = carrierBytes.reduce((a, b) => a + (b - mean) ** 2, 0) / carrierBytes.length;
    cv = mean > 0 ? Math.sqrt(variance) / mean : null;
  }
  return {
    retransmissionSeries: series,
    retransmittedSegments: retrans,
    dataSegments: data,
    startSkewSeconds: starts.length >= 2 ? Math.max(...starts) - Math.min(...starts) : 0,
    streamShares: shares,
    minShare: shares.length ? Math.min(...shares) : 0,
    maxShare: shares.length ? Math.max(...shares) : 0,
    byteSpreadCv: cv,
  };
}
