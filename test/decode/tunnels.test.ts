/**
 * Mirror tunnels built around real captured frames (from the loopback fixture): the decoded
 * inner fields must equal those of the bare frame, and the tunnel fields must match tshark.
 */
import { describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import { formatIp } from '../../src/decode/addresses.js';
import {
  DecodedPacket, PROTO_GRE, PROTO_TCP, PROTO_UDP, STOP_MALFORMED, STOP_NONE, STOP_TRUNCATED, STOP_UNSUPPORTED,
  TUNNEL_ERSPAN_I, TUNNEL_ERSPAN_II, TUNNEL_ERSPAN_III, TUNNEL_GRE_TEB, TUNNEL_NONE, TUNNEL_VXLAN,
} from '../../src/decode/packet.js';
import { erspan2, erspan3, ethernet, frameOf, gre, ipv4, ipv6, udp, vxlan, writePcap } from './helpers/build.js';
import { decode } from './helpers/decode.js';
import { readPcapFrames } from './helpers/pcap-records.js';
import { num, requireTool, str, tsharkFields } from './helpers/tshark.js';

const real = readPcapFrames(fileURLToPath(new URL('./fixtures/lo-eth.pcap', import.meta.url)));
// SYN with options (v4), a 16 KiB segment cut at 128 bytes (v4), SYN over IPv6, ICMP port unreachable.
const INNER = [1, 4, 18, 35].map((n) => real[n - 1].data.subarray(0, real[n - 1].capturedLength));

const OUTER4 = { src: '172.16.0.1', dst: '172.16.9.9' };
const overGre4 = (g: Buffer) => ethernet({ type: 0x0800 }, ipv4({ ...OUTER4, protocol: PROTO_GRE, ttl: 250 }, g));
const overGre6 = (g: Buffer) => ethernet({ type: 0x86dd }, ipv6({ src: 'fd99::1', dst: 'fd99::2', nextHeader: PROTO_GRE }, g));

interface Encap { name: string; kind: number; session: number; wrap: (inner: Buffer) => Buffer; outerV6?: boolean }
const ENCAPS: Encap[] = [
  { name: 'GRE TEB', kind: TUNNEL_GRE_TEB, session: -1, wrap: (f) => overGre4(gre({ protocol: 0x6558 }, f)) },
  { name: 'GRE TEB with checksum and key', kind: TUNNEL_GRE_TEB, session: 77, wrap: (f) => overGre4(gre({ protocol: 0x6558, checksum: true, key: 77 }, f)) },
  { name: 'ERSPAN I', kind: TUNNEL_ERSPAN_I, session: -1, wrap: (f) => overGre4(gre({ protocol: 0x88be }, f)) },
  { name: 'ERSPAN II', kind: TUNNEL_ERSPAN_II, session: 1023, wrap: (f) => overGre4(gre({ protocol: 0x88be, seq: 5 }, erspan2(1023, 12, f))) },
  { name: 'ERSPAN II over IPv6', kind: TUNNEL_ERSPAN_II, session: 9, outerV6: true, wrap: (f) => overGre6(gre({ protocol: 0x88be, seq: 5 }, erspan2(9, 0, f))) },
  { name: 'ERSPAN III', kind: TUNNEL_ERSPAN_III, session: 300, wrap: (f) => overGre4(gre({ protocol: 0x22eb, seq: 1 }, erspan3(300, f))) },
  { name: 'ERSPAN III with platform sub-header', kind: TUNNEL_ERSPAN_III, session: 301, wrap: (f) => overGre4(gre({ protocol: 0x22eb, seq: 1 }, erspan3(301, f, { subheader: true }))) },
  { name: 'VXLAN', kind: TUNNEL_VXLAN, session: 0xabcdef, wrap: (f) => ethernet({ type: 0x0800 }, ipv4({ ...OUTER4, protocol: PROTO_UDP }, udp({ dport: 4789 }, vxlan(0xabcdef, f)))) },
];

/** Every DecodedPacket field except tunnel identity and the offsets the encapsulation shifts. */
function innerView(p: DecodedPacket): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) {
    if (k.startsWith('tunnel') || k === 'l3Offset' || k === 'l4Offset') continue;
    out[k] = v instanceof Uint32Array ? Array.from(v) : v;
  }
  return out;
}

describe.each(ENCAPS)('$name', (e) => {
  test.each(INNER.map((f, i) => [i, f] as const))('inner frame %i decodes exactly as the bare frame', (_, inner) => {
    const bare = decode(inner);
    const wrapped = decode(e.wrap(inner));
    expect(wrapped.stop, wrapped.stopReason).toBe(STOP_NONE);
    expect(innerView(wrapped)).toEqual(innerView(bare));
    expect([wrapped.tunnel, wrapped.tunnelSessionId, wrapped.tunnelIpVersion]).toEqual([e.kind, e.session, e.outerV6 ? 6 : 4]);
    expect(formatIp(wrapped.tunnelIpVersion, wrapped.tunnelSrc)).toBe(e.outerV6 ? 'fd99::1' : '172.16.0.1');
    expect(formatIp(wrapped.tunnelIpVersion, wrapped.tunnelDst)).toBe(e.outerV6 ? 'fd99::2' : '172.16.9.9');
    expect(wrapped.l3Offset - bare.l3Offset).toBe(e.wrap(inner).length - inner.length);
  });
  test('every cut of the wrapped frame stops cleanly', () => {
    const full = e.wrap(INNER[0]);
    for (let n = 0; n < full.length; n++) {
      const p = decode(full.subarray(0, n), { originalLength: full.length });
      const cutInsideTunnel = n < full.length - INNER[0].length;
      if (cutInsideTunnel) expect([p.stop, p.tunnel]).toEqual([STOP_TRUNCATED, TUNNEL_NONE]);
      else expect(p.tunnel).toBe(e.kind);
    }
  });
});

