/**
 * The analysis result: plain data, versioned (schema/analysis-v1.schema.json). Every output
 * format (table, JSON, CSV, Markdown, HTML) is a view of this structure and nothing else.
 * Times are ISO 8601 UTC strings at the capture's full precision.
 */
import type { PathReport } from './path/path-types.js';

export type { PathReport } from './path/path-types.js';
import type { MigrationHealthReport, StreamHealthReport } from './health/health-types.js';
import type { LogFileReport } from '../logs/vmkernel-log.js';

export type { DirectionHealthReport, MigrationHealthReport, StreamHealthReport } from './health/health-types.js';

export const SCHEMA_VERSION = 1;

/** A frame as Wireshark numbers it: input index into inputs[] and frame number from 1. */
export interface FrameRef { input: number; frame: number }

export interface LinkTypeCount { code: number; name: string; packets: number }

export interface InputReport {
  path: string;
  /** 'pcap' | 'pcap-ns' | 'pcapng' | 'live' | 'unknown' */
  format: string;
  compression: string | null;
  sha256: string | null;
  sizeBytes: number | null;
  /** Capture point this input belongs to (pieces of one capture share a point). */
  point: string;
  packets: number;
  linkTypes: LinkTypeCount[];
  snaplen: number | null;
  truncatedPackets: number;
  droppedPackets: number | null;
  firstPacketTime: string | null;
  lastPacketTime: string | null;
  durationSeconds: number;
  /** Packets on the vMotion ports, on the NFC ports, and everything else. */
  vmotionPackets: number;
  nfcPackets: number;
  otherPackets: number;
  /** Frames whose decoding stopped early, by reason (e.g. "ipv4: truncated"), largest first. */
  decodeProblems: Array<{ layer: string; reason: string; kind: 'truncated' | 'malformed' | 'unsupported'; count: number; firstFrame: number }>;
  /** Set when the input could not be read completely. */
  error: { message: string; offset: number } | null;
  /** True when the input could not be read at all. */
  failed: boolean;
  cutOff: boolean;
  /**
   * Mirror tunnels the frames arrived in (remote SPAN / ERSPAN / VXLAN), first 32 distinct: the outer
   * addresses and session id say which mirror session (capture point) delivered them. Empty without tunnels.
   */
  tunnels: TunnelReport[];
}

export interface TunnelReport {
  type: 'gre-teb' | 'erspan-i' | 'erspan-ii' | 'erspan-iii' | 'vxlan';
  /** Outer source (the mirror source: switch, host or vDS uplink) and destination (the collector). */
  outerSrc: string;
  outerDst: string;
  /** ERSPAN session id, GRE key or VXLAN VNI; null when the encapsulation carries none. */
  sessionId: number | null;
  frames: number;
}

export interface Endpoint { ip: string; port: number }

export interface DirectionReport {
  packets: number;
  /** Sum of original frame lengths (what tshark -z conv,tcp counts as bytes). */
  wireBytes: number;
  /** Sum of IP total lengths. */
  ipBytes: number;
  /** Unique payload bytes from sequence space (wrap-safe): highest sequence reached minus the first. */
  payloadBytes: number;
  /** Payload bytes re-sent below the highest sequence already seen. */
  retransmittedBytes: number;
  retransmittedPackets: number;
  /** Packets carrying payload. */
  dataPackets: number;
  firstDataTime: string | null;
  lastDataTime: string | null;
}

export interface StreamReport {
  id: number;
  /** 'vmotion' (the vMotion ports) or 'nfc' (port 902: provisioning, never part of a migration). */
  kind: 'vmotion' | 'nfc';
  point: string;
  ipVersion: number;
  client: Endpoint;
  server: Endpoint;
  /** 'client' when the SYN was seen (the client opened it), else null (capture started mid-stream). */
  openedBy: 'client' | null;
  synSeen: boolean;
  synAckSeen: boolean;
  /** 'fin' (both or one side sent FIN), 'rst', or null when still open at the end of the capture. */
  closed: 'fin' | 'rst' | null;
  firstPacketTime: string;
  lastPacketTime: string;
  durationSeconds: number;
  firstFrame: FrameRef;
  lastFrame: FrameRef;
  clientToServer: DirectionReport;
  serverToClient: DirectionReport;
  /** Which direction carried the bulk of the payload. */
  bulkDirection: 'clientToServer' | 'serverToClient' | null;
  migrationId: number | null;
  /** Routed or Layer-2 adjacent, with evidence (set by the path analysis, a standard analysis: always present in output). */
  path?: PathReport;
  /** TCP health per direction, handshake RTT, one-way capture (set by the health analysis; always present in output). */
  health?: StreamHealthReport;
}

