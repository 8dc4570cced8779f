import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { NgWriter, ethTcpFrame, pcapFile } from './capture-writer.js';
import { craftedPcapng } from './crafted-captures.js';
import { parseChunks, readAll } from './tools.js';

/** A small pcap: 12 records of varied size. Returns the bytes and every record's [start, end). */
function smallPcap(): { bytes: Buffer; records: Array<[number, number]> } {
  const pkts = Array.from({ length: 12 }, (_, i) => ({ sec: 1_700_000_000 + i, frac: i * 77, data: ethTcpFrame(54 + i * 13, i) }));
  const bytes = pcapFile({ le: true, nanos: false, linkTypeField: 1, snaplen: 65535 }, pkts);
  const records: Array<[number, number]> = [];
  let pos = 24;
  for (const p of pkts) { records.push([pos, pos + 16 + p.data.length]); pos += 16 + p.data.length; }
  return { bytes, records };
}

/** Start/end of every block of a pcapng file (walks the little/big-endian framing independently). */
function blocks(bytes: Buffer): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  let pos = 0;
  let le = true;
  while (pos < bytes.length) {
    if (bytes.readUInt32LE(pos) === 0x0a0d0d0a) le = bytes.readUInt32LE(pos + 8) === 0x1a2b3c4d;
    const type = le ? bytes.readUInt32LE(pos) : bytes.readUInt32BE(pos);
    const len = le ? bytes.readUInt32LE(pos + 4) : bytes.readUInt32BE(pos + 4);
    out.push([pos, pos + len, type]);
    pos += len;
  }
  return out;
}

const PACKET_BLOCKS = new Set([2, 3, 6]);

describe('chunk boundaries', () => {
  for (const [name, make] of [['pcap', () => smallPcap().bytes], ['pcapng', craftedPcapng]] as const) {
    it(`${name}: every split point and every chunk size give identical frames`, () => {
      const bytes = make();
      const whole = parseChunks(bytes, [bytes.length]);
      expect(whole.summary.errors).toEqual([]);
      expect(whole.frames.length).toBeGreaterThan(5);
      for (let k = 1; k < bytes.length; k++) {
        const split = parseChunks(bytes, [k, bytes.length]);
        expect(split.frames).toEqual(whole.frames);
        expect(split.summary).toEqual(whole.summary);
      }
      for (let size = 1; size <= 64; size++) {
        const r = parseChunks(bytes, [size]);
        expect(r.frames).toEqual(whole.frames);
        expect(r.summary).toEqual(whole.summary);
      }
      // Irregular sizes, including some that span several records.
      expect(parseChunks(bytes, [3, 200, 1, 17, 999, 5]).frames).toEqual(whole.frames);
    });
  }
});

describe('cut-off files', () => {
  it('pcap cut at every offset: complete records read, cut record reported with its offset', () => {
    const { bytes, records } = smallPcap();
    const whole = parseChunks(bytes, [bytes.length]).frames;
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { summary, frames } = parseChunks(bytes.subarray(0, cut), [97], 'cut.pcap');
      const complete = records.filter(([, end]) => end <= cut).length;
      expect(frames).toEqual(whole.slice(0, complete));
      const atBoundary = cut === 24 || records.some(([, end]) => end === cut);
      if (cut < 24) {
        expect(summary.errors.length).toBe(1);
        expect(summary.errors[0].fatal).toBe(true);
        expect(summary.errors[0].offset).toBe(0);
        expect(summary.errors[0].message).toContain('cut.pcap');
      } else if (atBoundary) {
        expect(summary.errors).toEqual([]);
        expect(summary.cutOff).toBe(false);
      } else {
        const at = records[complete][0];
        expect(summary.cutOff).toBe(true);
        expect(summary.errors).toHaveLength(1);
        expect(summary.errors[0]).toMatchObject({ offset: at, fatal: complete === 0 });
        expect(summary.errors[0].message).toMatch(new RegExp(`^cut\\.pcap: .*offset ${at}\\b.*cut off`));
      }
    }
  });

  it('pcapng cut at every offset behaves the same way', () => {
    const bytes = craftedPcapng();
    const bl = blocks(bytes);
    const whole = parseChunks(bytes, [bytes.length]).frames;
    for (let cut = 1; cut <= bytes.length; cut++) {
      const { summary, frames } = parseChunks(bytes.subarray(0, cut), [64]);
      const done = bl.filter(([, end]) => end <= cut);
      expect(frames).toEqual(whole.slice(0, done.filter(([, , t]) => PACKET_BLOCKS.has(t)).length));
      const boundary = done.length > 0 && done[done.length - 1][1] === cut;
      expect(summary.cutOff).toBe(!boundary && cut >= 4);
      if (!boundary && cut >= 4) expect(summary.errors[0].offset).toBe(bl[done.length][0]);
    }
  });
});

