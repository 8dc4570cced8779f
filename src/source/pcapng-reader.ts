import { MICROSECONDS, resolutionFromTsresol, unitsToTimestamp, type Timestamp, type TimestampResolution } from './timestamps.js';
import type { ParseContext, UnitReader } from './parse-context.js';

/** Largest block accepted before any buffering (Wireshark uses the same order of magnitude). */
export const MAX_PCAPNG_BLOCK = 16 * 1024 * 1024;

const BLOCK_MIN = 12;
const SHB = 0x0a0d0d0a;
const IDB = 1;
const PB = 2; // obsolete Packet Block
const SPB = 3;
const ISB = 5;
const EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
// Non-packet blocks that Wireshark (4.x) nevertheless lists as frames: custom blocks (copyable and
// not), systemd journal export entries, sysdig events. They take a frame number but reach no sink.
const NUMBERED_NON_PACKET = new Set([0x00000bad, 0x40000bad, 0x9, 0x204, 0x208, 0x211]);

// Option codes.
const OPT_END = 0;
const IF_NAME = 2;
const IF_TSRESOL = 9;
const IF_FCSLEN = 13;
const IF_TSOFFSET = 14;
// pcapng spec: isb_starttime 2, isb_endtime 3, isb_ifrecv 4, isb_ifdrop 5, isb_filteraccept 6, isb_osdrop 7.
const ISB_IFDROP = 5;
const ISB_OSDROP = 7;

interface NgInterface {
  /** Id unique across the whole file (running counter over all sections). */
  globalId: number;
  linkType: number;
  snaplen: number;
  fcsLength: number;
  res: TimestampResolution;
  ifdrop: number | null;
  osdrop: number | null;
}

/**
 * pcapng reader. Every section (SHB) has its own byte order and interface table; interfaces get
 * file-wide ids so later stages can tell interfaces of different sections apart.
 *
 * Block framing is validated before anything is buffered (length a multiple of 4, >= 12, <= 16 MiB)
 * and after (trailing length equal). A framing error stops reading: without a valid length there
 * is no reliable way to find the next block. A block that is well framed but has bad contents
 * (unknown interface, captured length past the block end) is skipped with a warning, since the
 * framing still tells us where the next block starts.
 */
export class PcapngReader implements UnitReader {
  need = BLOCK_MIN;
  private le = true;
  private section: NgInterface[] = [];
  private readonly all: NgInterface[] = [];
  private sections = 0;
  private readonly ts: Timestamp = { sec: 0, nsec: 0 };
  /** Timestamp of the previous packet, for Simple Packet Blocks (they carry none). */
  private prevSec = 0;
  private prevNsec = 0;

  constructor(private readonly ctx: ParseContext) {
    ctx.summary.format = 'pcapng';
  }

  parse(buf: Buffer, start: number, end: number, base: number): number {
    let pos = start;
    const ctx = this.ctx;
    while (!ctx.stopped) {
      const avail = end - pos;
      if (avail < BLOCK_MIN) { this.need = BLOCK_MIN; break; }
      const offset = base + (pos - start);
      let type = this.u32(buf, pos);
      if (type === SHB) {
        // The byte-order magic decides how to read this block's length and the rest of the section.
        const magicLE = buf.readUInt32LE(pos + 8);
        if (magicLE === BYTE_ORDER_MAGIC) this.le = true;
        else if (buf.readUInt32BE(pos + 8) === BYTE_ORDER_MAGIC) this.le = false;
        else {
          ctx.stop(`pcapng section header at offset ${offset} has a bad byte-order magic ` +
            `0x${buf.toString('hex', pos + 8, pos + 12)}: the file is damaged from here on`, offset + 8);
          break;
        }
        type = SHB;
      }
      const len = this.u32(buf, pos + 4);
      if (len < BLOCK_MIN || (len & 3) !== 0 || len > MAX_PCAPNG_BLOCK) {
        ctx.stop(`pcapng block at offset ${offset} (type 0x${type.toString(16)}) has an impossible length ${len} ` +
          `(must be a multiple of 4, 12..${MAX_PCAPNG_BLOCK}): the file is damaged from here on; ` +
          'the readable part can be saved with "editcap"', offset + 4);
        break;
      }
      if (avail < len) { this.need = len; break; }
      const trailer = this.u32(buf, pos + len - 4);
      if (trailer !== len) {
        ctx.stop(`pcapng block at offset ${offset} (type 0x${type.toString(16)}) has length ${len} at its start but ` +
          `${trailer} at its end: the file is damaged from here on`, offset + len - 4);
        break;
      }
      switch (type) {
        case SHB: this.sectionHeader(buf, pos, len, offset); break;
        case IDB: this.interfaceDescription(buf, pos, len, offset); break;
        case EPB: this.enhancedPacket(buf, pos, len, offset); break;
        case SPB: this.simplePacket(buf, pos, len, offset); break;
        case PB: this.obsoletePacket(buf, pos, len, offset); break;
        case ISB: this.interfaceStatistics(buf, pos, len, offset); break;
        default:
          // Unknown or uninteresting block: skip it (keeping Wireshark's frame numbering).
          if (NUMBERED_NON_PACKET.has(type)) this.ctx.skipFrameNumber();
          break;
      }
      if (ctx.stopped) break;
      pos += len;
    }
    return pos - start;
  }

