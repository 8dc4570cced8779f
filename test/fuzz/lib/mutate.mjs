/**
 * Deterministic mutations: input number i of a run with seed s is always the same bytes, so a
 * crash or hang is reproduced from (seed, index) alone, without having kept the input.
 *
 * Indices [0, sweepLength) are the truncation sweep (every cut offset of a few small seeds);
 * later indices apply 1..n mutations to a random seed: length-field lies, link-type swaps and
 * header smashes at known offsets, then at most one structural edit (drop, duplicate, swap,
 * splice a record or block from another file, cut bytes out of one, truncate), then bit flips,
 * interesting values and random byte edits anywhere.
 */
import { units } from './captures.mjs';

/** splitmix32: tiny, fast, good enough to spread mutations; seeded per input. */
export function rngFor(seed, index) {
  let a = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index | 0, 0x85ebca77) ^ 0x5bd1e995) | 0;
  const next = () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return ((t ^ (t >>> 15)) >>> 0);
  };
  return {
    u32: next,
    int: (n) => (n <= 0 ? 0 : next() % n),
    chance: (p) => next() / 4294967296 < p,
    pick: (arr) => arr[next() % arr.length],
  };
}

const INTERESTING_8 = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x04, 0x05, 0x06, 0x0f, 0x10, 0x40, 0x45, 0x60];
const INTERESTING_32 = [0, 1, 2, 3, 4, 8, 11, 12, 13, 15, 16, 19, 20, 24, 27, 28, 31, 32, 40, 64, 255, 256, 0x7fff, 0x8000,
  0xffff, 0x10000, 262144, 262145, 0x00ffffff, 16 * 1024 * 1024, 16 * 1024 * 1024 + 4, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff];
const LINK_TYPES = [0, 1, 12, 14, 101, 105, 108, 113, 127, 228, 229, 276, 0xffff, 0x04000001, 0xf4000001];

function put32(buf, off, v, le) {
  if (off < 0 || off + 4 > buf.length) return;
  if (le) buf.writeUInt32LE(v >>> 0, off); else buf.writeUInt32BE(v >>> 0, off);
}

/** Where a packet unit's frame bytes start (pcap record, EPB, PB, SPB), or -1. */
function dataStart(u) {
  if (u.kind === 'record') return u.start + 16;
  if (u.type === 6 || u.type === 2) return u.start + 28;
  if (u.type === 3) return u.start + 12;
  return -1;
}

/** Offset-preserving lies at known offsets (units of the seed are still valid afterwards). */
function fieldLie(rng, buf, us) {
  if (us.length === 0) return 'none';
  const u = rng.pick(us);
  const le = u.le;
  const real = u.end - u.start;
  const value = rng.chance(0.5) ? rng.pick(INTERESTING_32) : real + rng.pick([-12, -8, -4, -1, 1, 3, 4, 8, 12, 4096]);
  switch (rng.int(5)) {
    case 0: // the unit's own length field (pcap caplen, pcapng block length)
      put32(buf, u.lenAt, value, le); return `len@${u.lenAt}=${value}`;
    case 1: // pcapng trailing length, pcap original length
      if (u.kind === 'block') { put32(buf, u.end - 4, value, le); return `trailer@${u.end - 4}=${value}`; }
      put32(buf, u.lenAt + 4, value, le); return `origlen@${u.lenAt + 4}=${value}`;
    case 2: // EPB/PB captured length inside the block, or pcap header snaplen / version
      if (u.type === 6 || u.type === 2) { put32(buf, u.start + 20, value, le); return `caplen@${u.start + 20}=${value}`; }
      if (u.kind === 'header') { put32(buf, rng.chance(0.5) ? 16 : 4, value, le); return `pcaphdr=${value}`; }
      put32(buf, u.start + 8, value, le); return `field8@${u.start + 8}=${value}`;
    case 3: { // link type (pcap header or IDB) / interface id of a packet block
      const lt = rng.pick(LINK_TYPES);
      const hdr = us.find((x) => x.kind === 'header');
      const idbs = us.filter((x) => x.type === 1 && x.kind === 'block');
      if (hdr) { put32(buf, 20, lt, hdr.le); return `linktype=${lt}`; }
      if (idbs.length > 0 && rng.chance(0.6)) {
        const idb = rng.pick(idbs);
        if (le) buf.writeUInt16LE(lt & 0xffff, idb.start + 8); else buf.writeUInt16BE(lt & 0xffff, idb.start + 8);
        return `idb-linktype=${lt & 0xffff}`;
      }
      put32(buf, u.start + 8, rng.pick([0, 1, 2, 7, 0xffff, 0xffffffff]), le); return `ifid@${u.start + 8}`;
    }
    default: { // a header field inside a frame (IP lengths, TCP data offset, next-header chains, GRE flags...)
      const packets = us.filter((x) => dataStart(x) >= 0);
      if (packets.length === 0) return 'none';
      const p = rng.pick(packets);
      const at = dataStart(p) + rng.int(Math.min(96, p.end - dataStart(p)));
      if (at >= buf.length) return 'none';
      buf[at] = rng.chance(0.7) ? rng.pick(INTERESTING_8) : rng.int(256);
      if (rng.chance(0.3) && at + 1 < buf.length) buf[at + 1] = rng.pick(INTERESTING_8);
      return `frame@${at}`;
    }
  }
}

