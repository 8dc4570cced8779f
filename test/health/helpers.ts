/** Shared helpers for the health tests: run the analyzer with the health observer, and the reference tools. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Analyzer, DEFAULT_OPTIONS } from '../../src/analysis/analyzer.js';
import { readCapture } from '../../src/source/read-capture.js';
import { TcpHealthObserver } from '../../src/analysis/health/tcp-health-observer.js';
import * as F from '../../src/analysis/health/direction-health.js';

export const CAPTURES = new URL('../../captures/', import.meta.url).pathname;

/** Wireshark flag name -> our per-packet flag bit. */
export const FLAGS: Array<[string, number]> = [
  ['retransmission', F.A_RETRANSMISSION], ['fast_retransmission', F.A_FAST_RETRANSMISSION],
  ['spurious_retransmission', F.A_SPURIOUS_RETRANSMISSION], ['out_of_order', F.A_OUT_OF_ORDER],
  ['duplicate_ack', F.A_DUPLICATE_ACK], ['zero_window', F.A_ZERO_WINDOW], ['window_full', F.A_WINDOW_FULL],
  ['lost_segment', F.A_LOST_SEGMENT], ['ack_lost_segment', F.A_ACK_LOST_SEGMENT], ['keep_alive', F.A_KEEP_ALIVE],
  ['zero_window_probe', F.A_ZERO_WINDOW_PROBE],
];

export function tool(name: string, args = ['-v']): boolean {
  if (spawnSync(name, args, { stdio: 'ignore' }).error === undefined) return true;
  if (process.env.CI) throw new Error(`${name} is required in CI (apt-get install tshark tcptrace)`);
  console.warn(`skipping: ${name} not installed (apt-get install tshark tcptrace)`);
  return false;
}

/** A lab capture, or null with a printed reason (scripts/lab/make-captures.sh makes them, as root). */
export function capture(name: string): string | null {
  const p = CAPTURES + name;
  if (existsSync(p)) return p;
  if (process.env.CI) throw new Error(`${p} missing: run sudo scripts/lab/make-captures.sh`);
  console.warn(`skipping: ${p} missing (sudo scripts/lab/make-captures.sh)`);
  return null;
}

/** Our per-frame flags (frame number -> bits) for the vMotion/NFC streams of one file. */
export async function ourFlags(file: string): Promise<{ flags: Map<number, number>; analyzer: Analyzer; observer: TcpHealthObserver }> {
  const analyzer = new Analyzer({ ...DEFAULT_OPTIONS });
  const observer = new TcpHealthObserver(0, analyzer.clock);
  analyzer.tracker.observers.push(observer);
  const flags = new Map<number, number>();
  observer.trace = (_input, frame, a) => flags.set(frame, a);
  const idx = analyzer.addInput({ path: file, point: 'p', sha256: null, sizeBytes: null });
  await readCapture(file, analyzer.onFrame, { inputIndex: idx });
  analyzer.tracker.settle(); // handshake-only packets reach the observer late (StreamTracker)
  return { flags, analyzer, observer };
}

/** tshark's tcp.analysis.* flags per frame, same ports. */
export function tsharkFlags(file: string): Map<number, number> {
  const out = execFileSync('tshark', ['-r', file, '-n', '-Y', 'tcp.port==8000 || tcp.port==902', '-T', 'fields', '-e', 'frame.number',
    ...FLAGS.flatMap(([n]) => ['-e', `tcp.analysis.${n}`])], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  const m = new Map<number, number>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const c = line.split('\t');
    let a = 0;
    FLAGS.forEach(([, bit], i) => { if (c[i + 1]) a |= bit; });
    if (a) m.set(Number(c[0]), a);
  }
  return m;
}

export function framesWith(flags: Map<number, number>, bit: number): number[] {
  return [...flags].filter(([, a]) => (a & bit) !== 0).map(([f]) => f).sort((x, y) => x - y);
}

export interface TcptraceConn { a: string; b: string; rexmtPkts: [number, number]; rexmtBytes: [number, number]; zeroWinAdv: [number, number]; rttSamples: [number, number] }

/** tcptrace -l -r -n: per connection, the two columns (a->b, b->a). */
export function tcptrace(file: string): TcptraceConn[] {
  const out = execFileSync('tcptrace', ['-l', '-r', '-n', file], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] });
  const conns: TcptraceConn[] = [];
  let cur: TcptraceConn | null = null;
  const two = (line: string): [number, number] => { const n = [...line.matchAll(/:\s+(\d+)/g)].map((m) => Number(m[1])); return [n[0], n[1]]; };
  for (const line of out.split('\n')) {
    let m = /^\s*host \w+:\s+(\S+)/.exec(line);
    if (m) {
      if (cur === null || cur.b !== '') { cur = { a: m[1], b: '', rexmtPkts: [0, 0], rexmtBytes: [0, 0], zeroWinAdv: [0, 0], rttSamples: [0, 0] }; conns.push(cur); } else cur.b = m[1];
      continue;
    }
    if (!cur) continue;
    if ((m = /^\s*rexmt data pkts:/.exec(line))) cur.rexmtPkts = two(line);
    else if (/^\s*rexmt data bytes:/.test(line)) cur.rexmtBytes = two(line);
    else if (/^\s*zero win adv:/.test(line)) cur.zeroWinAdv = two(line);
    else if (/^\s*RTT samples:/.test(line)) cur.rttSamples = two(line);
  }
  return conns;
}
