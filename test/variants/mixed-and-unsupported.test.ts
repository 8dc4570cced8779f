/**
 * The rest of issue 3's proof: a pcapng whose interfaces have different link types is read as-is
 * (libpcap refuses it), standard input and gzip on standard input analyse like the file, and
 * frames we cannot analyse (unknown link type, unknown GRE payload) are counted and reported,
 * never dropped silently and never fatal.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AnalysisResult, StreamReport } from '../../src/analysis/result.js';
import { CAPTURES, ROOT, runCli, tool } from '../helpers/cli.js';
import { analyze, expectSameAnalysis, view } from './compare.js';
import { greUnknown, loadEthernet, scratchDir, toSll2, writePcap, writePcapng, type Loaded } from './convert.js';

const ROUTED = join(CAPTURES, 'lab-routed.pcapng');
const L2 = join(CAPTURES, 'lab-l2.pcap');

let dir: string;
let routed: Loaded;
let l2: Loaded;
let routedResult: AnalysisResult;
beforeAll(async () => {
  dir = scratchDir('mixed');
  routed = loadEthernet(ROUTED, dir);
  l2 = loadEthernet(L2, dir);
  routedResult = await analyze(ROUTED);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Same instant, whatever precision it is printed at (a file mixing us and ns interfaces prints ns). */
const instant = (t: string | null): string | null => (t === null ? null : t.replace(/\.(\d*?)0*Z$/, '.$1Z'));

/** What a stream is, independent of frame numbering, time precision and the capture point's name. */
function totals(s: StreamReport): unknown {
  const d = (x: StreamReport['clientToServer']) => ({ packets: x.packets, ipBytes: x.ipBytes, payloadBytes: x.payloadBytes, retransmittedBytes: x.retransmittedBytes, firstDataTime: instant(x.firstDataTime), lastDataTime: instant(x.lastDataTime) });
  return { kind: s.kind, client: s.client, server: s.server, synSeen: s.synSeen, closed: s.closed, first: instant(s.firstPacketTime), last: instant(s.lastPacketTime), c2s: d(s.clientToServer), s2c: d(s.serverToClient), verdict: s.path?.verdict };
}
const byEndpoints = (a: unknown, b: unknown): number => JSON.stringify(a).localeCompare(JSON.stringify(b));

describe('a pcapng whose interfaces have different link types', () => {
  test('mergecap of an Ethernet and an SLL2 capture of different traffic: libpcap refuses it, we analyse both', async () => {
    const sll2 = writePcap(join(dir, 'l2-sll2.pcap'), 276, l2.recs.map(toSll2), { nanos: false });
    const merged = join(dir, 'merged.pcapng');
    tool('mergecap', ['-w', merged, ROUTED, sll2]);
    expect(tool('capinfos', ['-E', merged])).toMatch(/Per.packet/i);
    const td = spawnSync('tcpdump', ['-r', merged], { encoding: 'utf8' });
    expect(td.status, 'libpcap reads a mixed-link-type pcapng as-is: this proof needs a file it refuses').not.toBe(0);

    const result = await analyze(merged);
    expect(result.inputs[0].failed).toBe(false);
    expect(result.inputs[0].linkTypes.map((l) => [l.code, l.packets]).sort()).toEqual([[1, routed.recs.length], [276, l2.recs.length]].sort());
    expect(result.inputs[0].decodeProblems).toEqual([]);
    const separate = [...routedResult.streams, ...(await analyze(sll2)).streams].map(totals).sort(byEndpoints);
    expect(result.streams.map(totals).sort(byEndpoints)).toEqual(separate);
    // activeSeconds to the nanosecond: the run's time origin differs from the separate runs' (float rounding only).
    const mig = (m: AnalysisResult['migrations'][number]) => [m.sourceIps, m.destinationIps, m.payloadBytes, m.retransmittedBytes, m.activeSeconds.toFixed(9)];
    expect(result.migrations.map(mig).sort(byEndpoints)).toEqual([...routedResult.migrations, ...(await analyze(sll2)).migrations].map(mig).sort(byEndpoints));
  });

  test('one interface per link type (Ethernet, SLL2, an unknown one), written interleaved in time order', async () => {
    // Ethernet: the routed capture; SLL2: the L2 capture; 802.11: a copy of every third routed frame (reported, not analysed).
    const recs = [
      ...routed.recs.map((r) => ({ ...r, iface: 0 })),
      ...l2.recs.map((r) => ({ ...toSll2(r), iface: 1 })),
      ...routed.recs.filter((_, i) => i % 3 === 0).map((r) => ({ ...r, iface: 2 })),
    ].sort((a, b) => a.tsSec - b.tsSec || a.tsNsec - b.tsNsec || a.iface - b.iface);
    const file = writePcapng(join(dir, 'three-ifaces.pcapng'), [{ linkType: 1 }, { linkType: 276 }, { linkType: 105 }], recs, { nanos: true });
    const result = await analyze(file);
    const unknown = Math.ceil(routed.recs.length / 3);
    expect(result.inputs[0].decodeProblems).toEqual([{ layer: 'linktype', reason: expect.any(String), kind: 'unsupported', count: unknown, firstFrame: 2 }]);
    const f = result.findings.find((x) => x.code === 'CAPTURE_UNSUPPORTED_FRAMES');
    expect(f?.message).toContain(`${unknown} frames of link type IEEE802_11 (105) not analysed`);
    const separate = [...routedResult.streams, ...(await analyze(L2)).streams].map(totals).sort(byEndpoints);
    expect(result.streams.map(totals).sort(byEndpoints)).toEqual(separate);
  });
});