export interface SeriesPoint { time: string; bitsPerSecond: number }

export interface MigrationReport {
  id: number;
  point: string;
  /** Host names (from --host-map) or the vmknic IP. */
  sourceHost: string;
  destinationHost: string;
  sourceIps: string[];
  destinationIps: string[];
  streamIds: number[];
  startTime: string;
  endTime: string;
  durationSeconds: number;
  /** From the first to the last source-to-destination payload packet. */
  activeSeconds: number;
  /** Unique source-to-destination payload bytes over all streams of the migration. */
  payloadBytes: number;
  /** Destination-to-source payload (control traffic). */
  reversePayloadBytes: number;
  retransmittedBytes: number;
  /** payloadBytes * 8 / activeSeconds. */
  throughputBitsPerSecond: number;
  /** Highest interval of the series. */
  peakThroughputBitsPerSecond: number;
  intervalSeconds: number;
  /** One point per interval from the start of the migration's first interval; time = interval start. */
  series: SeriesPoint[];
  /** Routed or Layer-2 adjacent over all the migration's streams (set by the path analysis; always present in output). */
  path?: PathReport;
  /** Retransmission series on the goodput intervals, start skew, byte spread (set by the health analysis; always present in output). */
  health?: MigrationHealthReport;
  /** What the hosts' vmkernel.log says about this migration (--vmkernel-log); null when no log names it. Always present in output. */
  log?: MigrationLogReport | null;
}

/** A migration as the ESXi vmkernel.log states it (src/logs, docs/esxi-logs.md). */
export interface MigrationLogReport {
  /** The migration id (`ts`): the same on both hosts and in the VM's vmware.log. A string: 8.x ids exceed 2^53. */
  migrationId: string;
  format: '6.x/7.x' | '8.x';
  sourceIps: string[];
  destinationIps: string[];
  /** Whose log printed it: the source host's, the destination host's, or both. */
  seenOn: Array<'source' | 'destination'>;
  /** true when the log says `encrypted`; null when it does not say (never assumed false). */
  encrypted: boolean | null;
  /** The host's own pre-copy estimate (`network bandwidth ~N MB/s`), as printed and in bytes/s (MB taken as 2^20 bytes). */
  bandwidthEstimateMBps: number | null;
  bandwidthEstimateBytesPerSecond: number | null;
  /** First line naming the id: as the host printed it, and moved onto the capture clock by the host's clock offset. */
  hostTime: string;
  captureTime: string;
  lines: Array<{ file: string; line: number }>;
}

export interface LogMigrationReport extends MigrationLogReport {
  /** Captured migrations this log migration was attached to (several when seen at several capture points). */
  captureMigrationIds: number[];
}

/** A log file as the report shows it: the reader's account without its internal epoch numbers. */
export type LogFileSummary = Omit<LogFileReport, 'firstEpoch' | 'lastEpoch'>;

export interface LogCorrelationReport {
  files: LogFileSummary[];
  /** capture time = host log time + seconds, per logging host (named by its vMotion IPs). */
  clockOffsets: Array<{ hostIps: string[]; files: string[]; seconds: number; method: 'estimated' | 'assumed'; matches: number }>;
  toleranceSeconds: number;
}

export type Severity = 'info' | 'warning' | 'error';

export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  streamIds: number[];
  migrationIds: number[];
  frames: FrameRef[];
}

export interface AnalysisOptionsReport {
  vmotionPorts: number[];
  nfcPorts: number[];
  gapSeconds: number;
  intervalSeconds: number;
  hostMap: string | null;
}

export interface AnalysisResult {
  schemaVersion: typeof SCHEMA_VERSION;
  generator: { name: string; version: string };
  options: AnalysisOptionsReport;
  inputs: InputReport[];
  streams: StreamReport[];
  migrations: MigrationReport[];
  findings: Finding[];
  /** Migrations named by the --vmkernel-log files (empty without logs). Always present in output. */
  logMigrations?: LogMigrationReport[];
  /** How the logs were read and matched; null without --vmkernel-log. Always present in output. */
  logCorrelation?: LogCorrelationReport | null;
}
