#!/usr/bin/env node
/**
 * Deterministic generator of large vMotion-like captures for the benchmark (issue 9).
 *
 * What it writes (same seed + options = byte-identical file):
 * - several migrations in sequence, each between two ESXi hosts over two vmknic pairs (multi-NIC),
 *   two bulk streams per pair (client = source host, server port 8000), plus one control stream
 *   the *destination* opens to the source's 8000 (small payload both ways);
 * - bulk data one way, delayed ACKs back, correct seq/ack, window scale, TCP timestamps option;
 * - segment profiles by migration: 1500-byte MTU, jumbo 9000, TSO super-segments (IP length up to
 *   64 KiB, as host captures show them), captured bytes cut at the snaplen (default 128);
 * - some loss: segments lost after the capture point (seen twice: original + retransmission after
 *   three duplicate ACKs) and before it (seen once, out of order, after the duplicate ACKs);
 * - noise: TCP on other ports (443, 2049), UDP (53, 123), ARP between the vmknics;
 * - pcap (µs) or pcapng (one Ethernet interface, if_tsresol 6 or 9).
 *
 * Records are assembled in one large reused buffer and written with a few big writeSync calls.
 * The truth (unique payload bytes and packets per stream and direction) is returned and can be
 * printed as JSON (--truth FILE or --truth -), so a test can check analyze reports exactly that.
 *
 * Usage: node bench/gen-capture.mjs --packets N [--format pcap|pcapng] [--seed S] [--snaplen 128]
 *        [--migrations 6] [--tsresol 6|9] [--truth FILE|-] -o FILE
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const OUT_BUF = 8 * 1024 * 1024;
const SERVER_PORT = 8000;
const MIGRATION_GAP_SEC = 3;
const BASE_SEC = 1_700_000_000;
/** Fraction of packets that are noise (other ports, UDP, ARP). */
const NOISE_FRACTION = 0.03;
/** Probability that a new data segment is lost after / before the capture point. */
const P_LOSS_AFTER = 0.0005;
const P_LOSS_BEFORE = 0.0003;

