import type { FrameRef } from '../result.js';

/** RTT statistics in seconds; null fields when there was no sample. */
export interface RttStats {
  samples: number;
  minSeconds: number | null;
  medianSeconds: number | null;
  maxSeconds: number | null;
}

/**
 * TCP health of one stream direction (this side sending). Counts named after Wireshark's
 * tcp.analysis.* flags match tshark's on the same file; docs/tcp-health.md defines each.
 */
export interface DirectionHealthReport {
  /** tcp.analysis.retransmission: every retransmission kind (plain, fast, spurious). */
  retransmittedSegments: number;
  /** TCP payload bytes of those segments. */
  retransmittedBytes: number;
  fastRetransmissions: number;
  spuriousRetransmissions: number;
  outOfOrderSegments: number;
  duplicateAcks: number;
  /** Times a run of duplicate ACKs reached the third (the fast-retransmit trigger). */
  tripleDuplicateAcks: number;
  /** tcp.analysis.lost_segment: a gap in this side's sequence space ("previous segment not captured"). */
  lostSegments: number;
  /** tcp.analysis.ack_lost_segment raised by the peer: this side's data was ACKed but never seen by the capture. */
  ackedUnseenSegments: number;
  zeroWindowAdvertisements: number;
  windowFullEvents: number;
  keepAlives: number;
  zeroWindowProbes: number;
  /** Data/ACK RTT of this side's segments, Karn's rule (resent data never timed), as seen at the capture point. */
  rtt: RttStats;
  /** MSS and window scale from this side's SYN (null when the SYN was not captured or had none). */
  mss: number | null;
  windowScale: number | null;
  sackPermitted: boolean;
  largestPayloadBytes: number;
  largestIpPacketBytes: number;
  /** 'standard' (<= 1500-byte IP packets), 'jumbo' (<= 9216) or 'super-segment' (host TSO/GSO/LRO, above any MTU). */
  largestSegmentClass: 'none' | 'standard' | 'jumbo' | 'super-segment';
  /** Segments with more payload than the peer's advertised MSS (TSO/LRO at a host capture point). */
  segmentsOverMss: number;
  /** Packets with IPv4 Don't Fragment set (IPv6 never fragments in flight: counts every packet). */
  dontFragmentPackets: number;
  dscpValues: number[];
  /** Longest pause between two payload-carrying segments (a stall), and the frame that ended it. */
  longestIdleSeconds: number;
  longestIdleEndFrame: FrameRef | null;
  /** Highest (highest sequence sent - peer's latest cumulative ACK) seen when sending data. */
  maxBytesInFlight: number;
}

export interface StreamHealthReport {
  /** Handshake timing split at the capture point: SYN -> SYN/ACK is the server's side, SYN/ACK -> ACK the client's. */
  handshake: {
    synToSynAckSeconds: number | null;
    synAckToAckSeconds: number | null;
    totalSeconds: number | null;
  };
  /** Only one direction was captured (e.g. pktcap-uw's default point): RTT and loss cannot be judged. */
  oneWay: boolean;
  rttJudgeable: boolean;
  lossJudgeable: boolean;
  clientToServer: DirectionHealthReport;
  serverToClient: DirectionHealthReport;
}

export interface RetransmissionPoint { time: string; segments: number; bytes: number }

export interface MigrationHealthReport {
  /** Retransmissions in the forward direction, on the same intervals as series[]. */
  retransmissionSeries: RetransmissionPoint[];
  retransmittedSegments: number;
  /** Data segments in the forward direction (the retransmission rate's denominator). */
  dataSegments: number;
  /** Seconds between the first and last carrier stream's first payload. */
  startSkewSeconds: number;
  /** Forward payload share of each stream (same order as streamIds), and its spread. */
  streamShares: number[];
  minShare: number;
  maxShare: number;
  /** Coefficient of variation of the carriers' payload (0 = perfectly even); null with fewer than two carriers. */
  byteSpreadCv: number | null;
}
