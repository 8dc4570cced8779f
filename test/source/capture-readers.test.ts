import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ethTcpFrame, pcapFile, type PcapPacket } from './capture-writer.js';
import { craftedPcapng } from './crafted-captures.js';
import { captureLoopback } from './loopback-capture.js';
import { capinfosCount, missingTools, readAll, run, sameTime, tsharkFrames, type GotFrame } from './tools.js';

const missing = missingTools(['tshark', 'editcap', 'capinfos', 'mergecap']);
let dir = '';
let base = '';
let realCapture = false;

/** Synthetic Ethernet capture: 90 frames, snaplen 128, some truncated, µs timestamps. */
function syntheticPackets(): PcapPacket[] {
  const out: PcapPacket[] = [];
  for (let i = 0; i < 90; i++) {
    const size = 60 + ((i * 97) % 1400);
    const frame = ethTcpFrame(size, i * 1000);
    out.push({ sec: 1_700_000_000 + Math.floor(i / 7), frac: (i * 123_457) % 1_000_000, data: frame.subarray(0, Math.min(128, size)), origLen: size });
  }
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vma-source-'));
  base = join(dir, 'base.pcap');
  realCapture = await captureLoopback(base).catch(() => false);
  if (!realCapture) {
    console.warn('capture readers: no tcpdump loopback capture (not root or tcpdump missing); using a synthetic base capture');
    writeFileSync(base, pcapFile({ le: true, nanos: false, linkTypeField: 1, snaplen: 128 }, syntheticPackets()));
  }
}, 20_000);