/** sfc32: small, fast, deterministic. Returns floats in [0, 1). */
function makeRandom(seed) {
  let a = 0x9e3779b9 ^ seed, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0 | 1;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

const ip4 = (a, b, c, d) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
const fmtIp = (v) => `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;

/** Segment payload sizes per profile (TCP header 32 bytes with the timestamps option). */
const PROFILES = [
  { name: 'mtu1500', mss: 1448, maxSegs: 1, bps: 10e9 },
  { name: 'jumbo9000', mss: 8948, maxSegs: 1, bps: 25e9 },
  // TSO: 1..45 MSS of 1448 per super-segment; 45 * 1448 + 52 = 65212 <= 65535 IP bytes.
  { name: 'tso', mss: 1448, maxSegs: 45, bps: 25e9 },
];

class Writer {
  constructor(path, format, snaplen, tsresol) {
    this.fd = openSync(path, 'w');
    this.buf = Buffer.alloc(OUT_BUF);
    this.pos = 0;
    this.format = format;
    this.snaplen = snaplen;
    this.tsresol = tsresol;
    this.packets = 0;
    this.bytes = 0;
    this.header();
  }

  header() {
    const b = this.buf;
    if (this.format === 'pcap') {
      b.writeUInt32LE(0xa1b2c3d4, 0); b.writeUInt16LE(2, 4); b.writeUInt16LE(4, 6);
      b.writeUInt32LE(0, 8); b.writeUInt32LE(0, 12); b.writeUInt32LE(this.snaplen, 16); b.writeUInt32LE(1, 20);
      this.pos = 24;
      return;
    }
    // SHB (28 bytes), then IDB with if_name, if_tsresol and opt_endofopt.
    b.writeUInt32LE(0x0a0d0d0a, 0); b.writeUInt32LE(28, 4); b.writeUInt32LE(0x1a2b3c4d, 8);
    b.writeUInt16LE(1, 12); b.writeUInt16LE(0, 14); b.writeInt32LE(-1, 16); b.writeInt32LE(-1, 20); b.writeUInt32LE(28, 24);
    const name = Buffer.from('span-vmotion');
    const nameLen = (name.length + 3) & ~3;
    const idbLen = 20 + 4 + nameLen + 8 + 4;
    let p = 28;
    b.writeUInt32LE(1, p); b.writeUInt32LE(idbLen, p + 4); b.writeUInt16LE(1, p + 8); b.writeUInt16LE(0, p + 10);
    b.writeUInt32LE(this.snaplen, p + 12);
    p += 16;
    b.writeUInt16LE(2, p); b.writeUInt16LE(name.length, p + 2); name.copy(b, p + 4); p += 4 + nameLen;
    b.writeUInt16LE(9, p); b.writeUInt16LE(1, p + 2); b[p + 4] = this.tsresol; p += 8;
    b.writeUInt32LE(0, p); p += 4;
    b.writeUInt32LE(idbLen, p); p += 4;
    this.pos = p;
  }

  /**
   * Reserves a record for a frame of wireLen bytes; returns the offset where frame bytes start
   * (zeroed up to the captured length). Call commit() after filling them.
   */
  begin(wireLen, sec, nsec) {
    const cap = wireLen < this.snaplen ? wireLen : this.snaplen;
    if (this.pos + cap + 64 > OUT_BUF) this.flush();
    const b = this.buf;
    let p = this.pos;
    let data;
    if (this.format === 'pcap') {
      b.writeUInt32LE(sec, p); b.writeUInt32LE(Math.floor(nsec / 1000), p + 4);
      b.writeUInt32LE(cap, p + 8); b.writeUInt32LE(wireLen, p + 12);
      data = p + 16;
      this.pos = data + cap;
    } else {
      const padded = (cap + 3) & ~3;
      const len = 32 + padded;
      b.writeUInt32LE(6, p); b.writeUInt32LE(len, p + 4); b.writeUInt32LE(0, p + 8);
      // 64-bit unit count without BigInt: sec * 10^k + frac, split in exact 16-bit limbs.
      const perSec = this.tsresol === 9 ? 1e9 : 1e6;
      const frac = this.tsresol === 9 ? nsec : Math.floor(nsec / 1000);
      const p2 = (sec >>> 16) * perSec;
      const loPart = (p2 % 65536) * 65536 + (sec & 0xffff) * perSec + frac;
      const lo = loPart % 4294967296;
      const hi = Math.floor(p2 / 65536) + Math.floor(loPart / 4294967296);
      b.writeUInt32LE(hi, p + 12); b.writeUInt32LE(lo, p + 16);
      b.writeUInt32LE(cap, p + 20); b.writeUInt32LE(wireLen, p + 24);
      data = p + 28;
      b.fill(0, data + cap, data + padded);
      b.writeUInt32LE(len, data + padded);
      this.pos = data + padded + 4;
    }
    b.fill(0, data, data + cap);
    this.cap = cap;
    this.packets++;
    return data;
  }

  flush() {
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    this.bytes += this.pos;
    this.pos = 0;
  }

  close() {
    this.flush();
    closeSync(this.fd);
  }
}

/**
 * Writes a frame: Ethernet + IPv4 + TCP (with the timestamps option, or SYN options) into the
 * writer at the current time. Only bytes within the snaplen are written.
 */
function putTcp(w, clk, ep, dir, seq, ack, flags, payload, win, tsval, tsecr) {
  const syn = (flags & 0x02) !== 0;
  const tcpLen = syn ? 40 : 32;
  const ipLen = 20 + tcpLen + payload;
  const wire = 14 + ipLen;
  const o = w.begin(wire < 60 ? 60 : wire, clk.sec, clk.nsec);
  const cap = w.cap;
  const b = w.buf;
  // Every TCP frame here is >= 66 bytes and the snaplen >= 96, so the headers fit entirely.
  const srcMac = dir === 0 ? ep.cMac : ep.sMac;
  const dstMac = dir === 0 ? ep.sMac : ep.cMac;
  writeMac(b, o, dstMac); writeMac(b, o + 6, srcMac);
  b[o + 12] = 0x08; b[o + 13] = 0x00;
  const ip = o + 14;
  b[ip] = 0x45; b[ip + 1] = 0; b[ip + 2] = ipLen >>> 8; b[ip + 3] = ipLen & 255;
  const id = dir === 0 ? (ep.cId = (ep.cId + 1) & 0xffff) : (ep.sId = (ep.sId + 1) & 0xffff);
  b[ip + 4] = id >>> 8; b[ip + 5] = id & 255; b[ip + 6] = 0x40; b[ip + 7] = 0;
  b[ip + 8] = 64; b[ip + 9] = 6;
  b.writeUInt32BE(dir === 0 ? ep.cIp : ep.sIp, ip + 12);
  b.writeUInt32BE(dir === 0 ? ep.sIp : ep.cIp, ip + 16);
  ipChecksum(b, ip);
  const t = ip + 20;
  const sp = dir === 0 ? ep.cPort : ep.sPort;
  const dp = dir === 0 ? ep.sPort : ep.cPort;
  b[t] = sp >>> 8; b[t + 1] = sp & 255; b[t + 2] = dp >>> 8; b[t + 3] = dp & 255;
  b.writeUInt32BE(seq >>> 0, t + 4);
  b.writeUInt32BE(ack >>> 0, t + 8);
  b[t + 12] = (tcpLen / 4) << 4; b[t + 13] = flags;
  b[t + 14] = win >>> 8; b[t + 15] = win & 255;
  let op = t + 20;
  if (syn) {
    b[op] = 2; b[op + 1] = 4; b[op + 2] = 0x23; b[op + 3] = 0x28; // MSS 9000 (jumbo-capable vmknic)
    b[op + 4] = 4; b[op + 5] = 2; // SACK permitted
    op += 6;
  } else {
    b[op] = 1; b[op + 1] = 1; op += 2;
  }
  b[op] = 8; b[op + 1] = 10;
  b.writeUInt32BE(tsval >>> 0, op + 2); b.writeUInt32BE(tsecr >>> 0, op + 6);
  op += 10;
  if (syn) { b[op] = 1; b[op + 1] = 3; b[op + 2] = 3; b[op + 3] = 7; } // NOP, window scale 7
  if (cap < 14 + 20 + tcpLen) throw new Error('snaplen too small for the headers');
}

function putArp(w, clk, op, sMac, sIp, tMac, tIp) {
  const o = w.begin(60, clk.sec, clk.nsec);
  const b = w.buf;
  writeMac(b, o, op === 1 ? 0xffffffffffff : tMac); writeMac(b, o + 6, sMac);
  b[o + 12] = 0x08; b[o + 13] = 0x06;
  const a = o + 14;
  b[a + 1] = 1; b[a + 2] = 0x08; b[a + 4] = 6; b[a + 5] = 4; b[a + 7] = op;
  writeMac(b, a + 8, sMac); b.writeUInt32BE(sIp, a + 14);
  writeMac(b, a + 18, op === 1 ? 0 : tMac); b.writeUInt32BE(tIp, a + 24);
}

function putUdp(w, clk, sMac, dMac, sIp, dIp, sp, dp, payload) {
  const ipLen = 28 + payload;
  const wire = 14 + ipLen;
  const o = w.begin(wire < 60 ? 60 : wire, clk.sec, clk.nsec);
  const b = w.buf;
  writeMac(b, o, dMac); writeMac(b, o + 6, sMac);
  b[o + 12] = 0x08; b[o + 13] = 0x00;
  const ip = o + 14;
  b[ip] = 0x45; b[ip + 2] = ipLen >>> 8; b[ip + 3] = ipLen & 255; b[ip + 8] = 64; b[ip + 9] = 17;
  b.writeUInt32BE(sIp, ip + 12); b.writeUInt32BE(dIp, ip + 16);
  ipChecksum(b, ip);
  const u = ip + 20;
  b[u] = sp >>> 8; b[u + 1] = sp & 255; b[u + 2] = dp >>> 8; b[u + 3] = dp & 255;
  b[u + 4] = (8 + payload) >>> 8; b[u + 5] = (8 + payload) & 255;
}

function writeMac(b, o, mac) {
  const hi = Math.floor(mac / 4294967296);
  b[o] = hi >>> 8; b[o + 1] = hi & 255;
  b.writeUInt32BE(mac % 4294967296, o + 2);
}

function ipChecksum(b, ip) {
  b[ip + 10] = 0; b[ip + 11] = 0;
  let s = 0;
  for (let i = 0; i < 20; i += 2) s += (b[ip + i] << 8) | b[ip + i + 1];
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  s = ~s & 0xffff;
  b[ip + 10] = s >>> 8; b[ip + 11] = s & 255;
}

/** Run clock in whole seconds + nanoseconds (exact over any duration). */
class Clock {
  constructor() { this.sec = BASE_SEC; this.nsec = 0; }
  advance(ns) {
    this.nsec += Math.round(ns);
    if (this.nsec >= 1e9) { const c = Math.floor(this.nsec / 1e9); this.sec += c; this.nsec -= c * 1e9; }
  }
  /** Milliseconds for the TCP timestamps option. */
  get ms() { return ((this.sec - BASE_SEC) * 1000 + Math.floor(this.nsec / 1e6) + 1000) >>> 0; }
}

function host(h, nic) {
  return { ip: ip4(10, 20, nic, 11 + h), mac: 0x005056600000 + h * 256 + nic + 1 };
}

function newStream(rand, client, server, cPort, sPort, kind) {
  return {
    kind,
    cIp: client.ip, sIp: server.ip, cMac: client.mac, sMac: server.mac, cPort, sPort,
    cId: Math.floor(rand() * 65536), sId: Math.floor(rand() * 65536),
    isnC: Math.floor(rand() * 4294967296), isnS: Math.floor(rand() * 4294967296),
    // Sender's next sequence (absolute, unwrapped) and receiver's cumulative ACK, per direction.
    sndC: 0, sndS: 0, rcvS: 0, unacked: 0,
    holeSeq: -1, holeLen: 0, dupAcks: 0,
    pkts: [0, 0],
  };
}

/**
 * Generates one capture. Returns the truth: per stream, unique payload bytes and packets per
 * direction, and the migrations (source/destination vmknic IPs).
 */
export function generateCapture(opts) {
  const packets = opts.packets;
  const format = opts.format ?? 'pcap';
  const snaplen = opts.snaplen ?? 128;
  const seed = opts.seed ?? 1;
  const nMig = opts.migrations ?? 6;
  const tsresol = opts.tsresol ?? 6;
  if (!(packets >= 100)) throw new Error('--packets must be at least 100');
  if (format !== 'pcap' && format !== 'pcapng') throw new Error('--format must be pcap or pcapng');
  if (snaplen < 96) throw new Error('--snaplen must be at least 96 (TCP headers with options must fit)');
  const rand = makeRandom(seed);
  const w = new Writer(opts.out, format, snaplen, tsresol);
  const clk = new Clock();
  const streams = [];
  const migrations = [];

  // Noise endpoints: a few fixed TCP flows on other ports with advancing sequence numbers.
  const gw = { ip: ip4(10, 20, 0, 1), mac: 0x001c73000001 };
  const noiseFlows = [];
  for (let i = 0; i < 6; i++) {
    const c = { ip: ip4(10, 0, 5, 20 + i), mac: 0x0050560a0000 + i };
    const s = { ip: ip4(10, 0, 6, 40 + (i % 3)), mac: 0x0050560b0000 + (i % 3) };
    noiseFlows.push(newStream(rand, c, s, 40000 + i * 7, i % 2 === 0 ? 443 : 2049, 'noise'));
  }
  const noiseBudget = Math.floor(packets * NOISE_FRACTION);
  const dataBudget = packets - noiseBudget;
  // Each migration closes with 4 packets per stream (FIN exchange) and opens with 3: keep room.
  const perMig = Math.floor(dataBudget / nMig);
  let noiseLeft = noiseBudget;

  const emitNoise = () => {
    const r = rand();
    if (r < 0.05) {
      // ARP between two vmknics of one subnet: request then reply.
      const a = host(Math.floor(rand() * 4), 0), b = host(Math.floor(rand() * 4), 0);
      putArp(w, clk, 1, a.mac, a.ip, 0, b.ip);
      clk.advance(2000);
      if (w.packets < packets) putArp(w, clk, 2, b.mac, b.ip, a.mac, a.ip);
    } else if (r < 0.25) {
      const i = Math.floor(rand() * 6);
      const c = noiseFlows[i];
      putUdp(w, clk, c.cMac, gw.mac, c.cIp, ip4(10, 0, 0, 53 + (i & 1) * 70), 50000 + i, i & 1 ? 123 : 53, 40 + (i & 1) * 8);
    } else {
      const f = noiseFlows[Math.floor(rand() * noiseFlows.length)];
      const len = Math.floor(rand() * 1448);
      if (rand() < 0.6) {
        putTcp(w, clk, f, 0, f.isnC + 1 + f.sndC, f.isnS + 1 + f.sndS, 0x18, len, 2048, clk.ms, clk.ms);
        f.sndC += len; f.pkts[0]++;
      } else {
        putTcp(w, clk, f, 1, f.isnS + 1 + f.sndS, f.isnC + 1 + f.sndC, 0x10, 0, 4096, clk.ms, clk.ms);
        f.pkts[1]++;
      }
    }
    clk.advance(3000 + rand() * 20000);
  };

  for (let m = 0; m < nMig && w.packets < packets; m++) {
    const prof = PROFILES[m % PROFILES.length];
    const srcH = m % 4, dstH = (m + 1) % 4;
    const carriers = [];
    for (let nic = 0; nic < 2; nic++) {
      for (let k = 0; k < 2; k++) {
        const cPort = 30000 + ((m * 97 + nic * 13 + k * 7) % 20000);
        carriers.push(newStream(rand, host(srcH, nic), host(dstH, nic), cPort, SERVER_PORT, 'carrier'));
      }
    }
    // The destination opens a control connection to the source's vMotion port.
    const control = newStream(rand, host(dstH, 0), host(srcH, 0), 50000 + m, SERVER_PORT, 'control');
    const all = [...carriers, control];
    migrations.push({ id: m + 1, profile: prof.name, source: `esx${srcH + 1}`, destination: `esx${dstH + 1}`, streams: all.length });
    const migEnd = Math.min(packets, w.packets + perMig);
    const closeRoom = all.length * 6;
    const linkNsPerByte = 8e9 / prof.bps;

    for (const s of all) handshake(w, clk, s);
    while (w.packets < migEnd - closeRoom) {
      // Noise spread evenly over the run.
      if (noiseLeft > 0 && rand() < NOISE_FRACTION * 1.4) { const before = w.packets; emitNoise(); noiseLeft -= w.packets - before; continue; }
      if (rand() < 0.001) { controlExchange(w, clk, control, rand); continue; }
      const s = carriers[Math.floor(rand() * carriers.length)];
      const wire = dataStep(w, clk, s, prof, rand, migEnd - closeRoom);
      clk.advance(wire * linkNsPerByte);
    }
    for (const s of all) if (w.packets + 6 <= packets) close(w, clk, s);
    for (const s of all) streams.push(s);
    clk.advance(MIGRATION_GAP_SEC * 1e9);
  }
  // Whatever budget is left (rounding, or a tiny --packets) is noise.
  while (w.packets < packets) emitNoise();
  w.close();

  return {
    packets: w.packets,
    bytes: w.bytes,
    format,
    snaplen,
    seed,
    migrations,
    /** Host map (--host-map JSON) naming the four ESXi hosts' vmknics, so multi-NIC streams join one migration. */
    hosts: Object.fromEntries([0, 1, 2, 3].map((h) => [`esx${h + 1}`, [fmtIp(host(h, 0).ip), fmtIp(host(h, 1).ip)]])),
    streams: streams.map((s) => ({
      kind: s.kind,
      client: `${fmtIp(s.cIp)}:${s.cPort}`,
      server: `${fmtIp(s.sIp)}:${s.sPort}`,
      clientToServer: { payloadBytes: s.sndC, packets: s.pkts[0] },
      serverToClient: { payloadBytes: s.sndS, packets: s.pkts[1] },
    })),
  };
}

function handshake(w, clk, s) {
  const ms = clk.ms;
  putTcp(w, clk, s, 0, s.isnC, 0, 0x02, 0, 65535, ms, 0); s.pkts[0]++;
  clk.advance(150_000);
  putTcp(w, clk, s, 1, s.isnS, s.isnC + 1, 0x12, 0, 65535, ms, ms); s.pkts[1]++;
  clk.advance(150_000);
  putTcp(w, clk, s, 0, s.isnC + 1, s.isnS + 1, 0x10, 0, 1024, ms, ms); s.pkts[0]++;
  clk.advance(10_000);
}

/** One step of a bulk stream: a new (or retransmitted) data segment, and the receiver's ACK. Returns wire bytes. */
function dataStep(w, clk, s, prof, rand, limit) {
  const ms = clk.ms;
  let wire = 0;
  if (s.holeSeq >= 0 && s.dupAcks >= 3) {
    // Fast retransmit of the hole, then the receiver acknowledges everything.
    putTcp(w, clk, s, 0, s.isnC + 1 + s.holeSeq, s.isnS + 1, 0x10, s.holeLen, 1024, ms, ms); s.pkts[0]++;
    wire += 66 + s.holeLen;
    s.holeSeq = -1; s.dupAcks = 0;
    s.rcvS = s.sndC; s.unacked = 0;
    if (w.packets < limit) { putTcp(w, clk, s, 1, s.isnS + 1, s.isnC + 1 + s.rcvS, 0x10, 0, 4096, ms, ms); s.pkts[1]++; }
    return wire + 66;
  }
  const len = prof.mss * (prof.maxSegs === 1 ? 1 : 1 + Math.floor(rand() * prof.maxSegs));
  const seq = s.sndC;
  s.sndC += len;
  const r = rand();
  const hadHole = s.holeSeq >= 0;
  let lostBefore = false;
  if (!hadHole && r < P_LOSS_AFTER + P_LOSS_BEFORE) {
    s.holeSeq = seq; s.holeLen = len; s.dupAcks = 0;
    lostBefore = r >= P_LOSS_AFTER;
  }
  if (!lostBefore) {
    putTcp(w, clk, s, 0, s.isnC + 1 + seq, s.isnS + 1, 0x10, len, 1024, ms, ms); s.pkts[0]++;
    wire += 66 + len;
  }
  if (w.packets >= limit) return wire;
  if (s.holeSeq >= 0) {
    if (s.holeSeq !== seq) {
      // Out-of-order arrival past the hole: an immediate duplicate ACK.
      putTcp(w, clk, s, 1, s.isnS + 1, s.isnC + 1 + s.holeSeq, 0x10, 0, 4096, ms, ms); s.pkts[1]++;
      s.dupAcks++;
      wire += 66;
    }
    return wire;
  }
  // Delayed ACK: every second segment.
  if (++s.unacked >= 2) {
    s.rcvS = s.sndC; s.unacked = 0;
    putTcp(w, clk, s, 1, s.isnS + 1, s.isnC + 1 + s.rcvS, 0x10, 0, 4096, ms, ms); s.pkts[1]++;
    wire += 66;
  }
  return wire;
}

/** Control stream: a small request from the client and a reply from the server. */
function controlExchange(w, clk, s, rand) {
  const ms = clk.ms;
  const q = 64 + Math.floor(rand() * 400);
  putTcp(w, clk, s, 0, s.isnC + 1 + s.sndC, s.isnS + 1 + s.sndS, 0x18, q, 1024, ms, ms); s.pkts[0]++;
  s.sndC += q;
  clk.advance(40_000);
  const a = 16 + Math.floor(rand() * 100);
  putTcp(w, clk, s, 1, s.isnS + 1 + s.sndS, s.isnC + 1 + s.sndC, 0x18, a, 4096, ms, ms); s.pkts[1]++;
  s.sndS += a;
  clk.advance(40_000);
}

function close(w, clk, s) {
  const ms = clk.ms;
  if (s.holeSeq >= 0) {
    // A hole still open at the end is retransmitted (and acknowledged) before the FIN.
    putTcp(w, clk, s, 0, s.isnC + 1 + s.holeSeq, s.isnS + 1, 0x10, s.holeLen, 1024, ms, ms); s.pkts[0]++;
    putTcp(w, clk, s, 1, s.isnS + 1, s.isnC + 1 + s.sndC, 0x10, 0, 4096, ms, ms); s.pkts[1]++;
    s.holeSeq = -1;
  }
  const cSeq = s.isnC + 1 + s.sndC, sSeq = s.isnS + 1 + s.sndS;
  putTcp(w, clk, s, 0, cSeq, sSeq, 0x11, 0, 1024, ms, ms); s.pkts[0]++;
  clk.advance(50_000);
  putTcp(w, clk, s, 1, sSeq, cSeq + 1, 0x10, 0, 4096, ms, ms); s.pkts[1]++;
  putTcp(w, clk, s, 1, sSeq, cSeq + 1, 0x11, 0, 4096, ms, ms); s.pkts[1]++;
  clk.advance(50_000);
  putTcp(w, clk, s, 0, cSeq + 1, sSeq + 1, 0x10, 0, 1024, ms, ms); s.pkts[0]++;
}

function parseArgs(argv) {
  const o = { packets: 1_000_000, format: 'pcap', seed: 1, snaplen: 128, migrations: 6, tsresol: 6, out: null, truth: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    switch (a) {
      case '--packets': o.packets = parseCount(v()); break;
      case '--format': o.format = v(); break;
      case '--seed': o.seed = Number(v()); break;
      case '--snaplen': o.snaplen = Number(v()); break;
      case '--migrations': o.migrations = Number(v()); break;
      case '--tsresol': o.tsresol = Number(v()); break;
      case '-o': case '--out': o.out = v(); break;
      case '--truth': o.truth = v(); break;
      case '-h': case '--help':
        process.stdout.write('usage: node bench/gen-capture.mjs --packets N[k|M] [--format pcap|pcapng] [--seed S] ' +
          '[--snaplen 128] [--migrations 6] [--tsresol 6|9] [--truth FILE|-] -o FILE\n');
        process.exit(0);
        break;
      default: throw new Error(`unknown option ${a} (see --help)`);
    }
  }
  if (!o.out) throw new Error('give the output file with -o FILE');
  if (o.tsresol !== 6 && o.tsresol !== 9) throw new Error('--tsresol must be 6 or 9');
  return o;
}

/** "1000000", "1M", "500k" -> a count. */
export function parseCount(text) {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a packet count (e.g. 1000000, 10M, 500k)`);
  const mult = m[2] === '' ? 1 : m[2].toLowerCase() === 'k' ? 1e3 : 1e6;
  return Math.round(Number(m[1]) * mult);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const o = parseArgs(process.argv.slice(2));
    const t0 = process.hrtime.bigint();
    const truth = generateCapture(o);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    process.stderr.write(`wrote ${o.out}: ${truth.packets} packets, ${(truth.bytes / 1048576).toFixed(1)} MiB in ${secs.toFixed(1)} s\n`);
    if (o.truth) {
      const text = `${JSON.stringify(truth, null, 2)}\n`;
      if (o.truth === '-') process.stdout.write(text);
      else (await import('node:fs')).writeFileSync(o.truth, text);
    }
  } catch (err) {
    process.stderr.write(`gen-capture: ${err.message}\n`);
    process.exitCode = 2;
  }
}