describe('frames we cannot analyse are counted and reported, never fatal', () => {
  test('editcap -T ieee-802-11 relabels the whole capture: every frame reported by link type', async () => {
    const relabelled = join(dir, 'wifi.pcapng');
    tool('editcap', ['-T', 'ieee-802-11', ROUTED, relabelled]);
    const result = await analyze(relabelled);
    const inp = result.inputs[0];
    expect([inp.failed, inp.error, inp.packets]).toEqual([false, null, routed.recs.length]);
    expect(inp.linkTypes).toEqual([{ code: 105, name: 'IEEE802_11', packets: routed.recs.length }]);
    expect(inp.decodeProblems).toEqual([{ layer: 'linktype', reason: expect.any(String), kind: 'unsupported', count: routed.recs.length, firstFrame: 1 }]);
    const f = result.findings.find((x) => x.code === 'CAPTURE_UNSUPPORTED_FRAMES');
    expect(f?.message).toMatch(new RegExp(`^${relabelled}: ${routed.recs.length} frames of link type IEEE802_11 \\(105\\) not analysed`));
    expect(f?.frames).toEqual([{ input: 0, frame: 1 }]);
    expect(result.findings.map((x) => x.code)).toContain('NO_VMOTION_TRAFFIC');
    // The CLI exits 0: an unreadable link type is a finding, not a failure.
    expect(runCli(['analyze', relabelled, '-f', 'json']).code).toBe(0);
  });

  test('GRE with an unknown protocol (0x1234): every frame counted, the message names the layer', async () => {
    const file = writePcap(join(dir, 'gre-1234.pcap'), 1, routed.recs.map(greUnknown), { nanos: true });
    const result = await analyze(file);
    expect(result.streams).toEqual([]);
    expect(result.inputs[0].decodeProblems).toEqual([{ layer: 'gre', reason: expect.stringMatching(/not a mirror encapsulation/), kind: 'unsupported', count: routed.recs.length, firstFrame: 1 }]);
    const f = result.findings.find((x) => x.code === 'CAPTURE_UNSUPPORTED_FRAMES');
    expect(f?.message).toContain(`${routed.recs.length} frames not analysed (gre:`);
    // tshark sees the same thing: GRE with protocol 0x1234 on every frame.
    expect(tool('tshark', ['-r', file, '-Y', 'gre.proto == 0x1234', '-T', 'fields', '-e', 'frame.number']).trim().split('\n')).toHaveLength(routed.recs.length);
  });
});

describe('standard input', () => {
  const dist = existsSync(join(ROOT, 'dist', 'cli', 'main.js'));
  test.each([['plain', false], ['gzip', true]] as const)('%s capture on stdin (-) analyses like the file', (_, gz) => {
    if (!dist && !process.env.CI) { console.warn('skipping: dist/ missing (run npm run build)'); return; }
    const bytes = readFileSync(L2);
    const r = runCli(['analyze', '-', '-f', 'json', '--point', 'capture=-'], { input: gz ? gzipSync(bytes) : bytes });
    expect(r.code, r.stderr).toBe(0);
    const viaStdin = JSON.parse(r.stdout) as AnalysisResult;
    expect(viaStdin.inputs[0].compression).toBe(gz ? 'gzip' : null);
    const file = JSON.parse(runCli(['analyze', L2, '-f', 'json', '--point', `capture=${L2}`]).stdout) as AnalysisResult;
    expectSameAnalysis(viaStdin, file, { path: 'full' });
    expect(view(viaStdin)).toEqual(view(file));
  });
});
