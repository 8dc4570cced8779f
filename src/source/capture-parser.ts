import type { InputSummary } from './capture-source.js';
import type { FrameSink } from './frame.js';
import { ParseContext, type UnitReader } from './parse-context.js';
import { PcapReader, type PcapRecordRuns } from './pcap-reader.js';
import { PcapngReader } from './pcapng-reader.js';
import { describeForeignMagic, PCAP_NS, PCAP_NS_SWAPPED, PCAP_US, PCAP_US_SWAPPED, PCAPNG_SHB } from './format-magic.js';

const MAGIC_LEN = 4;

/**
 * Push-based capture parser: feed it the (decompressed) bytes of one input in chunks of any size.
 * The format is detected from the magic at offset 0. Complete records are read straight from the
 * pushed chunk; only a record that spans chunks is copied (its bytes, not the whole chunk) into a
 * reused carry buffer. A chunk is never referenced after push() returns.
 */
export class CaptureParser {
  private readonly ctx: ParseContext;
  private reader: UnitReader | null = null;
  private carry: Buffer = Buffer.alloc(0);
  private carryLen = 0;
  /** Stream offset of carry[0] (or of the next pushed byte when the carry is empty). */
  private streamPos = 0;
  private ended = false;

  /**
   * `release`, if given, is called after every parse of a buffer that may have delivered frames,
   * before those bytes can change: a sink may keep frames (their data and offset) until then and
   * handle them in a batch (the decode worker's native fast path does).
   */
  constructor(private readonly summary: InputSummary, inputIndex: number, sink: FrameSink, private readonly release?: () => void,
    private readonly pcapRuns: PcapRecordRuns | null = null) {
    this.ctx = new ParseContext(summary, inputIndex, sink);
  }

  /** A fatal error happened (bad magic, impossible length...): further pushes are ignored. */
  get failed(): boolean {
    return this.ctx.stopped;
  }

  push(chunk: Buffer): void {
    if (this.ctx.stopped || this.ended || chunk.length === 0) return;
    this.summary.bytesRead += chunk.length;
    let pos = 0;
    // Finish the unit left over from earlier chunks, topping the carry up only to what it needs.
    while (this.carryLen > 0) {
      const need = this.need();
      if (this.carryLen < need) {
        const take = Math.min(need - this.carryLen, chunk.length - pos);
        this.ensureCarry(need);
        chunk.copy(this.carry, this.carryLen, pos, pos + take);
        this.carryLen += take;
        pos += take;
        if (this.carryLen < need) return; // chunk exhausted, still incomplete
      }
      const used = this.parse(this.carry, 0, this.carryLen, this.streamPos);
      if (this.ctx.stopped) return;
      if (used === this.carryLen) {
        this.streamPos += used;
        this.carryLen = 0;
      } else if (used > 0) {
        // Cannot happen (the carry never holds more than one unit), but stay correct if it does.
        this.carry.copy(this.carry, 0, used, this.carryLen);
        this.carryLen -= used;
        this.streamPos += used;
      } else if (this.need() <= this.carryLen) {
        // A reader that consumes nothing yet needs nothing more would loop forever.
        this.ctx.stop(`internal parser error at offset ${this.streamPos}: please report it`, this.streamPos);
        return;
      }
    }
    const used = this.parse(chunk, pos, chunk.length, this.streamPos);
    if (this.ctx.stopped) return;
    this.streamPos += used;
    const rest = chunk.length - pos - used;
    if (rest > 0) {
      this.ensureCarry(Math.max(rest, this.need()));
      chunk.copy(this.carry, 0, pos + used, chunk.length);
      this.carryLen = rest;
    }
  }

  /** End of input: a partial final unit means the file was cut off (non-fatal, frames before it stand). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.ctx.stopped) return;
    const s = this.summary;
    if (this.reader === null) {
      s.errors.push({
        message: s.bytesRead === 0
          ? `${s.path}: the file is empty (0 bytes): check that the capture was saved completely`
          : `${s.path}: only ${s.bytesRead} bytes, too short to be a pcap or pcapng file (offset 0)`,
        offset: 0, fatal: true,
      });
      return;
    }
    if (this.carryLen > 0) {
      s.cutOff = true;
      const off = this.streamPos;
      const what = off === 0 ? 'file header' : 'record';
      s.errors.push({
        message: `${s.path}: the file ends in the middle of a ${what} at offset ${off} (${this.carryLen} of ` +
          `${this.need()} bytes present): the capture was cut off; the ${s.packets} frames before it were read`,
        offset: off, fatal: s.packets === 0,
      });
      this.carryLen = 0;
    }
  }

  private need(): number {
    return this.reader === null ? MAGIC_LEN : this.reader.need;
  }

  private parse(buf: Buffer, start: number, end: number, base: number): number {
    if (this.reader === null) {
      if (end - start < MAGIC_LEN) return 0;
      this.reader = this.detect(buf, start);
      if (this.reader === null) return 0;
    }
    const used = this.reader.parse(buf, start, end, base);
    this.release?.();
    return used;
  }

  private detect(buf: Buffer, pos: number): UnitReader | null {
    const le = buf.readUInt32LE(pos);
    switch (le) {
      case PCAP_US: return new PcapReader(this.ctx, true, false, this.pcapRuns);
      case PCAP_NS: return new PcapReader(this.ctx, true, true, this.pcapRuns);
      case PCAP_US_SWAPPED: return new PcapReader(this.ctx, false, false, this.pcapRuns);
      case PCAP_NS_SWAPPED: return new PcapReader(this.ctx, false, true, this.pcapRuns);
      case PCAPNG_SHB: return new PcapngReader(this.ctx);
    }
    const hex = buf.toString('hex', pos, pos + MAGIC_LEN);
    this.ctx.stop(`not a pcap or pcapng file (magic 0x${hex} at offset 0)` + describeForeignMagic(buf, pos), 0);
    return null;
  }

  private ensureCarry(size: number): void {
    if (this.carry.length >= size) return;
    const next = Buffer.allocUnsafe(Math.max(size, this.carry.length * 2, 4096));
    this.carry.copy(next, 0, 0, this.carryLen);
    this.carry = next;
  }
}
