/**
 * Classic pcap framed by the native packer in runs (src/decode/native-pcap-runs.ts) must give the
 * decode worker exactly the records, and the reader exactly the summary (frame numbers, counts,
 * first and last stamps, warnings, errors), that framing every record in TypeScript gives. Checked
 * on every sample pcap and on crafted files for each reason a run stops (byte order, nanosecond
 * stamps, records over the snaplen or the size limit, a sub-second field of a second or more,
 * other link types, a cut-off end), pushed in chunks of many sizes. The fuzzer repeats the
 * comparison on every mutated input (test/fuzz/lib/run-input.mjs).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import { MAX_NATIVE_BYTES_CAPTURED, MAX_NATIVE_RECORD_BYTES, PCAP_HEADER_SLOTS, PCAP_OUT_SLOTS, nativePcapPacker } from '../../src/decode/native-packer.js';
import { NativePcapRuns, type RecordRoom } from '../../src/decode/native-pcap-runs.js';
import { RecordPacker, recordViews } from '../../src/decode/packed-frame.js';
import { DecodedPacket } from '../../src/decode/packet.js';
import { CaptureParser } from '../../src/source/capture-parser.js';
import { newInputSummary } from '../../src/source/capture-source.js';
import { arp, ethernet, ipv4, ipv6, tcp, udp } from './helpers/build.js';

const CAPTURES = fileURLToPath(new URL('../../captures/', import.meta.url));
const packPcap = nativePcapPacker();
if (packPcap === null) {
  if (process.env.CI) throw new Error('the native addon (build/Release/vma_pcap.node) must be built in CI: npm run build:native');
  console.warn('skipping the native pcap runs tests: the addon is not built (npm run build:native; needs libpcap-dev)');
}

/** Parse `bytes` in chunks of `sizes` (cycled), packing every frame as the worker does; with or without native runs. */
function parse(bytes: Buffer, sizes: number[], runs: boolean): { records: Buffer; summary: string; taken: number } {
  const buffer = new ArrayBuffer(32 * 1024 * 1024);
  const views = recordViews(buffer);
  const packer = new RecordPacker();
  const pkt = new DecodedPacket();
  let end = 0;
  const summary = newInputSummary('test.pcap');
  const room: RecordRoom & { room: number } = {
    bytes: views.u8,
    room: 0,
    // A small room now and then, so runs also stop for room (NEED_ROOM) mid-buffer.
    begin() { this.room = (end & 1) === 0 ? MAX_NATIVE_RECORD_BYTES + 64 : 1 << 20; return end; },
    end(written: number) { end += written; },
  };
  const native = runs ? new NativePcapRuns(packPcap!, room, undefined) : null;
  const parser = new CaptureParser(summary, 0, (frame) => {
    decodeFrame(frame, pkt);
    const size = packer.measure(frame, pkt);
    packer.write(frame, pkt, views, end);
    end += size;
  }, undefined, native);
  let pos = 0;
  for (let i = 0; pos < bytes.length; i++) {
    const n = Math.min(sizes[i % sizes.length], bytes.length - pos);
    parser.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
  parser.end();
  return { records: Buffer.from(buffer, 0, end), summary: JSON.stringify(summary), taken: native?.frames ?? 0 };
}

function same(bytes: Buffer, sizes: number[]): number {
  const ts = parse(bytes, sizes, false);
  const nat = parse(bytes, sizes, true);
  expect(nat.summary).toBe(ts.summary);
  expect(nat.records.equals(ts.records), 'records differ').toBe(true);
  return nat.taken;
}

const CHUNKINGS = [[1 << 20], [4096], [1000, 7, 65536, 13], [17]];

interface Rec { sec?: number; frac?: number; bytes: Buffer; caplen?: number; orig?: number }
/** A classic pcap file: byte order, stamp unit, snaplen and link type as given. */
function pcap(o: { le?: boolean; nanos?: boolean; snaplen?: number; linkType?: number }, recs: Rec[]): Buffer {
  const le = o.le ?? true;
  const w32 = (b: Buffer, v: number, at: number) => (le ? b.writeUInt32LE(v >>> 0, at) : b.writeUInt32BE(v >>> 0, at));
  const w16 = (b: Buffer, v: number, at: number) => (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  const h = Buffer.alloc(24);
  w32(h, o.nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0); w16(h, 2, 4); w16(h, 4, 6);
  w32(h, o.snaplen ?? 262144, 16); w32(h, o.linkType ?? 1, 20);
  const parts: Buffer[] = [h];
  recs.forEach((r, i) => {
    const rh = Buffer.alloc(16);
    w32(rh, r.sec ?? 1_700_000_000 + i, 0); w32(rh, r.frac ?? i * 1000, 4);
    w32(rh, r.caplen ?? r.bytes.length, 8); w32(rh, r.orig ?? r.bytes.length, 12);
    parts.push(rh, r.bytes);
  });
  return Buffer.concat(parts);
}

const data = (i: number, len = 100) => ethernet({ type: 0x0800 }, ipv4({ protocol: 6 }, tcp({ seq: 1000 + i * len, flags: 0x18 }, Buffer.alloc(len, i))));
/** UDP to the VXLAN port without a VXLAN header: TypeScript's to decode, so the native packer hands it back. */
const noise = () => ethernet({ type: 0x0800 }, ipv4({ protocol: 17 }, udp({ dport: 4789 }, Buffer.alloc(20))));
const dns = (i: number) => ethernet({ type: 0x0800 }, ipv4({ protocol: 17, src: '10.0.0.9', dst: '10.0.0.53' },
  udp({ sport: 50000 + i, dport: 53 }, Buffer.concat([Buffer.from([i >> 8, i & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from('\x05esx01\x03lab\x00\x00\x01\x00\x01', 'latin1')]))));
const ntp = (i: number) => ethernet({ type: 0x86dd, vlans: [{ tpid: 0x8100, vid: 30 }] }, ipv6({ nextHeader: 17 },
  udp({ sport: 123, dport: 123 }, Buffer.alloc(48, i & 255))));
const arpFrame = (i: number) => Buffer.concat([ethernet({ type: 0x0806 },
  arp(1 + (i & 1), '00:50:56:6a:01:01', `192.168.50.${i & 255}`, '00:00:00:00:00:00', '192.168.50.1')), Buffer.alloc(18)]);

describe.skipIf(packPcap === null)('native pcap runs', () => {
  const files = readdirSync(CAPTURES).filter((f) => f.endsWith('.pcap'));

  it.each(files)('%s: the same records and summary, most frames framed natively', (name) => {
    const bytes = readFileSync(join(CAPTURES, name));
    for (const sizes of CHUNKINGS) {
      const taken = same(bytes, sizes);
      expect(taken).toBeGreaterThan(0);
    }
  });

  it('big-endian and nanosecond files, truncated frames, frames the native packer hands back', () => {
    const recs: Rec[] = [];
    for (let i = 0; i < 300; i++) recs.push(i % 7 === 3 ? { bytes: noise() } : { bytes: data(i).subarray(0, 80), orig: data(i).length });
    for (const le of [true, false]) {
      for (const nanos of [false, true]) {
        expect(same(pcap({ le, nanos, snaplen: 128 }, recs), [1 << 20])).toBeGreaterThan(200);
        same(pcap({ le, nanos, snaplen: 128 }, recs), [33, 4096]);
      }
    }
  });

  it('UDP (DNS, NTP) and ARP frames among the TCP ones are framed and packed by the runs too', () => {
    const recs: Rec[] = [];
    for (let i = 0; i < 400; i++) {
      const k = i % 9;
      recs.push({ bytes: k === 1 ? dns(i) : k === 4 ? ntp(i) : k === 5 || k === 6 ? arpFrame(i) : data(i) });
    }
    for (const le of [true, false]) {
      for (const nanos of [false, true]) {
        // Every frame is taken: the runs never stop for one of them.
        expect(same(pcap({ le, nanos }, recs), [1 << 20])).toBe(recs.length);
        for (const sizes of CHUNKINGS) same(pcap({ le, nanos }, recs), sizes);
      }
    }
    // Cut by a 60-byte snaplen: ARP, DNS and TCP keep their whole headers and are still taken; NTP
    // (VLAN tag, IPv6) loses its UDP header, a stop for TypeScript to record.
    const cut = recs.map((r) => ({ bytes: r.bytes.subarray(0, 60), orig: r.bytes.length }));
    expect(same(pcap({ snaplen: 60 }, cut), [1 << 20])).toBe(recs.filter((_, i) => i % 9 !== 4).length);
    // A UDP frame of more captured bytes than MAX_NATIVE_BYTES_CAPTURED is handed back, and the run resumes after it.
    const big = ethernet({ type: 0x0800 }, ipv4({ protocol: 17 }, udp({ dport: 53 }, Buffer.alloc(MAX_NATIVE_BYTES_CAPTURED))));
    const withBig = recs.map((r, i) => (i % 50 === 49 ? { bytes: big } : r));
    expect(same(pcap({}, withBig), [1 << 20])).toBe(recs.length - 8);
    for (const sizes of CHUNKINGS) same(pcap({}, withBig), sizes);
  });

  it('records the reader warns about or stops at are left to it: over the snaplen, a second or more of sub-second, over the limit', () => {
    const recs: Rec[] = [];
    for (let i = 0; i < 50; i++) recs.push({ bytes: data(i) });
    recs[10] = { bytes: data(10, 400) }; // over the 256-byte snaplen below: a warning, read as-is
    recs[20] = { bytes: data(20), frac: 1_500_000 }; // 1.5 s of microseconds: carried into the seconds
    recs[30] = { bytes: data(30), sec: 0xffffffff }; // the largest stamp a pcap can hold: in range, taken
    const file = pcap({ snaplen: 256 }, recs);
    expect(same(file, [1 << 20])).toBe(48);
    // A record claiming more than 256 KiB stops the reader there.
    const bad = pcap({}, [...recs.slice(0, 5), { bytes: data(5), caplen: 300_000 }, ...recs.slice(6)]);
    expect(same(bad, [1 << 20])).toBe(5);
  });

  it('a file cut off inside a record or its header', () => {
    const file = pcap({}, Array.from({ length: 40 }, (_, i) => ({ bytes: data(i) })));
    for (const cut of [file.length - 1, file.length - 60, file.length - 150, 24 + 10]) {
      for (const sizes of CHUNKINGS) same(file.subarray(0, cut), sizes);
    }
  });

  it('rejects arguments out of range or of the wrong kind instead of reading or writing outside them', () => {
    const file = pcap({}, [{ bytes: data(0) }]);
    const header = new Float64Array(PCAP_HEADER_SLOTS);
    const out = new Float64Array(PCAP_OUT_SLOTS);
    const ring = new Uint8Array(1024);
    expect(() => packPcap!(file, 24, file.length + 1, header, ring, 0, 512, out)).toThrow(/out of range/);
    expect(() => packPcap!(file, 24, file.length, header, ring, 4, 512, out)).toThrow(/out of range/);
    expect(() => packPcap!(file, 24, file.length, header, ring, 768, 512, out)).toThrow(/out of range/);
    expect(() => packPcap!(file, 24, file.length, new Float64Array(2), ring, 0, 512, out)).toThrow(/typed arrays/);
    expect(() => packPcap!(file, 24, file.length, header, ring, 0, 512, out, new Int32Array(100))).toThrow(/flow table/);
  });

  it('other link types are not taken', () => {
    const raw = pcap({ linkType: 101 }, Array.from({ length: 20 }, (_, i) => ({ bytes: data(i).subarray(14) })));
    expect(same(raw, [1 << 20])).toBe(0);
  });
});
