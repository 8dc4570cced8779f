/**
 * Capture framing for the fuzzer, written from the pcap/pcapng specifications independently of
 * the readers under test: list the units (file header, records, blocks) of a valid capture, take
 * the first N packets of one, and write small pcap/pcapng files from frames.
 */

const PCAP_MAGICS = new Map([
  [0xa1b2c3d4, { le: true }], [0xa1b23c4d, { le: true }], [0xd4c3b2a1, { le: false }], [0x4d3cb2a1, { le: false }],
]);
const PACKET_BLOCKS = new Set([2, 3, 6]);

/**
 * Units of a well-formed capture: { start, end, kind: 'header' | 'record' | 'block', type, packet,
 * lenAt (offset of its length field), le }. Stops at the first unit that does not fit.
 */
export function units(buf) {
  const out = [];
  if (buf.length < 4) return out;
  const magic = buf.readUInt32LE(0);
  const pcap = PCAP_MAGICS.get(magic);
  if (pcap) {
    if (buf.length < 24) return out;
    const le = pcap.le;
    out.push({ start: 0, end: 24, kind: 'header', type: 0, packet: false, lenAt: 16, le });
    let pos = 24;
    while (pos + 16 <= buf.length) {
      const cap = le ? buf.readUInt32LE(pos + 8) : buf.readUInt32BE(pos + 8);
      if (pos + 16 + cap > buf.length) break;
      out.push({ start: pos, end: pos + 16 + cap, kind: 'record', type: 0, packet: true, lenAt: pos + 8, le });
      pos += 16 + cap;
    }
    return out;
  }
  if (magic !== 0x0a0d0d0a) return out;
  let pos = 0;
  let le = true;
  while (pos + 12 <= buf.length) {
    if (buf.readUInt32LE(pos) === 0x0a0d0d0a) le = buf.readUInt32LE(pos + 8) === 0x1a2b3c4d;
    const type = le ? buf.readUInt32LE(pos) : buf.readUInt32BE(pos);
    const len = le ? buf.readUInt32LE(pos + 4) : buf.readUInt32BE(pos + 4);
    if (len < 12 || len % 4 !== 0 || pos + len > buf.length) break;
    out.push({ start: pos, end: pos + len, kind: 'block', type, packet: PACKET_BLOCKS.has(type), lenAt: pos + 4, le });
    pos += len;
  }
  return out;
}

/** The capture cut after its first `packets` packet records (non-packet blocks before them kept). */
export function firstPackets(buf, packets) {
  let n = 0;
  let end = 0;
  for (const u of units(buf)) {
    if (u.packet) { if (n === packets) break; n++; }
    end = u.end;
  }
  return Buffer.from(buf.subarray(0, end));
}

/** Classic little-endian microsecond pcap of frames [{ data, sec?, usec?, orig? }]. */
export function writePcap(linkType, frames, snaplen = 262144) {
  const parts = [];
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0); h.writeUInt16LE(2, 4); h.writeUInt16LE(4, 6);
  h.writeUInt32LE(snaplen, 16); h.writeUInt32LE(linkType, 20);
  parts.push(h);
  frames.forEach((f, i) => {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(f.sec ?? 1_700_000_000 + (i >> 3), 0); r.writeUInt32LE(f.usec ?? (i * 12_345) % 1_000_000, 4);
    r.writeUInt32LE(f.data.length, 8); r.writeUInt32LE(f.orig ?? f.data.length, 12);
    parts.push(r, f.data);
  });
  return Buffer.concat(parts);
}

function block(type, body) {
  const pad = (4 - (body.length % 4)) % 4;
  const len = 12 + body.length + pad;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(type, 0); b.writeUInt32LE(len, 4);
  body.copy(b, 8);
  b.writeUInt32LE(len, len - 4);
  return b;
}

/**
 * Little-endian pcapng with one interface per link type in `linkTypes`; frames name their
 * interface by index ({ data, iface, ts (bigint, µs) }). An ISB with drop counters ends it.
 */
export function writePcapng(linkTypes, frames) {
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0); shb.writeUInt16LE(1, 4); shb.writeUInt16LE(0, 6);
  shb.writeBigInt64LE(-1n, 8);
  const parts = [block(0x0a0d0d0a, shb)];
  for (const lt of linkTypes) {
    // if_tsresol (9) = 6 and an end-of-options marker, so the option walker is exercised too.
    const idb = Buffer.alloc(8 + 8 + 4);
    idb.writeUInt16LE(lt, 0); idb.writeUInt32LE(65535, 4);
    idb.writeUInt16LE(9, 8); idb.writeUInt16LE(1, 10); idb[12] = 6;
    parts.push(block(1, idb));
  }
  frames.forEach((f, i) => {
    const ts = f.ts ?? 1_700_000_000_000_000n + BigInt(i) * 1000n;
    const head = Buffer.alloc(20);
    head.writeUInt32LE(f.iface ?? 0, 0);
    head.writeUInt32LE(Number(ts >> 32n), 4); head.writeUInt32LE(Number(ts & 0xffffffffn), 8);
    head.writeUInt32LE(f.data.length, 12); head.writeUInt32LE(f.orig ?? f.data.length, 16);
    parts.push(block(6, Buffer.concat([head, f.data])));
  });
  const isb = Buffer.alloc(8 + 4 + 12 + 4);
  isb.writeUInt32LE(0, 0);
  isb.writeUInt16LE(5, 12); isb.writeUInt16LE(8, 14); isb.writeBigUInt64LE(3n, 16);
  parts.push(block(5, isb));
  return Buffer.concat(parts);
}
