import { describe, expect, test } from 'vitest';
import { formatIp, formatMac } from '../../src/decode/addresses.js';
import { PROTO_TCP, STOP_MALFORMED, STOP_NONE, STOP_TRUNCATED, STOP_UNSUPPORTED } from '../../src/decode/packet.js';
import { ethernet, ipv4, ipv6, tcp } from './helpers/build.js';
import { decode } from './helpers/decode.js';

const seg = () => tcp({ sport: 40001, dport: 8000, seq: 0xfffffff0, ack: 7, flags: 0x18 }, Buffer.alloc(100, 1));
const v4 = () => ipv4({ src: '192.168.10.11', dst: '192.168.20.12', ttl: 63, protocol: PROTO_TCP, df: true }, seg());
const v6 = () => ipv6({ src: 'fd00:10::11', dst: 'fd00:20::12', hopLimit: 62, nextHeader: PROTO_TCP }, seg());

function le32(v: number) { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; }
function be32(v: number) { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b; }

describe('Ethernet and VLAN tags', () => {
  test('untagged IPv4/TCP: MACs, ethertype, IP and TCP fields', () => {
    const p = decode(ethernet({ dst: '00:50:56:01:02:03', src: '00:0c:29:aa:bb:cc', type: 0x0800 }, v4()));
    expect(p.stop).toBe(STOP_NONE);
    expect(formatMac(p.dstMac)).toBe('00:50:56:01:02:03');
    expect(formatMac(p.srcMac)).toBe('00:0c:29:aa:bb:cc');
    expect(p.etherType).toBe(0x0800);
    expect(p.vlanCount).toBe(0);
    expect(formatIp(4, p.src)).toBe('192.168.10.11');
    expect(p.ttl).toBe(63);
    expect(p.l3Offset).toBe(16 + 14); // decode() pads 16 bytes before the frame
    expect(p.seq).toBe(0xfffffff0);
    expect(p.payloadLength).toBe(100);
  });

  test.each([
    [[0x8100], [100]],
    [[0x88a8, 0x8100], [200, 100]],
    [[0x9100, 0x8100], [300, 101]],
    [[0x88a8, 0x8100, 0x8100], [7, 8]],
  ])('tags %j keep the first two VLAN ids and reach IP', (tpids, ids) => {
    const vlans = tpids.map((tpid, i) => ({ tpid, vid: [7, 8, 9][i] }));
    if (tpids.length < 3) ids.forEach((id, i) => { vlans[i].vid = id; });
    const p = decode(ethernet({ type: 0x86dd, vlans: vlans.map((v) => ({ ...v, pcp: 5 })) }, v6()));
    expect(p.stop).toBe(STOP_NONE);
    expect(p.vlanCount).toBe(tpids.length);
    expect(p.vlan0).toBe(ids[0]);
    expect(p.vlan1).toBe(ids.length > 1 ? ids[1] : -1);
    expect(p.etherType).toBe(0x86dd);
    expect(formatIp(6, p.dst)).toBe('fd00:20::12');
    expect(p.l3Offset).toBe(16 + 14 + 4 * tpids.length);
  });

  test('more than 8 tags is malformed, not a loop', () => {
    const vlans = Array.from({ length: 9 }, () => ({ tpid: 0x8100, vid: 1 }));
    const p = decode(ethernet({ type: 0x0800, vlans }, v4()));
    expect(p.stop).toBe(STOP_MALFORMED);
    expect(p.stopLayer).toBe('vlan');
    expect(p.vlanCount).toBe(8);
  });

  test('a tag cut by the snap length is truncation in the vlan layer', () => {
    const p = decode(ethernet({ type: 0x0800, vlans: [{ tpid: 0x8100, vid: 5 }] }, v4()).subarray(0, 16));
    expect(p.stop).toBe(STOP_TRUNCATED);
    expect(p.stopLayer).toBe('vlan');
    expect(p.hasMacs).toBe(true);
  });

  test('frames shorter than 14 bytes, LLC frames and unknown ethertypes stop cleanly', () => {
    expect(decode(Buffer.alloc(13)).stop).toBe(STOP_TRUNCATED);
    const llc = decode(ethernet({ type: 0x0026 }, Buffer.alloc(40)));
    expect([llc.stop, llc.stopLayer]).toEqual([STOP_UNSUPPORTED, 'ethernet']);
    const lldp = decode(ethernet({ type: 0x88cc }, Buffer.alloc(40)));
    expect([lldp.stop, lldp.etherType]).toEqual([STOP_UNSUPPORTED, 0x88cc]);
  });

  test('FCS bytes are excluded: padding+FCS after a short IP packet are not payload', () => {
    const small = ipv4({ protocol: PROTO_TCP }, tcp({}));
    const frame = Buffer.concat([ethernet({ type: 0x0800 }, small), Buffer.alloc(6), Buffer.from([1, 2, 3, 4])]);
    const p = decode(frame, { fcsLength: 4 });
    expect(p.stop).toBe(STOP_NONE);
    expect(p.payloadLength).toBe(0);
    expect(p.payloadCaptured).toBe(0);
    // TSO capture with an FCS: total length 0 is derived from the wire length minus the FCS.
    const tso = ipv4({ protocol: PROTO_TCP, totalLength: 0 }, tcp({}, Buffer.alloc(1000)));
    const q = decode(Buffer.concat([ethernet({ type: 0x0800 }, tso), Buffer.alloc(4)]), { fcsLength: 4 });
    expect(q.ipLengthFromFrame).toBe(true);
    expect(q.ipTotalLength).toBe(1040);
    expect(q.payloadLength).toBe(1000);
  });
});

