/**
 * The fuzzer's seed corpus: small slices of every sample capture (real pcap and pcapng from the
 * lab), the decoder fixtures, and crafted captures that carry what the lab does not (every link
 * type, VLAN stacks, IPv6 extension chains, GRE/ERSPAN/VXLAN mirror tunnels, SACK/timestamp
 * options, ICMP errors, ARP) so mutations reach every decoder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstPackets, units, writePcap, writePcapng } from './captures.mjs';
import { ROOT } from './build-src.mjs';

const u16 = (v) => { const b = Buffer.alloc(2); b.writeUInt16BE(v & 0xffff); return b; };
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); return b; };
const ip4 = (s) => Buffer.from(s.split('.').map(Number));
const mac = (n) => Buffer.from([0x00, 0x50, 0x56, 0x00, 0x00, n]);

export function eth(type, payload, vlans = [], dst = 2, src = 1) {
  const tags = vlans.map(([tpid, vid]) => Buffer.concat([u16(tpid), u16(vid)]));
  // Tag chain: each TPID introduces the next 4 bytes; the last tag is followed by `type`.
  const parts = [mac(dst), mac(src)];
  if (tags.length > 0) {
    parts.push(u16(vlans[0][0]));
    for (let i = 0; i < vlans.length; i++) parts.push(u16(vlans[i][1]), u16(i + 1 < vlans.length ? vlans[i + 1][0] : type));
  } else parts.push(u16(type));
  return Buffer.concat([...parts, payload]);
}

export function ipv4(proto, src, dst, payload, { ttl = 64, options = Buffer.alloc(0), id = 1 } = {}) {
  const hl = 20 + options.length;
  const h = Buffer.alloc(20);
  h[0] = 0x40 | (hl / 4); h[1] = 0; h.writeUInt16BE(hl + payload.length, 2); h.writeUInt16BE(id, 4);
  h.writeUInt16BE(0x4000, 6); h[8] = ttl; h[9] = proto;
  ip4(src).copy(h, 12); ip4(dst).copy(h, 16);
  return Buffer.concat([h, options, payload]);
}

export function ipv6(nh, payload, { ext = [], hop = 64, lenZero = false, src = 1, dst = 2 } = {}) {
  // ext: [[type, bodyLen8]] chained before `nh`.
  const chain = [];
  let first = nh;
  for (let i = ext.length - 1; i >= 0; i--) {
    const [type, units8] = ext[i];
    const e = Buffer.alloc((units8 + 1) * 8);
    e[0] = first; e[1] = units8;
    chain.unshift(e);
    first = type;
  }
  const body = Buffer.concat([...chain, payload]);
  const h = Buffer.alloc(40);
  h[0] = 0x60; h.writeUInt16BE(lenZero ? 0 : body.length, 4); h[6] = first; h[7] = hop;
  h[8] = 0xfd; h[23] = src; h[24] = 0xfd; h[39] = dst;
  return Buffer.concat([h, body]);
}

const SYN = 0x02; const ACK = 0x10; const PSH = 0x08; const FIN = 0x01; const RST = 0x04;

export function tcp(sport, dport, seq, ack, flags, { options = Buffer.alloc(0), payload = Buffer.alloc(0), win = 29200 } = {}) {
  const hl = 20 + options.length;
  const h = Buffer.alloc(20);
  h.writeUInt16BE(sport, 0); h.writeUInt16BE(dport, 2); h.writeUInt32BE(seq >>> 0, 4); h.writeUInt32BE(ack >>> 0, 8);
  h[12] = (hl / 4) << 4; h[13] = flags; h.writeUInt16BE(win, 14);
  return Buffer.concat([h, options, payload]);
}

const opt = {
  mss: (v) => Buffer.concat([Buffer.from([2, 4]), u16(v)]),
  ws: (v) => Buffer.from([3, 3, v]),
  sackPerm: () => Buffer.from([4, 2]),
  sack: (...edges) => Buffer.concat([Buffer.from([5, 2 + 4 * edges.length]), ...edges.map(u32)]),
  ts: (a, b) => Buffer.concat([Buffer.from([8, 10]), u32(a), u32(b)]),
  nop: () => Buffer.from([1]),
};

export function udp(sport, dport, payload) {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0); h.writeUInt16BE(dport, 2); h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

export function gre(proto, inner, { seq = null, key = null } = {}) {
  let flags = 0;
  const extra = [];
  if (key !== null) { flags |= 0x2000; extra.push(u32(key)); }
  if (seq !== null) { flags |= 0x1000; extra.push(u32(seq)); }
  return Buffer.concat([u16(flags), u16(proto), ...extra, inner]);
}

const erspan2 = (session, inner) => Buffer.concat([Buffer.from([0x10, 0x00]), u16(session), u32(0), inner]);
const erspan3 = (session, inner, sub = false) => Buffer.concat([
  Buffer.from([0x20, 0x00]), u16(session), u32(0), u16(0), u16(sub ? 1 : 0), sub ? Buffer.alloc(8) : Buffer.alloc(0), inner]);
const vxlan = (inner) => Buffer.concat([Buffer.from([0x08, 0, 0, 0, 0, 0, 0x2a, 0]), inner]);

function arp(op, senderIp, targetIp) {
  return Buffer.concat([u16(1), u16(0x0800), Buffer.from([6, 4]), u16(op), mac(1), ip4(senderIp), Buffer.alloc(6), ip4(targetIp)]);
}

/** One vMotion-like TCP conversation on 8000 (segments as IP packets), with options, loss and close. */
function conversation(ipOf, a = '10.0.0.1', b = '10.0.0.2', sport = 40000) {
  const c = 1000; const s = 5000;
  const data = (n) => Buffer.alloc(n, 0xab);
  const out = [];
  const A = (seq, ack, flags, o = {}) => out.push(ipOf(a, b, tcp(sport, 8000, seq, ack, flags, o)));
  const B = (seq, ack, flags, o = {}) => out.push(ipOf(b, a, tcp(8000, sport, seq, ack, flags, o)));
  A(c, 0, SYN, { options: Buffer.concat([opt.mss(8960), opt.sackPerm(), opt.ts(1, 0), opt.nop(), opt.ws(7)]) });
  B(s, c + 1, SYN | ACK, { options: Buffer.concat([opt.mss(1460), opt.sackPerm(), opt.ts(9, 1), opt.nop(), opt.ws(7)]) });
  A(c + 1, s + 1, ACK);
  for (let i = 0; i < 6; i++) A(c + 1 + i * 200, s + 1, ACK | PSH, { payload: data(200), options: Buffer.concat([opt.nop(), opt.nop(), opt.ts(2 + i, 9)]) });
  B(s + 1, c + 201, ACK, { options: Buffer.concat([opt.nop(), opt.nop(), opt.sack(c + 401, c + 801)]) });
  A(c + 201, s + 1, ACK, { payload: data(200) }); // retransmission
  B(s + 1, c + 1201, ACK, { win: 0 });
  A(c + 1201, s + 1, FIN | ACK);
  B(s + 1, c + 1202, FIN | ACK);
  A(c + 1202, s + 2, ACK);
  out.push(ipOf(a, b, tcp(sport + 1, 8000, 77, 0, SYN)));
  out.push(ipOf(b, a, tcp(8000, sport + 1, 0, 78, RST | ACK)));
  return out;
}

