/**
 * The decode worker's record (src/decode/packed-frame.ts) must carry every DecodedPacket field:
 * pack then unpack, through one shared ring region, must reproduce what decodeFrame produced, on
 * every frame of every sample capture and on arbitrary bytes (stopped decodes are re-decoded from
 * the carried bytes). A field added to DecodedPacket and forgotten in the record fails here.
 */
import { describe, expect, it, test } from 'vitest';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import { DecodedPacket, PROTO_TCP, STOP_NONE } from '../../src/decode/packet.js';
import { FrameUnpacker, RecordPacker, recordViews } from '../../src/decode/packed-frame.js';
import { newFrame, type Frame } from '../../src/source/frame.js';
import { readCapture } from '../../src/source/read-capture.js';
import { frameOf } from './helpers/build.js';

const CAPTURES = fileURLToPath(new URL('../../captures/', import.meta.url));

/** Field values as plain data; header offsets relative to the frame (the record moves the bytes); SACK edges only below the count. */
function view(p: DecodedPacket, frameOffset: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) {
    // Flow slots are a hint only the native packer writes (test/decode/native-packer.test.ts).
    if (k === 'flowSlot' || k === 'flowSide' || k === 'flowTag') continue;
    if (k === 'sack') out[k] = Array.from(p.sack.subarray(0, 2 * p.sackCount));
    else if (v instanceof Uint32Array) out[k] = Array.from(v);
    else if ((k === 'l3Offset' || k === 'l4Offset') && v !== 0) out[k] = (v as number) - frameOffset;
    else out[k] = v;
  }
  return out;
}

/** Packs frames one after another into a ring-sized buffer, unpacking each into one reused pair. */
class RoundTrip {
  readonly memory = new SharedArrayBuffer(1 << 22);
  readonly views = recordViews(this.memory);
  readonly unpacker = new FrameUnpacker(Buffer.from(this.memory));
  readonly frame = newFrame();
  readonly out = new DecodedPacket();
  readonly packer = new RecordPacker();
  private at = 0;
  frames = 0;
  withBytes = 0;

  check(frame: Frame, pkt: DecodedPacket): void {
    const size = this.packer.measure(frame, pkt);
    if (this.at + size > this.memory.byteLength) this.at = 0;
    this.packer.write(frame, pkt, this.views, this.at);
    this.unpacker.unpack(this.views, this.at, this.frame, this.out);
    const f = this.frame;
    expect([f.frameNumber, f.fileOffset, f.linkType, f.fcsLength, f.interfaceId, f.tsSec, f.tsNsec, f.capturedLength, f.originalLength])
      .toEqual([frame.frameNumber, frame.fileOffset, frame.linkType, frame.fcsLength, frame.interfaceId, frame.tsSec, frame.tsNsec, frame.capturedLength, frame.originalLength]);
    expect(view(this.out, f.offset)).toEqual(view(pkt, frame.offset));
    if (f.data.length > 0) {
      this.withBytes++;
      expect(Buffer.compare(f.data.subarray(f.offset, f.offset + f.capturedLength), frame.data.subarray(frame.offset, frame.offset + frame.capturedLength))).toBe(0);
    } else {
      // Only cleanly decoded TCP frames travel without their bytes.
      expect([pkt.stop, pkt.l4Protocol]).toEqual([STOP_NONE, PROTO_TCP]);
      expect([f.offset, size % 8]).toEqual([0, 0]);
    }
    this.at += size;
    this.frames++;
  }
}

