/** Minimal classic-pcap walker for decoder tests (the real reader lives in src/source). */
import { readFileSync } from 'node:fs';
import { Frame, newFrame } from '../../../src/source/frame.js';

/** Every record of a classic pcap file as an independent Frame (its own buffer). */
export function readPcapFrames(path: string): Frame[] {
  const buf = readFileSync(path);
  const magic = buf.readUInt32LE(0);
  let le: boolean; let nanos: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) le = true;
  else if (buf.readUInt32BE(0) === 0xa1b2c3d4 || buf.readUInt32BE(0) === 0xa1b23c4d) le = false;
  else throw new Error(`${path}: not a classic pcap file`);
  nanos = (le ? magic : buf.readUInt32BE(0)) === 0xa1b23c4d;
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkField = u32(20);
  const frames: Frame[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const f = newFrame();
    f.frameNumber = frames.length + 1;
    f.fileOffset = off;
    f.linkType = linkField & 0xffff;
    // As libpcap: LT_FCS_LENGTH_PRESENT = 0x04000000, LT_FCS_LENGTH = bits 28-31 (16-bit words).
    f.fcsLength = (linkField & 0x04000000) ? ((linkField >>> 28) & 0xf) * 2 : 0;
    f.tsSec = u32(off);
    f.tsNsec = nanos ? u32(off + 4) : u32(off + 4) * 1000;
    f.capturedLength = u32(off + 8);
    f.originalLength = u32(off + 12);
    f.data = Buffer.from(buf.subarray(off + 16, off + 16 + f.capturedLength));
    f.offset = 0;
    frames.push(f);
    off += 16 + f.capturedLength;
  }
  return frames;
}
