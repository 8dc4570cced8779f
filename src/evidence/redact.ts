/**
 * Consistent pseudonyms for IP and MAC addresses, for customers who may not share theirs.
 *
 * - IPv4: the first octet and the host octet are kept; the middle 16 bits are rewritten with a
 *   keyed prefix-preserving permutation (each bit is flipped by a keyed function of the bits
 *   before it). Two addresses share exactly as many leading bits after the mapping as before,
 *   so every subnet relation (same /24, same /16, different /23 ...) that a routing verdict
 *   rests on survives, while the customer's numbering does not. The first rewritten bit always
 *   flips, so no address maps to itself.
 * - IPv6: the first 16 bits are kept, bits 16..63 rewritten the same way; an EUI-64 interface id
 *   gets the pseudonym of the MAC inside it, other interface ids are kept (link-local: hashed).
 * - MAC: the OUI (vendor, VMware or not) is kept, the lower 24 bits become a keyed pseudonym.
 * - Loopback, unspecified, broadcast and multicast addresses identify nobody and are kept.
 *
 * The key is random per run and never written out: pseudonyms are consistent inside one bundle
 * and cannot be reversed from it. This is pseudonymisation, not anonymity against someone who
 * knows the customer's addressing plan.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { formatIpv4, formatIpv6, formatMac, parseIp } from '../decode/addresses.js';
import { DecodedPacket } from '../decode/packet.js';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2 } from '../source/link-types.js';

export class Redactor {
  private readonly key: Buffer;
  private readonly bitCache = new Map<string, number>();
  private readonly v4 = new Map<number, number>();
  private readonly v6 = new Map<string, Uint32Array>();
  private readonly macs = new Map<number, number>();
  private readonly usedMacs = new Set<number>();

  constructor(key: Buffer = randomBytes(32)) {
    this.key = key;
  }

  /** Counts of distinct addresses rewritten (for the manifest). */
  get stats(): { ipv4: number; ipv6: number; mac: number } {
    return { ipv4: this.v4.size, ipv6: this.v6.size, mac: this.macs.size };
  }

  /** Keyed pseudo-random bit for a prefix (the prefix-preserving permutation's round function). */
  private flipBit(domain: string, prefixBits: string): number {
    if (prefixBits.length === 0) return 1; // the first rewritten bit always flips: nothing maps to itself
    const k = `${domain}/${prefixBits}`;
    let v = this.bitCache.get(k);
    if (v === undefined) {
      v = createHmac('sha256', this.key).update(k).digest()[0] & 1;
      this.bitCache.set(k, v);
    }
    return v;
  }

  /** Prefix-preserving rewrite of `width` bits given as a bit string. */
  private permuteBits(domain: string, bits: string): string {
    let out = '';
    for (let i = 0; i < bits.length; i++) {
      out += String(Number(bits[i]) ^ this.flipBit(domain, bits.slice(0, i)));
    }
    return out;
  }

  ipv4(addr: number): number {
    addr >>>= 0;
    const first = addr >>> 24;
    if (first === 0 || first === 127 || first >= 224) return addr; // unspecified, loopback, multicast, broadcast
    const cached = this.v4.get(addr);
    if (cached !== undefined) return cached;
    // The prefix includes the first octet so different /8s get independent permutations.
    const mid = (addr >>> 8) & 0xffff;
    const bits = mid.toString(2).padStart(16, '0');
    const mapped = parseInt(this.permuteBits(`v4:${first}`, bits), 2);
    const out = ((first << 24) | (mapped << 8) | (addr & 255)) >>> 0;
    this.v4.set(addr, out);
    return out;
  }

  mac(mac: number): number {
    const hi = Math.floor(mac / 0x1000000);
    const first = Math.floor(mac / 0x10000000000);
    if (mac === 0 || mac === 0xffffffffffff || (first & 1) === 1) return mac; // zero, broadcast, multicast
    const cached = this.macs.get(mac);
    if (cached !== undefined) return cached;
    const lo = mac % 0x1000000;
    const h = createHmac('sha256', this.key).update(`mac:${mac}`).digest();
    let nic = ((h[0] << 16) | (h[1] << 8) | h[2]) >>> 0;
    let out = hi * 0x1000000 + nic;
    // Injective and never the original: step on collision.
    while (nic === lo || this.usedMacs.has(out)) { nic = (nic + 1) & 0xffffff; out = hi * 0x1000000 + nic; }
    this.usedMacs.add(out);
    this.macs.set(mac, out);
    return out;
  }

  ipv6(words: ArrayLike<number>): Uint32Array {
    const w = Uint32Array.from(words as ArrayLike<number>);
    const top = w[0] >>> 16;
    const isZeroPrefix = w[0] === 0 && w[1] === 0;
    if ((top >>> 8) === 0xff || (isZeroPrefix && w[2] === 0 && (w[3] === 0 || w[3] === 1)) || isZeroPrefix) return w; // multicast, ::, ::1, ::/64 (mapped/compat)
    const key = `${w[0]},${w[1]},${w[2]},${w[3]}`;
    const cached = this.v6.get(key);
    if (cached) return cached;
    const out = new Uint32Array(4);
    const linkLocal = (top & 0xffc0) === 0xfe80;
    if (linkLocal) {
      out[0] = w[0]; out[1] = w[1];
    } else {
      const bits = (w[0] & 0xffff).toString(2).padStart(16, '0') + w[1].toString(2).padStart(32, '0');
      const m = this.permuteBits(`v6:${top}`, bits);
      out[0] = ((top << 16) | parseInt(m.slice(0, 16), 2)) >>> 0;
      out[1] = parseInt(m.slice(16), 2) >>> 0;
    }
    if (((w[2] & 0xff) === 0xff) && ((w[3] >>> 24) === 0xfe)) {
      // EUI-64: the MAC (with the universal/local bit flipped) sits around ff:fe.
      const mac = ((((w[2] >>> 24) ^ 0x02) * 0x10000 + ((w[2] >>> 8) & 0xffff)) * 0x1000000) + (w[3] & 0xffffff);
      const m = this.mac(mac);
      const b0 = (Math.floor(m / 0x10000000000) ^ 0x02) & 255;
      const b12 = Math.floor(m / 0x1000000) & 0xffff;
      out[2] = ((b0 << 24) | (b12 << 8) | 0xff) >>> 0;
      out[3] = ((0xfe << 24) | (m % 0x1000000)) >>> 0;
    } else if (linkLocal) {
      const h = createHmac('sha256', this.key).update(`iid:${key}`).digest();
      out[2] = h.readUInt32BE(0); out[3] = h.readUInt32BE(4);
    } else {
      out[2] = w[2]; out[3] = w[3];
    }
    this.v6.set(key, out);
    return out;
  }

  /** Rewrites every IPv4, IPv6 and MAC address in a text (JSON, HTML, Markdown, comments). */
  text(s: string): string {
    const words = new Uint32Array(4);
    let out = s.replace(MAC_RE, (m: string, a: string, sep: string) => {
      const hex = m.split(sep).join('');
      const mapped = formatMac(this.mac(parseInt(hex, 16))).split(':').join(sep);
      return a === a.toUpperCase() && /[A-F]/.test(m) ? mapped.toUpperCase() : mapped;
    });
    out = out.replace(IPV6_RE, (m: string) => {
      if (!(m.includes('::') || m.split(':').length === 8)) return m;
      if (parseIp(m, words) !== 6) return m;
      return formatIpv6(this.ipv6(words));
    });
    out = out.replace(IPV4_RE, (m: string) => (parseIp(m, words) === 4 ? formatIpv4(this.ipv4(words[0])) : m));
    return out;
  }

  /**
   * Rewrites the addresses of one frame's kept bytes in place. `pkt` is the frame decoded from
   * its original bytes (it names the addresses present; `base` is frame.offset, as its offsets are
   * into frame.data); `linkType` locates link-layer MACs the
   * decoder does not keep (outer Ethernet of a mirror tunnel, SLL). IPv4 header checksums that
   * were valid are recomputed; TCP/UDP/ICMP checksums are not (payloads are cut anyway).
   */
  packet(buf: Buffer, linkType: number, pkt: DecodedPacket, base = 0): void {
    const pairs: Array<[Buffer, Buffer]> = [];
    const addMac = (mac: number): void => { if (mac > 0) pairs.push([macBytes(mac), macBytes(this.mac(mac))]); };
    const addV4 = (a: number): void => { if (a !== 0) pairs.push([v4Bytes(a), v4Bytes(this.ipv4(a))]); };
    const addV6 = (w: ArrayLike<number>): void => { pairs.push([v6Bytes(w), v6Bytes(this.ipv6(w))]); };
    const addIp = (version: number, w: ArrayLike<number>): void => { if (version === 4) addV4(w[0]); else if (version === 6) addV6(w); };

    if (linkType === LINKTYPE_ETHERNET && buf.length >= 12) { addMac(readMac(buf, 0)); addMac(readMac(buf, 6)); }
    if (linkType === LINKTYPE_LINUX_SLL && buf.length >= 14 && buf.readUInt16BE(4) === 6) addMac(readMac(buf, 6));
    if (linkType === LINKTYPE_LINUX_SLL2 && buf.length >= 20 && buf[11] === 6) addMac(readMac(buf, 12));
    if (pkt.hasMacs) { addMac(pkt.srcMac); addMac(pkt.dstMac); }
    addIp(pkt.ipVersion, pkt.src); addIp(pkt.ipVersion, pkt.dst);
    addIp(pkt.tunnelIpVersion, pkt.tunnelSrc); addIp(pkt.tunnelIpVersion, pkt.tunnelDst);
    if (pkt.isArp) { addMac(pkt.arpSenderMac); addMac(pkt.arpTargetMac); addV4(pkt.arpSenderIp); addV4(pkt.arpTargetIp); }
    addIp(pkt.icmpInnerIpVersion, pkt.icmpInnerSrc); addIp(pkt.icmpInnerIpVersion, pkt.icmpInnerDst);
    if (pkt.icmpType >= 0) addIp(pkt.ipVersion, pkt.icmpGateway);
    if (pkt.ipVersion === 6 && pkt.l4Protocol === 58) this.ndAddresses(buf, pkt.l4Offset - base, pkt.icmpType, addV6, addMac);

    // Checksums first validated, then the rewrite, then recomputed for the valid ones.
    const v4Headers = new Set<number>();
    for (const [from] of pairs) {
      if (from.length !== 4) continue;
      for (let k = buf.indexOf(from); k >= 0; k = buf.indexOf(from, k + 1)) {
        for (const h of [k - 12, k - 16]) if (validIpv4Header(buf, h)) v4Headers.add(h);
      }
    }
    // Longest patterns first so a MAC inside an EUI-64 address cannot pre-empt the address.
    pairs.sort((a, b) => b[0].length - a[0].length);
    // The transport header holds no address: a sequence number that happens to equal one stays.
    const l4 = pkt.l4Offset - base;
    const l4End = pkt.l4Protocol === 6 ? l4 + Math.max(20, pkt.tcpHeaderLength) : pkt.l4Protocol === 17 ? l4 + 8 : -1;
    for (const [from, to] of pairs) {
      if (from.equals(to)) continue;
      for (let k = buf.indexOf(from); k >= 0; k = buf.indexOf(from, k + 1)) {
        if (l4End > 0 && k + from.length > l4 && k < l4End) continue;
        to.copy(buf, k);
        k += to.length - 1;
      }
    }
    for (const h of v4Headers) writeIpv4Checksum(buf, h);
  }

  /** ICMPv6 neighbour discovery: target address and link-layer address options. */
  private ndAddresses(buf: Buffer, o: number, t: number, addV6: (w: ArrayLike<number>) => void, addMac: (m: number) => void): void {
    if (t < 133 || t > 137) return;
    const fixed = t === 133 ? 8 : t === 134 ? 16 : t === 137 ? 40 : 24;
    if (t >= 135 && buf.length >= o + 24) addV6(v6Words(buf, o + 8));
    if (t === 137 && buf.length >= o + 40) addV6(v6Words(buf, o + 24));
    for (let p = o + fixed, i = 0; i < 16 && p + 8 <= buf.length; i++) {
      const len = buf[p + 1] * 8;
      if (len === 0) break;
      if ((buf[p] === 1 || buf[p] === 2) && len >= 8) addMac(readMac(buf, p + 2));
      p += len;
    }
  }
}

