/**
 * The native decode fast path (native/frame-packer.cc) must write exactly the records the
 * TypeScript decoder and packer write (src/decode/packed-frame.ts), and hand back every frame it
 * does not decode. Checked frame by frame on every sample capture, on generated headers with
 * random fields, options, truncation and lengths, and on arbitrary bytes; then in batches through
 * a small ring region (the worker's runs). The whole-analysis check is test/cli/threads.test.ts.
 */
import { describe, expect, it, test } from 'vitest';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import { DecodedPacket } from '../../src/decode/packet.js';
import { RecordPacker, recordViews } from '../../src/decode/packed-frame.js';
import {
  DESCRIPTOR_SLOTS, MAX_NATIVE_RECORD_BYTES, PACK_DONE, PACK_FALLBACK, PACK_NEED_ROOM, describeFrame, nativePacker, nativeTakes, newFlowTable,
} from '../../src/decode/native-packer.js';
import { FrameUnpacker } from '../../src/decode/packed-frame.js';
import type { Frame } from '../../src/source/frame.js';
import { readCapture } from '../../src/source/read-capture.js';
import { ethernet, frameOf, ipv4, ipv6, tcp } from './helpers/build.js';

const CAPTURES = fileURLToPath(new URL('../../captures/', import.meta.url));
const pack = nativePacker();
if (pack === null) {
  if (process.env.CI) throw new Error('the native addon (build/Release/vma_pcap.node) must be built in CI: npm run build:native');
  console.warn('skipping the native packer tests: the addon is not built (npm run build:native; needs libpcap-dev)');
}

/** Packs one frame both ways and compares. */
class Differ {
  readonly ts = new SharedArrayBuffer(1 << 16);
  readonly tsViews = recordViews(this.ts);
  readonly native = new Uint8Array(new SharedArrayBuffer(1 << 16));
  readonly packer = new RecordPacker();
  readonly pkt = new DecodedPacket();
  readonly desc = new Float64Array(DESCRIPTOR_SLOTS);
  readonly out = new Int32Array(2);
  packed = 0;
  handedBack = 0;

  check(frame: Frame): void {
    decodeFrame(frame, this.pkt);
    describeFrame(frame, this.desc, 0);
    this.native.fill(0xee, 0, 512);
    const status = pack!(frame.data, this.desc, 0, 1, this.native, 0, 4096, this.out);
    if (!nativeTakes(frame, this.pkt)) {
      expect([status, this.out[0], this.out[1]], `frame ${frame.frameNumber} must be handed back`).toEqual([PACK_FALLBACK, 0, 0]);
      this.handedBack++;
      return;
    }
    const size = this.packer.measure(frame, this.pkt);
    this.packer.write(frame, this.pkt, this.tsViews, 0);
    expect([status, this.out[0], this.out[1]], `frame ${frame.frameNumber}`).toEqual([PACK_DONE, 1, size]);
    expect(Buffer.from(this.native.buffer, 0, size).equals(Buffer.from(this.ts, 0, size)), `frame ${frame.frameNumber}: records differ`).toBe(true);
    this.packed++;
  }
}

