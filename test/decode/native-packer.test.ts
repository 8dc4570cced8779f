/**
 * The native decode fast path (native/frame-packer.cc) must write exactly the records the
 * TypeScript decoder and packer write (src/decode/packed-frame.ts), and hand back every frame it
 * does not decode. Checked frame by frame on every sample capture, on generated headers with
 * random fields, options, truncation and lengths (TCP, UDP and ARP), and on arbitrary bytes; then
 * in batches through a small ring region (the worker's runs). Which frames it takes is checked
 * twice: against nativeTakes on every frame, and on hand-built frames it must take or hand back
 * whatever nativeTakes says. The whole-analysis check is test/cli/threads.test.ts.
 */
import { describe, expect, it, test } from 'vitest';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import { DecodedPacket, PROTO_UDP } from '../../src/decode/packet.js';
import { RecordPacker, recordViews } from '../../src/decode/packed-frame.js';
import {
  DESCRIPTOR_SLOTS, MAX_NATIVE_BYTES_CAPTURED, MAX_NATIVE_RECORD_BYTES, PACK_DONE, PACK_FALLBACK, PACK_NEED_ROOM, describeFrame, nativePacker,
  nativeTakes, newFlowTable,
} from '../../src/decode/native-packer.js';
import { FrameUnpacker } from '../../src/decode/packed-frame.js';
import type { Frame } from '../../src/source/frame.js';
import { readCapture } from '../../src/source/read-capture.js';
import { arp, ethernet, ext6, frameOf, ipv4, ipv6, opt, tcp, udp, vxlan } from './helpers/build.js';

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
  /** Of the packed: UDP and ARP frames (records with the frame's bytes). */
  packedUdp = 0;
  packedArp = 0;

  /** Returns whether the native packer took the frame. */
  check(frame: Frame): boolean {
    decodeFrame(frame, this.pkt);
    describeFrame(frame, this.desc, 0);
    // Garbage where the record goes: every byte of it must be written, padding included.
    this.native.fill(0xee, 0, 2 * MAX_NATIVE_RECORD_BYTES);
    const status = pack!(frame.data, this.desc, 0, 1, this.native, 0, 4096, this.out);
    if (!nativeTakes(frame, this.pkt)) {
      expect([status, this.out[0], this.out[1]], `frame ${frame.frameNumber} must be handed back`).toEqual([PACK_FALLBACK, 0, 0]);
      this.handedBack++;
      return false;
    }
    const size = this.packer.measure(frame, this.pkt);
    this.packer.write(frame, this.pkt, this.tsViews, 0);
    expect([status, this.out[0], this.out[1]], `frame ${frame.frameNumber}`).toEqual([PACK_DONE, 1, size]);
    expect(size, 'a native record is never larger than MAX_NATIVE_RECORD_BYTES').toBeLessThanOrEqual(MAX_NATIVE_RECORD_BYTES);
    expect(Buffer.from(this.native.buffer, 0, size).equals(Buffer.from(this.ts, 0, size)), `frame ${frame.frameNumber}: records differ`).toBe(true);
    this.packed++;
    if (this.pkt.isArp) this.packedArp++;
    else if (this.pkt.l4Protocol === PROTO_UDP) this.packedUdp++;
    return true;
  }
}