const MAC_RE = /(?<![0-9A-Fa-f:.-])([0-9A-Fa-f]{2})([:-])[0-9A-Fa-f]{2}(?:\2[0-9A-Fa-f]{2}){4}(?![0-9A-Fa-f:-])/g;
const IPV6_RE = /(?<![0-9A-Fa-f:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f:.])/g;
const IPV4_RE = /(?<![\d.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\d|\.\d)/g;

function readMac(b: Buffer, o: number): number {
  return b.readUInt16BE(o) * 0x100000000 + b.readUInt32BE(o + 2);
}

function macBytes(mac: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt16BE(Math.floor(mac / 0x100000000), 0);
  b.writeUInt32BE(mac % 0x100000000, 2);
  return b;
}

function v4Bytes(a: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(a >>> 0, 0);
  return b;
}

function v6Bytes(w: ArrayLike<number>): Buffer {
  const b = Buffer.alloc(16);
  for (let i = 0; i < 4; i++) b.writeUInt32BE(w[i] >>> 0, i * 4);
  return b;
}

function v6Words(b: Buffer, o: number): Uint32Array {
  return Uint32Array.from([b.readUInt32BE(o), b.readUInt32BE(o + 4), b.readUInt32BE(o + 8), b.readUInt32BE(o + 12)]);
}

function ipv4HeaderSum(b: Buffer, h: number, len: number): number {
  let sum = 0;
  for (let i = 0; i < len; i += 2) sum += b.readUInt16BE(h + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function validIpv4Header(b: Buffer, h: number): boolean {
  if (h < 0 || h + 20 > b.length || b[h] >> 4 !== 4) return false;
  const len = (b[h] & 15) * 4;
  if (len < 20 || h + len > b.length) return false;
  return ipv4HeaderSum(b, h, len) === 0xffff;
}

function writeIpv4Checksum(b: Buffer, h: number): void {
  const len = (b[h] & 15) * 4;
  b.writeUInt16BE(0, h + 10);
  b.writeUInt16BE(~ipv4HeaderSum(b, h, len) & 0xffff, h + 10);
}

export { formatIpv4, formatMac };
