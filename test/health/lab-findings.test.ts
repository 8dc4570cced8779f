import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { analyzeFiles } from '../../src/analysis/analyze-files.js';
import { DEFAULT_OPTIONS } from '../../src/analysis/analyzer.js';
import type { AnalysisResult } from '../../src/analysis/result.js';
import { capture, tool, tsharkFlags, framesWith } from './helpers.js';
import * as F from '../../src/analysis/health/direction-health.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/analysis-v1.schema.json', import.meta.url), 'utf8'));
const ajv = new (Ajv2020 as any)({ allErrors: true, strict: false });
(addFormats as any)(ajv);
const validate = ajv.compile(schema);

const haveTshark = tool('tshark', ['--version']);
const frames = (file: string, filter: string): number[] =>
  execFileSync('tshark', ['-r', file, '-n', '-Y', filter, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter(Boolean).map(Number);

async function analyze(file: string): Promise<AnalysisResult> {
  const r = await analyzeFiles([file], { ...DEFAULT_OPTIONS });
  const ok = validate(JSON.parse(JSON.stringify(r)));
  expect(ok, JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  for (const s of r.streams) expect(s.health).toBeDefined();
  return r;
}

describe.runIf(haveTshark)('lab scenarios yield their findings with the proving frames', () => {
  it('refused port: CONNECTION_REFUSED citing each SYN and the RST that answered it', async () => {
    const file = capture('lab-refused.pcap');
    if (!file) return;
    const manifest = JSON.parse(readFileSync(file.replace('.pcap', '.manifest.json'), 'utf8'));
    const refused = manifest.streams.filter((s: { outcome: string }) => s.outcome === 'refused').length;
    const r = await analyze(file);
    const f = r.findings.filter((x) => x.code === 'CONNECTION_REFUSED');
    expect(f).toHaveLength(1);
    expect(f[0].streamIds).toHaveLength(refused);
    const syn = frames(file, 'tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==8000');
    const rst = frames(file, 'tcp.flags.reset==1 && tcp.srcport==8000');
    expect(rst).toHaveLength(refused);
    expect(f[0].frames.map((x) => x.frame).sort((a, b) => a - b)).toEqual([...syn, ...rst].sort((a, b) => a - b));
    expect(r.findings.some((x) => x.code === 'CONNECTION_RESET' || x.code === 'SYN_UNANSWERED')).toBe(false);
  }, 60_000);

  it('silent peer: SYN_UNANSWERED citing every SYN', async () => {
    const file = capture('lab-silent.pcap');
    if (!file) return;
    const r = await analyze(file);
    const f = r.findings.filter((x) => x.code === 'SYN_UNANSWERED');
    expect(f).toHaveLength(1);
    const syn = frames(file, 'tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==8000');
    expect(syn.length).toBeGreaterThan(1);
    expect(f[0].frames.map((x) => x.frame)).toEqual(syn.slice(0, 20));
    // SYN retransmissions are retransmissions to tshark too.
    const retrans = r.streams.reduce((a, s) => a + s.health!.clientToServer.retransmittedSegments, 0);
    expect(retrans).toBe(framesWith(tsharkFlags(file), F.A_RETRANSMISSION).length);
    expect(r.findings.some((x) => x.code === 'CONNECTION_REFUSED')).toBe(false);
  }, 60_000);

  it('jumbo hosts behind a 1500 hop: MTU_FRAGMENTATION_NEEDED citing the ICMP frames and their MTU', async () => {
    const file = capture('lab-mtu.pcap');
    if (!file) return;
    const r = await analyze(file);
    const f = r.findings.filter((x) => x.code === 'MTU_FRAGMENTATION_NEEDED');
    expect(f).toHaveLength(1);
    const icmp = frames(file, 'icmp.type==3 && icmp.code==4');
    expect(icmp.length).toBeGreaterThan(0);
    expect(f[0].frames.map((x) => x.frame)).toEqual(icmp.slice(0, 20));
    const mtu = execFileSync('tshark', ['-r', file, '-n', '-Y', 'icmp.type==3 && icmp.code==4', '-T', 'fields', '-e', 'icmp.mtu', '-e', 'ip.src'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].split('\t');
    expect(f[0].message).toContain(`next-hop MTU ${mtu[0]}`);
    expect(f[0].message).toContain(mtu[1].split(',')[0]); // the router (outer source), not the quoted packet's
    expect(f[0].streamIds.length).toBeGreaterThan(0);
    expect(f[0].severity).toBe('error');
  }, 60_000);

  it('shallow shaper queue: RETRANSMISSIONS with tshark-flagged frames, and a retransmission series on the goodput intervals', async () => {
    const file = capture('lab-lossy.pcap');
    if (!file) return;
    const r = await analyze(file);
    const f = r.findings.filter((x) => x.code === 'RETRANSMISSIONS');
    expect(f.length).toBeGreaterThan(0);
    const theirs = new Set(framesWith(tsharkFlags(file), F.A_RETRANSMISSION));
    for (const fr of f[0].frames) expect(theirs.has(fr.frame)).toBe(true);
    const m = r.migrations.find((x) => x.id === f[0].migrationIds[0])!;
    const h = m.health!;
    expect(h.retransmissionSeries.map((p) => p.time)).toEqual(m.series.map((p) => p.time));
    const fwdRetrans = m.streamIds.reduce((a, id) => {
      const s = r.streams.find((x) => x.id === id)!;
      return a + (s.bulkDirection === 'serverToClient' ? s.health!.serverToClient : s.health!.clientToServer).retransmittedSegments;
    }, 0);
    expect(h.retransmissionSeries.reduce((a, p) => a + p.segments, 0)).toBe(h.retransmittedSegments);
    expect(h.retransmittedSegments).toBeGreaterThan(0);
    expect(fwdRetrans).toBeGreaterThanOrEqual(h.retransmittedSegments);
    expect(r.findings.some((x) => x.code === 'MTU_BLACKHOLE_SUSPECTED')).toBe(false);
  }, 60_000);

  it('a clean two-way capture raises no loss, one-way or gap findings, and measures RTT and handshake halves', async () => {
    const file = capture('lab-routed.pcapng');
    if (!file) return;
    const r = await analyze(file);
    for (const code of ['RETRANSMISSIONS', 'CAPTURE_ONE_WAY', 'CAPTURE_GAPS', 'SYN_UNANSWERED', 'CONNECTION_REFUSED', 'MTU_BLACKHOLE_SUSPECTED']) {
      expect(r.findings.map((x) => x.code)).not.toContain(code);
    }
    const s = r.streams.find((x) => x.kind === 'vmotion' && x.synSeen && x.synAckSeen)!;
    const hs = s.health!.handshake;
    expect(hs.synToSynAckSeconds).toBeGreaterThan(0);
    expect(hs.synAckToAckSeconds).toBeGreaterThan(0);
    // tshark's initial RTT is SYN -> first ACK: our two halves add up to it.
    const irtt = Number(execFileSync('tshark', ['-r', file, '-n', '-Y', `tcp.srcport==${s.client.port} && tcp.flags.syn==1`, '-T', 'fields', '-e', 'tcp.analysis.initial_rtt'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]);
    if (irtt > 0) expect(Math.abs(hs.totalSeconds! - irtt)).toBeLessThan(2e-6);
    const bulk = r.streams.filter((x) => x.migrationId !== null && x.bulkDirection === 'clientToServer').map((x) => x.health!.clientToServer);
    expect(bulk.some((d) => d.rtt.samples > 0 && d.rtt.minSeconds! <= d.rtt.medianSeconds! && d.rtt.medianSeconds! <= d.rtt.maxSeconds!)).toBe(true);
    expect(r.migrations[0].health!.streamShares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  }, 60_000);
});