describe('standard input', () => {
  it("reads '-' from stdin, plain and gzip, in whatever chunks the pipe delivers", async () => {
    const bytes = craftedPcapng();
    const want = parseChunks(bytes, [bytes.length]).frames;
    const original = Object.getOwnPropertyDescriptor(process, 'stdin')!;
    try {
      for (const data of [bytes, gzipSync(bytes)]) {
        const pieces = [data.subarray(0, 1), data.subarray(1, 333), data.subarray(333)];
        Object.defineProperty(process, 'stdin', { configurable: true, get: () => Readable.from(pieces) });
        const { summary, frames } = await readAll('-');
        expect(frames).toEqual(want);
        expect(summary.path).toBe('-');
        expect(summary.compression).toBe(data === bytes ? null : 'gzip');
        expect(summary.bytesRead).toBe(bytes.length);
      }
    } finally {
      Object.defineProperty(process, 'stdin', original);
    }
  });
});

describe('bad input', () => {
  let dir = '';
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'vma-bad-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('garbage: fatal error naming the file, offset 0 and what to do', async () => {
    const f = join(dir, 'garbage.bin');
    writeFileSync(f, Buffer.from([0x00, 0xff, 0x13, 0x37, ...Array.from({ length: 5000 }, (_, i) => (i * 31) & 0xff)]));
    const { summary, frames } = await readAll(f);
    expect(frames).toEqual([]);
    expect(summary.errors).toHaveLength(1);
    expect(summary.errors[0]).toMatchObject({ offset: 0, fatal: true });
    expect(summary.errors[0].message).toContain(f);
    expect(summary.errors[0].message).toContain('magic 0x00ff1337 at offset 0');
    expect(summary.errors[0].message).toContain('editcap -F pcapng');
    const t = join(dir, 'notes.txt');
    writeFileSync(t, 'hello, this is not a capture\n');
    expect((await readAll(t)).summary.errors[0].message).toContain('looks like text');
  });

  it('unreadable, missing, empty and directory inputs become fatal errors, never throws', async () => {
    const missing = await readAll(join(dir, 'nope.pcap'));
    expect(missing.summary.errors[0]).toMatchObject({ fatal: true });
    expect(missing.summary.errors[0].message).toContain('nope.pcap: no such file');
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    expect((await readAll(sub)).summary.errors[0].message).toContain('directory');
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, '');
    expect((await readAll(empty)).summary.errors[0]).toMatchObject({ fatal: true, offset: 0 });
  });

  it('pcap record longer than 256 KiB stops reading at that record, keeping earlier frames', () => {
    const { bytes, records } = smallPcap();
    const bad = Buffer.from(bytes);
    bad.writeUInt32LE(0x7fffffff, records[3][0] + 8);
    const { summary, frames } = parseChunks(bad, [bad.length], 'hostile.pcap');
    expect(frames.map((f) => f.number)).toEqual([1, 2, 3]);
    expect(summary.errors).toHaveLength(1);
    expect(summary.errors[0]).toMatchObject({ offset: records[3][0], fatal: false });
    expect(summary.errors[0].message).toMatch(/^hostile\.pcap: record at offset \d+ claims 2147483647/);
    // Record over the snaplen but plausible: read as-is with one warning.
    const over = pcapFile({ le: true, nanos: false, linkTypeField: 1, snaplen: 64 }, [0, 1].map((i) => ({ sec: i, frac: 0, data: ethTcpFrame(100, i) })));
    const r = parseChunks(over, [over.length]);
    expect(r.frames).toHaveLength(2);
    expect(r.summary.errors).toHaveLength(1);
    expect(r.summary.errors[0]).toMatchObject({ offset: 24, fatal: false });
  });

  it('pcapng hostile block lengths stop with the offset; bad block contents are skipped', () => {
    const bytes = craftedPcapng();
    const bl = blocks(bytes);
    const firstEpb = bl.find(([, , t]) => t === 6)!;
    // The first section is big-endian.
    for (const [len, expectOffset] of [[0xfffffff0, 4], [13, 4], [8, 4], [20 * 1024 * 1024, 4]] as const) {
      const bad = Buffer.from(bytes);
      bad.writeUInt32BE(len, firstEpb[0] + 4);
      const { summary, frames } = parseChunks(bad, [100], 'hostile.pcapng');
      expect(frames).toEqual([]);
      expect(summary.errors).toHaveLength(1);
      expect(summary.errors[0]).toMatchObject({ offset: firstEpb[0] + expectOffset, fatal: true });
      expect(summary.errors[0].message).toContain(`hostile.pcapng: pcapng block at offset ${firstEpb[0]}`);
    }
    const trailer = Buffer.from(bytes);
    trailer.writeUInt32BE(0x40, firstEpb[1] - 4);
    expect(parseChunks(trailer, [trailer.length]).summary.errors[0].offset).toBe(firstEpb[1] - 4);

    // Captured length past the block end, and an interface the section never described: skipped.
    const w = new NgWriter(true);
    const epb = w.epb(0, 5n, ethTcpFrame(60, 1));
    const overrun = Buffer.from(epb);
    overrun.writeUInt32LE(1000, 20);
    const file = Buffer.concat([w.shb(), w.idb(1, 0), w.epb(0, 1n, ethTcpFrame(60, 0)), overrun, w.epb(7, 2n, ethTcpFrame(60, 2)), overrun, epb]);
    const r = parseChunks(file, [file.length]);
    expect(r.frames.map((f) => f.number)).toEqual([1, 2]);
    expect(r.summary.errors.map((e) => e.fatal)).toEqual([false, false]);
    expect(r.summary.errors.map((e) => e.message).join('\n')).toMatch(/claims 1000 captured bytes.*\(2 records like this; the first is at offset 140\)\n.*refers to interface 7/);
  });

  it('pcapng with a bad byte-order magic or unsupported version is refused with the offset', () => {
    const w = new NgWriter(true);
    const shb = w.shb();
    const badMagic = Buffer.from(shb);
    badMagic.writeUInt32LE(0x11223344, 8);
    expect(parseChunks(badMagic, [64]).summary.errors[0]).toMatchObject({ offset: 8, fatal: true });
    const v2 = Buffer.from(shb);
    v2.writeUInt16LE(2, 12);
    expect(parseChunks(v2, [64]).summary.errors[0]).toMatchObject({ offset: 12, fatal: true });
  });

  it('gzip: a cut-off .gz yields the frames before the cut and cutOff; corrupt gzip is an error', async () => {
    const bytes = craftedPcapng();
    const big = Buffer.concat([smallPcap().bytes, ...Array.from({ length: 50 }, () => smallPcap().bytes.subarray(24))]);
    const gz = gzipSync(big);
    const cutGz = join(dir, 'cut.pcap.gz');
    writeFileSync(cutGz, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const { summary, frames } = await readAll(cutGz, 4096);
    expect(summary.compression).toBe('gzip');
    expect(summary.cutOff).toBe(true);
    expect(frames.length).toBeGreaterThan(10);
    expect(frames.length).toBeLessThan(12 * 51);
    expect(summary.errors.some((e) => !e.fatal && e.message.includes(cutGz))).toBe(true);
    const corrupt = Buffer.from(gzipSync(bytes));
    corrupt.fill(0x55, 20, 60);
    const cf = join(dir, 'corrupt.pcapng.gz');
    writeFileSync(cf, corrupt);
    const c = await readAll(cf);
    expect(c.summary.errors.length).toBeGreaterThan(0);
    expect(c.summary.errors[0].message).toContain(cf);
  });
});
