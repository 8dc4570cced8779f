import { describe, expect, test } from 'vitest';
import { formatIp } from '../../src/decode/addresses.js';
import { PROTO_TCP, PROTO_UDP, STOP_MALFORMED, STOP_NONE, STOP_TRUNCATED, STOP_UNSUPPORTED } from '../../src/decode/packet.js';
import { ethernet, ext6, frag6, ipv4, ipv6, tcp, udp } from './helpers/build.js';
import { decode } from './helpers/decode.js';

const seg = (n = 100) => tcp({ sport: 8000, dport: 40000 }, Buffer.alloc(n, 2));
const e4 = (b: Buffer) => ethernet({ type: 0x0800 }, b);
const e6 = (b: Buffer) => ethernet({ type: 0x86dd }, b);

describe('IPv4', () => {
  test('header fields: TOS split into DSCP/ECN, id, DF, options skipped', () => {
    const opts = Buffer.from([0x94, 0x04, 0, 0, 1, 1, 1, 0]); // router alert + NOPs + EOL
    const p = decode(e4(ipv4({ protocol: PROTO_TCP, tos: (46 << 2) | 1, id: 0xbeef, df: true, options: opts, ttl: 1 }, seg())));
    expect(p.stop).toBe(STOP_NONE);
    expect([p.dscp, p.ecn, p.ipId, p.dontFragment, p.ttl, p.ipHeaderLength]).toEqual([46, 1, 0xbeef, true, 1, 28]);
    expect([p.isFragment, p.moreFragments, p.fragmentOffset]).toEqual([false, false, 0]);
    expect(p.l4Offset - p.l3Offset).toBe(28);
    expect([p.srcPort, p.payloadLength]).toEqual([8000, 100]);
  });

  test('first fragment decodes TCP; later fragments do not', () => {
    const first = decode(e4(ipv4({ protocol: PROTO_TCP, mf: true }, seg(64))));
    expect([first.isFragment, first.moreFragments, first.fragmentOffset, first.srcPort, first.payloadLength]).toEqual([true, true, 0, 8000, 64]);
    const later = decode(e4(ipv4({ protocol: PROTO_TCP, fragOffset: 1480 }, seg(64))));
    expect([later.stop, later.isFragment, later.fragmentOffset, later.moreFragments]).toEqual([STOP_NONE, true, 1480, false]);
    expect([later.l4Protocol, later.srcPort, later.tcpHeaderLength, later.payloadLength]).toEqual([PROTO_TCP, 0, 0, 0]);
  });

  test.each([0, 1, 4])('IHL %i (< 5) is malformed', (ihl) => {
    const p = decode(e4(ipv4({ protocol: PROTO_TCP, ihl }, seg())));
    expect([p.stop, p.stopLayer, p.ipVersion]).toEqual([STOP_MALFORMED, 'ipv4', 0]);
  });
  test('IHL beyond total length, and wrong version, are malformed', () => {
    expect(decode(e4(ipv4({ protocol: PROTO_TCP, ihl: 15, totalLength: 40 }, seg()))).stop).toBe(STOP_MALFORMED);
    expect(decode(e4(ipv4({ protocol: PROTO_TCP, totalLength: 12 }, seg()))).stop).toBe(STOP_MALFORMED);
    expect(decode(e4(ipv4({ protocol: PROTO_TCP, version: 5 }, seg()))).stopReason).toBe('version field is not 4');
  });
  test('options cut by the snap length: fixed fields kept, STOP_TRUNCATED in ipv4', () => {
    const frame = e4(ipv4({ protocol: PROTO_TCP, options: Buffer.alloc(20, 1) }, seg()));
    const p = decode(frame, { capturedLength: 14 + 30, originalLength: frame.length });
    expect([p.stop, p.stopLayer, p.ttl, p.ipTotalLength]).toEqual([STOP_TRUNCATED, 'ipv4', 64, 160]);
  });
  test('payload length comes from total length, not the (snaplen) captured length', () => {
    const frame = e4(ipv4({ protocol: PROTO_TCP }, seg(9000)));
    const p = decode(frame.subarray(0, 96), { originalLength: frame.length });
    expect([p.stop, p.payloadLength, p.payloadCaptured]).toEqual([STOP_NONE, 9000, 96 - 54]);
  });
  test('total length 0 (TSO/LRO host capture) derives the length from the frame', () => {
    const frame = e4(ipv4({ protocol: PROTO_TCP, totalLength: 0 }, seg(30000)));
    const p = decode(frame.subarray(0, 128), { originalLength: frame.length });
    expect([p.ipLengthFromFrame, p.ipTotalLength, p.payloadLength]).toEqual([true, 30040, 30000]);
    // Linux BIG TCP aggregates exceed 64 KiB and also carry total length 0.
    const big = decode(frame.subarray(0, 128), { originalLength: 14 + 40 + 150000 });
    expect([big.ipTotalLength, big.payloadLength]).toEqual([150040, 150000]);
  });
  test('Ethernet padding is not payload', () => {
    const frame = Buffer.concat([e4(ipv4({ protocol: PROTO_TCP }, seg(2))), Buffer.alloc(4, 0xaa)]);
    const p = decode(frame);
    expect([p.payloadLength, p.payloadCaptured]).toEqual([2, 2]);
  });
  test('unknown IP protocols are unsupported', () => {
    const p = decode(e4(ipv4({ protocol: 89 }, Buffer.alloc(40))));
    expect([p.stop, p.stopLayer, p.l4Protocol, p.ipVersion]).toEqual([STOP_UNSUPPORTED, 'ipv4', 89, 4]);
  });
});

