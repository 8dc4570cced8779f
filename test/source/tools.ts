/** Runs the independent Wireshark/tcpdump tools the reader tests cross-check against. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readCapture } from '../../src/source/read-capture.js';
import { CaptureParser } from '../../src/source/capture-parser.js';
import { newInputSummary, type InputSummary } from '../../src/source/capture-source.js';
import type { Frame } from '../../src/source/frame.js';

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** Tools missing outside CI: skip with a printed reason. In CI a missing tool fails the run instead. */
export function missingTools(names: string[]): string[] {
  const missing = names.filter((n) => !hasTool(n));
  if (missing.length > 0 && !process.env.CI) console.warn(`skipping capture tool cross-checks: missing ${missing.join(', ')}`);
  return process.env.CI ? [] : missing;
}

export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

export interface RefFrame {
  number: number; sec: number; frac: string; hasTime: boolean; len: number; capLen: number; ifId: number | null;
  /** False for records Wireshark numbers that are not packets (pcapng custom blocks...). */
  isPacket: boolean;
}

/** What tshark says about every frame: number, epoch time (as text, to compare exactly), lengths. */
export async function tsharkFrames(file: string): Promise<RefFrame[]> {
  const out = await runAsync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.number',
    '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.interface_id', '-e', 'frame.encap_type']);
  return out.split('\n').filter((l) => l.length > 0).map((l) => {
    const [num, epoch, len, cap, ifId, encap] = l.split('\t');
    const [s, f = ''] = epoch.split('.');
    return {
      number: Number(num), sec: Number(s), frac: f, hasTime: epoch !== '', len: Number(len), capLen: Number(cap),
      ifId: ifId === '' ? null : Number(ifId), isPacket: encap !== '',
    };
  });
}

export function runAsync(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    p.on('error', reject);
    p.on('close', (code) => code === 0 ? resolve(Buffer.concat(out).toString('utf8'))
      : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${Buffer.concat(err).toString()}`)));
  });
}

export function capinfosCount(file: string): number {
  const m = /Number of packets:\s+(\d+)/.exec(run('capinfos', ['-c', '-M', file]));
  if (!m) throw new Error(`capinfos gave no packet count for ${file}`);
  return Number(m[1]);
}

export interface GotFrame {
  number: number; fileOffset: number; sec: number; nsec: number; capLen: number; origLen: number;
  linkType: number; fcs: number; ifId: number; data: string;
}

function copyFrame(f: Frame): GotFrame {
  return {
    number: f.frameNumber, fileOffset: f.fileOffset, sec: f.tsSec, nsec: f.tsNsec, capLen: f.capturedLength,
    origLen: f.originalLength, linkType: f.linkType, fcs: f.fcsLength, ifId: f.interfaceId,
    data: f.data.toString('hex', f.offset, f.offset + f.capturedLength),
  };
}

export async function readAll(path: string, chunkSize?: number): Promise<{ summary: InputSummary; frames: GotFrame[] }> {
  const frames: GotFrame[] = [];
  const summary = await readCapture(path, (f) => frames.push(copyFrame(f)), { inputIndex: 0, chunkSize });
  return { summary, frames };
}

/** Pushes `bytes` through a CaptureParser in the given chunk sizes (cycled). */
export function parseChunks(bytes: Buffer, sizes: number[], path = 'mem'): { summary: InputSummary; frames: GotFrame[] } {
  const frames: GotFrame[] = [];
  const summary = newInputSummary(path);
  const p = new CaptureParser(summary, 0, (f) => frames.push(copyFrame(f)));
  let pos = 0;
  let i = 0;
  while (pos < bytes.length) {
    const n = sizes[i++ % sizes.length];
    // Pass a fresh copy so a parser that kept a reference to an old chunk would be caught.
    const chunk = Buffer.from(bytes.subarray(pos, pos + n));
    p.push(chunk);
    chunk.fill(0xee);
    pos += n;
  }
  p.end();
  return { summary, frames };
}

/** Our timestamp truncated to tshark's printed digits must equal tshark's text. */
export function sameTime(got: GotFrame, ref: RefFrame): boolean {
  const ns = String(got.nsec).padStart(9, '0');
  const digits = ref.frac.length;
  return got.sec === ref.sec && (digits <= 9 ? ns.slice(0, digits) === ref.frac : (ns + '0'.repeat(digits - 9)) === ref.frac);
}
