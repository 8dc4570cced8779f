/**
 * Classic pcap records framed, decoded and packed by the native packer in runs (packPcap), for the
 * decode worker: the TypeScript reader (src/source/pcap-reader.ts) offers each stretch of its
 * buffer here first and handles only the record a run stops at (anything it would warn about or
 * stop for, and every frame packFrames would hand back). Framing in JavaScript was about two
 * thirds of the worker's time per packet. The records and the reader's summary are the same either
 * way (test/decode/native-pcap-runs.test.ts; the fuzzer compares them on every input).
 */
import type { PcapFileHeader, PcapRecordRuns } from '../source/pcap-reader.js';
import type { ParseContext } from '../source/parse-context.js';
import { LINKTYPE_ETHERNET } from '../source/link-types.js';
import {
  PACK_NEED_ROOM, PCAP_FCS, PCAP_FILE_OFFSET, PCAP_FRAME_NUMBER, PCAP_HEADER_SLOTS, PCAP_LINK_TYPE, PCAP_LITTLE_ENDIAN,
  PCAP_NANOS, PCAP_OUT_CONSUMED, PCAP_OUT_FIRST_NSEC, PCAP_OUT_FIRST_SEC, PCAP_OUT_FRAMES, PCAP_OUT_LAST_NSEC,
  PCAP_OUT_LAST_SEC, PCAP_OUT_SLOTS, PCAP_OUT_TRUNCATED, PCAP_OUT_WRITTEN, PCAP_SNAPLEN, type PackPcap,
} from './native-packer.js';

/** Where a run's records go (the worker's ring, a test's buffer). */
export interface RecordRoom {
  /** Room for a run: its byte offset in `bytes` with `room` bytes free there; -1 to stop (the reader gave up). */
  begin(): number;
  readonly bytes: Uint8Array;
  readonly room: number;
  /** The run wrote `written` bytes from begin()'s offset. */
  end(written: number): void;
}

export class NativePcapRuns implements PcapRecordRuns {
  /** Frames the runs took. */
  frames = 0;
  /** The room said stop: take nothing more. */
  stopped = false;
  private readonly header = new Float64Array(PCAP_HEADER_SLOTS);
  private readonly out = new Float64Array(PCAP_OUT_SLOTS);

  /**
   * `flows`: the worker's flow table (records carry flow slots), or none. `before`: called before a
   * run, so frames the caller still holds (a batch for packFrames) are written first, in order.
   */
  constructor(private readonly packPcap: PackPcap, private readonly room: RecordRoom, private readonly flows: Int32Array | undefined,
    private readonly before: () => void = () => undefined) {}

  take(buf: Buffer, pos: number, end: number, fileOffset: number, file: PcapFileHeader, ctx: ParseContext): number {
    if (this.stopped || file.linkType !== LINKTYPE_ETHERNET) return 0;
    this.before();
    const h = this.header;
    const out = this.out;
    h[PCAP_LITTLE_ENDIAN] = file.littleEndian ? 1 : 0; h[PCAP_NANOS] = file.nanos ? 1 : 0; h[PCAP_SNAPLEN] = file.snaplen;
    h[PCAP_LINK_TYPE] = file.linkType; h[PCAP_FCS] = file.fcsLength;
    h[PCAP_FRAME_NUMBER] = ctx.lastFrameNumber; h[PCAP_FILE_OFFSET] = fileOffset;
    let consumed = 0;
    for (;;) {
      const at = this.room.begin();
      if (at < 0) { this.stopped = true; break; }
      const status = this.packPcap(buf, pos + consumed, end, h, this.room.bytes, at, this.room.room, out, this.flows);
      const frames = out[PCAP_OUT_FRAMES];
      ctx.deliverMany(frames, out[PCAP_OUT_TRUNCATED], out[PCAP_OUT_FIRST_SEC], out[PCAP_OUT_FIRST_NSEC], out[PCAP_OUT_LAST_SEC], out[PCAP_OUT_LAST_NSEC]);
      this.room.end(out[PCAP_OUT_WRITTEN]);
      this.frames += frames;
      consumed += out[PCAP_OUT_CONSUMED];
      h[PCAP_FRAME_NUMBER] += frames;
      h[PCAP_FILE_OFFSET] += out[PCAP_OUT_CONSUMED];
      if (status !== PACK_NEED_ROOM) break;
    }
    return consumed;
  }
}
