/**
 * Properties over arbitrary and truncated input: decodeFrame never throws, never reads
 * outside [offset, offset + capturedLength), and a truncated frame yields a subset of the
 * fields of the whole frame (each field equal to the full decode or still at its default).
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import { DecodedPacket, PROTO_ICMP, PROTO_TCP, PROTO_UDP, STOP_NONE, STOP_TRUNCATED } from '../../src/decode/packet.js';
import { arp, ethernet, ext6, frag6, icmp, ipv4, ipv6, opt, tcp, udp } from './helpers/build.js';
import { frameOf } from './helpers/build.js';
import { readPcapFrames } from './helpers/pcap-records.js';

const LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 105];

function snapshot(p: DecodedPacket): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) out[k] = v instanceof Uint32Array ? Array.from(v) : v;
  return out;
}
const DEFAULTS = snapshot(new DecodedPacket());

/** Decode the same bytes surrounded by two different fills: any stray read changes the result. */
function decodeIsolated(bytes: Buffer, linkType: number, originalLength: number, fcsLength = 0) {
  const a = new DecodedPacket(); const b = new DecodedPacket();
  const fa = frameOf(bytes, { linkType, originalLength, fcsLength, pad: 64, fill: 0x00 });
  const fb = frameOf(bytes, { linkType, originalLength, fcsLength, pad: 64, fill: 0xff });
  decodeFrame(fa, a); decodeFrame(fb, b);
  return { a: snapshot(a), b: snapshot(b), pkt: a };
}

const realFrames = ['lo-eth.pcap', 'any-sll2.pcap', 'any-sll.pcap'].flatMap((f) =>
  readPcapFrames(fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url))).map((fr) => ({
    bytes: Buffer.from(fr.data.subarray(0, fr.capturedLength)), linkType: fr.linkType, originalLength: fr.originalLength,
  })));

const seg = tcp({ options: Buffer.concat([opt.mss(1460), opt.sackPerm(), opt.ts(1, 2), opt.nop(), opt.ws(7)]) }, Buffer.alloc(30, 9));
const crafted = [
  ethernet({ type: 0x0800, vlans: [{ tpid: 0x88a8, vid: 10 }, { tpid: 0x8100, vid: 20 }] }, ipv4({ protocol: PROTO_TCP, options: Buffer.alloc(8, 1) }, seg)),
  ethernet({ type: 0x86dd }, ipv6({ nextHeader: 0 }, Buffer.concat([ext6(43, 2), ext6(44), frag6(PROTO_TCP, 0, true, 5), seg]))),
  ethernet({ type: 0x0800 }, ipv4({ protocol: PROTO_ICMP }, icmp(3, 4, Buffer.from([0, 0, 5, 220]), ipv4({ protocol: PROTO_TCP }, seg).subarray(0, 28)))),
  ethernet({ type: 0x0806 }, arp(1, '00:50:56:00:00:01', '10.0.0.1', '00:00:00:00:00:00', '10.0.0.2')),
  ethernet({ type: 0x0800 }, ipv4({ protocol: PROTO_UDP }, udp({ dport: 53 }, Buffer.alloc(12)))),
  ethernet({ type: 0x0800 }, ipv4({ protocol: PROTO_TCP, tos: 0xb9 }, tcp({ options: Buffer.concat([opt.nop(), opt.nop(), opt.sack(1, 2, 3, 4, 5, 6, 7, 8)]) }))),
].map((bytes) => ({ bytes, linkType: 1, originalLength: bytes.length }));
const VALID = [...realFrames, ...crafted];

describe('arbitrary bytes', () => {
  test('never throw, never read outside the frame, for every link type', () => {
    fc.assert(fc.property(
      fc.uint8Array({ maxLength: 256 }), fc.constantFrom(...LINK_TYPES), fc.nat(70000), fc.constantFrom(0, 2, 4),
      (bytes, linkType, extra, fcs) => {
        const buf = Buffer.from(bytes);
        const { a, b } = decodeIsolated(buf, linkType, buf.length + extra, fcs);
        expect(a).toEqual(b);
      }), { numRuns: 3000 });
  });
  test('mutated valid frames (deep headers reached) never throw or read outside the frame', () => {
    fc.assert(fc.property(
      fc.constantFrom(...VALID), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat(),
      (frame, edits, cut) => {
        const buf = Buffer.from(frame.bytes);
        for (const [at, value] of edits) buf[at % buf.length] = value;
        const n = cut % (buf.length + 1);
        const { a, b } = decodeIsolated(buf.subarray(0, n), frame.linkType, frame.originalLength);
        expect(a).toEqual(b);
      }), { numRuns: 3000 });
  });
});

describe('truncation', () => {
  test('every cut of every valid frame yields STOP_TRUNCATED or a subset of the full decode', () => {
    let cutsInHeaders = 0;
    const problems: string[] = [];
    for (const frame of VALID) {
      const full = decodeIsolated(frame.bytes, frame.linkType, frame.originalLength);
      expect(full.pkt.stop).toBe(STOP_NONE);
      const fullJson = Object.fromEntries(Object.entries(full.a).map(([k, v]) => [k, JSON.stringify(v)]));
      const headersEnd = full.pkt.tcpHeaderLength > 0 ? full.pkt.l4Offset - 64 + full.pkt.tcpHeaderLength : 0;
      for (let n = 0; n < frame.bytes.length; n++) {
        const cut = decodeIsolated(frame.bytes.subarray(0, n), frame.linkType, frame.originalLength);
        const where = `${frame.bytes.length}-byte frame cut at ${n}`;
        if (JSON.stringify(cut.a) !== JSON.stringify(cut.b)) problems.push(`${where}: read outside the frame`);
        for (const [k, v] of Object.entries(cut.a)) {
          if (k === 'stop' || k === 'stopLayer' || k === 'stopReason' || k === 'payloadCaptured') continue;
          // A counter of tags seen so far: a cut frame has seen a prefix of them.
          if (k === 'vlanCount') { if ((v as number) > full.pkt.vlanCount) problems.push(`${where}: vlanCount`); continue; }
          const j = JSON.stringify(v);
          if (j !== fullJson[k] && j !== JSON.stringify(DEFAULTS[k])) problems.push(`${where}: ${k}=${j}, full decode ${fullJson[k]}`);
        }
        if (n < headersEnd) {
          cutsInHeaders++;
          if (cut.pkt.stop !== STOP_TRUNCATED) problems.push(`${where}: stop ${cut.pkt.stop} inside the headers`);
        }
      }
    }
    expect(problems.slice(0, 20)).toEqual([]);
    expect(cutsInHeaders).toBeGreaterThan(1000);
  });
});