  // Byte math, not Buffer.readUInt32LE/BE: those validate their arguments on every call, which
  // costs more than the read itself at several reads per block (callers check bounds first).
  private u32(buf: Buffer, pos: number): number {
    return this.le
      ? (buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16) | (buf[pos + 3] << 24)) >>> 0
      : ((buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3]) >>> 0;
  }

  private u16(buf: Buffer, pos: number): number {
    return this.le ? buf[pos] | (buf[pos + 1] << 8) : (buf[pos] << 8) | buf[pos + 1];
  }

  private sectionHeader(buf: Buffer, pos: number, len: number, offset: number): void {
    if (len < 28) {
      this.ctx.stop(`pcapng section header at offset ${offset} is too short (${len} bytes)`, offset);
      return;
    }
    const major = this.u16(buf, pos + 12);
    if (major !== 1) {
      this.ctx.stop(`pcapng section at offset ${offset} has version ${major}.x, which is not supported (expected 1.x): ` +
        'convert the file with "editcap -F pcapng in out.pcapng"', offset + 12);
      return;
    }
    if (this.sections++ === 0) this.ctx.summary.byteOrder = this.le ? 'little' : 'big';
    this.section = [];
  }

  private interfaceDescription(buf: Buffer, pos: number, len: number, offset: number): void {
    if (len < 20) {
      this.ctx.warn('idb-short', `pcapng interface block at offset ${offset} is too short (${len} bytes); ` +
        'packets that refer to it will be skipped', offset);
      return;
    }
    const linkType = this.u16(buf, pos + 8);
    const snaplen = this.u32(buf, pos + 12);
    let name: string | null = null;
    let tsresol = 6;
    let tsoffset = 0;
    let fcsLength = 0;
    let p = pos + 16;
    const optEnd = pos + len - 4;
    while (p + 4 <= optEnd) {
      const code = this.u16(buf, p);
      const olen = this.u16(buf, p + 2);
      const v = p + 4;
      if (code === OPT_END) break;
      if (v + olen > optEnd) {
        this.ctx.warn('opt-overrun', `pcapng option at offset ${offset + (p - pos)} runs past the end of its block; ` +
          'ignoring the rest of that block\'s options', offset + (p - pos));
        break;
      }
      if (code === IF_NAME) name = buf.toString('utf8', v, v + olen);
      else if (code === IF_TSRESOL && olen >= 1) tsresol = buf[v];
      else if (code === IF_FCSLEN && olen >= 1) fcsLength = buf[v];
      else if (code === IF_TSOFFSET && olen >= 8) {
        tsoffset = Number(this.le ? buf.readBigInt64LE(v) : buf.readBigInt64BE(v));
      }
      p = v + ((olen + 3) & ~3);
    }
    const res = tsresol === 6 && tsoffset === 0 ? MICROSECONDS : resolutionFromTsresol(tsresol, tsoffset);
    const iface: NgInterface = { globalId: this.all.length, linkType, snaplen, fcsLength, res, ifdrop: null, osdrop: null };
    this.all.push(iface);
    this.section.push(iface);
    this.ctx.summary.interfaces.push({ id: iface.globalId, linkType, snaplen, name, tsDigits: res.digits });
  }

  private lookup(localId: number, offset: number, what: string): NgInterface | null {
    const iface = localId < this.section.length ? this.section[localId] : undefined;
    if (iface === undefined) {
      this.ctx.warn('unknown-if', `${what} at offset ${offset} refers to interface ${localId}, which its section ` +
        'does not describe; skipping such packets', offset);
      return null;
    }
    return iface;
  }

  private enhancedPacket(buf: Buffer, pos: number, len: number, offset: number): void {
    if (len < 32) { this.shortBlock('enhanced packet block', len, offset); return; }
    const iface = this.lookup(this.u32(buf, pos + 8), offset, 'packet block');
    if (iface === null) return;
    const caplen = this.u32(buf, pos + 20);
    if (caplen > len - 32) { this.overrun(caplen, len, offset); return; }
    unitsToTimestamp(this.u32(buf, pos + 12), this.u32(buf, pos + 16), iface.res, this.ts);
    this.emit(iface, buf, pos + 28, caplen, this.u32(buf, pos + 24), offset, this.ts.sec, this.ts.nsec);
  }

  private obsoletePacket(buf: Buffer, pos: number, len: number, offset: number): void {
    if (len < 32) { this.shortBlock('packet block', len, offset); return; }
    const iface = this.lookup(this.u16(buf, pos + 8), offset, 'packet block');
    if (iface === null) return;
    const caplen = this.u32(buf, pos + 20);
    if (caplen > len - 32) { this.overrun(caplen, len, offset); return; }
    unitsToTimestamp(this.u32(buf, pos + 12), this.u32(buf, pos + 16), iface.res, this.ts);
    this.emit(iface, buf, pos + 28, caplen, this.u32(buf, pos + 24), offset, this.ts.sec, this.ts.nsec);
  }

  private simplePacket(buf: Buffer, pos: number, len: number, offset: number): void {
    if (len < 16) { this.shortBlock('simple packet block', len, offset); return; }
    const iface = this.lookup(0, offset, 'simple packet block');
    if (iface === null) return;
    const origlen = this.u32(buf, pos + 8);
    let caplen = Math.min(origlen, len - 16);
    if (iface.snaplen > 0 && caplen > iface.snaplen) caplen = iface.snaplen;
    // No timestamp in an SPB: reuse the previous packet's.
    this.emit(iface, buf, pos + 12, caplen, origlen, offset, this.prevSec, this.prevNsec);
  }

  private interfaceStatistics(buf: Buffer, pos: number, len: number, offset: number): void {
    if (len < 24) { this.shortBlock('interface statistics block', len, offset); return; }
    const iface = this.lookup(this.u32(buf, pos + 8), offset, 'interface statistics block');
    if (iface === null) return;
    let p = pos + 20;
    const optEnd = pos + len - 4;
    while (p + 4 <= optEnd) {
      const code = this.u16(buf, p);
      const olen = this.u16(buf, p + 2);
      const v = p + 4;
      if (code === OPT_END || v + olen > optEnd) break;
      if ((code === ISB_IFDROP || code === ISB_OSDROP) && olen >= 8) {
        const hi = this.u32(buf, this.le ? v + 4 : v);
        const lo = this.u32(buf, this.le ? v : v + 4);
        const n = hi * 4294967296 + lo;
        if (code === ISB_IFDROP) iface.ifdrop = n; else iface.osdrop = n;
      }
      p = v + ((olen + 3) & ~3);
    }
    // Counters are cumulative: the last ISB of each interface wins.
    let total: number | null = null;
    for (const i of this.all) {
      if (i.ifdrop !== null || i.osdrop !== null) total = (total ?? 0) + (i.ifdrop ?? 0) + (i.osdrop ?? 0);
    }
    this.ctx.summary.droppedPackets = total;
  }

  private emit(iface: NgInterface, buf: Buffer, dataPos: number, caplen: number, origlen: number,
    offset: number, sec: number, nsec: number): void {
    const f = this.ctx.frame;
    f.fileOffset = offset;
    f.linkType = iface.linkType;
    f.fcsLength = iface.fcsLength;
    f.interfaceId = iface.globalId;
    f.tsSec = sec;
    f.tsNsec = nsec;
    f.capturedLength = caplen;
    f.originalLength = origlen;
    f.data = buf;
    f.offset = dataPos;
    this.prevSec = sec;
    this.prevNsec = nsec;
    this.ctx.deliver();
  }

  private shortBlock(what: string, len: number, offset: number): void {
    this.ctx.warn('short-' + what, `${what} at offset ${offset} is too short (${len} bytes); skipping it`, offset);
  }

  private overrun(caplen: number, len: number, offset: number): void {
    this.ctx.warn('caplen-overrun', `packet block at offset ${offset} claims ${caplen} captured bytes but the block ` +
      `is only ${len} bytes; skipping such packets`, offset);
  }
}
