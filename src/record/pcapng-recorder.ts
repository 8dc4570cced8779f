import { closeSync, openSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Frame } from '../source/frame.js';

/**
 * Records frames to pcapng as they arrive (live `--write`): SHB, one IDB, an EPB per frame
 * (nanosecond timestamps, original length kept) and an Interface Statistics Block with the
 * capture's drop counters when each file closes. Writes go through one reused 1 MiB buffer.
 *
 * Ring buffer (`--ring SIZE,COUNT`): a new file every SIZE bytes, named like dumpcap's ring files
 * (`NAME_00001_YYYYMMDDhhmmss.pcapng`) so `analyze` stitches them back as one capture point;
 * only the newest COUNT files are kept.
 */
export interface RecorderOptions {
  path: string;
  linkType: number;
  snaplen: number;
  interfaceName: string;
  /** Bytes to keep of a frame (headers only unless the user asked for payload). */
  keepBytes: (frame: Frame) => number;
  ring?: { fileBytes: number; files: number } | null;
  userAppl: string;
}

export interface RecorderStats { ifRecv: number; ifDrop: number; osDrop: number }

const BUF_SIZE = 1 << 20;

export class PcapngRecorder {
  private fd = -1;
  private readonly buf = Buffer.allocUnsafe(BUF_SIZE);
  private used = 0;
  private fileBytes = 0;
  private fileIndex = 0;
  private readonly written: string[] = [];
  packets = 0;
  currentPath = '';

  constructor(private readonly opts: RecorderOptions) {
    this.openNext();
  }

  /** All files written so far (the ring keeps only the newest `files` of them on disk). */
  get files(): string[] {
    return [...this.written];
  }

  write(frame: Frame, stats: () => RecorderStats): void {
    const keep = Math.min(frame.capturedLength, Math.max(0, this.opts.keepBytes(frame)));
    const padded = (keep + 3) & ~3;
    const total = 32 + padded;
    if (this.opts.ring && this.fileBytes + total > this.opts.ring.fileBytes && this.fileBytes > 0) {
      this.closeFile(stats());
      this.openNext();
    }
    this.reserve(total);
    const b = this.buf;
    let o = this.used;
    b.writeUInt32LE(6, o); b.writeUInt32LE(total, o + 4); b.writeUInt32LE(0, o + 8);
    writeNs(b, o + 12, frame.tsSec, frame.tsNsec);
    b.writeUInt32LE(keep, o + 20);
    b.writeUInt32LE(Math.max(frame.originalLength, keep), o + 24);
    frame.data.copy(b, o + 28, frame.offset, frame.offset + keep);
    o += 28 + keep;
    for (; o < this.used + 28 + padded; o++) b[o] = 0;
    b.writeUInt32LE(total, o);
    this.used = o + 4;
    this.fileBytes += total;
    this.packets++;
  }

  /** Flush, write the statistics block, close. */
  close(stats: RecorderStats): void {
    if (this.fd >= 0) this.closeFile(stats);
  }

  private openNext(): void {
    const { path, ring } = this.opts;
    if (ring) {
      this.fileIndex++;
      const ext = extname(path) || '.pcapng';
      const stem = basename(path, extname(path));
      const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
      this.currentPath = join(dirname(path), `${stem}_${String(this.fileIndex).padStart(5, '0')}_${stamp}${ext}`);
    } else {
      this.currentPath = path;
    }
    this.fd = openSync(this.currentPath, 'w', 0o644);
    this.written.push(this.currentPath);
    this.fileBytes = 0;
    this.writeHeaderBlocks();
    if (ring) this.pruneRing(ring.files);
  }