/** One edit that moves bytes (record/block level), producing a new buffer. */
function structural(rng, buf, us, corpus) {
  const body = us.filter((u) => u.kind !== 'header');
  const cat = (parts) => Buffer.concat(parts);
  const op = rng.int(7);
  if (body.length === 0 || op === 6) {
    const at = rng.int(buf.length + 1);
    return [buf.subarray(0, at), `truncate@${at}`];
  }
  const u = rng.pick(body);
  switch (op) {
    case 0: return [cat([buf.subarray(0, u.start), buf.subarray(u.end)]), `drop@${u.start}`];
    case 1: {
      const times = rng.chance(0.1) ? 2 + rng.int(40) : 1;
      return [cat([buf.subarray(0, u.end), ...Array(times).fill(buf.subarray(u.start, u.end)), buf.subarray(u.end)]), `dup${times}@${u.start}`];
    }
    case 2: {
      const v = rng.pick(body);
      if (v === u) return [buf, 'none'];
      const [a, b] = u.start < v.start ? [u, v] : [v, u];
      return [cat([buf.subarray(0, a.start), buf.subarray(b.start, b.end), buf.subarray(a.end, b.start),
        buf.subarray(a.start, a.end), buf.subarray(b.end)]), `swap@${a.start},${b.start}`];
    }
    case 3: {
      // A record or block from another file (possibly the other format, byte order or link type).
      const other = rng.pick(corpus);
      const ou = other.units.length > 0 ? rng.pick(other.units) : null;
      if (!ou) return [buf, 'none'];
      const piece = other.bytes.subarray(ou.start, ou.end);
      const at = rng.chance(0.8) ? u.start : rng.int(buf.length + 1);
      return [cat([buf.subarray(0, at), piece, buf.subarray(at)]), `splice(${other.name}@${ou.start})@${at}`];
    }
    case 4: {
      // Cut bytes out of the middle of one unit, leaving its length fields unchanged.
      const len = u.end - u.start;
      const from = u.start + rng.int(len);
      const n = 1 + rng.int(Math.max(1, Math.min(len, u.end - from)));
      return [cat([buf.subarray(0, from), buf.subarray(from + n)]), `cut${n}@${from}`];
    }
    default: {
      // Random bytes where a record should start (resynchronisation is not possible in pcap).
      const n = rng.pick([1, 2, 3, 4, 7, 8, 16, 64]);
      const junk = Buffer.alloc(n);
      for (let i = 0; i < n; i++) junk[i] = rng.chance(0.5) ? rng.pick(INTERESTING_8) : rng.int(256);
      return [cat([buf.subarray(0, u.start), junk, buf.subarray(u.start)]), `junk${n}@${u.start}`];
    }
  }
}

function byteEdit(rng, buf) {
  if (buf.length === 0) return 'none';
  const at = rng.chance(0.2) ? rng.int(Math.min(buf.length, 64)) : rng.int(buf.length);
  switch (rng.int(4)) {
    case 0: buf[at] ^= 1 << rng.int(8); return `flip@${at}`;
    case 1: buf[at] = rng.pick(INTERESTING_8); return `byte@${at}`;
    case 2: put32(buf, at, rng.pick(INTERESTING_32), rng.chance(0.5)); return `u32@${at}`;
    default: {
      const n = 1 + rng.int(16);
      for (let i = 0; i < n && at + i < buf.length; i++) buf[at + i] = rng.int(256);
      return `rand${n}@${at}`;
    }
  }
}

/** Total inputs in the truncation sweep: one per cut offset (0..length) of each sweep seed. */
export function sweepLength(sweep) {
  return sweep.reduce((n, s) => n + s.bytes.length + 1, 0);
}

/**
 * Input number `index` of run `seed`: { bytes, label, cut } where cut (sweep inputs only) says
 * what a correct reader must report: { packets: complete packet records before the cut, clean:
 * the cut fell on a unit boundary }.
 */
export function makeInput(corpus, sweep, seed, index) {
  let i = index;
  for (const s of sweep) {
    if (i <= s.bytes.length) {
      const at = i;
      const packets = s.units.filter((u) => u.packet && u.end <= at).length;
      const clean = at === 0 ? false : s.units.some((u) => u.end === at);
      return { bytes: Buffer.from(s.bytes.subarray(0, at)), label: `${s.name} cut at ${at}`, cut: { packets, clean } };
    }
    i -= s.bytes.length + 1;
  }
  const rng = rngFor(seed, index);
  const src = rng.pick(corpus);
  let buf = Buffer.from(src.bytes);
  const ops = [];
  let us = src.units;
  const lies = rng.chance(0.6) ? 1 + rng.int(3) : 0;
  for (let k = 0; k < lies; k++) ops.push(fieldLie(rng, buf, us));
  if (rng.chance(0.5)) {
    const [next, what] = structural(rng, buf, us, corpus);
    buf = Buffer.from(next);
    ops.push(what);
    us = null;
  }
  const edits = lies === 0 && ops.length === 0 ? 1 + rng.int(4) : rng.int(3);
  for (let k = 0; k < edits; k++) ops.push(byteEdit(rng, buf));
  return { bytes: buf, label: `${src.name}: ${ops.join(' ')}`, cut: null };
}

export { units };
