/**
 * Which packets go into evidence.pcapng, and their header bytes.
 *
 * The result already names the cited frames (every `frames` array: findings, path evidence,
 * health...). Handshakes, closes and first data packets are found in a second pass over the
 * inputs: each frame is decoded (in place, no allocation) and matched to its stream by ports
 * and addresses; only the chosen frames are copied, cut after their transport header.
 */
import { basename } from 'node:path';
import { parseIp } from '../decode/addresses.js';
import { decodeFrame } from '../decode/decode-frame.js';
import { DecodedPacket, PROTO_TCP, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../decode/packet.js';
import type { AnalysisResult, FrameRef, StreamReport } from '../analysis/result.js';
import { readCapture } from '../source/read-capture.js';
import type { Frame } from '../source/frame.js';
import { headerCutLength } from './header-cut.js';
import type { Redactor } from './redact.js';

export interface SelectionOptions {
  /** Data packets kept per stream direction (the first ones). */
  dataPacketsPerDirection: number;
  /** Upper bound on packets in the evidence capture; cited frames are taken first. */
  maxPackets: number;
  redactor?: Redactor | null;
  /** Keep every captured byte (--full-payload): for lab captures, never for customer data by default. */
  fullPayload?: boolean;
}

export const DEFAULT_SELECTION: SelectionOptions = { dataPacketsPerDirection: 3, maxPackets: 5000 };

export interface SelectedPacket {
  input: number;
  frame: number;
  linkType: number;
  tsSec: number;
  tsNsec: number;
  originalLength: number;
  /** Bytes on file before cutting (for the proof that nothing beyond headers was kept). */
  capturedLength: number;
  data: Buffer;
  reasons: string[];
}

export interface Selection {
  packets: SelectedPacket[];
  /** Cited frames that were not found in the inputs (e.g. the input could not be re-read). */
  missing: FrameRef[];
  /** Wanted packets left out to respect maxPackets. */
  overBudget: number;
}

/** Key of a (input, frame) pair as one exact number. */
function frameKey(input: number, frame: number): number {
  return input * 0x100000000 + frame;
}

function isFrameRef(v: unknown): v is FrameRef {
  return typeof v === 'object' && v !== null && typeof (v as FrameRef).input === 'number' && typeof (v as FrameRef).frame === 'number';
}

/**
 * Every frame the result cites, with why: a finding's frames, path evidence, and any other
 * `frames` array an analysis adds (walked generically, so new analyses are covered too).
 */
export function citedFrames(result: AnalysisResult): Map<number, { ref: FrameRef; reasons: string[] }> {
  const out = new Map<number, { ref: FrameRef; reasons: string[] }>();
  const add = (ref: FrameRef, reason: string): void => {
    const k = frameKey(ref.input, ref.frame);
    const e = out.get(k);
    if (!e) out.set(k, { ref: { input: ref.input, frame: ref.frame }, reasons: [reason] });
    else if (!e.reasons.includes(reason) && e.reasons.length < 32) e.reasons.push(reason);
  };
  const walk = (v: unknown, label: string, depth: number): void => {
    if (depth > 12 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) { v.forEach((x) => walk(x, label, depth + 1)); return; }
    const o = v as Record<string, unknown>;
    const here = typeof o.kind === 'string' && depth > 1 ? `${label} ${o.kind}` : label;
    for (const [k, val] of Object.entries(o)) {
      if (k === 'frames' && Array.isArray(val)) {
        for (const f of val) if (isFrameRef(f)) add(f, here);
      } else if (k !== 'series' && typeof val === 'object') {
        walk(val, `${here} ${k}`, depth + 1);
      }
    }
  };
  for (const f of result.findings) for (const ref of f.frames) add(ref, `finding ${f.code}`);
  result.streams.forEach((s) => walk(stripCore(s), `stream ${s.id}`, 1));
  result.migrations.forEach((m) => walk(m, `migration ${m.id}`, 1));
  for (const [k, v] of Object.entries(result)) {
    if (!['findings', 'streams', 'migrations', 'inputs', 'options', 'generator', 'schemaVersion'].includes(k)) walk(v, k, 1);
  }
  return out;
}

/** Stream fields that hold frame refs but are not citations (first/last frame are handled as handshake/close). */
function stripCore(s: StreamReport): Record<string, unknown> {
  const { firstFrame: _a, lastFrame: _b, ...rest } = s;
  return rest;
}

interface StreamMatch {
  report: StreamReport;
  client: Uint32Array;
  server: Uint32Array;
  synCount: number;
  synAckCount: number;
  handshakeAcked: boolean;
  data: [number, number];
  fin: [number, number];
  rst: [number, number];
}

function sameAddr(a: Uint32Array, b: Uint32Array): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

function inRange(s: StreamReport, input: number, frame: number): boolean {
  const k = frameKey(input, frame);
  return k >= frameKey(s.firstFrame.input, s.firstFrame.frame) && k <= frameKey(s.lastFrame.input, s.lastFrame.frame);
}

/**
 * Second pass over the inputs (re-read from result.inputs[].path): returns the evidence packets (header bytes only, redacted when a
 * redactor is given), ordered by time.
 */
export async function selectEvidence(result: AnalysisResult, opts: SelectionOptions = DEFAULT_SELECTION): Promise<Selection> {
  const cited = citedFrames(result);
  const wanted = new Map<number, string[]>();
  let citedTaken = 0;
  let overBudget = 0;
  for (const [k, v] of cited) {
    if (citedTaken >= opts.maxPackets) { overBudget++; continue; }
    wanted.set(k, v.reasons);
    citedTaken++;
  }
  let budget = opts.maxPackets - citedTaken;
  const streamsOfPoint = new Map<string, StreamReport[]>();
  for (const s of result.streams) {
    const list = streamsOfPoint.get(s.point) ?? [];
    list.push(s);
    streamsOfPoint.set(s.point, list);
  }
  const packets: SelectedPacket[] = [];
  const found = new Set<number>();
  const pkt = new DecodedPacket();

  // Input i of the result is frame.inputIndex i (the analysis may have reordered the files).
  for (let i = 0; i < result.inputs.length; i++) {
    const inp = result.inputs[i];
    if (inp.failed || inp.path === '-') continue;
    // Streams seen at this input's capture point, indexed by their port pair.
    const byPorts = new Map<number, StreamMatch[]>();
    for (const s of streamsOfPoint.get(inp.point) ?? []) {
      const client = new Uint32Array(4); const server = new Uint32Array(4);
      parseIp(s.client.ip, client); parseIp(s.server.ip, server);
      const key = Math.min(s.client.port, s.server.port) * 65536 + Math.max(s.client.port, s.server.port);
      const list = byPorts.get(key) ?? [];
      list.push({ report: s, client, server, synCount: 0, synAckCount: 0, handshakeAcked: false, data: [0, 0], fin: [0, 0], rst: [0, 0] });
      byPorts.set(key, list);
    }
    const perDir = opts.dataPacketsPerDirection;
    const sink = (frame: Frame): void => {
      const k = frameKey(i, frame.frameNumber);
      let reasons = wanted.get(k) ?? null;
      let derived: string | null = null;
      decodeFrame(frame, pkt);
      if (pkt.l4Protocol === PROTO_TCP && pkt.ipVersion !== 0 && pkt.tcpHeaderLength > 0) {
        const pk = Math.min(pkt.srcPort, pkt.dstPort) * 65536 + Math.max(pkt.srcPort, pkt.dstPort);
        const cands = byPorts.get(pk);
        if (cands) {
          for (const m of cands) {
            const s = m.report;
            let dir = -1;
            if (pkt.srcPort === s.client.port && pkt.dstPort === s.server.port && sameAddr(pkt.src, m.client) && sameAddr(pkt.dst, m.server)) dir = 0;
            else if (pkt.srcPort === s.server.port && pkt.dstPort === s.client.port && sameAddr(pkt.src, m.server) && sameAddr(pkt.dst, m.client)) dir = 1;
            if (dir < 0 || !inRange(s, i, frame.frameNumber)) continue;
            derived = streamRole(m, dir, pkt.tcpFlags, pkt.payloadLength, perDir);
            if (frame.frameNumber === s.lastFrame.frame && i === s.lastFrame.input) derived = derived ?? `stream ${s.id} last packet`;
            break;
          }
        }
      }
      if (derived !== null && !reasons) {
        if (budget <= 0) { overBudget++; return; }
        budget--;
        reasons = [];
      }
      if (!reasons) return;
      const all = derived ? [derived, ...reasons] : reasons;
      const cut = opts.fullPayload ? Math.min(frame.capturedLength, frame.data.length - frame.offset) : headerCutLength(frame, pkt);
      const data = Buffer.from(frame.data.subarray(frame.offset, frame.offset + cut));
      opts.redactor?.packet(data, frame.linkType, pkt, frame.offset);
      found.add(k);
      packets.push({
        input: i, frame: frame.frameNumber, linkType: frame.linkType, tsSec: frame.tsSec, tsNsec: frame.tsNsec,
        originalLength: frame.originalLength, capturedLength: frame.capturedLength, data, reasons: all,
      });
    };
    await readCapture(inp.path, sink, { inputIndex: i });
  }
  const missing: FrameRef[] = [];
  for (const [k, v] of cited) if (wanted.has(k) && !found.has(k)) missing.push(v.ref);
  packets.sort((a, b) => a.tsSec - b.tsSec || a.tsNsec - b.tsNsec || a.input - b.input || a.frame - b.frame);
  return { packets, missing, overBudget };
}

/** Why a packet of a stream is wanted (handshake, first data, close), or null. */
function streamRole(m: StreamMatch, dir: number, flags: number, payload: number, perDir: number): string | null {
  const id = m.report.id;
  const side = dir === 0 ? 'client→server' : 'server→client';
  if ((flags & TCP_SYN) !== 0) {
    if ((flags & TCP_ACK) === 0) return m.synCount++ < 3 ? `stream ${id} handshake: SYN${m.synCount > 1 ? ` (retransmitted #${m.synCount})` : ''}` : null;
    return m.synAckCount++ < 3 ? `stream ${id} handshake: SYN-ACK${m.synAckCount > 1 ? ` (retransmitted #${m.synAckCount})` : ''}` : null;
  }
  if ((flags & TCP_RST) !== 0) return m.rst[dir]++ < 2 ? `stream ${id} close: RST ${side}` : null;
  if ((flags & TCP_FIN) !== 0) return m.fin[dir]++ < 2 ? `stream ${id} close: FIN ${side}` : null;
  if (dir === 0 && !m.handshakeAcked && m.synAckCount > 0 && (flags & TCP_ACK) !== 0) {
    m.handshakeAcked = true;
    return `stream ${id} handshake: ACK${payload > 0 ? ' with data' : ''}`;
  }
  if (payload > 0 && m.data[dir] < perDir) {
    m.data[dir]++;
    return `stream ${id} data ${side} #${m.data[dir]}`;
  }
  return null;
}

/** The comment on each evidence packet: why it is there and where it came from. */
export function packetComment(p: SelectedPacket, inputPath: string): string {
  return `input ${p.input} (${basename(inputPath)}) frame ${p.frame}: ${mergeReasons(p.reasons).join('; ')}`;
}

/** "stream 1 path evidence arp", "stream 2 path evidence arp" -> "path evidence arp (streams 1, 2)". */
export function mergeReasons(reasons: string[]): string[] {
  const groups = new Map<string, { stream: number[]; migration: number[] }>();
  const out: string[] = [];
  for (const r of reasons) {
    const m = /^(stream|migration) (\d+) (.*evidence.*)$/.exec(r);
    if (!m) { out.push(r); continue; }
    const g = groups.get(m[3]) ?? { stream: [], migration: [] };
    g[m[1] as 'stream' | 'migration'].push(Number(m[2]));
    groups.set(m[3], g);
  }
  for (const [what, g] of groups) {
    const who = [g.stream.length ? `stream${g.stream.length > 1 ? 's' : ''} ${g.stream.join(', ')}` : '',
      g.migration.length ? `migration${g.migration.length > 1 ? 's' : ''} ${g.migration.join(', ')}` : ''].filter(Boolean).join('; ');
    out.push(`${what} (${who})`);
  }
  return out;
}