const v4 = (src, dst, seg) => ipv4(6, src, dst, seg);
const lastOctet = (a) => Number(a.split('.')[3]);
const v6 = (ext) => (src, dst, seg) => ipv6(6, seg, { ext, src: lastOctet(src), dst: lastOctet(dst) });

/** Crafted captures: one per encapsulation, plus a multi-interface pcapng with every link type. */
export function craftedSeeds() {
  const seeds = [];
  const frames = (list) => list.map((data) => ({ data }));
  const conv4 = conversation(v4);
  seeds.push(['crafted-ethernet-vlan.pcap', writePcap(1, frames([
    ...conv4.map((p) => eth(0x0800, p, [[0x88a8, 100], [0x8100, 200]])),
    eth(0x0806, arp(1, '10.0.0.1', '10.0.0.254')),
    eth(0x0800, ipv4(1, '10.0.0.254', '10.0.0.1', Buffer.concat([Buffer.from([3, 4, 0, 0, 0, 0, 0x05, 0xdc]), conv4[3].subarray(0, 48)]))),
    eth(0x0800, ipv4(1, '10.9.0.1', '10.0.0.1', Buffer.concat([Buffer.from([11, 0, 0, 0, 0, 0, 0, 0]), conv4[0].subarray(0, 28)]))),
  ]))]);
  seeds.push(['crafted-ipv6-ext.pcap', writePcap(1, frames(
    conversation(v6([[0, 0], [60, 1], [43, 0]])).map((p) => eth(0x86dd, p))))]);
  const mirrored = conv4.map((p) => eth(0x0800, p));
  seeds.push(['crafted-tunnels.pcapng', writePcapng([1], [
    ...mirrored.map((m) => ({ data: eth(0x0800, ipv4(47, '192.0.2.1', '192.0.2.2', gre(0x6558, m, { key: 7 }))) })),
    ...mirrored.map((m, i) => ({ data: eth(0x0800, ipv4(47, '192.0.2.1', '192.0.2.2', gre(0x88be, erspan2(5, m), { seq: i }))) })),
    ...mirrored.map((m) => ({ data: eth(0x0800, ipv4(47, '192.0.2.1', '192.0.2.2', gre(0x22eb, erspan3(6, m, true), { seq: 1 }))) })),
    ...mirrored.map((m) => ({ data: eth(0x0800, ipv4(17, '192.0.2.1', '192.0.2.3', udp(5555, 4789, vxlan(m)))) })),
    ...mirrored.slice(0, 3).map((m) => ({ data: eth(0x0800, ipv4(47, '192.0.2.1', '192.0.2.2', gre(0x6558, eth(0x0800, ipv4(47, '198.51.100.1', '198.51.100.2', gre(0x6558, m)))))) })),
  ])]);
  const sll = (p) => Buffer.concat([u16(0), u16(1), u16(6), mac(1), Buffer.alloc(2), u16(0x0800), p]);
  const sll2 = (p) => Buffer.concat([u16(0x0800), u16(0), u32(2), u16(1), Buffer.from([4, 6]), mac(1), Buffer.alloc(2), p]);
  const nul = (p) => Buffer.concat([Buffer.from([2, 0, 0, 0]), p]);
  const loop = (p) => Buffer.concat([u32(2), p]);
  const encaps = [[1, (p) => eth(0x0800, p)], [276, sll2], [113, sll], [101, (p) => p], [0, nul], [108, loop], [228, (p) => p]];
  const multi = [];
  conv4.forEach((p, i) => { const k = i % encaps.length; multi.push({ data: encaps[k][1](p), iface: k }); });
  conversation(v6([])).forEach((p) => multi.push({ data: p, iface: encaps.length }));
  seeds.push(['crafted-linktypes.pcapng', writePcapng([...encaps.map((e) => e[0]), 229], multi)]);
  // Snaplen-truncated records (caplen < origlen), as ESXi tcpdump-uw writes them.
  seeds.push(['crafted-snaplen.pcap', writePcap(1, conv4.map((p) => {
    const f = eth(0x0800, p);
    return { data: f.subarray(0, Math.min(f.length, 60)), orig: f.length + 8000 };
  }), 60)]);
  return seeds;
}

