/**
 * The decode worker bin/vmotion-analyzer.js starts before the CLI loads (src/decode/early-start.ts):
 * which argument lists it guesses a file for, that analyzeFiles takes it only for that same
 * unchanged file, and that an untaken worker never keeps the process alive. Whole analyses with
 * it are compared with one-thread runs in test/cli/threads.test.ts (every single-file run there
 * with --threads 1 or 2 starts one).
 */
import { appendFileSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { CAPTURES, ROOT, runCli } from '../helpers/cli.js';

// The dist build: the worker script exists only there (decodeWorkerAvailable).
const early = await import(join(ROOT, 'dist', 'decode', 'early-start.js'));
const { analyzeFiles } = await import(join(ROOT, 'dist', 'analysis', 'analyze-files.js'));
const { DEFAULT_OPTIONS } = await import(join(ROOT, 'dist', 'analysis', 'analyzer.js'));
const { readCapture } = await import(join(ROOT, 'dist', 'source', 'read-capture.js'));

const PCAP = join(CAPTURES, 'lab-lossy.pcap');
const PCAPNG = join(CAPTURES, 'lab-routed.pcapng');
const argv = (...args: string[]): string[] => [process.execPath, 'vmotion-analyzer.js', ...args];
let dir = '';

beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'vma-early-')); });
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('early decode worker', () => {
  it('guesses the one capture file of `analyze`, skipping options and files that are not captures', () => {
    const json = join(dir, 'report.json');
    writeFileSync(json, '{}');
    const pick = (...args: string[]): string | null => early.earlyCaptureFile(argv(...args))?.path ?? null;
    expect(pick('analyze', PCAP)).toBe(resolve(PCAP));
    expect(pick('analyze', '-f', 'json', '-o', json, PCAPNG, '--no-progress')).toBe(resolve(PCAPNG));
    expect(pick('analyze', '--threads', '1', PCAP)).toBe(resolve(PCAP));
    expect(pick('analyze', '--host-map', join(CAPTURES, 'README.md'), PCAP)).toBe(resolve(PCAP));
  });

  it('guesses nothing when the choice is not clear or there is no worker to start', () => {
    const pick = (...args: string[]): unknown => early.earlyCaptureFile(argv(...args));
    expect(pick('analyze', PCAP, PCAPNG)).toBeNull(); // planInputs orders several inputs
    expect(pick('analyze', '--threads', '0', PCAP)).toBeNull();
    expect(pick('analyze', '--threads=0', PCAP)).toBeNull();
    expect(pick('analyze', '-')).toBeNull();
    expect(pick('analyze', join(dir, 'missing.pcap'))).toBeNull();
    expect(pick('analyze', dir)).toBeNull();
    expect(pick('analyze', '--', PCAP)).toBeNull();
    expect(pick('evidence', PCAP)).toBeNull();
    expect(pick('live', PCAP)).toBeNull();
  });

  it('hands its worker over for the same file, with every frame in order', async () => {
    early.startDecodeEarly(argv('analyze', PCAP));
    expect(early.takeEarlyDecode(PCAPNG)).toBeNull();
    const ahead = early.takeEarlyDecode(PCAP);
    expect(ahead).not.toBeNull();
    expect(early.takeEarlyDecode(PCAP)).toBeNull(); // once
    const expected: string[] = [];
    await readCapture(PCAP, (f: any) => { expected.push(`${f.frameNumber}:${f.tsSec}.${f.tsNsec}`); }, { inputIndex: 0 });
    const seen: string[] = [];
    await ahead.drain(0, (f: any) => { seen.push(`${f.frameNumber}:${f.tsSec}.${f.tsNsec}`); });
    expect(seen).toEqual(expected);
  });

  it('analyzeFiles takes it for its input, and stops it for another input', async () => {
    const before = { ...early.earlyDecodeStats };
    early.startDecodeEarly(argv('analyze', PCAP));
    const taken = await analyzeFiles([PCAP], DEFAULT_OPTIONS, { threads: 1 });
    expect(early.earlyDecodeStats.taken - before.taken).toBe(1);
    early.startDecodeEarly(argv('analyze', PCAP));
    const other = await analyzeFiles([PCAPNG], DEFAULT_OPTIONS, { threads: 1 });
    expect(early.earlyDecodeStats.dropped - before.dropped).toBe(1);
    expect(early.earlyDecodeStats.started - before.started).toBe(2);
    const alone = await analyzeFiles([PCAP], DEFAULT_OPTIONS, { threads: 0 });
    expect(JSON.stringify({ ...taken, generatedAt: 0 })).toBe(JSON.stringify({ ...alone, generatedAt: 0 }));
    expect(other.inputs[0].packets).toBeGreaterThan(0);
  });

  it('is not taken once the file changed', async () => {
    const copy = join(dir, 'changing.pcap');
    copyFileSync(PCAP, copy);
    early.startDecodeEarly(argv('analyze', copy));
    appendFileSync(copy, Buffer.alloc(16));
    expect(early.takeEarlyDecode(copy)).toBeNull();
    await early.dropEarlyDecode();
  });

  it('never keeps the CLI alive when the analysis does not start (usage error, --help)', () => {
    // Records of 300 k packets are more than the ring holds: an untaken worker that kept the
    // process alive would wait for room forever.
    const big = join(dir, 'big.pcap');
    const g = spawnSync(process.execPath, [join(ROOT, 'bench', 'gen-capture.mjs'), '--packets', '300k', '-o', big], { encoding: 'utf8' });
    expect(g.status, g.stderr).toBe(0);
    for (const extra of [['--no-such-option'], ['--help'], ['--format', 'yaml']]) {
      // A process kept alive would be killed by runCli's timeout: code -1.
      const r = runCli(['analyze', big, ...extra]);
      expect(r.code, `${extra.join(' ')}: ${r.stderr}`).toBe(extra[0] === '--help' ? 0 : 2);
    }
  });
});
