/**
 * The analysis result: plain data, versioned (schema/analysis-v1.schema.json). Every output
 * format (table, JSON, CSV, Markdown, HTML) is a view of this structure and nothing else.
 * Times are ISO 8601 UTC strings at the capture's full precision.
 */
import type { PathReport } from './path/path-types.js';

export type { PathReport } from './path/path-types.js';

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
}
