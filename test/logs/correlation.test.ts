import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { analyzeFiles } from '../../src/analysis/analyze-files.js';
import { DEFAULT_OPTIONS } from '../../src/analysis/analyzer.js';
import { LOG_MB } from '../../src/analysis/log-correlation.js';
import type { AnalysisResult } from '../../src/analysis/result.js';
import { CAPTURES, ROOT, tool } from '../helpers/cli.js';
import { labManifest, specsFrom, vmkernelLog } from './fixture-log.js';

const dir = mkdtempSync(join(tmpdir(), 'vmk-corr-'));
const write = (name: string, data: string | Buffer): string => { const p = join(dir, name); writeFileSync(p, data); return p; };
const analyze = (captures: string[], logs?: string[], extra: Record<string, unknown> = {}): Promise<AnalysisResult> =>
  analyzeFiles(captures, { ...DEFAULT_OPTIONS }, { vmkernelLogs: logs, ...extra });
const codes = (r: AnalysisResult): string[] => r.findings.map((f) => f.code);
const ajv = new (Ajv2020 as any)({ allErrors: true, strict: false });
(addFormats as any)(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schema', 'analysis-v1.schema.json'), 'utf8')));
const schemaValid = (r: AnalysisResult): void => {
  const ok = validate(JSON.parse(JSON.stringify(r)));
  expect(ok ? [] : validate.errors.slice(0, 5)).toEqual([]);
};
const haveTools = ['editcap', 'mergecap', 'tcprewrite'].every((t) => spawnSync(t, ['-h']).error === undefined);
if (!haveTools && process.env.CI) throw new Error('editcap, mergecap and tcprewrite are required in CI (wireshark-common, tcpreplay)');
if (!haveTools) console.log('skipping the concurrent/multi-NIC capture tests: editcap, mergecap or tcprewrite is missing (apt-get install wireshark-common tcpreplay)');

describe('log correlation on lab captures', () => {
  const l2 = labManifest('lab-l2');

  it('6.x source-host log (host clock 3.25 s behind): each id attaches to its migration, offset estimated, bandwidth beside throughput', async () => {
    const specs = specsFrom(l2.migrations, '1795692214414001', 12.5);
    const log = write('l2-src-vmkernel.log', vmkernelLog(specs, { format: '6.x', side: 'source', offsetSeconds: 3.25, crlf: true }));
    const r = await analyze([join(CAPTURES, 'lab-l2.pcap')], [log]);
    expect(r.migrations).toHaveLength(2);
    // Capture migrations are in time order; the manifest's ones too.
    expect(r.migrations.map((m) => m.log?.migrationId)).toEqual(specs.map((s) => s.ts));
    const m1 = r.migrations[0];
    expect(m1.log).toMatchObject({ format: '6.x/7.x', sourceIps: ['10.80.0.2'], destinationIps: ['10.80.0.3'], seenOn: ['source'], encrypted: null, bandwidthEstimateMBps: 12.5 });
    expect(m1.log!.bandwidthEstimateBytesPerSecond).toBe(Math.round(12.5 * LOG_MB));
    expect(m1.log!.lines.every((l) => l.file === log && l.line > 0)).toBe(true);
    const off = r.logCorrelation!.clockOffsets;
    expect(off).toHaveLength(1);
    expect(off[0].method).toBe('estimated');
    // The Migrate line is written 30 ms before the first stream: offset = 3.25 + 0.03 within capture/manifest jitter.
    expect(Math.abs(off[0].seconds - 3.28)).toBeLessThan(0.05);
    expect(r.logMigrations!.map((m) => m.captureMigrationIds)).toEqual([[1], [2]]);
    expect(codes(r).filter((c) => c.startsWith('LOG_') || c === 'CAPTURE_MIGRATION_NOT_IN_LOG')).toEqual([]);
    schemaValid(r);
  });

  it('finds a host clock off by more than the spacing between migrations (-47.5 s)', async () => {
    const specs = specsFrom(l2.migrations, '7182955985622810397', 14.25);
    const log = write('l2-skewed.log', vmkernelLog(specs, { format: '8.x', side: 'source', offsetSeconds: -47.5, encrypted: true }));
    const r = await analyze([join(CAPTURES, 'lab-l2.pcap')], [log]);
    expect(r.migrations.map((m) => m.log?.migrationId)).toEqual(specs.map((s) => s.ts));
    expect(Math.abs(r.logCorrelation!.clockOffsets[0].seconds - (-47.5 + 0.03))).toBeLessThan(0.05);
    expect(r.migrations[0].log).toMatchObject({ format: '8.x', encrypted: true, bandwidthEstimateMBps: 14.25 });
  });

  it('without a log the result is unchanged apart from the empty log fields', async () => {
    const r = await analyze([join(CAPTURES, 'lab-l2.pcap')]);
    expect(r.migrations.map((m) => m.log)).toEqual([null, null]);
    expect(r.logMigrations).toEqual([]);
    expect(r.logCorrelation).toBeNull();
    schemaValid(r);
  });

  it('8.x destination-host log, rotated into vmkernel.0.gz + vmkernel.log, encrypted; an assumed offset is used as given', async () => {
    const routed = labManifest('lab-routed');
    const specs = specsFrom(routed.migrations, '7182955985622810397', 900.25);
    const text = vmkernelLog(specs, { format: '8.x', side: 'destination', offsetSeconds: -1.5, encrypted: true });
    const lines = text.split('\n');
    const cut = lines.findIndex((l) => l.includes(specs[1].ts)); // rotation between the two migrations
    const older = write('vmkernel.0.gz', gzipSync(lines.slice(0, cut).join('\n') + '\n'));
    const newer = write('vmkernel.log', lines.slice(cut).join('\n'));
    const r = await analyze([join(CAPTURES, 'lab-routed.pcapng')], [newer, older], { logCorrelation: { offsetSeconds: -1.5 } });
    expect(r.migrations.map((m) => m.log?.migrationId)).toEqual(specs.map((s) => s.ts));
    // The destination does not print the sender's pre-copy estimate.
    expect(r.migrations[1].log).toMatchObject({ format: '8.x', encrypted: true, seenOn: ['destination'], bandwidthEstimateMBps: null });
    expect(r.logCorrelation!.clockOffsets[0]).toMatchObject({ seconds: -1.5, method: 'assumed' });
    expect(r.logCorrelation!.files.map((f) => f.compressed)).toEqual([false, true]);
  });

  it('IPv6 vmknics in the log match IPv6 captures', async () => {
    const v6 = labManifest('lab-routed-ipv6');
    const specs = specsFrom(v6.migrations, '1795693919117000');
    const log = write('v6.log', vmkernelLog(specs, { format: '6.x', side: 'source', offsetSeconds: 0.4, syslogPrefix: true }));
    const r = await analyze([join(CAPTURES, 'lab-routed-ipv6.pcapng')], [log]);
    expect(r.migrations.map((m) => m.log?.migrationId)).toEqual(specs.map((s) => s.ts));
  });

  it('log migrations without traffic, captured migrations missing from the log, unknown lines: findings', async () => {
    const [a, b] = specsFrom(l2.migrations, '1795692214414001');
    const ghost = { ts: '1795692217000001', sourceIps: ['10.80.0.7'], destinationIps: ['10.80.0.8'], start: l2.migrations[0].end + 0.5, end: l2.migrations[0].end + 1.5 };
    // The log covers both migrations' time (noise) but names only the first; plus a migration on other vmknics.
    let text = vmkernelLog([a, ghost], { format: '6.x', side: 'source', offsetSeconds: 0, from: a.start - 20, to: b.end + 20 });
    text += '2026-11-26T11:23:45.000Z In(182) vmkernel: cpu1:1)Migrate: 901: vmotion3: Source id=9, ts=77, srcIP = <10.80.0.2> dstIP = <10.80.0.3>\n';
    const log = write('partial.log', text);
    const r = await analyze([join(CAPTURES, 'lab-l2.pcap')], [log]);
    expect(r.migrations.map((m) => m.log?.migrationId ?? null)).toEqual([a.ts, null]);
    const notCaptured = r.findings.filter((f) => f.code === 'LOG_MIGRATION_NOT_CAPTURED');
    expect(notCaptured).toHaveLength(1);
    expect(notCaptured[0].message).toContain(ghost.ts);
    const notInLog = r.findings.filter((f) => f.code === 'CAPTURE_MIGRATION_NOT_IN_LOG');
    expect(notInLog.map((f) => f.migrationIds)).toEqual([[2]]);
    const unknown = r.findings.find((f) => f.code === 'LOG_UNKNOWN_FORMAT');
    expect(unknown?.message).toMatch(/1 line\(s\)/);
    expect(r.logCorrelation!.files[0].unknownFormatLines).toBe(1);
    expect(r.logMigrations!.find((m) => m.migrationId === ghost.ts)?.captureMigrationIds).toEqual([]);
    schemaValid(r);
  });

  it('a log from another day: no overlap finding, nothing attached', async () => {
    const specs = specsFrom(l2.migrations, '1795692214414001').map((s) => ({ ...s, start: s.start - 86400, end: s.end - 86400 }));
    const log = write('yesterday.log', vmkernelLog(specs, { format: '6.x', side: 'source', offsetSeconds: 0 }));
    const r = await analyze([join(CAPTURES, 'lab-l2.pcap')], [log]);
    expect(r.migrations.map((m) => m.log)).toEqual([null, null]);
    expect(codes(r)).toContain('LOG_CAPTURE_NO_OVERLAP');
    expect(codes(r)).not.toContain('CAPTURE_MIGRATION_NOT_IN_LOG'); // the log does not cover the capture's time
  });

  it('an unreadable log is a finding naming the file, the capture is still analysed', async () => {
    const r = await analyze([join(CAPTURES, 'lab-l2.pcap')], [join(dir, 'missing-vmkernel.log')]);
    expect(r.migrations).toHaveLength(2);
    expect(r.findings.find((f) => f.code === 'LOG_UNREADABLE')?.message).toContain('missing-vmkernel.log');
  });
});

/**
 * Two copies of lab-l2 merged, the second shifted by editcap -t and its client ports moved by
 * tcprewrite --portmap (so its streams are new connections): four migrations where packets see two,
 * because each copy's migration overlaps the other's between the same two hosts.
 */
describe.skipIf(!haveTools)('grouping with the log', () => {
  const l2 = labManifest('lab-l2');
  const shift = 0.8;
  const ports = [...new Set(l2.streams.map((s: any) => s.client.port as number))];
  const portmap = ports.map((p) => `${p}:${p - 10000}`).join(',');
  const base = join(CAPTURES, 'lab-l2.pcap');

  function concurrentCapture(): string {
    const shifted = join(dir, 'l2-shifted.pcap'); const moved = join(dir, 'l2-moved.pcap'); const merged = join(dir, 'l2-concurrent.pcap');
    tool('editcap', ['-t', String(shift), base, shifted]);
    tool('tcprewrite', [`--portmap=${portmap}`, '--fixcsum', `--infile=${shifted}`, `--outfile=${moved}`]);
    tool('mergecap', ['-F', 'pcap', '-w', merged, base, moved]);
    return merged;
  }

  it('concurrent migrations between the same hosts: merged without the log, split with it, each id on the right streams', async () => {
    const cap = concurrentCapture();
    const without = await analyze([cap]);
    expect(without.migrations).toHaveLength(2);
    expect(without.migrations.every((m) => m.streamIds.length === 6)).toBe(true);

    // Log order: original #1, copy #1, original #2, copy #2.
    const specs = [
      ...l2.migrations.map((m, i) => ({ ts: `14510616631059${20 + i}`, sourceIps: [m.source], destinationIps: [m.destination], start: m.start, end: m.end, bandwidthMBps: 11 + i })),
      ...l2.migrations.map((m, i) => ({ ts: `14510616631060${20 + i}`, sourceIps: [m.source], destinationIps: [m.destination], start: m.start + shift, end: m.end + shift, bandwidthMBps: 21 + i })),
    ];
    const log = write('concurrent-src.log', vmkernelLog(specs, { format: '6.x', side: 'source', offsetSeconds: 12 }));
    const r = await analyze([cap], [log]);
    expect(r.migrations).toHaveLength(4);
    // Each captured migration's streams are exactly one copy's streams of one lab migration.
    const expected = new Map<string, string>(); // "client port" -> log id
    for (const st of l2.streams) {
      if (st.migration === null) continue;
      expected.set(String(st.client.port), specs[st.migration - 1].ts);
      expected.set(String(st.client.port - 10000), specs[st.migration + 1].ts);
    }
    for (const m of r.migrations) {
      expect(m.streamIds).toHaveLength(3);
      for (const id of m.streamIds) {
        const s = r.streams.find((x) => x.id === id)!;
        const eph = s.client.port === 8000 ? s.server.port : s.client.port;
        expect([s.id, expected.get(String(eph))]).toEqual([s.id, m.log?.migrationId]);
      }
      // Exactly one lab migration's bytes (memory + small + the reverse stream's reply).
      expect(m.payloadBytes).toBe((l2.migrations[0] as any).bytesSourceToDestination);
    }
    expect(r.migrations.map((m) => m.log?.bandwidthEstimateMBps)).toEqual([11, 21, 12, 22]);
    expect(Math.abs(r.logCorrelation!.clockOffsets[0].seconds - 12.03)).toBeLessThan(0.05);
    schemaValid(r);
  });

  it('multi-NIC: the log names both vmknic pairs, so the two IP pairs are one migration', async () => {
    const other = join(dir, 'l2-nic2.pcap'); const shifted = join(dir, 'l2-nic2-shift.pcap'); const merged = join(dir, 'l2-multinic.pcap');
    tool('editcap', ['-t', '0.004', base, shifted]);
    tool('tcprewrite', ['--pnat=10.80.0.0/24:10.81.0.0/24', '--fixcsum', `--infile=${shifted}`, `--outfile=${other}`]);
    tool('mergecap', ['-F', 'pcap', '-w', merged, base, other]);
    const without = await analyze([merged]);
    expect(without.migrations).toHaveLength(4); // one per vmknic pair and migration
    const specs = l2.migrations.map((m, i) => ({ ts: `179569221441400${i}`, sourceIps: [m.source, m.source.replace('10.80.', '10.81.')], destinationIps: [m.destination, m.destination.replace('10.80.', '10.81.')], start: m.start, end: m.end }));
    // The source host's Migrate line names one IP; its vmknic lines name both (docs/esxi-logs.md).
    const text = vmkernelLog(specs.map((s) => ({ ...s, destinationIps: [s.destinationIps[0]] })), { format: '6.x', side: 'source', offsetSeconds: 0 })
      .replace(/src ip = <([^,>]+),[^>]*>/g, 'src ip = <$1>');
    const log = write('multinic-src.log', text);
    const r = await analyze([merged], [log]);
    expect(r.migrations).toHaveLength(4); // destination's second vmknic not named by this log: not merged
    const dstLog = write('multinic-dst.log', vmkernelLog(specs.map((s) => ({ ...s, sourceIps: [s.sourceIps[0]] })), { format: '8.x', side: 'destination', offsetSeconds: 0 }));
    const both = await analyze([merged], [log, dstLog]);
    expect(both.migrations).toHaveLength(2);
    expect(both.migrations.map((m) => m.log?.migrationId)).toEqual(specs.map((s) => s.ts));
    expect(both.migrations[0].sourceIps).toEqual(['10.80.0.2', '10.81.0.2']);
    expect(both.migrations[0].destinationIps).toEqual(['10.80.0.3', '10.81.0.3']);
    expect(both.migrations[0].payloadBytes).toBe(2 * (l2.migrations[0] as any).bytesSourceToDestination);
    expect(both.migrations[0].log?.seenOn).toEqual(['source', 'destination']);
    schemaValid(both);
  });
});
