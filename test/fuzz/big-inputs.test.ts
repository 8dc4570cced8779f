/**
 * Proof on large hostile inputs, generated in a temp dir and deleted afterwards: each runs the
 * real CLI (analyze -f json -o) in a child process that reports its own peak RSS (VmHWM).
 * - a SYN flood of 1,000,000 distinct flows to port 8000: the stream table evicts handshake-only
 *   streams (STREAM_TABLE_EVICTIONS), peak memory does not grow with the flood size and stays
 *   within the 200 MiB budget;
 * - 1 GiB of random bytes behind a valid pcap header: a report naming file and byte offset;
 * - a real capture repeated to 1 GiB and cut mid-record: every complete record analysed and the
 *   cut reported (CAPTURE_TRUNCATED_FILE).
 * Slow by nature (minutes on a shared 2-core machine), hence a file of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain ESM helpers (also used by worker threads outside vitest)
import { buildSrc } from './lib/build-src.mjs';
// @ts-expect-error plain ESM helpers
import { writeRandomPcap, writeRepeatedCut, writeSynFlood } from './lib/big-captures.mjs';
import { MAX_IDLE_STREAMS } from '../../src/streams/stream-budget.js';

const CHILD = fileURLToPath(new URL('./lib/cli-child.mjs', import.meta.url));
const LAB = fileURLToPath(new URL('../../captures/lab-l2.pcap', import.meta.url));
const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;

let dir = '';
let dist = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'vma-big-')); dist = buildSrc(); });
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

interface Run { code: number; peakBytes: number; report: any; stderr: string }

function analyze(file: string): Run {
  const out = join(dir, 'report.json');
  const r = spawnSync(process.execPath, [CHILD, dist, 'analyze', file, '-f', 'json', '-o', out, '--no-progress'],
    { encoding: 'utf8', maxBuffer: 64 * MiB });
  const m = /VMHWM (\d+)/.exec(r.stderr);
  let report: any = null;
  try { report = JSON.parse(readFileSync(out, 'utf8')); unlinkSync(out); } catch { /* asserted below */ }
  return { code: r.status ?? -1, peakBytes: m ? Number(m[1]) * 1024 : -1, report, stderr: r.stderr };
}

const mib = (b: number): string => `${(b / MiB).toFixed(0)} MiB`;

describe('large hostile inputs', () => {
  it('a SYN flood of 1,000,000 distinct flows: evictions reported, memory flat in the flood size', () => {
    const small = join(dir, 'flood-100k.pcap');
    const big = join(dir, 'flood-1m.pcap');
    writeSynFlood(small, 100_000);
    writeSynFlood(big, 1_000_000);
    const a = analyze(small);
    unlinkSync(small);
    const b = analyze(big);
    unlinkSync(big);
    console.log(`syn flood: 100k flows peak RSS ${mib(a.peakBytes)}, 1M flows peak RSS ${mib(b.peakBytes)}`);
    for (const [r, n] of [[a, 100_000], [b, 1_000_000]] as const) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.report.inputs[0].packets).toBe(n);
      expect(r.report.streams.length).toBeLessThanOrEqual(MAX_IDLE_STREAMS);
      const f = r.report.findings.find((x: { code: string }) => x.code === 'STREAM_TABLE_EVICTIONS');
      expect(f, JSON.stringify(r.report.findings.map((x: { code: string }) => x.code))).toBeDefined();
      // Every flow is either listed or counted as evicted.
      const evicted = Number(/^(\d+) handshake-only/.exec(f.message)?.[1]);
      expect(evicted + r.report.streams.length).toBe(n);
    }
    // Ten times the flows may not cost more memory (unbounded state would grow ~10x).
    expect(b.peakBytes).toBeGreaterThan(0);
    expect(b.peakBytes).toBeLessThan(a.peakBytes * 1.25 + 32 * MiB);
    // The 200 MiB budget of normal captures: measured 161-169 MiB for both (once 191 on a busy
    // machine); 379 / 461 MiB before handshake-only streams got their observer state late (StreamTracker).
    expect(a.peakBytes).toBeLessThan(200 * MiB);
    expect(b.peakBytes).toBeLessThan(200 * MiB);
  }, 15 * 60_000);

  it('1 GiB of random bytes behind a valid pcap header: a report with the damage named by byte offset', () => {
    const file = join(dir, 'random-1g.pcap');
    writeRandomPcap(file, GiB);
    const r = analyze(file);
    unlinkSync(file);
    console.log(`random 1 GiB: peak RSS ${mib(r.peakBytes)}, ${r.report?.inputs[0].packets} frames, error at offset ${r.report?.inputs[0].error?.offset}`);
    const inp = r.report.inputs[0];
    expect(inp.error.message).toContain(file);
    expect(inp.error.offset).toBeGreaterThanOrEqual(24);
    expect(inp.error.message).toContain(`offset ${inp.error.offset}`);
    expect(r.report.findings.length).toBeGreaterThan(0);
    // Unreadable (exit 3) when not even one record made sense, else analysed with a warning (exit 0).
    expect(r.code).toBe(inp.failed ? 3 : 0);
    expect(r.peakBytes).toBeLessThan(200 * MiB);
  }, 15 * 60_000);

  it('a real capture repeated to 1 GiB and cut mid-record: every complete record analysed, the cut reported', () => {
    const file = join(dir, 'repeated-cut-1g.pcap');
    const { records } = writeRepeatedCut(file, LAB, GiB - 37);
    const r = analyze(file);
    unlinkSync(file);
    console.log(`repeated+cut 1 GiB: peak RSS ${mib(r.peakBytes)}, ${r.report?.inputs[0].packets} of ${records} records`);
    expect(r.code, r.stderr).toBe(0);
    const inp = r.report.inputs[0];
    expect(inp.packets).toBe(records);
    expect(inp.cutOff).toBe(true);
    expect(r.report.findings.map((x: { code: string }) => x.code)).toContain('CAPTURE_TRUNCATED_FILE');
    expect(r.report.migrations.length).toBeGreaterThan(0);
    expect(r.peakBytes).toBeLessThan(200 * MiB);
  }, 20 * 60_000);
});
