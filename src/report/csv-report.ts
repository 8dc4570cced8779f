import type { AnalysisResult } from '../analysis/result.js';

/** RFC 4180 field quoting. */
function field(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = Array.isArray(v) ? v.join(' ') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function table(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

/** One row per migration. */
export function renderMigrationsCsv(result: AnalysisResult): string {
  const header = ['migration_id', 'point', 'source_host', 'destination_host', 'source_ips', 'destination_ips', 'stream_ids',
    'start_time', 'end_time', 'duration_seconds', 'active_seconds', 'payload_bytes', 'reverse_payload_bytes',
    'retransmitted_bytes', 'throughput_bps', 'peak_throughput_bps', 'interval_seconds'];
  const rows = result.migrations.map((m) => [m.id, m.point, m.sourceHost, m.destinationHost, m.sourceIps, m.destinationIps,
    m.streamIds, m.startTime, m.endTime, m.durationSeconds, m.activeSeconds, m.payloadBytes, m.reversePayloadBytes,
    m.retransmittedBytes, Math.round(m.throughputBitsPerSecond), Math.round(m.peakThroughputBitsPerSecond), m.intervalSeconds]);
  return table(header, rows);
}

/** One row per stream (--streams). */
export function renderStreamsCsv(result: AnalysisResult): string {
  const header = ['stream_id', 'kind', 'point', 'migration_id', 'client_ip', 'client_port', 'server_ip', 'server_port',
    'syn_seen', 'closed', 'first_packet_time', 'last_packet_time', 'duration_seconds', 'first_frame',
    'c2s_packets', 'c2s_wire_bytes', 'c2s_payload_bytes', 'c2s_retransmitted_bytes',
    's2c_packets', 's2c_wire_bytes', 's2c_payload_bytes', 's2c_retransmitted_bytes'];
  const rows = result.streams.map((s) => [s.id, s.kind, s.point, s.migrationId, s.client.ip, s.client.port, s.server.ip,
    s.server.port, s.synSeen, s.closed, s.firstPacketTime, s.lastPacketTime, s.durationSeconds,
    `${s.firstFrame.input}:${s.firstFrame.frame}`,
    s.clientToServer.packets, s.clientToServer.wireBytes, s.clientToServer.payloadBytes, s.clientToServer.retransmittedBytes,
    s.serverToClient.packets, s.serverToClient.wireBytes, s.serverToClient.payloadBytes, s.serverToClient.retransmittedBytes]);
  return table(header, rows);
}
