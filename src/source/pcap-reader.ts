import { MICROSECONDS, NANOSECONDS } from './timestamps.js';
import type { ParseContext, UnitReader } from './parse-context.js';

/** libpcap's MAXIMUM_SNAPLEN: no real capture record is larger. */
export const MAX_PCAP_RECORD = 262144;

const FILE_HEADER = 24;
const RECORD_HEADER = 16;

/** What a classic pcap file header says about its records. */
export interface PcapFileHeader {
  littleEndian: boolean;
  nanos: boolean;
  snaplen: number;
  linkType: number;
  fcsLength: number;
}

/**
 * Takes runs of plain records off the reader (the decode worker's native packer frames and decodes
 * them in one call). take() consumes records from buf[pos, end) while it can and returns the bytes
 * it consumed, 0 when the record at pos is not for it; the reader handles that one and offers the
 * rest again. It numbers its frames after ctx.lastFrameNumber and reports them with ctx.deliverMany,
 * exactly as the reader would have (test/decode/native-pcap-runs.test.ts, and the fuzzer on every input).
 */
export interface PcapRecordRuns {
  take(buf: Buffer, pos: number, end: number, fileOffset: number, file: PcapFileHeader, ctx: ParseContext): number;
}

/**
 * Classic pcap (magic a1b2c3d4 µs / a1b23c4d ns, either byte order).
 *
 * A record longer than 256 KiB means the file is damaged or hostile. Classic pcap has no sync
 * marker, so resynchronising would be a guess that could feed invented frames to the analysis:
 * we stop there and keep the frames before it. A record longer than the header's snaplen but
 * within 256 KiB is read as-is (Wireshark does too; some writers put a wrong snaplen) with one
 * warning.
 */
export class PcapReader implements UnitReader {
  need = FILE_HEADER;
  private headerDone = false;
  private snaplen = 0;
  private file: PcapFileHeader | null = null;

  constructor(private readonly ctx: ParseContext, private readonly le: boolean, private readonly nanos: boolean,
    private readonly runs: PcapRecordRuns | null = null) {
    ctx.summary.format = nanos ? 'pcap-ns' : 'pcap';
    ctx.summary.byteOrder = le ? 'little' : 'big';
  }

  parse(buf: Buffer, start: number, end: number, base: number): number {
    let pos = start;
    if (!this.headerDone) {
      if (end - pos < FILE_HEADER) { this.need = FILE_HEADER; return 0; }
      if (!this.readFileHeader(buf, pos)) return 0;
      pos += FILE_HEADER;
    }
    const ctx = this.ctx;
    const f = ctx.frame;
    const le = this.le;
    const nanos = this.nanos;
    const snaplen = this.snaplen;
    const runs = this.runs;
    const file = this.file!;
    while (true) {
      if (runs !== null) pos += runs.take(buf, pos, end, base + (pos - start), file, ctx);
      const avail = end - pos;
      if (avail < RECORD_HEADER) { this.need = RECORD_HEADER; break; }
      const caplen = le ? u32le(buf, pos + 8) : u32be(buf, pos + 8);
      const offset = base + (pos - start);
      if (caplen > MAX_PCAP_RECORD) {
        ctx.stop(`record at offset ${offset} claims ${caplen} captured bytes (more than the ${MAX_PCAP_RECORD}-byte limit): ` +
          'the file is damaged from here on; try "editcap" to re-save the readable part or re-capture', offset);
        break;
      }
      const total = RECORD_HEADER + caplen;
      if (avail < total) { this.need = total; break; }
      if (caplen > snaplen && snaplen > 0) {
        ctx.warn('pcap-caplen', `record at offset ${offset} has ${caplen} captured bytes, more than the file snaplen ` +
          `${snaplen}; reading it as-is (the writer's snaplen is probably wrong)`, offset);
      }
      let sec: number, frac: number;
      if (le) {
        sec = u32le(buf, pos); frac = u32le(buf, pos + 4); f.originalLength = u32le(buf, pos + 12);
      } else {
        sec = u32be(buf, pos); frac = u32be(buf, pos + 4); f.originalLength = u32be(buf, pos + 12);
      }
      let nsec = nanos ? frac : frac * 1000;
      // Some writers leave the sub-second field >= 1 s; carry it so nsec stays in range.
      if (nsec >= 1e9) { const carry = Math.floor(nsec / 1e9); sec += carry; nsec -= carry * 1e9; }
      f.tsSec = sec;
      f.tsNsec = nsec;
      f.capturedLength = caplen;
      f.fileOffset = offset;
      f.data = buf;
      f.offset = pos + RECORD_HEADER;
      ctx.deliver();
      pos += total;
    }
    return pos - start;
  }

  private readFileHeader(buf: Buffer, pos: number): boolean {
    const le = this.le;
    const major = le ? buf.readUInt16LE(pos + 4) : buf.readUInt16BE(pos + 4);
    if (major !== 2) {
      // The file header is always at stream offset 0.
      this.ctx.stop(`pcap version ${major} at offset 4 is not supported (expected 2): ` +
        'convert the file with "editcap -F pcapng in out.pcapng"', 4);
      return false;
    }
    this.snaplen = le ? buf.readUInt32LE(pos + 16) : buf.readUInt32BE(pos + 16);
    const lt = le ? buf.readUInt32LE(pos + 20) : buf.readUInt32BE(pos + 20);
    const f = this.ctx.frame;
    // High bits: bit 26 says bits 28-31 carry the FCS length in 16-bit units.
    f.linkType = lt & 0xffff;
    f.fcsLength = (lt & 0x04000000) !== 0 ? ((lt >>> 28) & 0xf) * 2 : 0;
    f.interfaceId = 0;
    this.ctx.summary.interfaces.push({
      id: 0, linkType: f.linkType, snaplen: this.snaplen, name: null,
      tsDigits: this.nanos ? NANOSECONDS.digits : MICROSECONDS.digits,
    });
    this.file = { littleEndian: le, nanos: this.nanos, snaplen: this.snaplen, linkType: f.linkType, fcsLength: f.fcsLength };
    this.headerDone = true;
    return true;
  }
}

// Direct byte math: Buffer.readUInt32LE/BE validate their arguments on every call, which costs
// more than the read itself at tens of millions of records (the loop already checked the bounds).
function u32le(b: Buffer, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

function u32be(b: Buffer, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