/** A DNS query for `name` (A record), as a resolver sends it. */
function dnsQuery(id: number, name: string): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const header = Buffer.from([id >> 8, id & 255, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}

/** An NTP v4 client request (48 bytes). */
function ntpRequest(seed: number): Buffer {
  const b = Buffer.alloc(48);
  b[0] = 0x23; // LI 0, version 4, mode 3
  b.writeUInt32BE(seed >>> 0, 40); b.writeUInt32BE((seed * 2654435761) >>> 0, 44);
  return b;
}

const ARP_REQUEST = (): Buffer => arp(1, '00:50:56:6a:01:01', '192.168.50.11', '00:00:00:00:00:00', '192.168.50.12');
const ARP_REPLY = (): Buffer => arp(2, '00:50:56:6a:01:02', '192.168.50.12', '00:50:56:6a:01:01', '192.168.50.11');

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

  test('generated UDP: VLAN tags, IPv4/IPv6, UDP and IP lengths, DNS/NTP payloads, VXLAN, truncation, FCS, size', () => {
    const d = new Differ();
    const payloads = fc.oneof(
      fc.tuple(fc.nat(65535), fc.constantFrom('esx01.lab.local', 'vcenter.example.com', 'a.b')).map(([id, n]) => dnsQuery(id, n)),
      fc.nat().map(ntpRequest),
      fc.constantFrom(0, 1, 7, 8, 100, 440, 460, 470, 700).map((n) => Buffer.alloc(n, 0x3c)),
      fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a)),
    );
    let mustTake = 0;
    fc.assert(fc.property(
      fc.record({
        vlans: fc.array(fc.constantFrom(0x8100, 0x88a8, 0x9100), { maxLength: 3 }),
        v6: fc.boolean(), v6Ext: fc.constantFrom(false, false, false, true), ttl: fc.nat(255), tos: fc.nat(255),
        df: fc.boolean(), mf: fc.constantFrom(false, false, false, true), fragOffset: fc.constantFrom(0, 0, 0, 0, 8),
        ihlOptions: fc.constantFrom(0, 0, 4), ipLengthMode: fc.constantFrom('exact', 'exact', 'zero', 'short', 'long'),
        sport: fc.oneof(fc.constantFrom(53, 123, 50000), fc.nat(65535)),
        dport: fc.oneof(fc.constantFrom(53, 123, 4789, 4789), fc.nat(65535)), vxlanInner: fc.boolean(),
        // UDP length: exact, 0 (offload), below the header, shorter than the data, beyond the IP packet.
        udpLengthMode: fc.constantFrom('exact', 'exact', 'zero', 'below8', 'short', 'beyondIp'), payload: payloads,
        cut: fc.constantFrom(0, 0, 0, 0, 30, 38, 41, 45, 46, 60, 62, 70, 128), fcs: fc.constantFrom(0, 0, 4),
        extra: fc.constantFrom(0, 0, 6), pastBuffer: fc.constantFrom(0, 0, 0, 0, 0, 8),
      }),
      (o) => {
        const body = o.dport === 4789 && o.vxlanInner
          ? vxlan(5001, ethernet({ type: 0x0800 }, ipv4({ protocol: 6 }, tcp({}, Buffer.alloc(20)))))
          : o.payload;
        const udpLength = { exact: 8 + body.length, zero: 0, below8: 5, short: 8 + (body.length >> 1), beyondIp: 8 + body.length + 100 }[o.udpLengthMode];
        const seg = udp({ sport: o.sport, dport: o.dport, length: udpLength }, body);
        const l4 = o.v6 && o.v6Ext ? Buffer.concat([ext6(17), seg]) : seg;
        const ipLen = (h: number) => ({ exact: h + l4.length, zero: 0, short: h + 12, long: h + l4.length + 9 })[o.ipLengthMode];
        const ip = o.v6
          ? ipv6({ nextHeader: o.v6Ext ? 0 : 17, hopLimit: o.ttl, tclass: o.tos, flow: (o.sport * 31) & 0xfffff, payloadLength: Math.max(0, ipLen(40) - 40) }, l4)
          : ipv4({ protocol: 17, ttl: o.ttl, tos: o.tos, df: o.df, mf: o.mf, fragOffset: o.fragOffset, options: Buffer.alloc(o.ihlOptions, 1), totalLength: ipLen(20 + o.ihlOptions) }, l4);
        const vlans = o.vlans.map((tpid, i) => ({ tpid, vid: (i * 1234 + o.dport) & 0xfff }));
        const bytes = Buffer.concat([ethernet({ type: o.v6 ? 0x86dd : 0x0800, vlans }, ip), Buffer.alloc(o.fcs, 0xcc)]);
        const captured = (o.cut > 0 ? Math.min(o.cut, bytes.length) : bytes.length) + o.pastBuffer;
        // pastBuffer: the frame claims bytes its buffer does not hold (the TypeScript copy would be short).
        const taken = d.check(frameOf(bytes, {
          linkType: 1, capturedLength: captured, originalLength: bytes.length + o.extra, fcsLength: o.fcs,
          pad: o.pastBuffer > 0 ? 0 : 24, fill: 0x77,
        }));
        // Independently of nativeTakes: a whole, unfragmented datagram of a small frame, not to the
        // VXLAN port and without IPv6 extension headers, is decoded cleanly and must be taken.
        if (o.cut === 0 && o.pastBuffer === 0 && !o.mf && o.fragOffset === 0 && !(o.v6 && o.v6Ext) && o.dport !== 4789
          && bytes.length <= MAX_NATIVE_BYTES_CAPTURED) {
          expect(taken, 'a clean UDP frame is taken natively').toBe(true);
          mustTake++;
        }
      }), { numRuns: 6000, seed: 17 });
    expect(mustTake).toBeGreaterThan(500);
    // Cut-off datagrams with the whole UDP header are clean decodes too: taken as well.
    expect(d.packedUdp).toBeGreaterThan(mustTake + 500);
    expect(d.handedBack).toBeGreaterThan(3000);
  });

  test('generated ARP: request/reply/any op, wrong hardware or protocol type or sizes, cut-off addresses, padding, FCS, size', () => {
    const d = new Differ();
    let mustTake = 0;
    fc.assert(fc.property(
      fc.record({
        vlans: fc.array(fc.constantFrom(0x8100, 0x88a8, 0x9100), { maxLength: 3 }),
        op: fc.oneof(fc.constantFrom(1, 2), fc.nat(65535)), senderIp: fc.nat(0xffffffff), targetIp: fc.nat(0xffffffff),
        senderMac: fc.nat(0xffff), htype: fc.constantFrom(1, 1, 1, 1, 6), ptype: fc.constantFrom(0x0800, 0x0800, 0x0800, 0x0800, 0x86dd),
        hlen: fc.constantFrom(6, 6, 6, 6, 8), plen: fc.constantFrom(4, 4, 4, 4, 16),
        // Padding to the 60-byte minimum (the usual), none, or enough to cross MAX_NATIVE_BYTES_CAPTURED.
        pad: fc.constantFrom(0, 18, 18, 18, 100, 470, 600), cutArp: fc.constantFrom(-1, -1, -1, 0, 4, 7, 8, 20, 27, 28),
        fcs: fc.constantFrom(0, 0, 4), extra: fc.constantFrom(0, 0, 6), pastBuffer: fc.constantFrom(0, 0, 0, 0, 0, 8),
      }),
      (o) => {
        const ip = (v: number) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
        const mac = (v: number) => `00:50:56:${(v >> 8).toString(16)}:${(v & 255).toString(16)}:01`;
        const a = arp(o.op, mac(o.senderMac), ip(o.senderIp), '00:00:00:00:00:00', ip(o.targetIp));
        a.writeUInt16BE(o.htype, 0); a.writeUInt16BE(o.ptype, 2); a[4] = o.hlen; a[5] = o.plen;
        const vlans = o.vlans.map((tpid, i) => ({ tpid, vid: (i * 777 + o.op) & 0xfff }));
        const bytes = Buffer.concat([ethernet({ type: 0x0806, vlans }, Buffer.concat([a, Buffer.alloc(o.pad)])), Buffer.alloc(o.fcs, 0xcc)]);
        const arpAt = 14 + 4 * o.vlans.length;
        const captured = (o.cutArp >= 0 ? arpAt + o.cutArp : bytes.length) + o.pastBuffer;
        const taken = d.check(frameOf(bytes, {
          linkType: 1, capturedLength: captured, originalLength: bytes.length + o.extra, fcsLength: o.fcs,
          pad: o.pastBuffer > 0 ? 0 : 24, fill: 0x77,
        }));
        if (o.htype === 1 && o.ptype === 0x0800 && o.hlen === 6 && o.plen === 4 && o.cutArp < 0 && o.pastBuffer === 0
          && bytes.length <= MAX_NATIVE_BYTES_CAPTURED) {
          expect(taken, 'a whole Ethernet/IPv4 ARP frame is taken natively').toBe(true);
          mustTake++;
        }
      }), { numRuns: 4000, seed: 23 });
    expect(mustTake).toBeGreaterThan(200);
    // Padding cut off after the 28 ARP bytes is still a clean decode: taken as well.
    expect(d.packedArp).toBeGreaterThan(mustTake + 100);
    expect(d.handedBack).toBeGreaterThan(2000);
  });

  it('takes DNS, NTP and ARP frames as captured; hands back VXLAN, cut-off headers, fragments, extension headers and big frames', () => {
    const d = new Differ();
    const v4 = (seg: Buffer, o: Partial<Parameters<typeof ipv4>[0]> = {}) => ethernet({ type: 0x0800 }, ipv4({ protocol: 17, ...o }, seg));
    const dns = udp({ sport: 53124, dport: 53 }, dnsQuery(0x1c2d, 'esx01.lab.local'));
    const ntp = udp({ sport: 123, dport: 123 }, ntpRequest(7));
    const taken: Array<[string, Frame]> = [
      ['DNS query over IPv4', frameOf(v4(dns))],
      ['NTP request over IPv4, FCS', frameOf(Buffer.concat([v4(ntp), Buffer.alloc(4, 0xcc)]), { fcsLength: 4 })],
      ['DNS over IPv6 in a VLAN', frameOf(ethernet({ type: 0x86dd, vlans: [{ tpid: 0x8100, vid: 120 }] }, ipv6({ nextHeader: 17 }, dns)))],
      ['UDP length 0', frameOf(v4(udp({ dport: 53, length: 0 }, Buffer.alloc(30, 1))))],
      ['UDP length below its header', frameOf(v4(udp({ dport: 53, length: 3 }, Buffer.alloc(30, 1))))],
      ['UDP length beyond the IP packet', frameOf(v4(udp({ dport: 53, length: 400 }, Buffer.alloc(30, 1))))],
      ['UDP header only, in a padded 60-byte frame', frameOf(Buffer.concat([v4(udp({ dport: 9 }, Buffer.alloc(0))), Buffer.alloc(18)]))],
      ['UDP to port 4789 from it (only the destination port means VXLAN)', frameOf(v4(udp({ sport: 4789, dport: 40000 }, Buffer.alloc(30))))],
      ['UDP datagram with the payload cut by the snap length', frameOf(v4(dns), { capturedLength: 50, originalLength: v4(dns).length })],
      ['ARP request', frameOf(ethernet({ type: 0x0806, dst: 'ff:ff:ff:ff:ff:ff' }, ARP_REQUEST()))],
      ['ARP reply padded to 60 bytes plus FCS', frameOf(Buffer.concat([ethernet({ type: 0x0806 }, ARP_REPLY()), Buffer.alloc(18), Buffer.alloc(4, 0xcc)]), { fcsLength: 4 })],
      ['ARP in QinQ', frameOf(ethernet({ type: 0x0806, vlans: [{ tpid: 0x88a8, vid: 10 }, { tpid: 0x8100, vid: 20 }] }, ARP_REPLY()))],
      [`ARP of exactly ${MAX_NATIVE_BYTES_CAPTURED} captured bytes`, frameOf(ethernet({ type: 0x0806 }, Buffer.concat([ARP_REPLY(), Buffer.alloc(MAX_NATIVE_BYTES_CAPTURED - 42)])))],
    ];
    const handedBack: Array<[string, Frame]> = [
      ['VXLAN (destination port 4789)', frameOf(v4(udp({ dport: 4789 }, vxlan(77, ethernet({ type: 0x0800 }, ipv4({ protocol: 6 }, tcp({})))))))],
      ['VXLAN port, not VXLAN inside', frameOf(v4(udp({ dport: 4789 }, Buffer.alloc(20))))],
      ['UDP header cut after the ports', frameOf(v4(dns), { capturedLength: 14 + 20 + 6, originalLength: v4(dns).length })],
      ['UDP header cut before the ports', frameOf(v4(dns), { capturedLength: 14 + 20 + 3, originalLength: v4(dns).length })],
      ['IPv4 first fragment of a datagram', frameOf(v4(dns, { mf: true }))],
      ['IPv4 later fragment', frameOf(v4(dns, { fragOffset: 1480 }))],
      ['UDP after an IPv6 hop-by-hop header', frameOf(ethernet({ type: 0x86dd }, ipv6({ nextHeader: 0 }, Buffer.concat([ext6(17), dns]))))],
      [`UDP of ${MAX_NATIVE_BYTES_CAPTURED + 1} captured bytes`, frameOf(v4(udp({ dport: 53 }, Buffer.alloc(MAX_NATIVE_BYTES_CAPTURED + 1 - 42))))],
      [`ARP of ${MAX_NATIVE_BYTES_CAPTURED + 1} captured bytes`, frameOf(ethernet({ type: 0x0806 }, Buffer.concat([ARP_REPLY(), Buffer.alloc(MAX_NATIVE_BYTES_CAPTURED + 1 - 42)])))],
      ['ARP for another hardware type', frameOf(ethernet({ type: 0x0806 }, (() => { const a = ARP_REQUEST(); a[1] = 6; return a; })()))],
      ['ARP for another protocol', frameOf(ethernet({ type: 0x0806 }, (() => { const a = ARP_REQUEST(); a.writeUInt16BE(0x86dd, 2); return a; })()))],
      ['ARP addresses cut off', frameOf(ethernet({ type: 0x0806 }, ARP_REQUEST()), { capturedLength: 14 + 27, originalLength: 42 })],
      ['ARP claiming more captured bytes than its buffer holds', frameOf(ethernet({ type: 0x0806 }, ARP_REQUEST()), { capturedLength: 50 })],
      ['UDP on a raw IP link', frameOf(ipv4({ protocol: 17 }, dns), { linkType: 101 })],
    ];
    const status = (f: Frame): number => {
      const desc = new Float64Array(DESCRIPTOR_SLOTS);
      describeFrame(f, desc, 0);
      return pack!(f.data, desc, 0, 1, new Uint8Array(4096), 0, 4096, new Int32Array(2));
    };
    for (const [what, f] of taken) {
      expect(status(f), what).toBe(PACK_DONE);
      expect(d.check(f), what).toBe(true);
    }
    for (const [what, f] of handedBack) {
      expect(status(f), what).toBe(PACK_FALLBACK);
      expect(d.check(f), what).toBe(false);
    }
  });

  it('runs of TCP, UDP and ARP records: room is counted with each record\'s own size', () => {
    const bytes: Buffer[] = [];
    for (let i = 0; i < 60; i++) {
      const k = i % 5;
      bytes.push(k === 0 ? ethernet({ type: 0x0806 }, Buffer.concat([ARP_REQUEST(), Buffer.alloc(i * 8)]))
        : k === 1 ? ethernet({ type: 0x0800 }, ipv4({ protocol: 17 }, udp({ dport: 53 }, dnsQuery(i, 'h.example'))))
          : k === 2 ? ethernet({ type: 0x86dd }, ipv6({ nextHeader: 17 }, udp({ dport: 123 }, Buffer.concat([ntpRequest(i), Buffer.alloc(i * 7)]))))
            : ethernet({ type: 0x0800 }, ipv4({ protocol: 6 }, tcp({ seq: i }, Buffer.alloc(i * 10)))));
    }
    const all = Buffer.concat(bytes);
    const desc = new Float64Array(bytes.length * DESCRIPTOR_SLOTS);
    const records: Buffer[] = [];
    const pkt = new DecodedPacket();
    const packer = new RecordPacker();
    const scratch = new SharedArrayBuffer(1 << 16);
    let off = 0;
    bytes.forEach((b, i) => {
      const f = frameOf(b);
      const placed = { ...f, data: all, offset: off, frameNumber: i + 1 };
      describeFrame(placed, desc, i * DESCRIPTOR_SLOTS);
      off += b.length;
      decodeFrame(placed, pkt);
      const size = packer.measure(placed, pkt);
      if (b.length <= MAX_NATIVE_BYTES_CAPTURED) expect(nativeTakes(placed, pkt)).toBe(true);
      packer.write(placed, pkt, recordViews(scratch), 0);
      records.push(Buffer.from(Buffer.from(scratch, 0, size)));
    });
    const ring = new Uint8Array(new SharedArrayBuffer(1 << 20));
    const out = new Int32Array(2);
    // Room for exactly k records: k are packed, then NEED_ROOM; 8 bytes less: k - 1.
    for (const k of [1, 2, 3, 7, 11, 12, 13]) {
      const room = records.slice(0, k).reduce((n, r) => n + r.length, 0);
      expect(pack!(all, desc, 0, bytes.length, ring, 0, room, out), `room for ${k}`).toBe(PACK_NEED_ROOM);
      expect([out[0], out[1]]).toEqual([k, room]);
      expect(Buffer.from(ring.buffer, 0, room).equals(Buffer.concat(records.slice(0, k)))).toBe(true);
      expect(pack!(all, desc, 0, bytes.length, ring, 0, room - 8, out)).toBe(PACK_NEED_ROOM);
      expect(out[0]).toBe(k - 1);
    }
    // Given MAX_NATIVE_RECORD_BYTES (the worker's minimum), every run packs at least its next record.
    let i = 0;
    while (i < bytes.length) {
      ring.fill(0xee, 0, 2 * MAX_NATIVE_RECORD_BYTES);
      const status = pack!(all, desc, i, bytes.length - i, ring, 0, MAX_NATIVE_RECORD_BYTES, out);
      expect(out[0], `frame ${i + 1}`).toBeGreaterThan(0);
      expect(Buffer.from(ring.buffer, 0, out[1]).equals(Buffer.concat(records.slice(i, i + out[0])))).toBe(true);
      i += out[0];
      expect(status).toBe(i < bytes.length ? PACK_NEED_ROOM : PACK_DONE);
    }
  });

  it('two SACK options in one header: the record has the last one\'s edges and zeros after them, as in TypeScript', () => {
    const d = new Differ();
    const three = opt.sack(1, 2, 3, 4, 5, 6);
    const one = opt.sack(9, 10);
    // 26 + 10 bytes of SACK, NOPs to a 40-byte options area.
    const padded = Buffer.concat([three, one, Buffer.alloc(4, 1)]);
    const f = frameOf(ethernet({ type: 0x0800 }, ipv4({ protocol: 6 }, tcp({ options: padded }))));
    expect(d.check(f)).toBe(true);
    expect(d.pkt.sackCount).toBe(1);
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
