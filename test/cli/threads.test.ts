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

function report(files: string[], threads: number): string {
  const r = runCli(['analyze', ...files, '-f', 'json', '--no-progress', '--threads', String(threads)]);
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
    const summary = await new DecodeAhead(file).drain(0, (f: any) => { seen.push(`${f.frameNumber}:${f.tsSec}.${f.tsNsec}:${f.capturedLength}`); });
    expect(seen.length).toBe(summary.packets);
    expect(seen).toEqual(expected);
  });

  it.each(captures.map((c) => [c.split('/').pop()!, c]))('%s: identical JSON with 0 and 1 decode workers', (_name, file) => {
    expect(report([file], 1)).toBe(report([file], 0));
  });

  it('all sample captures in one run: identical with 0, 1 and 3 workers (files decoded ahead)', () => {
    const single = report(captures, 0);
    expect(report(captures, 1)).toBe(single);
    expect(report(captures, 3)).toBe(single);
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

  it('a generated capture (6 migrations, loss, jumbo and TSO frames, noise): identical', () => {
    const file = join(dir, 'gen.pcapng');
    const g = spawnSync(process.execPath, [join(ROOT, 'bench', 'gen-capture.mjs'), '--packets', '300k', '--format', 'pcapng', '-o', file], { encoding: 'utf8' });
    expect(g.status, g.stderr).toBe(0);
    expect(report([file], 1)).toBe(report([file], 0));
  });
});