describe('Linux cooked headers', () => {
  function sll(pktType: number, proto: number, payload: Buffer, arphrd = 1): Buffer {
    const h = Buffer.alloc(16);
    h.writeUInt16BE(pktType, 0); h.writeUInt16BE(arphrd, 2); h.writeUInt16BE(6, 4);
    Buffer.from([0x00, 0x50, 0x56, 0x9a, 0x0b, 0x0c]).copy(h, 6); h.writeUInt16BE(proto, 14);
    return Buffer.concat([h, payload]);
  }
  function sll2(pktType: number, proto: number, payload: Buffer, arphrd = 1): Buffer {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(proto, 0); h.writeUInt32BE(3, 4); h.writeUInt16BE(arphrd, 8); h[10] = pktType; h[11] = 6;
    Buffer.from([0x00, 0x50, 0x56, 0x9a, 0x0b, 0x0c]).copy(h, 12);
    return Buffer.concat([h, payload]);
  }
  test.each([[113, sll], [276, sll2]])('link type %i: packet type, source MAC, IPv4 and IPv6', (linkType, build) => {
    const a = decode(build(4, 0x0800, v4()), { linkType });
    expect([a.stop, a.sllPacketType, formatMac(a.srcMac), a.dstMac, a.hasMacs]).toEqual([STOP_NONE, 4, '00:50:56:9a:0b:0c', 0, true]);
    expect(formatIp(4, a.src)).toBe('192.168.10.11');
    expect(a.l3Offset).toBe(16 + (linkType === 113 ? 16 : 20));
    const b = decode(build(0, 0x86dd, v6()), { linkType });
    expect([b.stop, b.ipVersion, b.sllPacketType, b.payloadLength]).toEqual([STOP_NONE, 6, 0, 100]);
    const tagged = decode(build(0, 0x8100, Buffer.concat([Buffer.from([0x00, 0x2a, 0x08, 0x00]), v4()])), { linkType });
    expect([tagged.stop, tagged.vlanCount, tagged.vlan0, tagged.ipVersion]).toEqual([STOP_NONE, 1, 42, 4]);
    const netlink = decode(build(0, 0x0000, Buffer.alloc(30), 824), { linkType });
    expect(netlink.stop).toBe(STOP_UNSUPPORTED);
    const short = decode(build(0, 0x0800, Buffer.alloc(0)).subarray(0, 10), { linkType });
    expect([short.stop, short.stopLayer]).toEqual([STOP_TRUNCATED, linkType === 113 ? 'linux_sll' : 'linux_sll2']);
  });
});

describe('link types that start at IP', () => {
  test.each([101, 12, 14])('RAW %i picks IPv4 or IPv6 by version nibble', (linkType) => {
    expect(decode(v4(), { linkType }).ipVersion).toBe(4);
    const p = decode(v6(), { linkType });
    expect([p.stop, p.ipVersion, p.l3Offset, p.hasMacs]).toEqual([STOP_NONE, 6, 16, false]);
    expect(decode(Buffer.from([0x50, 0, 0, 0]), { linkType }).stop).toBe(STOP_UNSUPPORTED);
    expect(decode(Buffer.alloc(0), { linkType }).stop).toBe(STOP_TRUNCATED);
  });
  test('IPV4 (228) and IPV6 (229)', () => {
    expect(decode(v4(), { linkType: 228 }).payloadLength).toBe(100);
    expect(decode(v6(), { linkType: 229 }).payloadLength).toBe(100);
    // A wrong-version packet on a fixed-version link type is malformed, not guessed.
    expect(decode(v6(), { linkType: 228 }).stop).toBe(STOP_MALFORMED);
  });
  test.each([2, 10, 24, 28, 30])('NULL family %i in either byte order', (family) => {
    const payload = family === 2 ? v4() : v6();
    for (const hdr of [le32(family), be32(family)]) {
      const p = decode(Buffer.concat([hdr, payload]), { linkType: 0 });
      expect([p.stop, p.ipVersion, p.l3Offset]).toEqual([STOP_NONE, family === 2 ? 4 : 6, 20]);
    }
  });
  test('LOOP is network byte order only; unknown families are unsupported', () => {
    expect(decode(Buffer.concat([be32(2), v4()]), { linkType: 108 }).ipVersion).toBe(4);
    expect(decode(Buffer.concat([be32(30), v6()]), { linkType: 108 }).ipVersion).toBe(6);
    expect(decode(Buffer.concat([le32(2), v4()]), { linkType: 108 }).stop).toBe(STOP_UNSUPPORTED);
    expect(decode(Buffer.concat([be32(7), v4()]), { linkType: 0 }).stop).toBe(STOP_UNSUPPORTED);
    expect(decode(Buffer.alloc(3), { linkType: 0 }).stop).toBe(STOP_TRUNCATED);
  });
  test('unknown link types are unsupported, not errors', () => {
    const p = decode(v4(), { linkType: 105 });
    expect([p.stop, p.stopLayer, p.ipVersion]).toEqual([STOP_UNSUPPORTED, 'linktype', 0]);
  });
});
