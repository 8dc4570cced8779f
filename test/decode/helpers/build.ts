/** Test-side frame builders: small, explicit, and independent of the decoders under test. */
import { writeFileSync } from 'node:fs';
import { Frame, newFrame } from '../../../src/source/frame.js';

const cat = (...parts: Buffer[]) => Buffer.concat(parts);
const u16 = (v: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(v & 0xffff); return b; };
const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); return b; };

export function macBytes(mac: string): Buffer {
  return Buffer.from(mac.split(':').map((h) => parseInt(h, 16)));
}
export function ip4(text: string): Buffer { return Buffer.from(text.split('.').map(Number)); }
export function ip6(text: string): Buffer {
  const [h, t] = text.split('::');
  const head = h ? h.split(':') : []; const tail = t !== undefined && t ? t.split(':') : [];
  const groups = [...head, ...new Array(8 - head.length - tail.length).fill('0'), ...tail];
  return Buffer.concat(groups.map((g) => u16(parseInt(g, 16))));
}

export function ethernet(o: { dst?: string; src?: string; type: number; vlans?: Array<{ tpid: number; vid: number; pcp?: number }> }, payload: Buffer): Buffer {
  const tags = (o.vlans ?? []).map((v, i, all) => cat(u16(((v.pcp ?? 0) << 13) | v.vid), u16(i + 1 < all.length ? all[i + 1].tpid : o.type)));
  const firstType = o.vlans && o.vlans.length > 0 ? o.vlans[0].tpid : o.type;
  return cat(macBytes(o.dst ?? '00:50:56:aa:bb:cc'), macBytes(o.src ?? '00:0c:29:11:22:33'), u16(firstType), ...tags, payload);
}

export interface Ipv4Opts {
  src?: string; dst?: string; ttl?: number; protocol: number; id?: number; df?: boolean; mf?: boolean;
  fragOffset?: number; tos?: number; options?: Buffer; totalLength?: number; ihl?: number; version?: number;
}
export function ipv4(o: Ipv4Opts, payload: Buffer): Buffer {
  const opts = o.options ?? Buffer.alloc(0);
  const hlen = 20 + opts.length;
  const h = Buffer.alloc(20);
  h[0] = ((o.version ?? 4) << 4) | (o.ihl ?? hlen / 4);
  h[1] = o.tos ?? 0;
  h.writeUInt16BE(o.totalLength ?? hlen + payload.length, 2);
  h.writeUInt16BE(o.id ?? 0x1234, 4);
  h.writeUInt16BE((o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) / 8), 6);
  h[8] = o.ttl ?? 64; h[9] = o.protocol;
  ip4(o.src ?? '10.0.0.1').copy(h, 12); ip4(o.dst ?? '10.0.0.2').copy(h, 16);
  return cat(h, opts, payload);
}

export interface Ipv6Opts { src?: string; dst?: string; hopLimit?: number; nextHeader: number; tclass?: number; flow?: number; payloadLength?: number }
export function ipv6(o: Ipv6Opts, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  const tc = o.tclass ?? 0; const flow = o.flow ?? 0;
  h.writeUInt32BE(((6 << 28) | (tc << 20) | flow) >>> 0, 0);
  h.writeUInt16BE(o.payloadLength ?? payload.length, 4);
  h[6] = o.nextHeader; h[7] = o.hopLimit ?? 64;
  return cat(h, ip6(o.src ?? 'fd00::1'), ip6(o.dst ?? 'fd00::2'), payload);
}
/** A generic (next header, length) extension header padded to `units` x 8 bytes. */
export function ext6(nextHeader: number, units = 1, fill = 0): Buffer {
  const b = Buffer.alloc(units * 8, fill); b[0] = nextHeader; b[1] = units - 1;
  if (fill) { b[2] = 1; b[3] = units * 8 - 4; } // one PadN option covering the rest
  return b;
}
export function frag6(nextHeader: number, offset: number, more: boolean, id: number): Buffer {
  return cat(Buffer.from([nextHeader, 0]), u16(offset | (more ? 1 : 0)), u32(id));
}