describe('tunnel edge cases', () => {
  const teb = (f: Buffer) => overGre4(gre({ protocol: 0x6558 }, f));
  test('nesting is bounded: 4 levels decode, the 5th is a loop', () => {
    let f = INNER[0];
    for (let i = 0; i < 4; i++) f = teb(f);
    const four = decode(f);
    expect([four.stop, four.tunnel, four.srcPort]).toEqual([STOP_NONE, TUNNEL_GRE_TEB, decode(INNER[0]).srcPort]);
    const five = decode(teb(f));
    expect([five.stop, five.stopLayer, five.stopReason]).toEqual([STOP_MALFORMED, 'tunnel', 'tunnel nesting too deep']);
  });
  test('outermost tunnel is reported when tunnels nest', () => {
    const inner = ethernet({ type: 0x0800 }, ipv4({ src: '192.0.2.1', dst: '192.0.2.2', protocol: PROTO_GRE }, gre({ protocol: 0x88be, seq: 1 }, erspan2(5, 0, INNER[0]))));
    const p = decode(teb(inner));
    expect([p.stop, p.tunnel, formatIp(4, p.tunnelSrc), p.srcPort]).toEqual([STOP_NONE, TUNNEL_GRE_TEB, '172.16.0.1', decode(INNER[0]).srcPort]);
  });
  test.each([
    ['GRE version 1 (PPTP)', overGre4(gre({ protocol: 0x880b, flagsExtra: 1 }, INNER[0])), STOP_UNSUPPORTED, 'gre'],
    ['GRE routing bit', overGre4(gre({ protocol: 0x6558, flagsExtra: 0x4000 }, INNER[0])), STOP_UNSUPPORTED, 'gre'],
    ['GRE carrying plain IPv4', overGre4(gre({ protocol: 0x0800 }, INNER[0].subarray(14))), STOP_UNSUPPORTED, 'gre'],
    ['ERSPAN II with version 2', overGre4(gre({ protocol: 0x88be, seq: 1 }, erspan2(1, 0, INNER[0], 2))), STOP_MALFORMED, 'erspan'],
    ['ERSPAN III frame type 5', overGre4(gre({ protocol: 0x22eb }, erspan3(1, INNER[0], { frameType: 5 }))), STOP_UNSUPPORTED, 'erspan'],
    ['VXLAN with I flag clear', ethernet({ type: 0x0800 }, ipv4({ protocol: PROTO_UDP }, udp({ dport: 4789 }, vxlan(1, INNER[0], 0)))), STOP_UNSUPPORTED, 'vxlan'],
  ])('%s', (_, frame, stopKind, layer) => {
    const p = decode(frame);
    expect([p.stop, p.stopLayer, p.tunnel]).toEqual([stopKind, layer, TUNNEL_NONE]);
  });
  test('ERSPAN III frame type IP carries a bare IP packet', () => {
    const p = decode(overGre4(gre({ protocol: 0x22eb }, erspan3(44, INNER[0].subarray(14), { frameType: 2 }))));
    expect([p.stop, p.tunnel, p.tunnelSessionId, p.hasMacs, p.srcPort]).toEqual([STOP_NONE, TUNNEL_ERSPAN_III, 44, false, decode(INNER[0]).srcPort]);
  });
});

describe('tunnel fields agree with tshark', () => {
  test('session ids / VNIs, outer addresses and inner TCP fields', () => {
    if (!requireTool('tshark')) return;
    const dir = mkdtempSync(join(tmpdir(), 'decode-tunnels-'));
    try {
      const frames = ENCAPS.map((e) => e.wrap(INNER[0]));
      const path = join(dir, 'tunnels.pcap');
      writePcap(path, 1, frames);
      const rows = tsharkFields(path, ['ip.src', 'ipv6.src', 'gre.key', 'erspan.spanid', 'vxlan.vni', 'tcp.seq_raw', 'tcp.srcport', 'tcp.options.mss_val']);
      expect(rows.length).toBe(frames.length);
      const pkt = new DecodedPacket();
      frames.forEach((bytes, i) => {
        const e = ENCAPS[i];
        decodeFrame(frameOf(bytes), pkt);
        const row = rows[i];
        expect(formatIp(pkt.tunnelIpVersion, pkt.tunnelSrc), e.name).toBe(str(row, e.outerV6 ? 'ipv6.src' : 'ip.src', 0));
        const sid = num(row, 'erspan.spanid') ?? num(row, 'vxlan.vni') ?? num(row, 'gre.key') ?? -1;
        expect(pkt.tunnelSessionId, e.name).toBe(sid);
        const innerIp = row.get('ip.src')!;
        expect(formatIp(pkt.ipVersion, pkt.src), e.name).toBe(innerIp[innerIp.length - 1]);
        expect(pkt.seq, e.name).toBe(num(row, 'tcp.seq_raw'));
        expect(pkt.srcPort, e.name).toBe(num(row, 'tcp.srcport'));
        expect(pkt.mss, e.name).toBe(num(row, 'tcp.options.mss_val'));
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
