import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatIpv6, parseIp } from '../../src/decode/addresses.js';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import { DecodedPacket } from '../../src/decode/packet.js';
import { headerCutLength } from '../../src/evidence/header-cut.js';
import { Redactor } from '../../src/evidence/redact.js';
import { newFrame } from '../../src/source/frame.js';

const KEY = Buffer.alloc(32, 7);

function v4(text: string): number {
  const w = new Uint32Array(4);
  expect(parseIp(text, w)).toBe(4);
  return w[0];
}

function commonPrefix(a: number, b: number): number {
  const x = (a ^ b) >>> 0;
  return x === 0 ? 32 : Math.clz32(x);
}

describe('Redactor: addresses', () => {
  it('IPv4: keyed, consistent, never the identity, first and host octet kept, prefix relations exact', () => {
    const r = new Redactor(KEY);
    const a = v4('10.80.1.2');
    expect(r.ipv4(a)).toBe(r.ipv4(a));
    expect(r.ipv4(a)).not.toBe(a);
    expect(r.ipv4(a) >>> 24).toBe(10);
    expect(r.ipv4(a) & 255).toBe(2);
    expect(new Redactor(Buffer.alloc(32, 8)).ipv4(a)).not.toBe(r.ipv4(a)); // another key, another pseudonym (almost surely)
    fc.assert(fc.property(fc.integer({ min: 0x01000000, max: 0xdfffffff }), fc.integer({ min: 0x01000000, max: 0xdfffffff }), (x, y) => {
      if ((x >>> 24) === 127 || (y >>> 24) === 127) return;
      const mx = r.ipv4(x); const my = r.ipv4(y);
      expect(commonPrefix(mx, my)).toBe(commonPrefix(x, y)); // injective too: equal only when equal
      expect(mx).not.toBe(x);
    }), { numRuns: 500 });
  });

  it('keeps addresses that identify nobody', () => {
    const r = new Redactor(KEY);
    for (const s of ['0.0.0.0', '127.0.0.1', '224.0.0.251', '255.255.255.255']) expect(r.ipv4(v4(s))).toBe(v4(s));
    expect(r.mac(0xffffffffffff)).toBe(0xffffffffffff);
    expect(r.mac(0x01005e0000fb)).toBe(0x01005e0000fb); // multicast
    const w = new Uint32Array(4);
    for (const s of ['::1', 'ff02::1:ff00:1', '::']) { parseIp(s, w); expect(formatIpv6(r.ipv6(w))).toBe(s); }
  });

  it('MAC: OUI kept, NIC part pseudonymous and injective', () => {
    const r = new Redactor(KEY);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const mac = 0x005056000000 + i;
      const m = r.mac(mac);
      expect(Math.floor(m / 0x1000000)).toBe(0x005056);
      expect(m).not.toBe(mac);
      expect(seen.has(m)).toBe(false);
      seen.add(m);
      expect(r.mac(mac)).toBe(m);
    }
  });

  it('IPv6: /64 relations kept, EUI-64 interface id follows the MAC pseudonym', () => {
    const r = new Redactor(KEY);
    const w = new Uint32Array(4);
    parseIp('2001:db8:aa:1::10', w); const a = formatIpv6(r.ipv6(w));
    parseIp('2001:db8:aa:1::11', w); const b = formatIpv6(r.ipv6(w));
    parseIp('2001:db8:aa:2::10', w); const c = formatIpv6(r.ipv6(w));
    expect(a.startsWith('2001:')).toBe(true);
    expect(a).not.toContain('db8:aa');
    const p64 = (s: string) => { parseIp(s, w); return `${w[0]},${w[1]}`; };
    expect(p64(a)).toBe(p64(b));
    expect(p64(a)).not.toBe(p64(c));
    // fe80::250:56ff:fe12:3456 embeds 00:50:56:12:34:56.
    parseIp('fe80::250:56ff:fe12:3456', w);
    const ll = formatIpv6(r.ipv6(w));
    const mac = r.mac(0x005056123456).toString(16).padStart(12, '0');
    expect(ll).toBe(`fe80::250:56ff:fe${mac.slice(6, 8)}:${mac.slice(8, 12)}`.replace(/:0+([0-9a-f])/g, ':$1'));
  });

  it('text: every form in JSON, Markdown and HTML, nothing else touched', () => {
    const r = new Redactor(KEY);
    const src = '{"ip":"10.80.1.2","mac":"00:50:56:aa:bb:cc","up":"00-1C-73-AA-BB-CC","v6":"2001:db8::1","t":"2026-11-26T11:23:22.491Z","v":"0.1.0","e":"[10.80.2.2]:8000"}';
    const out = r.text(src);
    expect(out).not.toMatch(/10\.80\.1\.2|aa:bb:cc|AA-BB-CC|2001:db8::1(?![0-9a-f])|10\.80\.2\.2/);
    expect(out).toContain('"t":"2026-11-26T11:23:22.491Z"');
    expect(out).toContain('"v":"0.1.0"');
    expect(out).toMatch(/"mac":"00:50:56:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}"/);
    expect(out).toMatch(/"up":"00-1C-73-[0-9A-F]{2}-[0-9A-F]{2}-[0-9A-F]{2}"/);
    expect(r.text(src)).toBe(out); // consistent
    expect(out).toContain(`"ip":"${(() => { const m = r.ipv4(v4('10.80.1.2')); return `${m >>> 24}.${(m >>> 16) & 255}.${(m >>> 8) & 255}.${m & 255}`; })()}"`);
  });
});