afterAll(() => {
  if (process.env.KEEP_FIXTURES) console.warn(`fixtures kept in ${dir}`);
  else if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Every frame equals tshark's: same numbering, timestamp digits, lengths and interface.
 * tshark prints no time for a Simple Packet Block (it has none); we carry the previous one.
 * tshark's interface_id is per section; ours is file-wide, so multi-section files skip that check.
 */
async function expectLikeTshark(file: string, sameIfIds = true): Promise<{ frames: GotFrame[] }> {
  const [{ summary, frames }, all] = await Promise.all([readAll(file), tsharkFrames(file)]);
  const ref = all.filter((r) => r.isPacket);
  expect(summary.errors).toEqual([]);
  expect(ref.length).toBeGreaterThan(0);
  expect(frames.length).toBe(ref.length);
  expect(summary.packets).toBe(ref.length);
  expect(summary.packets).toBe(capinfosCount(file));
  for (let i = 0; i < ref.length; i++) {
    const g = frames[i];
    const r = ref[i];
    expect(g.number).toBe(r.number);
    if (r.hasTime && !sameTime(g, r)) expect(`${file} frame ${r.number}: ${g.sec}.${String(g.nsec).padStart(9, '0')}`).toBe(`${r.sec}.${r.frac}`);
    if (!r.hasTime) expect(i > 0 ? [g.sec, g.nsec] : [0, 0]).toEqual(i > 0 ? [frames[i - 1].sec, frames[i - 1].nsec] : [0, 0]);
    expect(g.origLen).toBe(r.len);
    expect(g.capLen).toBe(r.capLen);
    if (sameIfIds && r.ifId !== null) expect(g.ifId).toBe(r.ifId);
  }
  expect(summary.truncatedPackets).toBe(ref.filter((r) => r.capLen < r.len).length);
  return { frames };
}

describe.skipIf(missing.length > 0)('capture readers against tshark', () => {
  it('reads the base capture like tshark and capinfos', async () => {
    const { frames } = await expectLikeTshark(base);
    if (realCapture) expect(frames.length).toBe(60); // tcpdump -c 60
    const { summary } = await readAll(base);
    expect(summary.format).toBe('pcap');
    expect(summary.byteOrder).toBe('little');
    expect(summary.interfaces).toEqual([{ id: 0, linkType: 1, snaplen: 128, name: null, tsDigits: 6 }]);
    expect(summary.bytesRead).toBe(readFileSync(base).length);
    // Record offsets: the first record follows the 24-byte file header, each next one its predecessor.
    expect(frames[0].fileOffset).toBe(24);
    for (let i = 1; i < frames.length; i++) expect(frames[i].fileOffset).toBe(frames[i - 1].fileOffset + 16 + frames[i - 1].capLen);
    expect(summary.droppedPackets).toBeNull();
  });

  it('reads editcap/tshark rewrites: pcapng, nanosecond pcap, split files', async () => {
    const ng = join(dir, 'editcap.pcapng');
    const ns = join(dir, 'nsec.pcap');
    const tng = join(dir, 'tshark.pcapng');
    const nsng = join(dir, 'nsec.pcapng');
    run('editcap', ['-F', 'pcapng', base, ng]);
    run('editcap', ['-F', 'nsecpcap', base, ns]);
    run('tshark', ['-r', base, '-F', 'pcapng', '-w', tng]);
    run('editcap', ['-F', 'pcapng', ns, nsng]);
    const baseFrames = (await readAll(base)).frames;
    for (const f of [ng, ns, tng, nsng]) {
      const { frames } = await expectLikeTshark(f);
      // Same packets as the original, whatever the container.
      expect(frames.map((x) => [x.sec, x.nsec, x.capLen, x.origLen, x.data])).toEqual(baseFrames.map((x) => [x.sec, x.nsec, x.capLen, x.origLen, x.data]));
    }
    expect((await readAll(ns)).summary.format).toBe('pcap-ns');
    expect((await readAll(ns)).summary.interfaces[0].tsDigits).toBe(9);
    const ngSummary = (await readAll(ng)).summary;
    expect(ngSummary.format).toBe('pcapng');
    expect(ngSummary.interfaces.length).toBe(1);
    expect((await readAll(nsng)).summary.interfaces[0].tsDigits).toBe(9); // if_tsresol 9 from the ns pcap

    run('editcap', ['-c', '25', base, join(dir, 'split.pcap')]);
    const parts = run('sh', ['-c', `ls ${dir}/split_*.pcap`]).trim().split('\n');
    expect(parts.length).toBeGreaterThan(1);
    let total = 0;
    for (const p of parts) total += (await expectLikeTshark(p)).frames.length;
    expect(total).toBe(baseFrames.length);
  }, 20_000);

  it('reads a mergecap multi-interface pcapng with different link types', async () => {
    const sll = join(dir, 'sll.pcap');
    const merged = join(dir, 'merged.pcapng');
    run('editcap', ['-T', 'linux-sll', base, sll]);
    run('mergecap', ['-F', 'pcapng', '-w', merged, base, sll]);
    const { frames } = await expectLikeTshark(merged);
    const { summary } = await readAll(merged);
    expect(summary.interfaces.map((i) => i.linkType).sort()).toEqual([1, 113]);
    const byIf = new Map(summary.interfaces.map((i) => [i.id, i.linkType]));
    for (const f of frames) expect(f.linkType).toBe(byIf.get(f.ifId));
    expect(new Set(frames.map((f) => f.linkType))).toEqual(new Set([1, 113]));
  });

  it('streams gzip-compressed pcap and pcapng', async () => {
    const ng = join(dir, 'gz-src.pcapng');
    run('editcap', ['-F', 'pcapng', base, ng]);
    for (const src of [base, ng]) {
      const gz = `${src}.gz`;
      writeFileSync(gz, gzipSync(readFileSync(src)));
      await expectLikeTshark(gz);
      const progress: Array<[number, number | null]> = [];
      const frames: number[] = [];
      const { readCapture } = await import('../../src/source/read-capture.js');
      const summary = await readCapture(gz, (f) => frames.push(f.frameNumber), { inputIndex: 2, chunkSize: 4096, onProgress: (a, b) => progress.push([a, b]) });
      expect(summary.compression).toBe('gzip');
      expect(summary.bytesRead).toBe(readFileSync(src).length);
      expect(progress.at(-1)).toEqual([readFileSync(gz).length, readFileSync(gz).length]);
      expect(frames).toEqual(frames.map((_, i) => i + 1));
    }
  });

  it('reads crafted big-endian pcap (µs and ns) with FCS bits in the link-type field', async () => {
    const pkts: PcapPacket[] = [0, 1, 2, 3].map((i) => ({ sec: 1_600_000_000 + i, frac: 999_999 - i, data: ethTcpFrame(64 + i * 10, i) }));
    const usFile = join(dir, 'be-us.pcap');
    // FCS present (bit 26) with 2 16-bit words = 4 bytes.
    writeFileSync(usFile, pcapFile({ le: false, nanos: false, linkTypeField: 1 | 0x04000000 | (2 << 28), snaplen: 65535 }, pkts));
    const { frames } = await expectLikeTshark(usFile);
    expect(frames.every((f) => f.linkType === 1 && f.fcs === 4)).toBe(true);
    const { summary } = await readAll(usFile);
    expect(summary.byteOrder).toBe('big');

    const nsFile = join(dir, 'be-ns.pcap');
    writeFileSync(nsFile, pcapFile({ le: false, nanos: true, linkTypeField: 1, snaplen: 65535 },
      pkts.map((p, i) => ({ ...p, frac: 999_999_999 - i * 111_111_111 }))));
    const ns = await expectLikeTshark(nsFile);
    expect(ns.frames[0].nsec).toBe(999_999_999);
    expect(ns.frames.every((f) => f.fcs === 0)).toBe(true);
  });

  it('reads a crafted multi-section pcapng: byte orders, tsresol, tsoffset, SPB, PB, ISB, unknown blocks', async () => {
    const file = join(dir, 'crafted.pcapng');
    writeFileSync(file, craftedPcapng());
    const { frames } = await expectLikeTshark(file, false);
    const { summary } = await readAll(file);
    expect(summary.format).toBe('pcapng');
    // Wireshark numbers the two custom blocks as frames 3 and 8; packet numbers skip them.
    expect(frames.map((f) => f.number)).toEqual([1, 2, 4, 5, 6, 7, 9]);
    expect(summary.byteOrder).toBe('big');
    expect(summary.interfaces).toEqual([
      { id: 0, linkType: 1, snaplen: 262144, name: 'vmk1', tsDigits: 9 },
      { id: 1, linkType: 1, snaplen: 96, name: null, tsDigits: 7 },
      { id: 2, linkType: 113, snaplen: 128, name: 'any', tsDigits: 6 },
    ]);
    // Interface ids are unique across sections; the SPB belongs to interface 0 of its section.
    expect(frames.map((f) => f.ifId)).toEqual([0, 1, 0, 1, 2, 2, 2]);
    expect(frames.map((f) => f.linkType)).toEqual([1, 1, 1, 1, 113, 113, 113]);
    // 64-bit nanosecond count that a double cannot hold exactly.
    expect([frames[0].sec, frames[0].nsec]).toEqual([1_751_234_567, 123_456_789]);
    // 2^-20 units plus if_tsoffset 100 s.
    expect([frames[1].sec, frames[1].nsec]).toEqual([1_751_234_667, 500_000_000]);
    // SPB: captured = min(orig, snaplen, block room); previous packet's timestamp.
    expect(frames[5].capLen).toBe(128);
    expect(frames[5].origLen).toBe(400);
    expect([frames[5].sec, frames[5].nsec]).toEqual([frames[4].sec, frames[4].nsec]);
    expect(frames[2].fcs).toBe(4);
    // Drops: last ISB of interface 0 (5 + 1) plus interface 2 (7); interface 0's first ISB is superseded.
    expect(summary.droppedPackets).toBe(13);
  });
});
