/**
 * Large hostile captures generated on the fly (never checked in): a SYN flood of distinct flows
 * to port 8000, random bytes behind a valid pcap header, and a real capture repeated to a size
 * then cut mid-record. Written in big chunks from a patched template, so 1 GiB takes seconds.
 */
import { openSync, writeSync, closeSync, readFileSync, ftruncateSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { units } from './captures.mjs';

const CHUNK = 8 * 1024 * 1024;

function pcapHeader(linkType = 1, snaplen = 262144) {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0); h.writeUInt16LE(2, 4); h.writeUInt16LE(4, 6);
  h.writeUInt32LE(snaplen, 16); h.writeUInt32LE(linkType, 20);
  return h;
}

/**
 * `count` SYNs, each from a distinct (10.x.y.z, port) to 192.168.0.1:8000, 1 µs apart, none
 * answered: every one is a new TCP stream. Returns the file size.
 */
export function writeSynFlood(path, count) {
  const REC = 16 + 54;
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, pcapHeader());
    const per = Math.floor(CHUNK / REC);
    const buf = Buffer.alloc(per * REC);
    // Template: record header, Ethernet, IPv4 (no checksum: the analyzer does not verify it), TCP SYN.
    const t = Buffer.alloc(REC);
    t.writeUInt32LE(54, 8); t.writeUInt32LE(54, 12);
    const e = 16;
    t.set([0, 0x50, 0x56, 0, 0, 2, 0, 0x50, 0x56, 0, 0, 1, 0x08, 0x00], e);
    const ip = e + 14;
    t[ip] = 0x45; t.writeUInt16BE(40, ip + 2); t.writeUInt16BE(0x4000, ip + 6); t[ip + 8] = 64; t[ip + 9] = 6;
    t.set([192, 168, 0, 1], ip + 16);
    const tcp = ip + 20;
    t.writeUInt16BE(8000, tcp + 2); t[tcp + 12] = 0x50; t[tcp + 13] = 0x02; t.writeUInt16BE(64240, tcp + 14);
    for (let i = 0; i < per; i++) t.copy(buf, i * REC);
    let n = 0;
    while (n < count) {
      const k = Math.min(per, count - n);
      for (let i = 0; i < k; i++) {
        const o = i * REC; const id = n + i;
        const usec = 1_700_000_000_000_000 + id; // µs since 1970, exact in a double
        buf.writeUInt32LE(Math.floor(usec / 1e6), o); buf.writeUInt32LE(usec % 1e6, o + 4);
        // Source address 10.(id>>16 & 0xff).(id>>8 & 0xff).(id & 0xff), port from the high bits.
        buf.writeUInt32BE((0x0a000000 | (id & 0xffffff)) >>> 0, o + ip + 12);
        buf.writeUInt16BE(1024 + (Math.floor(id / 0x1000000) % 60000), o + tcp);
        buf.writeUInt32BE((id * 2654435761) >>> 0, o + tcp + 4);
      }
      writeSync(fd, buf, 0, k * REC);
      n += k;
    }
  } finally { closeSync(fd); }
  return 24 + count * REC;
}

/** `size` bytes: a valid pcap header (Ethernet) followed by random bytes. */
export function writeRandomPcap(path, size) {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, pcapHeader());
    const buf = Buffer.alloc(CHUNK);
    let left = size - 24;
    while (left > 0) {
      const k = Math.min(CHUNK, left);
      randomFillSync(buf, 0, k);
      writeSync(fd, buf, 0, k);
      left -= k;
    }
  } finally { closeSync(fd); }
  return size;
}

/**
 * A real capture's records repeated (timestamps shifted so time moves forward) until the file
 * reaches `size`, then cut in the middle of a record: a capture interrupted by a full disk.
 * Returns { size, records } (complete records written).
 */
export function writeRepeatedCut(path, source, size) {
  const src = readFileSync(source);
  const us = units(src);
  if (us.length < 2 || us[0].kind !== 'header') throw new Error(`${source}: expected a little-endian classic pcap`);
  const body = src.subarray(us[1].start, us[us.length - 1].end);
  const first = us[1];
  const last = us[us.length - 1];
  const span = src.readUInt32LE(last.start) - src.readUInt32LE(first.start) + 1;
  const fd = openSync(path, 'w');
  let written = 0;
  let records = 0;
  try {
    writeSync(fd, src.subarray(0, 24));
    written = 24;
    const copy = Buffer.from(body);
    for (let rep = 0; written < size; rep++) {
      for (let i = 1; i < us.length; i++) {
        const o = us[i].start - us[1].start;
        copy.writeUInt32LE(src.readUInt32LE(us[i].start) + rep * span, o);
      }
      const k = Math.min(copy.length, size - written);
      writeSync(fd, copy, 0, k);
      written += k;
      if (k === copy.length) records += us.length - 1;
      else records += us.slice(1).filter((u) => u.end - us[1].start <= k).length;
    }
  } finally { closeSync(fd); }
  return { size: written, records };
}

export { ftruncateSync };