describe('Redactor: packet bytes', () => {
  /** Ethernet + IPv4 + TCP (20-byte header) + 100 bytes payload, with a correct IPv4 checksum. */
  function tcpFrame(): Buffer {
    const b = Buffer.alloc(14 + 20 + 20 + 100, 0xab);
    b.writeUIntBE(0x005056010203, 0, 6); b.writeUIntBE(0x02800001020a, 6, 6); b.writeUInt16BE(0x0800, 12);
    const ip = 14;
    b.fill(0, ip, ip + 40);
    b[ip] = 0x45; b.writeUInt16BE(140, ip + 2); b[ip + 6] = 0x40; b[ip + 8] = 63; b[ip + 9] = 6;
    b.writeUInt32BE(v4('10.80.1.2'), ip + 12); b.writeUInt32BE(v4('10.80.2.2'), ip + 16);
    let sum = 0; for (let i = 0; i < 20; i += 2) sum += b.readUInt16BE(ip + i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    b.writeUInt16BE(~sum & 0xffff, ip + 10);
    const t = ip + 20;
    b.writeUInt16BE(54978, t); b.writeUInt16BE(8000, t + 2); b.writeUInt32BE(v4('10.80.1.2'), t + 4); // a seq that looks like an address
    b[t + 12] = 0x50; b[t + 13] = 0x18;
    return b;
  }

  it('cuts after the TCP header, rewrites MACs and IPs, fixes the IPv4 checksum', () => {
    const bytes = tcpFrame();
    const f = newFrame();
    f.data = bytes; f.offset = 0; f.capturedLength = bytes.length; f.originalLength = 9014; f.linkType = 1;
    const pkt = new DecodedPacket();
    decodeFrame(f, pkt);
    const cut = headerCutLength(f, pkt);
    expect(cut).toBe(54);
    const kept = Buffer.from(bytes.subarray(0, cut));
    const r = new Redactor(KEY);
    r.packet(kept, 1, pkt, 0);
    expect(kept.readUIntBE(0, 3)).toBe(0x005056);
    expect(kept.readUIntBE(0, 6)).toBe(r.mac(0x005056010203));
    expect(kept.readUInt32BE(14 + 12)).toBe(r.ipv4(v4('10.80.1.2')));
    expect(kept.readUInt32BE(14 + 16)).toBe(r.ipv4(v4('10.80.2.2')));
    let sum = 0; for (let i = 0; i < 20; i += 2) sum += kept.readUInt16BE(14 + i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).toBe(0xffff);
    const again = new DecodedPacket();
    f.data = kept; f.capturedLength = kept.length;
    decodeFrame(f, again);
    expect([again.srcPort, again.dstPort, again.ttl, again.tcpFlags]).toEqual([54978, 8000, 63, 0x18]);
    expect(again.seq).toBe(v4('10.80.1.2')); // a sequence number equal to an address is not an address
  });
});