describe.skipIf(pack === null)('native packer', () => {
  const files = readdirSync(CAPTURES).filter((f) => /\.pcap(ng)?$/.test(f));

  it.each(files)('%s: every frame packs exactly as in TypeScript, or is handed back', async (name) => {
    const d = new Differ();
    let failure: unknown = null;
    const summary = await readCapture(join(CAPTURES, name), (frame) => {
      if (failure !== null) return;
      try { d.check(frame); } catch (e) { failure = e; }
    }, { inputIndex: 0 });
    if (failure !== null) throw failure;
    expect(d.packed + d.handedBack).toBe(summary.packets);
    // Every lab capture has Ethernet TCP streams (check() already required each eligible frame to be packed).
    expect(d.packed).toBeGreaterThan(0);
  });

  test('generated headers: VLAN tags, IPv4/IPv6, lengths, TCP options, truncation, FCS', () => {
    const d = new Differ();
    const optionBytes = fc.oneof(
      fc.constant([1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]),
      fc.constant([2, 4, 5, 180, 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 3, 3, 7]),
      fc.constant([1, 1, 5, 10, 0, 0, 0, 10, 0, 0, 0, 20, 1, 1, 5, 18, 0, 0, 0, 30, 0, 0, 0, 40, 0, 0, 0, 50, 0, 0, 0, 60]),
      fc.array(fc.integer({ min: 0, max: 10 }), { maxLength: 40 }),
      fc.array(fc.nat(255), { maxLength: 40 }),
    ).map((a) => { const b = Buffer.from(a); return Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]); });
    fc.assert(fc.property(
      fc.record({
        vlans: fc.array(fc.constantFrom(0x8100, 0x88a8, 0x9100), { maxLength: 3 }),
        v6: fc.boolean(), ttl: fc.nat(255), tos: fc.nat(255), df: fc.boolean(), mf: fc.boolean(), fragOffset: fc.constantFrom(0, 0, 0, 8),
        ihlOptions: fc.constantFrom(0, 0, 4), lengthMode: fc.constantFrom('exact', 'zero', 'short', 'long'),
        sport: fc.nat(65535), dport: fc.nat(65535), seq: fc.nat(0xffffffff), ack: fc.nat(0xffffffff), flags: fc.nat(255),
        window: fc.nat(65535), options: optionBytes, dataOffsetDelta: fc.constantFrom(0, 0, 0, -1, 1, -5), payload: fc.nat(3000),
        cut: fc.constantFrom(0, 0, 10, 40, 60, 80, 128), fcs: fc.constantFrom(0, 0, 4), extra: fc.constantFrom(0, 0, 6), nh: fc.constantFrom(6, 6, 6, 0, 17),
      }),
      (o) => {
        const seg = tcp({
          sport: o.sport, dport: o.dport, seq: o.seq, ack: o.ack, flags: o.flags, window: o.window, options: o.options,
          dataOffset: Math.max(0, Math.min(15, (20 + o.options.length) / 4 + o.dataOffsetDelta)),
        }, Buffer.alloc(o.payload, 0x5a));
        const ipLen = (h: number) => o.lengthMode === 'exact' ? h + seg.length : o.lengthMode === 'zero' ? 0 : o.lengthMode === 'short' ? h + 30 : h + seg.length + 9;
        const ip = o.v6
          ? ipv6({ nextHeader: o.nh, hopLimit: o.ttl, tclass: o.tos, flow: o.seq & 0xfffff, payloadLength: Math.max(0, ipLen(40) - 40) }, seg)
          : ipv4({ protocol: o.nh, ttl: o.ttl, tos: o.tos, df: o.df, mf: o.mf, fragOffset: o.fragOffset, options: Buffer.alloc(o.ihlOptions, 1), totalLength: ipLen(20 + o.ihlOptions) & 0xffff }, seg);
        const vlans = o.vlans.map((tpid, i) => ({ tpid, vid: (i * 1234 + o.sport) & 0xfff }));
        const bytes = Buffer.concat([ethernet({ type: o.v6 ? 0x86dd : 0x0800, vlans }, ip), Buffer.alloc(o.fcs, 0xcc)]);
        const captured = o.cut > 0 ? Math.min(o.cut, bytes.length) : bytes.length;
        d.check(frameOf(bytes, { linkType: 1, capturedLength: captured, originalLength: bytes.length + o.extra, fcsLength: o.fcs, pad: 24, fill: 0x77 }));
      }), { numRuns: 6000, seed: 11 });
    expect(d.packed).toBeGreaterThan(500);
    expect(d.handedBack).toBeGreaterThan(1000);
  });

  test('arbitrary bytes on every link type: packed exactly or handed back', () => {
    const d = new Differ();
    fc.assert(fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 200 }), fc.constantFrom(1, 1, 1, 101, 113), fc.nat(100), fc.integer({ min: 0, max: 4 }),
      fc.boolean(),
      (bytes, linkType, extra, fcs, tcpish) => {
        const b = Buffer.from(bytes);
        // Steer some toward Ethernet + IPv4 + TCP so the deeper checks get random input too.
        if (tcpish && b.length >= 54) { b[12] = 0x08; b[13] = 0; b[14] = 0x45; b[20] = 0; b[21] = 0; b[23] = 6; }
        d.check(frameOf(b, { linkType, originalLength: b.length + extra, fcsLength: fcs, pad: 16, fill: 0x55 }));
      }), { numRuns: 6000, seed: 5 });
    expect(d.handedBack).toBeGreaterThan(0);
  });

  it('packs a batch into a run of the ring: stops for room and for frames it hands back, in order', async () => {
    const frames: Array<{ frame: Frame; record: Buffer | null }> = [];
    const data: Buffer[] = [];
    const pkt = new DecodedPacket();
    const packer = new RecordPacker();
    const scratch = new SharedArrayBuffer(1 << 16);
    const views = recordViews(scratch);
    await readCapture(join(CAPTURES, 'lab-routed.pcapng'), (f) => {
      const copy = Buffer.from(f.data.subarray(f.offset, f.offset + f.capturedLength));
      data.push(copy);
      const frame = { ...f, data: copy, offset: 0 };
      decodeFrame(frame, pkt);
      let record: Buffer | null = null;
      if (nativeTakes(frame, pkt)) {
        const size = packer.measure(frame, pkt);
        packer.write(frame, pkt, views, 0);
        record = Buffer.from(Buffer.from(scratch, 0, size));
      }
      frames.push({ frame, record });
    }, { inputIndex: 0 });
    // One data buffer for the batch, as the reader's chunk is.
    const all = Buffer.concat(data);
    const desc = new Float64Array(frames.length * DESCRIPTOR_SLOTS);
    let off = 0;
    frames.forEach(({ frame }, i) => { describeFrame({ ...frame, offset: off }, desc, i * DESCRIPTOR_SLOTS); off += frame.capturedLength; });
    const ring = new Uint8Array(new SharedArrayBuffer(1 << 20));
    const out = new Int32Array(2);
    const room = MAX_NATIVE_RECORD_BYTES * 3 + 8; // a few records per run: many NEED_ROOM stops
    let i = 0; let needRoom = 0; let fallbacks = 0;
    while (i < frames.length) {
      const status = pack!(all, desc, i, frames.length - i, ring, 64, room, out);
      // The run's records, one after another, are the TypeScript records of those frames.
      let at = 64;
      for (let k = 0; k < out[0]; k++) {
        const rec = frames[i + k].record;
        expect(rec, `frame ${i + k + 1} was packed natively`).not.toBeNull();
        expect(Buffer.from(ring.buffer, at, rec!.length).equals(rec!)).toBe(true);
        at += rec!.length;
      }
      expect(at - 64).toBe(out[1]);
      i += out[0];
      if (status === PACK_NEED_ROOM) { needRoom++; expect(out[1] + MAX_NATIVE_RECORD_BYTES).toBeGreaterThan(room); continue; }
      if (status === PACK_FALLBACK) { fallbacks++; expect(frames[i].record).toBeNull(); i++; continue; }
      expect(status).toBe(PACK_DONE);
      expect(i).toBe(frames.length);
    }
    expect(needRoom).toBeGreaterThan(10);
    expect(fallbacks).toBe(frames.filter((f) => f.record === null).length);
  });

  it('flow slots: one per connection and capture interface, the same side for each sender, a new epoch when half full', () => {
    const flows = newFlowTable();
    const ring = new Uint8Array(new SharedArrayBuffer(1 << 16));
    const unpacker = new FrameUnpacker(Buffer.from(ring.buffer), 3);
    const out = new Int32Array(2);
    const desc = new Float64Array(DESCRIPTOR_SLOTS);
    const got = new DecodedPacket();
    const frame = frameOf(Buffer.alloc(0));
    const slotOf = (src: string, sport: number, dst: string, dport: number, iface = 0, v6 = false): [number, number, number] => {
      const seg = tcp({ sport, dport });
      const bytes = ethernet({ type: v6 ? 0x86dd : 0x0800 }, v6 ? ipv6({ nextHeader: 6, src, dst }, seg) : ipv4({ protocol: 6, src, dst }, seg));
      const f = frameOf(bytes, { linkType: 1 });
      describeFrame({ ...f, interfaceId: iface }, desc, 0);
      expect(pack!(f.data, desc, 0, 1, ring, 0, 4096, out, flows)).toBe(PACK_DONE);
      unpacker.unpack(recordViews(ring.buffer as SharedArrayBuffer), 0, frame, got);
      return [got.flowSlot, got.flowSide, got.flowTag];
    };
    const a = slotOf('10.0.0.1', 40000, '10.0.0.2', 8000);
    const back = slotOf('10.0.0.2', 8000, '10.0.0.1', 40000);
    expect(back[0]).toBe(a[0]);
    expect(back[1]).toBe(1 - a[1]);
    expect(back[2]).toBe(a[2]);
    expect(a[2]).toBe(3 * 2 ** 32); // input 3, epoch 0
    expect(slotOf('10.0.0.1', 40000, '10.0.0.2', 8000)).toEqual(a);
    // Another port, another interface, IPv6: other connections.
    const others = [slotOf('10.0.0.1', 40001, '10.0.0.2', 8000), slotOf('10.0.0.1', 40000, '10.0.0.2', 8000, 1),
      slotOf('fd00::1', 40000, 'fd00::2', 8000, 0, true)];
    expect(new Set([a[0], ...others.map((o) => o[0])]).size).toBe(4);
    // 32,768 connections fill half the table: the next new one starts epoch 1, slots begin again.
    const seen = new Map<number, string>();
    for (let i = 4; i < 32768; i++) {
      const [slot, , tag] = slotOf(`10.1.${i >> 8}.${i & 255}`, 1024 + (i % 50000), '10.0.0.2', 8000);
      expect(tag).toBe(3 * 2 ** 32);
      expect(seen.has(slot)).toBe(false);
      seen.set(slot, `${i}`);
    }
    expect(slotOf('10.0.0.1', 40000, '10.0.0.2', 8000)).toEqual(a); // known connections keep their slot
    const fresh = slotOf('10.9.9.9', 5555, '10.0.0.2', 8000);
    expect(fresh[2]).toBe(3 * 2 ** 32 + 1);
    const again = slotOf('10.0.0.1', 40000, '10.0.0.2', 8000);
    expect(again[2]).toBe(3 * 2 ** 32 + 1);
    expect(again[0]).not.toBe(fresh[0]);
  });

  it('rejects descriptors and regions outside their arrays', () => {
    const desc = new Float64Array(DESCRIPTOR_SLOTS);
    const ring = new Uint8Array(1024);
    const out = new Int32Array(2);
    expect(() => pack!(Buffer.alloc(60), desc, 0, 2, ring, 0, 512, out)).toThrow(/out of range/);
    expect(() => pack!(Buffer.alloc(60), desc, 0, 1, ring, 768, 512, out)).toThrow(/out of range/);
    expect(() => pack!(Buffer.alloc(60), desc, 0, 1, ring, 4, 512, out)).toThrow(/out of range/);
    desc[0] = 1e9; desc[1] = 60; desc[7] = 1; // offset beyond the data: handed back, never read
    expect(pack!(Buffer.alloc(60), desc, 0, 1, ring, 0, 512, out)).toBe(PACK_FALLBACK);
    expect(() => pack!(Buffer.alloc(60), desc, 0, 1, ring, 0, 512, out, new Int32Array(100))).toThrow(/flow table/);
  });
});
