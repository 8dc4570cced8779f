import type { InputSummary, SourceError } from './capture-source.js';
import { newFrame, type Frame, type FrameSink } from './frame.js';

/**
 * Timestamps a report can state: years 0000-9999 (ISO 8601 / RFC 3339). pcapng's 64-bit counts
 * with if_tsresol and if_tsoffset can claim far beyond; such a record is damaged, not a packet.
 */
export const MIN_TS_SEC = -62167219200;
export const MAX_TS_SEC = 253402300799;

/**
 * State shared by the format readers of one input: the reused Frame, the summary they fill, and
 * error reporting. Readers fill `frame` in place and call deliver(); nothing is allocated per packet.
 */
export class ParseContext {
  readonly frame: Frame = newFrame();
  /** Set when a reader hit an error it cannot continue past; the parser then ignores further input. */
  stopped = false;
  /** Warnings by kind: reported once, with a running count of the records it applies to. */
  private readonly reported = new Map<string, { error: SourceError; text: string; count: number }>();
  /** Wireshark frame numbers also count some non-packet records (see skipFrameNumber). */
  private frameCounter = 0;

  constructor(readonly summary: InputSummary, inputIndex: number, private readonly sink: FrameSink) {
    this.frame.inputIndex = inputIndex;
  }

  /** Numbers the frame, updates the summary counters and hands the frame to the sink. */
  deliver(): void {
    const f = this.frame;
    const s = this.summary;
    f.frameNumber = ++this.frameCounter;
    if (!(f.tsSec >= MIN_TS_SEC && f.tsSec <= MAX_TS_SEC)) {
      this.warn('ts-range', `record at offset ${f.fileOffset} has a timestamp outside the years 0000-9999 ` +
        `(${f.tsSec} s from 1970): the record is damaged; skipping records like it`, f.fileOffset);
      return;
    }
    this.widenStamps(f.tsSec, f.tsNsec, f.tsSec, f.tsNsec);
    s.packets++;
    if (f.capturedLength < f.originalLength) s.truncatedPackets++;
    this.sink(f);
  }

  /** The number the last delivered frame got (0 before the first). */
  get lastFrameNumber(): number {
    return this.frameCounter;
  }

  /**
   * Frames a reader's run consumer (PcapRecordRuns) framed and handed on itself, numbered after
   * lastFrameNumber: the summary as deliver() would have left it. Their stamps are all in range.
   */
  deliverMany(frames: number, truncated: number, firstSec: number, firstNsec: number, lastSec: number, lastNsec: number): void {
    if (frames <= 0) return;
    const s = this.summary;
    this.frameCounter += frames;
    this.widenStamps(firstSec, firstNsec, lastSec, lastNsec);
    s.packets += frames;
    s.truncatedPackets += truncated;
  }

  /** Earliest and latest timestamps, before the packets they belong to are counted (merged captures need not be in time order). */
  private widenStamps(firstSec: number, firstNsec: number, lastSec: number, lastNsec: number): void {
    const s = this.summary;
    if (s.packets === 0) {
      s.firstTsSec = firstSec; s.firstTsNsec = firstNsec; s.lastTsSec = lastSec; s.lastTsNsec = lastNsec;
      return;
    }
    if (firstSec < s.firstTsSec || (firstSec === s.firstTsSec && firstNsec < s.firstTsNsec)) { s.firstTsSec = firstSec; s.firstTsNsec = firstNsec; }
    if (lastSec > s.lastTsSec || (lastSec === s.lastTsSec && lastNsec > s.lastTsNsec)) { s.lastTsSec = lastSec; s.lastTsNsec = lastNsec; }
  }

  /**
   * A record Wireshark lists as a frame although it carries no packet (pcapng custom blocks...):
   * it takes a frame number so ours keep matching the numbers users see in Wireshark.
   */
  skipFrameNumber(): void {
    this.frameCounter++;
  }

  /** A problem the reader can step over (the damaged record is skipped). Repeats of a kind are counted, not listed. */
  warn(kind: string, message: string, offset: number): void {
    const seen = this.reported.get(kind);
    if (seen !== undefined) {
      seen.count++;
      seen.error.message = `${seen.text} (${seen.count} records like this; the first is at offset ${seen.error.offset})`;
      return;
    }
    const error: SourceError = { message: `${this.summary.path}: ${message}`, offset, fatal: false };
    this.reported.set(kind, { error, text: error.message, count: 1 });
    this.summary.errors.push(error);
  }

  /** A problem that stops reading. Fatal for the input only if no frame was read before it. */
  stop(message: string, offset: number): void {
    this.stopped = true;
    const fatal = this.summary.packets === 0;
    const tail = fatal ? '' : ` (the ${this.summary.packets} frames before it were read)`;
    this.summary.errors.push({ message: `${this.summary.path}: ${message}${tail}`, offset, fatal });
  }
}

/** A format reader: parses complete units (header, record, block) from a byte range. */
export interface UnitReader {
  /**
   * Parses every complete unit in buf[start, end); `base` is the stream offset of buf[start].
   * Returns the bytes consumed; the unit at the returned position is incomplete and needs
   * `need` bytes in total (possibly only its header size until its length is known).
   */
  parse(buf: Buffer, start: number, end: number, base: number): number;
  readonly need: number;
}
