/**
 * Issue 3's proof for link layers and file forms: each real lab capture, turned into a variant
 * (by editcap / tcpdump / tcprewrite where they can, by test/variants/convert.ts where no tool
 * writes it), analyses exactly like the plain Ethernet original: same streams, frame numbers,
 * times, packets, IP and payload bytes, retransmissions, migrations and throughput series.
 * Only wireBytes move, by exactly the per-frame header change; MAC evidence is compared only
 * where the variant still carries both MACs.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AnalysisResult } from '../../src/analysis/result.js';
import { CAPTURES, tool } from '../helpers/cli.js';
import { analyze, expectSameAnalysis, view, type ViewOpts } from './compare.js';
import {
  isIp, loadEthernet, scratchDir, toLoop, toNull, toRaw, toSll, toSll2, withFcs, withTags, writePcap, writePcapng,
  ethernetHeader, type Loaded, type Rec,
} from './convert.js';

const SOURCES = ['lab-routed.pcapng', 'lab-l2.pcap', 'lab-routed-ipv6.pcapng'];

const ipv4Only = (r: Rec): boolean => ethernetHeader(r.data).etherType === 0x0800;
const ipv6Only = (r: Rec): boolean => ethernetHeader(r.data).etherType === 0x86dd;

interface RecordVariant {
  name: string;
  /** Link-type field of the pcap header (may carry FCS bits), or a pcapng interface. */
  linkType: number;
  pcapng?: { fcslen?: number };
  convert: (r: Rec) => Rec;
  /** Frames the link type can carry (RAW/NULL/LOOP carry no ARP): the reference keeps only these. */
  keep?: (r: Rec) => boolean;
  opts: ViewOpts;
}

