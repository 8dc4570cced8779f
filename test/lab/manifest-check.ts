/**
 * Holds a lab capture to its truth manifest (written by scripts/lab/traffic.mjs) using tshark only,
 * so the sample captures and the manifests that later tests trust are checked by an independent tool.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { runAsync } from '../source/tools.js';
import { join } from 'node:path';

export interface Endpoint { ip: string; port: number | null }
export interface ManifestStream {
  id: number; role: string; migration: number | null; protocol: 'tcp';
  outcome: 'ok' | 'refused' | 'timeout' | 'error';
  client: Endpoint; server: Endpoint;
  bytesClientToServer: number; bytesServerToClient: number;
  start: number; end: number;
}
export interface LabManifest {
  schema: string; scenario: 'vmotion' | 'refused' | 'silent';
  hosts: { source: { ip: string }; destination: { ip: string } };
  migrations: Array<{ index: number; start?: number; end?: number; durationS?: number; failed?: boolean }>;
  streams: ManifestStream[];
  noise: Array<{ kind: string; transmitted: number | null; received: number | null }>;
  capture?: { file: string; format: string; snaplen: number; pointRole: string; interfaces: string[]; offloads: string };
  topology?: {
    name: string; hops: number; mtuHosts: number; mtuCore: number; silentIp?: string;
    routers?: Array<{ ns: string; interfaces: Record<string, { ip: string; mac: string }> }>;
  };
  expected?: {
    routed: boolean; hops: number; ipVersion: 4 | 6; findings?: string[];
    ttlAtCapture: Record<string, unknown>;
  };
}

export function readManifest(path: string): LabManifest {
  return JSON.parse(readFileSync(path, 'utf8')) as LabManifest;
}

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** Runs a tool, resolving with its stdout (the shared test helper). */
export const runTool = runAsync;

/** One TCP segment as tshark decodes it. */
export interface Seg {
  iface: string; time: number; src: string; sport: number; dst: string; dport: number;
  seq: number; len: number; syn: boolean; ack: boolean; fin: boolean; rst: boolean; retrans: boolean; ttl: number;
  /** tshark calls a resent segment that follows its original closely 'out-of-order' rather than a retransmission. */
  outOfOrder: boolean;
}

const FIELDS = ['frame.interface_name', 'frame.time_epoch', 'ip.src', 'ipv6.src', 'tcp.srcport', 'ip.dst', 'ipv6.dst', 'tcp.dstport',
  'tcp.seq', 'tcp.len', 'tcp.flags.syn', 'tcp.flags.ack', 'tcp.flags.fin', 'tcp.flags.reset',
  'tcp.analysis.retransmission', 'ip.ttl', 'ipv6.hlim', 'tcp.analysis.out_of_order'];

/**
 * Every TCP segment, analysed per interface: with several capture interfaces in one file (router legs)
 * tshark would otherwise call the second sighting of each segment a retransmission.
 */
export async function tsharkSegmentsPerInterface(file: string, interfaces: number, tmpDir: string): Promise<Seg[]> {
  if (interfaces <= 1) return tsharkSegments(file);
  const all: Seg[] = [];
  for (let i = 0; i < interfaces; i++) {
    const part = join(tmpDir, `if${i}.pcapng`);
    await runTool('tshark', ['-r', file, '-Y', `frame.interface_id == ${i}`, '-w', part]);
    all.push(...await tsharkSegments(part));
  }
  return all;
}

/** Every TCP segment in the file (relative sequence numbers). */
export async function tsharkSegments(file: string): Promise<Seg[]> {
  const args = ['-r', file, '-n', '-Y', 'tcp', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f'];
  for (const f of FIELDS) args.push('-e', f);
  const out = await runTool('tshark', args);
  const segs: Seg[] = [];
  for (const line of out.split('\n')) {
    if (!line) continue;
    const c = line.split('\t');
    const flag = (s: string) => s === '1' || s === 'True';
    segs.push({
      iface: c[0] || 'if0', time: Number(c[1]), src: c[2] || c[3], sport: Number(c[4]), dst: c[5] || c[6],
      dport: Number(c[7]), seq: Number(c[8]), len: Number(c[9]), syn: flag(c[10]), ack: flag(c[11]),
      fin: flag(c[12]), rst: flag(c[13]), retrans: c[14] !== '', ttl: Number(c[15] || c[16]),
      outOfOrder: c[17] !== '',
    });
  }
  return segs;
}

/** The `-z conv,tcp` table as "a:port b:port" keys (both orders), for existence checks. */
export async function tsharkConversations(file: string): Promise<Set<string>> {
  const out = await runTool('tshark', ['-r', file, '-n', '-q', '-z', 'conv,tcp']);
  const keys = new Set<string>();
  for (const line of out.split('\n')) {
    const m = /^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s/.exec(line);
    if (!m) continue;
    keys.add(`${m[1]}:${m[2]} ${m[3]}:${m[4]}`);
    keys.add(`${m[3]}:${m[4]} ${m[1]}:${m[2]}`);
  }
  return keys;
}

/** What the capture shows for one direction of one stream. */
export interface DirectionFacts {
  segments: number;
  /** Highest (relative seq + len) - 1: bytes the sender's sequence space covered. */
  extent: number;
  /** Sum of tcp.len over every payload segment. */
  sumAll: number;
  /** Sum of tcp.len over segments tshark flags neither retransmission nor out-of-order. */
  uniqueSum: number;
  /** Sum of tcp.len over flagged (retransmission / out-of-order) segments. */
  retransBytes: number;
  retransSegments: number;
  /** Bytes of sequence space covered at least once (union of [seq, seq+len)). */
  covered: number;
  syn: number; fin: number; rst: number;
  ttls: Set<number>;
  /** Capture time of the first and last payload segment (epoch seconds), 0 when none. */
  firstData: number; lastData: number;
}

function emptyFacts(): DirectionFacts {
  return { segments: 0, extent: 0, sumAll: 0, covered: 0, uniqueSum: 0, retransBytes: 0, retransSegments: 0, syn: 0, fin: 0, rst: 0, ttls: new Set(), firstData: 0, lastData: 0 };
}

export function directionFacts(segs: Seg[], from: Endpoint, to: Endpoint, iface?: string): DirectionFacts {
  const f = emptyFacts();
  const ranges: Array<[number, number]> = [];
  for (const s of segs) {
    if (iface !== undefined && s.iface !== iface) continue;
    if (s.src !== from.ip || s.dst !== to.ip || s.sport !== from.port || s.dport !== to.port) continue;
    f.segments++;
    f.ttls.add(s.ttl);
    if (s.syn) f.syn++;
    if (s.fin) f.fin++;
    if (s.rst) f.rst++;
    if (s.len > 0) {
      if (f.firstData === 0) f.firstData = s.time;
      f.lastData = s.time;
      f.extent = Math.max(f.extent, s.seq + s.len - 1);
      f.sumAll += s.len;
      ranges.push([s.seq, s.seq + s.len]);
      if (s.retrans || s.outOfOrder) { f.retransBytes += s.len; f.retransSegments++; } else f.uniqueSum += s.len;
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let end = -Infinity;
  for (const [a, b] of ranges) {
    if (b <= end) continue;
    f.covered += b - Math.max(a, end);
    end = b;
  }
  return f;
}
