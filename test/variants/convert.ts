/**
 * Test-side capture converter: turns a real Ethernet lab capture into the variants no tool writes
 * (RAW, NULL, LOOP, SLL/SLL2, FCS, QinQ, GRE/ERSPAN/VXLAN mirrors). Written from the link-type and
 * encapsulation specifications, independently of the decoders under test. The Ethernet frames are
 * read by an independent path (editcap -> nanosecond pcap -> test/decode's pcap walker).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { readPcapFrames } from '../decode/helpers/pcap-records.js';
import { erspan2, erspan3, ethernet, gre, ipv4, ipv6, udp, vxlan } from '../decode/helpers/build.js';
import { NgWriter, pcapFile } from '../source/capture-writer.js';
import { tool } from '../helpers/cli.js';

/** One captured record: captured bytes plus the length the frame had on the wire. */
export interface Rec { tsSec: number; tsNsec: number; data: Buffer; origLen: number }

export function scratchDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `vma-variants-${tag}-`));
}

/** A loaded capture: its records and whether its timestamps were nanosecond (kept in variants). */
export interface Loaded { recs: Rec[]; nanos: boolean }

/** Every record of an Ethernet capture (pcap or pcapng), timestamps kept to the nanosecond. */
export function loadEthernet(path: string, dir: string): Loaded {
  const ns = join(dir, 'loaded-ns.pcap');
  tool('editcap', ['-F', 'nsecpcap', path, ns]);
  const recs = readPcapFrames(ns).map((f) => {
    if (f.linkType !== 1) throw new Error(`${path}: link type ${f.linkType}, expected Ethernet`);
    return { tsSec: f.tsSec, tsNsec: f.tsNsec, data: f.data, origLen: f.originalLength };
  });
  // Report times carry the capture's precision: a variant must keep it to compare equal.
  const nanos = /precision:\s+nanoseconds/.test(tool('capinfos', [path]));
  return { recs, nanos };
}

/** Classic pcap (nanosecond or microsecond stamps); `linkTypeField` may carry the FCS bits. */
export function writePcap(path: string, linkTypeField: number, recs: Rec[], o: { nanos: boolean; le?: boolean; snaplen?: number }): string {
  writeFileSync(path, pcapFile({ le: o.le ?? true, nanos: o.nanos, linkTypeField, snaplen: o.snaplen ?? 262144 },
    recs.map((r) => ({ sec: r.tsSec, frac: o.nanos ? r.tsNsec : Math.floor(r.tsNsec / 1000), data: r.data, origLen: r.origLen }))));
  return path;
}

/** pcapng with one interface per entry of `ifaces`; `recs[i].iface` picks it (default 0). */
export function writePcapng(path: string, ifaces: Array<{ linkType: number; fcslen?: number }>, recs: Array<Rec & { iface?: number }>, o: { nanos: boolean }): string {
  const w = new NgWriter(true);
  const parts = [w.shb(), ...ifaces.map((i) => w.idb(i.linkType, 262144, { tsresol: o.nanos ? 9 : undefined, fcslen: i.fcslen }))];
  const div = o.nanos ? 1n : 1000n;
  for (const r of recs) parts.push(w.epb(r.iface ?? 0, (BigInt(r.tsSec) * 1_000_000_000n + BigInt(r.tsNsec)) / div, r.data, r.origLen));
  writeFileSync(path, Buffer.concat(parts));
  return path;
}

// --- Ethernet frame anatomy ---------------------------------------------------------------------

const TAG_TPIDS = new Set([0x8100, 0x88a8, 0x9100]);

/** Length of the Ethernet header including VLAN tags, and the final ethertype. */
export function ethernetHeader(f: Buffer): { length: number; etherType: number } {
  let o = 12;
  let type = f.readUInt16BE(o);
  while (TAG_TPIDS.has(type)) { o += 4; type = f.readUInt16BE(o); }
  return { length: o + 2, etherType: type };
}

export const isIp = (r: Rec): boolean => { const t = ethernetHeader(r.data).etherType; return t === 0x0800 || t === 0x86dd; };

/** A variant of one record: new captured bytes, and the wire length moved by the header change. */
function reframe(r: Rec, head: Buffer, cut: number, tail: Buffer = Buffer.alloc(0)): Rec {
  const captured = Buffer.concat([head, r.data.subarray(cut), tail]);
  return { tsSec: r.tsSec, tsNsec: r.tsNsec, data: captured, origLen: r.origLen - cut + head.length + tail.length };
}

/** Replace the Ethernet header with a link header built from the ethertype (IP frames only). */
function relink(r: Rec, head: (etherType: number) => Buffer): Rec {
  const { length, etherType } = ethernetHeader(r.data);
  return reframe(r, head(etherType), length);
}

export const toRaw = (r: Rec): Rec => relink(r, () => Buffer.alloc(0));

/** NULL: the address family in the capturing host's byte order; `v6` is that OS's AF_INET6. */
export const toNull = (le: boolean, v6: number) => (r: Rec): Rec => relink(r, (t) => {
  const b = Buffer.alloc(4); const fam = t === 0x0800 ? 2 : v6;
  if (le) b.writeUInt32LE(fam); else b.writeUInt32BE(fam);
  return b;
});