const RAW_KEEP = isIp;
const VARIANTS: RecordVariant[] = [
  { name: 'RAW (101)', linkType: 101, convert: toRaw, keep: RAW_KEEP, opts: { wireDelta: -14, path: 'verdict' } },
  { name: 'RAW legacy 12', linkType: 12, convert: toRaw, keep: RAW_KEEP, opts: { wireDelta: -14, path: 'verdict' } },
  { name: 'RAW legacy 14', linkType: 14, convert: toRaw, keep: RAW_KEEP, opts: { wireDelta: -14, path: 'verdict' } },
  { name: 'IPV4 (228)', linkType: 228, convert: toRaw, keep: ipv4Only, opts: { wireDelta: -14, path: 'verdict' } },
  { name: 'IPV6 (229)', linkType: 229, convert: toRaw, keep: ipv6Only, opts: { wireDelta: -14, path: 'verdict' } },
  ...[10, 24, 28, 30].flatMap((v6) => [true, false].map((le): RecordVariant => (
    { name: `NULL ${le ? 'little' : 'big'}-endian, AF_INET6=${v6}`, linkType: 0, convert: toNull(le, v6), keep: RAW_KEEP, opts: { wireDelta: -10, path: 'verdict' } }))),
  ...[24, 28, 30].map((v6): RecordVariant => ({ name: `LOOP AF_INET6=${v6}`, linkType: 108, convert: toLoop(v6), keep: RAW_KEEP, opts: { wireDelta: -10, path: 'verdict' } })),
  { name: 'LINUX_SLL (113)', linkType: 113, convert: toSll, opts: { wireDelta: 2, path: 'verdict' } },
  { name: 'LINUX_SLL2 (276)', linkType: 276, convert: toSll2, opts: { wireDelta: 6, path: 'verdict' } },
  { name: 'Ethernet + FCS (pcap FCS bits)', linkType: (1 | 0x04000000 | (2 << 28)) >>> 0, convert: withFcs, opts: { wireDelta: 4, path: 'full' } },
  { name: 'Ethernet + FCS (pcapng if_fcslen 4)', linkType: 1, pcapng: { fcslen: 4 }, convert: withFcs, opts: { wireDelta: 4, path: 'full' } },
  { name: 'Ethernet rewritten unchanged (pcapng)', linkType: 1, pcapng: {}, convert: (r) => r, opts: { path: 'full' } },
  { name: '802.1Q tag', linkType: 1, convert: withTags([{ tpid: 0x8100, vid: 30 }]), opts: { wireDelta: 4, path: 'full' } },
  { name: 'QinQ 802.1ad + 802.1Q', linkType: 1, convert: withTags([{ tpid: 0x88a8, vid: 100 }, { tpid: 0x8100, vid: 30 }]), opts: { wireDelta: 8, path: 'full' } },
  { name: 'QinQ 0x9100 + 802.1Q, in pcapng', linkType: 1, pcapng: {}, convert: withTags([{ tpid: 0x9100, vid: 4000 }, { tpid: 0x8100, vid: 1 }]), opts: { wireDelta: 8, path: 'full' } },
];

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe.each(SOURCES)('%s', (source) => {
  const path = join(CAPTURES, source);
  let dir: string;
  let cap: Loaded;
  let original: AnalysisResult;
  const refs = new Map<string, AnalysisResult>();

  beforeAll(async () => {
    dir = scratchDir('link'); dirs.push(dir);
    cap = loadEthernet(path, dir);
    original = await analyze(path);
  });

  test.each(VARIANTS)('$name analyses like the Ethernet original', async (v) => {
    const kept = v.keep ? cap.recs.filter(v.keep) : cap.recs;
    if (kept.length < cap.recs.length / 2) {
      // IPV4/IPV6 (228/229) of the other family's capture carries no migration: the other capture covers it.
      expect(v.keep === ipv6Only || v.keep === ipv4Only).toBe(true);
      return;
    }
    // The reference is the original itself, or the Ethernet frames this link type can carry.
    const refName = v.keep === RAW_KEEP ? 'ip' : v.keep === ipv4Only ? 'ipv4' : 'ipv6';
    const refPath = kept.length === cap.recs.length ? path : join(dir, `ref-${refName}.pcap`);
    // Never write refPath when it is the committed capture itself: that would rewrite captures/.
    if (refPath !== path && !refs.has(refPath)) refs.set(refPath, await analyze(writePcap(refPath, 1, kept, { nanos: cap.nanos })));
    const reference = refPath === path ? original : refs.get(refPath)!;
    const out = join(dir, `variant.${v.pcapng ? 'pcapng' : 'pcap'}`);
    const recs = kept.map(v.convert);
    if (v.pcapng) writePcapng(out, [{ linkType: v.linkType, fcslen: v.pcapng.fcslen }], recs, { nanos: cap.nanos });
    else writePcap(out, v.linkType, recs, { nanos: cap.nanos });
    const variant = await analyze(out);
    expectSameAnalysis(variant, reference, v.opts);
    expect(variant.inputs[0].decodeProblems).toEqual(reference.inputs[0].decodeProblems);
    expect(variant.inputs[0].linkTypes.map((l) => l.code)).toEqual([v.linkType & 0xffff]);
    // The writer is checked too: tshark dissects the variant's TCP exactly as the reference's
    // (except NULL with Linux's AF_INET6 10, which Wireshark's NULL dissector does not know).
    if (!(v.linkType === 0 && v.name.endsWith('=10') && cap.recs.some(ipv6Only))) expect(tsharkTcp(out)).toBe(tsharkTcp(refPath));
  });

  test('big-endian pcap of the same frames (SLL2, as a big-endian host writes it)', async () => {
    const out = writePcap(join(dir, 'be.pcap'), 276, cap.recs.map(toSll2), { nanos: cap.nanos, le: false });
    expectSameAnalysis(await analyze(out), original, { wireDelta: 6, path: 'verdict' });
  });

  test('tools: editcap to the other file format (same precision) and tcpdump -r -w', async () => {
    const other = join(dir, 'other');
    tool('editcap', ['-F', source.endsWith('.pcapng') ? (cap.nanos ? 'nsecpcap' : 'pcap') : 'pcapng', path, other]);
    expectSameAnalysis(await analyze(other), original, { path: 'full' });
    const td = join(dir, 'tcpdump.pcap');
    tool('tcpdump', ['-r', path, '-w', td, ...(cap.nanos ? ['--time-stamp-precision=nano'] : [])]);
    expectSameAnalysis(await analyze(td), original, { path: 'full' });
  });

  test('tools: tcprewrite adds 802.1Q then 802.1ad (QinQ), editcap -C 14 -T rawip strips Ethernet', async () => {
    const tagged = join(dir, 'tagged.pcap');
    const qinq = join(dir, 'qinq.pcap');
    // Both -pri and -cfi: without them tcprewrite 4.4.3 silently drops each frame's last 4 bytes (appneta/tcpreplay#990).
    tool('tcprewrite', ['--enet-vlan=add', '--enet-vlan-tag=42', '--enet-vlan-pri=5', '--enet-vlan-cfi=0', `--infile=${path}`, `--outfile=${tagged}`]);
    tool('tcprewrite', ['--enet-vlan=add', '--enet-vlan-tag=100', '--enet-vlan-pri=0', '--enet-vlan-cfi=0', '--enet-vlan-proto=802.1ad', `--infile=${tagged}`, `--outfile=${qinq}`]);
    // tcprewrite writes microsecond pcap: compare with the original at microsecond precision.
    const usRef = cap.nanos ? await analyze(writePcap(join(dir, 'us.pcap'), 1, cap.recs, { nanos: false })) : original;
    // tcprewrite 4.4.3 also overwrites the MACs of IPv6 frames with 33:33:... : no MAC evidence to compare there.
    const path6 = source.includes('ipv6') ? 'none' : 'full';
    expectSameAnalysis(await analyze(tagged), usRef, { wireDelta: 4, path: path6 });
    expectSameAnalysis(await analyze(qinq), usRef, { wireDelta: 8, path: path6 });

    const raw = join(dir, 'raw.pcap');
    tool('editcap', ['-C', '14', '-T', 'rawip', path, raw]);
    const rawResult = await analyze(raw);
    // Frame numbers stay: ARP frames become garbage "IP" and are reported, every IP frame analyses the same.
    expect(view(rawResult, { path: 'verdict' })).toEqual(view(original, { path: 'verdict' }));
    const arp = cap.recs.filter((r) => !isIp(r)).length;
    const problems = rawResult.inputs[0].decodeProblems;
    expect(problems.reduce((n, p) => n + p.count, 0) - original.inputs[0].decodeProblems.reduce((n, p) => n + p.count, 0)).toBe(arp);
    if (arp > 0) {
      expect(rawResult.findings.some((f) => f.code === 'CAPTURE_UNSUPPORTED_FRAMES' && f.message.includes(`${arp} frames`))).toBe(true);
    }
  });

  test('gzip-compressed copy', async () => {
    const gz = join(dir, `${source}.gz`);
    writeFileSync(gz, gzipSync(readFileSync(path)));
    const r = await analyze(gz);
    expect(r.inputs[0].compression).toBe('gzip');
    expectSameAnalysis(r, original, { path: 'full' });
  });
});

const tsharkCache = new Map<string, string>();
/** TCP frame numbers, ports and sequence numbers as tshark dissects them. */
function tsharkTcp(file: string): string {
  // References (originals and ref-*.pcap) do not change within a run: dissect each once.
  const cacheable = file.startsWith(CAPTURES) || file.includes('/ref-');
  if (cacheable && tsharkCache.has(file)) return tsharkCache.get(file)!;
  const out = tool('tshark', ['-r', file, '-n', '-Y', 'tcp', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.seq_raw', '-e', 'tcp.len']);
  if (cacheable) tsharkCache.set(file, out);
  return out;
}