/**
 * The corpus: [{ name, bytes, units }]. Real captures are cut to their first `packets` packets
 * (small enough that one run of the whole pipeline takes well under a millisecond).
 */
export function loadCorpus({ packets = 200 } = {}) {
  const out = [];
  const add = (name, bytes) => out.push({ name, bytes, units: units(bytes) });
  const capDir = join(ROOT, 'captures');
  for (const f of readdirSync(capDir).sort()) {
    if (!/\.pcap(ng)?$/.test(f)) continue;
    add(f, firstPackets(readFileSync(join(capDir, f)), packets));
  }
  const fixDir = join(ROOT, 'test', 'decode', 'fixtures');
  for (const f of readdirSync(fixDir).sort()) {
    if (f.endsWith('.pcap') || f.endsWith('.pcapng')) add(f, firstPackets(readFileSync(join(fixDir, f)), packets));
  }
  for (const [name, bytes] of craftedSeeds()) add(name, bytes);
  return out;
}

/** Small seeds for the every-offset truncation sweep: the first few packets of some corpus files. */
export function truncationSeeds(corpus, packets = 6) {
  const pick = ['lab-refused.pcap', 'lab-routed.pcapng', 'crafted-tunnels.pcapng', 'crafted-ipv6-ext.pcap', 'crafted-linktypes.pcapng'];
  return pick.map((n) => corpus.find((c) => c.name === n)).filter(Boolean)
    .map((c) => { const bytes = firstPackets(c.bytes, packets); return { name: c.name, bytes, units: units(bytes) }; });
}
