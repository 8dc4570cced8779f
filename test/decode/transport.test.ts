import { describe, expect, test } from 'vitest';
import { formatIp, formatMac } from '../../src/decode/addresses.js';
import {
  PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, STOP_MALFORMED, STOP_NONE, STOP_TRUNCATED, STOP_UNSUPPORTED,
  TCP_ACK, TCP_SYN,
} from '../../src/decode/packet.js';
import { arp, ethernet, icmp, ip6, ipv4, ipv6, opt, tcp, udp } from './helpers/build.js';
import { decode } from './helpers/decode.js';

const in4 = (protocol: number, b: Buffer) => ethernet({ type: 0x0800 }, ipv4({ protocol, src: '10.1.1.1', dst: '10.2.2.2' }, b));
const in6 = (nextHeader: number, b: Buffer) => ethernet({ type: 0x86dd }, ipv6({ nextHeader, src: 'fd00::a', dst: 'fd00::b' }, b));

describe('TCP', () => {
  test('SYN options: MSS, window scale, SACK permitted, timestamps', () => {
    const options = Buffer.concat([opt.mss(8960), opt.sackPerm(), opt.ts(111, 0), opt.nop(), opt.ws(9)]);
    const p = decode(in4(PROTO_TCP, tcp({ flags: TCP_SYN, options, window: 64240 })));
    expect(p.stop).toBe(STOP_NONE);
    expect([p.tcpFlags, p.window, p.tcpHeaderLength, p.mss, p.windowScale, p.sackPermitted]).toEqual([TCP_SYN, 64240, 40, 8960, 9, true]);
    expect([p.hasTimestamp, p.tsVal, p.tsEcr, p.tcpOptionsMalformed, p.payloadLength]).toEqual([true, 111, 0, false, 0]);
  });
  test.each([1, 2, 3, 4])('SACK with %i blocks', (n) => {
    const edges = Array.from({ length: 2 * n }, (_, i) => 0xfffff000 + i * 100);
    const options = Buffer.concat([opt.nop(), opt.nop(), opt.sack(...edges)]);
    const padded = Buffer.concat([options, Buffer.alloc((4 - (options.length % 4)) % 4)]);
    const p = decode(in4(PROTO_TCP, tcp({ flags: TCP_ACK, options: padded })));
    expect([p.stop, p.sackCount, p.tcpOptionsMalformed]).toEqual([STOP_NONE, n, false]);
    expect(Array.from(p.sack.subarray(0, 2 * n))).toEqual(edges);
  });
  test.each([
    ['length 0', [2, 0, 0, 0]],
    ['length 1', [8, 1, 0, 0]],
    ['length 255', [5, 255, 0, 0]],
    ['length past the header', [1, 1, 8, 10]],
    ['MSS with length 3', [2, 3, 1, 0]],
    ['SACK with 5 bytes of edges', [5, 7, 1, 2, 3, 4, 5, 0]],
    ['kind without length at header end', [1, 1, 1, 8]],
  ])('absurd option %s sets tcpOptionsMalformed without stopping', (_, bytes) => {
    const p = decode(in4(PROTO_TCP, tcp({ options: opt.raw(...bytes) }, Buffer.alloc(10))));
    expect([p.stop, p.tcpOptionsMalformed, p.payloadLength]).toEqual([STOP_NONE, true, 10]);
  });
  test('unknown options are skipped by length; EOL ends the walk', () => {
    const options = Buffer.concat([opt.raw(30, 6, 1, 2, 3, 4), opt.mss(1460), opt.raw(0, 2, 4, 0)]);
    const p = decode(in4(PROTO_TCP, tcp({ options })));
    expect([p.mss, p.sackPermitted, p.tcpOptionsMalformed]).toEqual([1460, false, false]);
  });
  test('data offset below 5 or beyond the IP payload is malformed', () => {
    expect(decode(in4(PROTO_TCP, tcp({ dataOffset: 4 }))).stopReason).toBe('data offset below 20 bytes');
    const p = decode(in4(PROTO_TCP, tcp({ dataOffset: 15 })));
    expect([p.stop, p.stopLayer, p.srcPort]).toEqual([STOP_MALFORMED, 'tcp', 40000]);
  });
  test('a header cut by the snap length keeps every complete field', () => {
    const full = in4(PROTO_TCP, tcp({ seq: 5, ack: 6, flags: 0x18, window: 7, options: Buffer.concat([opt.nop(), opt.nop(), opt.ts(1, 2)]) }, Buffer.alloc(500)));
    const cut = (n: number) => decode(full.subarray(0, 34 + n), { originalLength: full.length });
    expect([cut(3).stop, cut(3).srcPort]).toEqual([STOP_TRUNCATED, 0]);
    expect([cut(4).srcPort, cut(4).dstPort, cut(4).seq]).toEqual([40000, 8000, 0]);
    expect([cut(12).ack, cut(12).payloadLength]).toEqual([6, 0]);
    expect([cut(13).payloadLength, cut(13).tcpFlags]).toEqual([500, 0]);
    expect([cut(16).window, cut(16).hasTimestamp]).toEqual([7, false]);
    const opts = cut(25);
    expect([opts.stop, opts.stopLayer, opts.hasTimestamp, opts.tcpOptionsMalformed]).toEqual([STOP_TRUNCATED, 'tcp', false, false]);
    const whole = cut(32);
    expect([whole.stop, whole.hasTimestamp, whole.tsEcr, whole.payloadCaptured]).toEqual([STOP_NONE, true, 2, 0]);
  });
});

