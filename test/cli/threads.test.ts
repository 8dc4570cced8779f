/**
 * Decode workers (--threads, src/decode/read-decoded.ts) must not change a single byte of the
 * analysis: the same JSON with everything on one thread (--threads 0), one worker, and several
 * workers reading files ahead, on every sample capture, all of them together, gzip, cut-off and
 * fuzz-found hostile inputs, and a generated capture with loss, jumbo and TSO frames.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPTURES, ROOT, runCli } from '../helpers/cli.js';

const captures = readdirSync(CAPTURES).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(CAPTURES, f));
const FIXTURES = join(ROOT, 'test', 'fuzz', 'fixtures');
let dir = '';

beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'vma-threads-')); });
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

/** `native: false` turns the worker's native packer off (VMA_NATIVE_DECODE=0): everything decoded in TypeScript. */
function report(files: string[], threads: number, native = true): string {
  const r = runCli(['analyze', ...files, '-f', 'json', '--no-progress', '--threads', String(threads)], native ? {} : { env: { VMA_NATIVE_DECODE: '0' } });
  expect(r.stdout.length, r.stderr).toBeGreaterThan(0);
  return `exit ${r.code}\n${r.stdout}`;
}

describe('decode worker threads', () => {
  it('the compiled worker exists, so --threads really starts workers', () => {
    expect(existsSync(join(ROOT, 'dist', 'decode', 'decode-worker.js'))).toBe(true);
  });

  it('the worker hands over every frame in order (dist build, direct)', async () => {
    const { DecodeAhead } = await import(join(ROOT, 'dist', 'decode', 'read-decoded.js'));
    const { readCapture } = await import(join(ROOT, 'dist', 'source', 'read-capture.js'));
    const file = join(CAPTURES, 'lab-lossy.pcap');
    const expected: string[] = [];
    await readCapture(file, (f: any) => { expected.push(`${f.frameNumber}:${f.tsSec}.${f.tsNsec}:${f.capturedLength}`); }, { inputIndex: 0 });
    const seen: string[] = [];
    const ahead = new DecodeAhead(file);
    const summary = await ahead.drain(0, (f: any) => { seen.push(`${f.frameNumber}:${f.tsSec}.${f.tsNsec}:${f.capturedLength}`); });
    expect(seen.length).toBe(summary.packets);
    expect(seen).toEqual(expected);
    // CI builds the addon (.ci/run checks it), so the native packer decoded the TCP frames there.
    if (existsSync(join(ROOT, 'build', 'Release', 'vma_pcap.node'))) expect(ahead.nativeFrames).toBeGreaterThan(summary.packets * 0.9);
    else console.warn('native packer not exercised: the addon is not built (npm run build:native)');
  });

  it('an exception in the analysis ends the run the same way with and without workers (dist build)', async () => {
    const { analyzeFiles } = await import(join(ROOT, 'dist', 'analysis', 'analyze-files.js'));
    const { DEFAULT_OPTIONS } = await import(join(ROOT, 'dist', 'analysis', 'analyzer.js'));
    for (const threads of [0, 1]) {
      let packets = 0;
      const failing = { onStreamPacket: () => { if (++packets === 500) throw new Error('observer bug at packet 500'); } };
      const run = analyzeFiles([join(CAPTURES, 'lab-lossy.pcap')], DEFAULT_OPTIONS, { threads, setup: (a: any) => { a.tracker.observers.push(failing); } });
      // Before, with threads 0 it resolved, blaming the capture ("read error after N bytes").
      await expect(run, `threads ${threads}`).rejects.toThrow('observer bug at packet 500');
    }
  });

  it('onWorkersStarted runs once per run, with and without workers (dist build)', async () => {
    const { analyzeFiles } = await import(join(ROOT, 'dist', 'analysis', 'analyze-files.js'));
    const { DEFAULT_OPTIONS } = await import(join(ROOT, 'dist', 'analysis', 'analyzer.js'));
    const files = [join(CAPTURES, 'lab-lossy.pcap'), join(CAPTURES, 'lab-l2.pcap')];
    for (const threads of [0, 1, 2]) {
      let calls = 0;
      const result = await analyzeFiles(files, DEFAULT_OPTIONS, { threads, onWorkersStarted: () => { calls++; } });
      expect(calls, `threads ${threads}`).toBe(1);
      expect(result.inputs.map((i: any) => i.packets > 0)).toEqual([true, true]);
    }
  });

  it.each(captures.map((c) => [c.split('/').pop()!, c]))('%s: identical JSON with 0 and 1 decode workers', (_name, file) => {
    expect(report([file], 1)).toBe(report([file], 0));
  });

  it('all sample captures in one run: identical with 0, 1 and 3 workers (files decoded ahead), native packer on or off', () => {
    const single = report(captures, 0);
    expect(report(captures, 1)).toBe(single);
    expect(report(captures, 3)).toBe(single);
    expect(report(captures, 1, false)).toBe(single);
  });

  it('gzip, a cut-off capture and fuzz-found hostile inputs: identical errors and results', () => {
    const lossy = readFileSync(join(CAPTURES, 'lab-lossy.pcap'));
    const gz = join(dir, 'lossy.pcap.gz');
    writeFileSync(gz, gzipSync(lossy));
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, lossy.subarray(0, Math.floor(lossy.length * 0.6) + 3));
    const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.cap')).map((f) => join(FIXTURES, f));
    expect(fixtures.length).toBeGreaterThan(0);
    for (const f of [gz, cut, ...fixtures]) expect(report([f], 1), f).toBe(report([f], 0));
    expect(report([gz, cut, ...fixtures], 2)).toBe(report([gz, cut, ...fixtures], 0));
  });

  it('frames of several MiB (pcapng allows 16 MiB blocks) cross the ring whole: identical', () => {
    // UDP, so the frames travel with their bytes: 10, 9 and 3 MiB records use the ring beyond its
    // usual 4 MiB and wrap around it.
    const block = (type: number, body: Buffer): Buffer => {
      const pad = (4 - (body.length % 4)) % 4;
      const total = 12 + body.length + pad;
      const b = Buffer.alloc(total);
      b.writeUInt32LE(type, 0); b.writeUInt32LE(total, 4); body.copy(b, 8); b.writeUInt32LE(total, total - 4);
      return b;
    };
    const shb = Buffer.alloc(16); shb.writeUInt32LE(0x1a2b3c4d, 0); shb.writeUInt16LE(1, 4); shb.writeBigInt64LE(-1n, 8);
    const idb = Buffer.alloc(8); idb.writeUInt16LE(1, 0);
    const parts = [block(0x0a0d0d0a, shb), block(1, idb)];
    [60, 10 << 20, 80, 9 << 20, 3 << 20, 64].forEach((size, i) => {
      const pkt = Buffer.alloc(size, 0xa5);
      Buffer.from('00112233445566778899aabb0800', 'hex').copy(pkt, 0);
      Buffer.from('4500000000004000401100000a0000010a000002', 'hex').copy(pkt, 14); // IPv4, UDP, 10.0.0.1 > 10.0.0.2
      pkt.writeUInt16BE(Math.min(size - 14, 65535), 16);
      pkt.writeUInt16BE(40000 + i, 34); pkt.writeUInt16BE(8000, 36);
      const epb = Buffer.alloc(20); epb.writeUInt32LE(1700000000 + i, 8); epb.writeUInt32LE(size, 12); epb.writeUInt32LE(size, 16);
      parts.push(block(6, Buffer.concat([epb, pkt])));
    });
    const file = join(dir, 'huge.pcapng');
    writeFileSync(file, Buffer.concat(parts));
    const single = report([file], 0);
    expect(single).toContain('"packets": 6');
    expect(report([file], 1)).toBe(single);
  });

  it('a generated capture (6 migrations, loss, jumbo and TSO frames, noise): identical', () => {
    const file = join(dir, 'gen.pcapng');
    const g = spawnSync(process.execPath, [join(ROOT, 'bench', 'gen-capture.mjs'), '--packets', '300k', '--format', 'pcapng', '-o', file], { encoding: 'utf8' });
    expect(g.status, g.stderr).toBe(0);
    const single = report([file], 0);
    expect(report([file], 1)).toBe(single);
    expect(report([file], 1, false)).toBe(single);
  });
});
