import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { readVmkernelLogs } from '../../src/logs/vmkernel-log.js';
import { CAPTURES } from '../helpers/cli.js';
import { labManifest } from './fixture-log.js';

/**
 * Static fixtures, one per documented format, written for lab-l2.pcap (its IPs and times, host
 * clocks 2.5 s behind / 0.75 s ahead of the capture): esxi6-source (6.x/7.x, the source host, with
 * an earlier migration to another host, a cut line and a continuation line) and esxi8-destination
 * (8.x, the destination host, encrypted, CRLF).
 */
const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const V6 = join(FIX, 'esxi6-source-vmkernel.log');
const V8 = join(FIX, 'esxi8-destination-vmkernel.log');
const dir = mkdtempSync(join(tmpdir(), 'vmk-static-'));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.txt`);
  let err = '';
  const orig = process.stderr.write.bind(process.stderr);
  (process.stderr as any).write = (s: string | Uint8Array) => { err += String(s); return true; };
  try {
    const code = await main(['node', 'vmotion-analyzer', 'analyze', '--no-progress', '-o', out, ...args]);
    let text = '';
    try { text = readFileSync(out, 'utf8'); } catch { /* no report written */ }
    return { code, out: text, err };
  } finally { (process.stderr as any).write = orig; }
}

describe('static vmkernel.log fixtures', () => {
  const l2 = labManifest('lab-l2');

  it('parse to the migrations they were written for', async () => {
    const set = await readVmkernelLogs([V6, V8]);
    expect(set.migrations.map((m) => [m.ts, m.format, m.seenOn.join('+'), m.encrypted, m.bandwidthMBps])).toEqual([
      ['1795691611027734', '6.x/7.x', 'source', null, 1093.004],
      ['1795692211305920', '6.x/7.x', 'source', null, 13.872],
      ['7182955985622810397', '8.x', 'destination', true, null],
      ['1795692216211873', '6.x/7.x', 'source', null, 13.901],
      ['7182955985622815031', '8.x', 'destination', true, null],
    ]);
    expect(set.files.map((f) => [f.unknownFormatLines, f.untimedLines, f.hostIps.join()])).toEqual([[1, 1, '10.80.0.2'], [0, 0, '10.80.0.3']]);
  });

  it('CLI: --vmkernel-log attaches ids, shows encrypted and the host estimate beside measured throughput', async () => {
    const r = await cli([join(CAPTURES, 'lab-l2.pcap'), '--vmkernel-log', V6, '-f', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.migrations.map((m: any) => m.log.migrationId)).toEqual(['1795692211305920', '1795692216211873']);
    expect(j.logCorrelation.clockOffsets[0]).toMatchObject({ method: 'estimated', matches: 2 });
    expect(Math.abs(j.logCorrelation.clockOffsets[0].seconds - 2.53)).toBeLessThan(0.05);
    // The earlier migration to 10.80.0.9 is outside the capture: listed, not a finding.
    expect(j.logMigrations.map((m: any) => m.captureMigrationIds)).toEqual([[], [1], [2]]);
    expect(j.findings.map((f: any) => f.code)).toContain('LOG_UNKNOWN_FORMAT');
    expect(j.findings.map((f: any) => f.code)).not.toContain('LOG_MIGRATION_NOT_CAPTURED');

    const t = await cli([join(CAPTURES, 'lab-l2.pcap'), '--vmkernel-log', V8]);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/#1 log: id 7182955985622810397 · encrypted · destination log esxi8-destination-vmkernel\.log:\d+/);
    expect(t.out).toMatch(/clock of host 10\.80\.0\.3: capture = log − 0\.7\d\d s \(estimated from 2 migration\(s\)\)/);

    const b = await cli([join(CAPTURES, 'lab-l2.pcap'), '--vmkernel-log', V6]);
    expect(b.out).toMatch(/#1 log: id 1795692211305920 · encryption not stated · host estimate [\d.]+ Mbit\/s \(~13\.872 MB\/s\) vs measured [\d.]+ Mbit\/s/);
    expect(l2.migrations).toHaveLength(2);
  });

  it('CLI: a vm-support log directory (rotated, gzip) stands for its vmkernel logs; a missing log is a usage error', async () => {
    const logDir = mkdtempSync(join(dir, 'var-run-log-'));
    const text = readFileSync(V6, 'utf8').split('\n');
    writeFileSync(join(logDir, 'vmkernel.1.gz'), gzipSync(text.slice(0, 100).join('\n') + '\n'));
    writeFileSync(join(logDir, 'vmkernel.0.gz'), gzipSync(text.slice(100, 372).join('\n') + '\n'));
    writeFileSync(join(logDir, 'vmkernel.log'), text.slice(372).join('\n'));
    writeFileSync(join(logDir, 'hostd.log'), 'not a vmkernel log\n');
    const r = await cli([join(CAPTURES, 'lab-l2.pcap'), '--vmkernel-log', logDir, '-f', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.logCorrelation.files.map((f: any) => f.path.split('/').pop())).toEqual(['vmkernel.1.gz', 'vmkernel.0.gz', 'vmkernel.log']);
    expect(j.migrations.map((m: any) => m.log.migrationId)).toEqual(['1795692211305920', '1795692216211873']);

    const missing = await cli([join(CAPTURES, 'lab-l2.pcap'), '--vmkernel-log', join(dir, 'nope.log')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--vmkernel-log .*nope\.log: no such file/);
    const badOffset = await cli([join(CAPTURES, 'lab-l2.pcap'), '--vmkernel-log', V6, '--log-offset', 'soon']);
    expect(badOffset.code).toBe(2);
  });
});