describe('UDP and ARP', () => {
  test('UDP ports; a short UDP header keeps ports', () => {
    const full = in4(PROTO_UDP, udp({ sport: 1234, dport: 9999 }, Buffer.alloc(20)));
    expect([decode(full).stop, decode(full).dstPort]).toEqual([STOP_NONE, 9999]);
    const p = decode(full.subarray(0, 34 + 6), { originalLength: full.length });
    expect([p.stop, p.stopLayer, p.srcPort]).toEqual([STOP_TRUNCATED, 'udp', 1234]);
  });
  test('ARP request and reply', () => {
    const p = decode(ethernet({ dst: 'ff:ff:ff:ff:ff:ff', type: 0x0806 }, arp(1, '00:50:56:01:01:01', '10.0.0.5', '00:00:00:00:00:00', '10.0.0.1')));
    expect([p.stop, p.isArp, p.arpOp, formatMac(p.arpSenderMac), formatIp(4, [p.arpSenderIp]), formatIp(4, [p.arpTargetIp])])
      .toEqual([STOP_NONE, true, 1, '00:50:56:01:01:01', '10.0.0.5', '10.0.0.1']);
    const r = decode(ethernet({ type: 0x0806 }, arp(2, '00:1c:14:00:00:02', '10.0.0.1', '00:50:56:01:01:01', '10.0.0.5')));
    expect([r.arpOp, formatMac(r.arpTargetMac)]).toEqual([2, '00:50:56:01:01:01']);
    const short = decode(ethernet({ type: 0x0806 }, arp(1, '00:50:56:01:01:01', '10.0.0.5', '00:00:00:00:00:00', '10.0.0.1').subarray(0, 20)));
    expect([short.stop, short.isArp, short.arpOp, short.arpSenderIp]).toEqual([STOP_TRUNCATED, true, 1, 0]);
    const ipx = Buffer.from([0, 1, 0x81, 0x37, 6, 4, 0, 1]);
    expect(decode(ethernet({ type: 0x0806 }, Buffer.concat([ipx, Buffer.alloc(20)]))).stop).toBe(STOP_UNSUPPORTED);
  });
});