export interface TcpOpts { sport?: number; dport?: number; seq?: number; ack?: number; flags?: number; window?: number; options?: Buffer; dataOffset?: number }
export function tcp(o: TcpOpts, payload: Buffer = Buffer.alloc(0)): Buffer {
  const opts = o.options ?? Buffer.alloc(0);
  const h = Buffer.alloc(20);
  h.writeUInt16BE(o.sport ?? 40000, 0); h.writeUInt16BE(o.dport ?? 8000, 2);
  h.writeUInt32BE((o.seq ?? 1000) >>> 0, 4); h.writeUInt32BE((o.ack ?? 2000) >>> 0, 8);
  h[12] = (o.dataOffset ?? (20 + opts.length) / 4) << 4; h[13] = o.flags ?? 0x10;
  h.writeUInt16BE(o.window ?? 501, 14);
  return cat(h, opts, payload);
}
export const opt = {
  mss: (v: number) => cat(Buffer.from([2, 4]), u16(v)),
  ws: (v: number) => Buffer.from([3, 3, v]),
  sackPerm: () => Buffer.from([4, 2]),
  sack: (...edges: number[]) => cat(Buffer.from([5, 2 + 4 * edges.length]), ...edges.map(u32)),
  ts: (val: number, ecr: number) => cat(Buffer.from([8, 10]), u32(val), u32(ecr)),
  nop: () => Buffer.from([1]),
  raw: (...bytes: number[]) => Buffer.from(bytes),
};

export function udp(o: { sport?: number; dport: number; length?: number }, payload: Buffer): Buffer {
  return cat(u16(o.sport ?? 50000), u16(o.dport), u16(o.length ?? 8 + payload.length), u16(0), payload);
}
export function arp(op: number, senderMac: string, senderIp: string, targetMac: string, targetIp: string): Buffer {
  return cat(u16(1), u16(0x0800), Buffer.from([6, 4]), u16(op), macBytes(senderMac), ip4(senderIp), macBytes(targetMac), ip4(targetIp));
}
export function icmp(type: number, code: number, rest: Buffer, body: Buffer): Buffer {
  return cat(Buffer.from([type, code, 0, 0]), rest, body);
}

export function gre(o: { protocol: number; checksum?: boolean; key?: number; seq?: number; flagsExtra?: number }, payload: Buffer): Buffer {
  const flags = (o.checksum ? 0x8000 : 0) | (o.key !== undefined ? 0x2000 : 0) | (o.seq !== undefined ? 0x1000 : 0) | (o.flagsExtra ?? 0);
  return cat(u16(flags), u16(o.protocol), o.checksum ? Buffer.alloc(4) : Buffer.alloc(0),
    o.key !== undefined ? u32(o.key) : Buffer.alloc(0), o.seq !== undefined ? u32(o.seq) : Buffer.alloc(0), payload);
}
export function erspan2(session: number, vlan: number, payload: Buffer, version = 1): Buffer {
  return cat(u16((version << 12) | vlan), u16(session & 0x3ff), u32(7), payload);
}
export function erspan3(session: number, payload: Buffer, o: { subheader?: boolean; frameType?: number } = {}): Buffer {
  const word = ((o.frameType ?? 0) << 10) | (o.subheader ? 1 : 0);
  const sub = o.subheader ? cat(u16((3 << 10) | 5), u16(42), u32(0x1234)) : Buffer.alloc(0); // platform id 3
  return cat(u16((2 << 12) | 10), u16(session & 0x3ff), u32(0xdeadbeef), u16(0), u16(word), sub, payload);
}
export function vxlan(vni: number, payload: Buffer, flags = 0x08): Buffer {
  return cat(Buffer.from([flags, 0, 0, 0]), u32(vni << 8), payload);
}

/** A Frame over `bytes`, placed at an offset inside a larger buffer to catch out-of-frame reads. */
export function frameOf(bytes: Buffer, o: { linkType?: number; originalLength?: number; fcsLength?: number; capturedLength?: number; pad?: number; fill?: number } = {}): Frame {
  const f = newFrame();
  const pad = o.pad ?? 0;
  f.data = Buffer.alloc(bytes.length + 2 * pad, o.fill ?? 0);
  bytes.copy(f.data, pad);
  f.offset = pad;
  f.linkType = o.linkType ?? 1;
  f.capturedLength = o.capturedLength ?? bytes.length;
  f.originalLength = o.originalLength ?? bytes.length;
  f.fcsLength = o.fcsLength ?? 0;
  return f;
}

/** Write frames as a classic pcap (microsecond, little-endian) for tshark. */
export function writePcap(path: string, linkType: number, frames: Buffer[]): void {
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0); hdr.writeUInt16LE(2, 4); hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(262144, 16); hdr.writeUInt32LE(linkType, 20);
  const recs = frames.map((f, i) => {
    const r = Buffer.alloc(16); r.writeUInt32LE(1700000000 + i, 0); r.writeUInt32LE(f.length, 8); r.writeUInt32LE(f.length, 12);
    return cat(r, f);
  });
  writeFileSync(path, cat(hdr, ...recs));
}