describe('IPv6', () => {
  test('fixed header: traffic class, flow label, hop limit, addresses', () => {
    const p = decode(e6(ipv6({ src: '2001:db8::1', dst: '2001:db8:0:1::99', nextHeader: PROTO_TCP, tclass: (10 << 2) | 2, flow: 0xabcde, hopLimit: 61 }, seg())));
    expect(p.stop).toBe(STOP_NONE);
    expect([p.dscp, p.ecn, p.flowLabel, p.ttl, p.ipHeaderLength, p.ipTotalLength]).toEqual([10, 2, 0xabcde, 61, 40, 160]);
    expect(formatIp(6, p.src)).toBe('2001:db8::1');
    expect(formatIp(6, p.dst)).toBe('2001:db8:0:1::99');
  });
  test('extension headers (hop-by-hop, routing, destination options, AH) are walked to TCP', () => {
    const ah = Buffer.alloc(24); ah[0] = PROTO_TCP; ah[1] = 4; // (4 + 2) * 4 = 24 bytes
    const hbh = ext6(43, 1); const rt = ext6(60, 2); const dst = ext6(51, 1);
    const p = decode(e6(ipv6({ nextHeader: 0 }, Buffer.concat([hbh, rt, dst, ah, seg(50)]))));
    expect(p.stop).toBe(STOP_NONE);
    expect([p.ipHeaderLength, p.l4Protocol, p.srcPort, p.payloadLength]).toEqual([40 + 8 + 16 + 8 + 24, PROTO_TCP, 8000, 50]);
  });
  test('fragment header fills the fragment fields; later fragments stop before transport', () => {
    const first = decode(e6(ipv6({ nextHeader: 44 }, Buffer.concat([frag6(PROTO_TCP, 0, true, 0xcafef00d), seg(40)]))));
    expect([first.stop, first.isFragment, first.moreFragments, first.fragmentOffset, first.ipId, first.srcPort]).toEqual([STOP_NONE, true, true, 0, 0xcafef00d, 8000]);
    expect(first.ipHeaderLength).toBe(48);
    const later = decode(e6(ipv6({ nextHeader: 44 }, Buffer.concat([frag6(PROTO_UDP, 1232, false, 9), Buffer.alloc(60, 0xff)]))));
    expect([later.stop, later.isFragment, later.fragmentOffset, later.l4Protocol, later.srcPort]).toEqual([STOP_NONE, true, 1232, PROTO_UDP, 0]);
  });
  test('an extension chain that never ends is malformed after 16 headers', () => {
    const chain = Buffer.concat(Array.from({ length: 40 }, () => ext6(60)));
    const p = decode(e6(ipv6({ nextHeader: 60 }, chain)));
    expect([p.stop, p.stopLayer, p.stopReason]).toEqual([STOP_MALFORMED, 'ipv6', 'more than 16 extension headers']);
  });
  test('an extension header longer than the payload is malformed; one cut by the capture is truncated', () => {
    const big = ext6(PROTO_TCP); big[1] = 255;
    expect(decode(e6(ipv6({ nextHeader: 0 }, Buffer.concat([big, seg()])))).stop).toBe(STOP_MALFORMED);
    const frame = e6(ipv6({ nextHeader: 0 }, Buffer.concat([ext6(PROTO_TCP, 4), seg()])));
    const p = decode(frame.subarray(0, 14 + 40 + 10), { originalLength: frame.length });
    expect([p.stop, p.stopLayer, p.ipVersion, p.ttl]).toEqual([STOP_TRUNCATED, 'ipv6', 6, 64]);
  });
  test('payload length 0: jumbogram option wins, otherwise the frame length is used', () => {
    const jumbo = Buffer.from([PROTO_TCP, 0, 0xc2, 4, 0, 0, 0, 0]);
    const body = Buffer.concat([jumbo, seg(70000)]);
    body.writeUInt32BE(body.length, 4);
    const j = decode(e6(ipv6({ nextHeader: 0, payloadLength: 0 }, body)).subarray(0, 200), { originalLength: 14 + 40 + body.length + 3 });
    expect([j.stop, j.ipLengthFromFrame, j.ipTotalLength, j.payloadLength]).toEqual([STOP_NONE, false, 40 + 8 + 20 + 70000, 70000]);
    const tso = e6(ipv6({ nextHeader: PROTO_TCP, payloadLength: 0 }, seg(20000)));
    const t = decode(tso.subarray(0, 128), { originalLength: tso.length });
    expect([t.ipLengthFromFrame, t.ipTotalLength, t.payloadLength]).toEqual([true, 20060, 20000]);
  });
  test('ESP and no-next-header', () => {
    expect(decode(e6(ipv6({ nextHeader: 50 }, Buffer.alloc(40)))).stop).toBe(STOP_UNSUPPORTED);
    const none = decode(e6(ipv6({ nextHeader: 59 }, Buffer.alloc(0))));
    expect([none.stop, none.l4Protocol]).toEqual([STOP_NONE, 59]);
  });
  test('header shorter than 40 bytes is truncated', () => {
    const frame = e6(ipv6({ nextHeader: PROTO_TCP }, seg()));
    const p = decode(frame.subarray(0, 14 + 39), { originalLength: frame.length });
    expect([p.stop, p.stopLayer, p.ipVersion]).toEqual([STOP_TRUNCATED, 'ipv6', 0]);
  });
  test('UDP over IPv6 fills ports', () => {
    const p = decode(e6(ipv6({ nextHeader: PROTO_UDP }, udp({ sport: 5353, dport: 53 }, Buffer.alloc(10)))));
    expect([p.stop, p.srcPort, p.dstPort, p.l4Protocol]).toEqual([STOP_NONE, 5353, 53, PROTO_UDP]);
  });
});