describe('ICMP', () => {
  const quoted4 = ipv4({ protocol: PROTO_TCP, src: '10.1.1.1', dst: '10.9.9.9', df: true }, tcp({ sport: 40000, dport: 8000, seq: 0xabcdef01 }, Buffer.alloc(8000)));
  test('frag-needed carries the next-hop MTU and the quoted TCP segment', () => {
    const rest = Buffer.from([0, 0, 0x05, 0xdc]); // unused, MTU 1500
    const p = decode(in4(PROTO_ICMP, icmp(3, 4, rest, quoted4.subarray(0, 28))));
    expect([p.stop, p.icmpType, p.icmpCode, p.icmpMtu]).toEqual([STOP_NONE, 3, 4, 1500]);
    expect([p.icmpInnerIpVersion, formatIp(4, p.icmpInnerSrc), formatIp(4, p.icmpInnerDst)]).toEqual([4, '10.1.1.1', '10.9.9.9']);
    expect([p.icmpInnerProtocol, p.icmpInnerSrcPort, p.icmpInnerDstPort, p.icmpInnerSeq]).toEqual([PROTO_TCP, 40000, 8000, 0xabcdef01]);
    // the outer packet's own transport fields are untouched
    expect([p.srcPort, p.l4Protocol]).toEqual([0, PROTO_ICMP]);
  });
  test('time exceeded and redirect (gateway) ', () => {
    const te = decode(in4(PROTO_ICMP, icmp(11, 0, Buffer.alloc(4), quoted4.subarray(0, 28))));
    expect([te.icmpType, te.icmpMtu, te.icmpInnerSeq]).toEqual([11, -1, 0xabcdef01]);
    const rd = decode(in4(PROTO_ICMP, icmp(5, 1, Buffer.from([10, 1, 1, 254]), quoted4.subarray(0, 28))));
    expect([rd.icmpType, formatIp(4, rd.icmpGateway), rd.icmpInnerDstPort]).toEqual([5, '10.1.1.254', 8000]);
  });
  test('quoted packet cut short fills what is there; echo has no inner packet', () => {
    const p = decode(in4(PROTO_ICMP, icmp(3, 4, Buffer.from([0, 0, 0x23, 0x28]), quoted4.subarray(0, 24))));
    expect([p.stop, p.icmpMtu, p.icmpInnerIpVersion, p.icmpInnerSrcPort, p.icmpInnerSeq]).toEqual([STOP_NONE, 9000, 4, 40000, -1]);
    const headerOnly = decode(in4(PROTO_ICMP, icmp(11, 0, Buffer.alloc(4), quoted4.subarray(0, 22))));
    expect([headerOnly.icmpInnerIpVersion, headerOnly.icmpInnerProtocol, headerOnly.icmpInnerSrcPort]).toEqual([4, PROTO_TCP, -1]);
    const echo = decode(in4(PROTO_ICMP, icmp(8, 0, Buffer.alloc(4), quoted4.subarray(0, 28))));
    expect([echo.icmpType, echo.icmpInnerIpVersion]).toEqual([8, 0]);
    expect(decode(in4(PROTO_ICMP, Buffer.from([3, 4]))).stop).toBe(STOP_TRUNCATED);
  });
  const quoted6 = ipv6({ nextHeader: PROTO_TCP, src: 'fd00::a', dst: 'fd00::c' }, tcp({ sport: 8000, dport: 41000, seq: 77 }, Buffer.alloc(9000)));
  test('ICMPv6 packet too big, time exceeded, redirect', () => {
    const ptb = decode(in6(PROTO_ICMPV6, icmp(2, 0, Buffer.from([0, 0, 0x05, 0xdc]), quoted6.subarray(0, 48))));
    expect([ptb.stop, ptb.icmpType, ptb.icmpMtu, ptb.icmpInnerIpVersion, formatIp(6, ptb.icmpInnerDst), ptb.icmpInnerSeq]).toEqual([STOP_NONE, 2, 1500, 6, 'fd00::c', 77]);
    const te = decode(in6(PROTO_ICMPV6, icmp(3, 0, Buffer.alloc(4), quoted6.subarray(0, 48))));
    expect([te.icmpType, te.icmpMtu, te.icmpInnerSrcPort]).toEqual([3, -1, 8000]);
    const redirectedHeader = Buffer.concat([Buffer.from([4, 7, 0, 0, 0, 0, 0, 0]), quoted6.subarray(0, 48)]);
    const rd = decode(in6(PROTO_ICMPV6, icmp(137, 0, Buffer.alloc(4), Buffer.concat([ip6('fe80::1'), ip6('fd00::c'), redirectedHeader]))));
    expect([rd.icmpType, formatIp(6, rd.icmpGateway), rd.icmpInnerDstPort]).toEqual([137, 'fe80::1', 41000]);
  });
});