describe('packed frame records', () => {
  const files = readdirSync(CAPTURES).filter((f) => /\.pcap(ng)?$/.test(f));
  it.each(files)('every frame of %s survives pack + unpack', async (name) => {
    const rt = new RoundTrip();
    const pkt = new DecodedPacket();
    let failure: unknown = null;
    // The reader turns a sink's exception into a read error: keep the first one and rethrow it.
    const summary = await readCapture(join(CAPTURES, name), (frame) => {
      if (failure !== null) return;
      decodeFrame(frame, pkt);
      try { rt.check(frame, pkt); } catch (e) { failure = e; }
    }, { inputIndex: 0 });
    if (failure !== null) throw failure;
    expect(rt.frames).toBe(summary.packets);
    expect(rt.frames).toBeGreaterThan(10);
  });

  test('arbitrary bytes on every link type: packed or re-decoded, the same fields', () => {
    const rt = new RoundTrip();
    const pkt = new DecodedPacket();
    fc.assert(fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 200 }), fc.constantFrom(1, 101, 113, 276, 0, 12, 228, 229), fc.nat(100), fc.integer({ min: 0, max: 4 }),
      (bytes, linkType, extra, fcs) => {
        const frame = frameOf(Buffer.from(bytes), { linkType, originalLength: bytes.length + extra, fcsLength: fcs, pad: 16, fill: 0x55 });
        decodeFrame(frame, pkt);
        rt.check(frame, pkt);
      }), { numRuns: 3000, seed: 7 });
    expect(rt.withBytes).toBeGreaterThan(0);
  });

  test('a record with bytes ends in zeros up to its 8-byte boundary, whatever the buffer held', () => {
    // Records are then the same bytes whoever wrote them (the native packer writes UDP and ARP
    // records too: test/decode/native-packer.test.ts compares them byte for byte).
    const memory = new SharedArrayBuffer(4096);
    const views = recordViews(memory);
    const packer = new RecordPacker();
    const pkt = new DecodedPacket();
    for (let len = 1; len <= 17; len++) {
      const frame = frameOf(Buffer.alloc(len, 0xab), { linkType: 1, pad: 8, fill: 0x55 });
      decodeFrame(frame, pkt);
      views.u8.fill(0xee);
      const size = packer.measure(frame, pkt);
      packer.write(frame, pkt, views, 64);
      const tail = Buffer.from(memory, 64 + size - 8, 8);
      const bytesInTail = len % 8 === 0 ? 8 : len % 8;
      expect([...tail], `${len} bytes`).toEqual([...Buffer.alloc(bytesInTail, 0xab), ...Buffer.alloc(8 - bytesInTail)]);
      expect(views.u8[64 + size], 'nothing written past the record').toBe(0xee);
    }
  });

  test('every field of DecodedPacket, set away from its default, survives', () => {
    const pkt = new DecodedPacket();
    let n = 3;
    for (const [k, v] of Object.entries(pkt)) {
      if (k === 'stop' || k === 'stopLayer' || k === 'stopReason' || k === 'flowSlot' || k === 'flowSide' || k === 'flowTag') continue;
      if (v instanceof Uint32Array) for (let i = 0; i < v.length; i++) v[i] = 0x80000000 + n++;
      else if (typeof v === 'boolean') (pkt as unknown as Record<string, unknown>)[k] = true;
      else (pkt as unknown as Record<string, unknown>)[k] = n++;
    }
    // Fields that share a record word stay within their protocol field's width.
    pkt.l4Protocol = PROTO_TCP; pkt.sackCount = 4; pkt.ipVersion = 6; pkt.ttl = 255; pkt.dscp = 63; pkt.ecn = 3; pkt.tcpFlags = 0xff;
    pkt.srcPort = 65535; pkt.dstPort = 65534; pkt.window = 65535; pkt.tcpHeaderLength = 60;
    pkt.srcMac = 0xfedcba987654; pkt.seq = 0xfffffff0; pkt.icmpMtu = 0xfffffffe; pkt.payloadLength = 2 ** 32 - 1;
    const frame = frameOf(Buffer.alloc(60), { linkType: 1, originalLength: 60, fcsLength: 0, pad: 8, fill: 0 });
    pkt.l3Offset = frame.offset + 14; pkt.l4Offset = frame.offset + 34;
    const rt = new RoundTrip();
    rt.check(frame, pkt);
    // And back to defaults on the next record: nothing of the rare layers may linger.
    const plain = new DecodedPacket();
    plain.l4Protocol = PROTO_TCP; plain.ipVersion = 4;
    rt.check(frame, plain);
  });
});