  private writeHeaderBlocks(): void {
    const appl = Buffer.from(this.opts.userAppl, 'utf8');
    const name = Buffer.from(this.opts.interfaceName, 'utf8');
    const shbLen = 28 + 4 + pad(appl.length) + 4;
    this.reserve(shbLen);
    let o = this.used;
    const b = this.buf;
    b.writeUInt32LE(0x0a0d0d0a, o); b.writeUInt32LE(shbLen, o + 4); b.writeUInt32LE(0x1a2b3c4d, o + 8);
    b.writeUInt16LE(1, o + 12); b.writeUInt16LE(0, o + 14); b.writeInt32LE(-1, o + 16); b.writeInt32LE(-1, o + 20);
    o = writeOption(b, o + 24, 4, appl); // shb_userappl
    b.writeUInt32LE(0, o); o += 4;
    b.writeUInt32LE(shbLen, o); o += 4;
    // type, length, link type, reserved, snaplen; if_name; if_tsresol; end of options; length.
    const idbLen = 16 + 4 + pad(name.length) + 8 + 4 + 4;
    b.writeUInt32LE(1, o); b.writeUInt32LE(idbLen, o + 4);
    b.writeUInt16LE(this.opts.linkType, o + 8); b.writeUInt16LE(0, o + 10); b.writeUInt32LE(this.opts.snaplen, o + 12);
    o = writeOption(b, o + 16, 2, name); // if_name
    o = writeOption(b, o, 9, Buffer.from([9])); // if_tsresol: nanoseconds
    b.writeUInt32LE(0, o); o += 4;
    b.writeUInt32LE(idbLen, o); o += 4;
    this.used = o;
    this.fileBytes += shbLen + idbLen;
  }

  private closeFile(stats: RecorderStats): void {
    // ISB: interface 0, timestamp 0, isb_ifrecv (4), isb_ifdrop (5), isb_osdrop (7).
    const isbLen = 24 + 3 * 12 + 4;
    this.reserve(isbLen);
    const b = this.buf;
    let o = this.used;
    b.writeUInt32LE(5, o); b.writeUInt32LE(isbLen, o + 4); b.writeUInt32LE(0, o + 8);
    const now = Date.now();
    writeNs(b, o + 12, Math.floor(now / 1000), (now % 1000) * 1e6);
    o += 20;
    for (const [code, v] of [[4, stats.ifRecv], [5, stats.ifDrop], [7, stats.osDrop]] as const) {
      b.writeUInt16LE(code, o); b.writeUInt16LE(8, o + 2);
      b.writeUInt32LE(v % 4294967296, o + 4); b.writeUInt32LE(Math.floor(v / 4294967296), o + 8);
      o += 12;
    }
    b.writeUInt32LE(0, o); o += 4;
    b.writeUInt32LE(isbLen, o); o += 4;
    this.used = o;
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }

  private pruneRing(keep: number): void {
    const stem = basename(this.opts.path, extname(this.opts.path));
    const dir = dirname(this.opts.path);
    const ours = readdirSync(dir).filter((f) => f.startsWith(`${stem}_`) && /_\d{5}_\d{14}/.test(f)).sort();
    const mine = new Set(this.written.map((p) => basename(p)));
    const candidates = ours.filter((f) => mine.has(f));
    for (const f of candidates.slice(0, Math.max(0, candidates.length - keep))) {
      try { unlinkSync(join(dir, f)); } catch { /* already gone */ }
    }
  }

  private reserve(n: number): void {
    if (this.used + n > BUF_SIZE) this.flush();
  }

  private flush(): void {
    let off = 0;
    while (off < this.used) off += writeSync(this.fd, this.buf, off, this.used - off);
    this.used = 0;
  }
}

function pad(n: number): number {
  return (n + 3) & ~3;
}

function writeOption(b: Buffer, o: number, code: number, value: Buffer): number {
  b.writeUInt16LE(code, o); b.writeUInt16LE(value.length, o + 2);
  value.copy(b, o + 4);
  for (let i = o + 4 + value.length; i < o + 4 + pad(value.length); i++) b[i] = 0;
  return o + 4 + pad(value.length);
}

/**
 * Writes sec * 1e9 + nsec as pcapng's 64-bit timestamp (high word first) exactly, without BigInt
 * on the per-packet path.
 */
function writeNs(b: Buffer, o: number, sec: number, nsec: number): void {
  // sec < 2^33, 1e9 < 2^30: split sec into 16-bit halves so every product stays exact (< 2^53).
  const secHi = Math.floor(sec / 65536);
  const secLo = sec % 65536;
  // total = secHi * 1e9 * 65536 + secLo * 1e9 + nsec
  const a = secHi * 1e9; // < 2^47
  const aHi = Math.floor(a / 65536); // contributes aHi * 2^32 plus (a % 65536) * 2^16
  const aLo = a % 65536;
  let low = aLo * 65536 + secLo * 1e9 + nsec; // < 2^32 + 2^46 + 2^30: exact
  let high = aHi + Math.floor(low / 4294967296);
  low = low % 4294967296;
  high = high % 4294967296;
  b.writeUInt32LE(high, o);
  b.writeUInt32LE(low, o + 4);
}