/** LOOP (OpenBSD loopback): the family in network byte order. */
export const toLoop = (v6: number) => (r: Rec): Rec => relink(r, (t) => { const b = Buffer.alloc(4); b.writeUInt32BE(t === 0x0800 ? 2 : v6); return b; });

/**
 * Linux cooked v1: packet type, ARPHRD_ETHER, the sender's MAC (the only address SLL keeps), protocol.
 * VLAN tags stay in the payload as libpcap writes them (protocol 0x8100, then the tag).
 */
export const toSll = (r: Rec): Rec => {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(r.data[0] & 1 ? 1 : 0, 0); h.writeUInt16BE(1, 2); h.writeUInt16BE(6, 4);
  r.data.copy(h, 6, 6, 12); r.data.copy(h, 14, 12, 14);
  return reframe(r, h, 14);
};

/** Linux cooked v2: protocol, reserved, ifindex, ARPHRD_ETHER, packet type, address length, address. */
export const toSll2 = (r: Rec): Rec => {
  const h = Buffer.alloc(20);
  r.data.copy(h, 0, 12, 14); h.writeUInt32BE(3, 4); h.writeUInt16BE(1, 8);
  h[10] = r.data[0] & 1 ? 1 : 0; h[11] = 6; r.data.copy(h, 12, 6, 12);
  return reframe(r, h, 14);
};

/**
 * Ethernet with the FCS present: the 4 CRC bytes end the frame on the wire; a record cut by the
 * snap length has the FCS only in its wire length.
 */
export const withFcs = (r: Rec): Rec => {
  if (r.data.length < r.origLen) return { ...r, origLen: r.origLen + 4 };
  const fcs = Buffer.alloc(4); fcs.writeUInt32LE(crc32(r.data) >>> 0);
  return reframe(r, Buffer.alloc(0), 0, fcs);
};

/** Insert VLAN tags (outermost first) after the MAC addresses, as a SPAN port with tagging does. */
export const withTags = (tags: Array<{ tpid: number; vid: number }>) => (r: Rec): Rec => {
  const t = Buffer.concat(tags.map((g) => { const b = Buffer.alloc(4); b.writeUInt16BE(g.tpid, 0); b.writeUInt16BE(g.vid, 2); return b; }));
  return reframe(r, Buffer.concat([r.data.subarray(0, 12), t]), 12);
};

// --- Mirror tunnels: the whole captured frame becomes the inner frame ---------------------------------

const OUTER = { src: '192.0.2.10', dst: '192.0.2.99' };
const OUTER_MACS = { src: '00:1b:21:0a:0b:0c', dst: '00:1b:21:99:98:97' };

/** Wrap the frame in outer Ethernet (optionally tagged) + IPv4/IPv6 + `inner(frame)`; IP protocol `proto`. */
function tunnel(r: Rec, proto: number, inner: (f: Buffer) => Buffer, o: { v6?: boolean; outerVlans?: Array<{ tpid: number; vid: number }> }): Rec {
  const body = inner(r.data);
  const overhead = body.length - r.data.length;
  // The outer IP length is what the mirror sent: headers plus the whole original frame.
  const ipPayloadLen = overhead + r.origLen;
  const ip = o.v6
    ? ipv6({ src: '2001:db8::10', dst: '2001:db8::99', nextHeader: proto, payloadLength: ipPayloadLen, hopLimit: 60 }, body)
    : ipv4({ ...OUTER, protocol: proto, ttl: 60, totalLength: 20 + ipPayloadLen, df: true }, body);
  const frame = ethernet({ ...OUTER_MACS, type: o.v6 ? 0x86dd : 0x0800, vlans: o.outerVlans }, ip);
  const head = frame.length - r.data.length;
  return { tsSec: r.tsSec, tsNsec: r.tsNsec, data: frame, origLen: r.origLen + head };
}

export interface TunnelOpts { v6?: boolean; outerVlans?: Array<{ tpid: number; vid: number }>; session?: number }

export const greTeb = (o: TunnelOpts = {}) => (r: Rec): Rec => tunnel(r, 47, (f) => gre({ protocol: 0x6558, key: o.session }, f), o);
export const erspanI = (o: TunnelOpts = {}) => (r: Rec): Rec => tunnel(r, 47, (f) => gre({ protocol: 0x88be }, f), o);
let greSeq = 0;
export const erspanII = (o: TunnelOpts = {}) => (r: Rec): Rec => tunnel(r, 47, (f) => gre({ protocol: 0x88be, seq: ++greSeq }, erspan2(o.session ?? 7, 0, f)), o);
export const erspanIII = (o: TunnelOpts & { subheader?: boolean } = {}) => (r: Rec): Rec =>
  tunnel(r, 47, (f) => gre({ protocol: 0x22eb, seq: ++greSeq }, erspan3(o.session ?? 300, f, { subheader: o.subheader })), o);
/** VXLAN: the UDP length field covers the whole original inner frame, as sent. */
export const vxlanOverlay = (o: TunnelOpts = {}) => (r: Rec): Rec =>
  tunnel(r, 17, (f) => udp({ sport: 49152, dport: 4789, length: 16 + r.origLen }, vxlan(o.session ?? 5001, f)), o);
/** GRE carrying a protocol no mirror uses: must be counted as not analysed. */
export const greUnknown = (r: Rec): Rec => tunnel(r, 47, (f) => gre({ protocol: 0x1234 }, f), {});
