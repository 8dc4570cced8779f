/**
 * Live capture from a network interface through the vma_pcap addon (libpcap). The addon
 * reads packets on its own thread and hands over batches of packed records; this class
 * walks each batch and feeds the FrameSink the same reused Frame the file readers use.
 */
import { newFrame, type Frame, type FrameSink } from './frame.js';
import { newInputSummary, type InputSummary } from './capture-source.js';
import { LINKTYPE_RAW } from './link-types.js';
import {
  explainNativeError, loadAddon, LiveCaptureError, type NativeCapture, type NativeInterface,
} from './live-addon.js';
import { defaultLiveFilter } from './live-filter.js';

export { defaultLiveFilter } from './live-filter.js';
export { LiveCaptureError } from './live-addon.js';

export interface LiveCaptureOptions {
  device: string;
  /** Bytes kept per packet; default 160 (headers only: vMotion payload is guest RAM). */
  snaplen?: number;
  /** Kernel ring size in bytes; default 32 MiB. */
  bufferSize?: number;
  /** Default true: a SPAN/mirror port delivers frames not addressed to this host. */
  promiscuous?: boolean;
  /** Deliver each packet as it arrives (no kernel block batching); default false. */
  immediate?: boolean;
  /** BPF filter; default defaultLiveFilter([]). An empty string captures everything. */
  filter?: string;
  inputIndex?: number;
  /** Bytes per batch buffer; default 1 MiB. */
  batchBytes?: number;
  /** A batch with packets is handed over at most this long after its first packet; default 50. */
  flushMs?: number;
}

export interface LiveInterface {
  name: string; description: string | null; addresses: string[];
  up: boolean; running: boolean; loopback: boolean;
}

export interface LiveStats {
  /** pcap_stats ps_recv: packets the kernel passed the filter (Linux counts loopback twice). */
  received: number;
  /** pcap_stats ps_drop: packets lost because the capture buffer was full. */
  dropped: number;
  /** pcap_stats ps_ifdrop: packets the interface dropped. */
  ifDropped: number;
  /** Packets delivered to the sink. */
  captured: number;
  /** Batches delivered (one JavaScript callback each). */
  batches: number;
}

const RECORD_HEADER = 16;
const POOL_BUFFERS = 4;
const DLT_RAW_LINUX = 12;
const DLT_RAW_OPENBSD = 14;

export class LiveCapture {
  static isAvailable(): { ok: true } | { ok: false; reason: string } {
    try {
      loadAddon();
      return { ok: true };
    } catch (e) {
      return { ok: false, reason: e instanceof Error ? e.message : String(e) };
    }
  }

  static listInterfaces(): LiveInterface[] {
    const addon = loadAddon();
    try {
      return addon.listInterfaces().map((i: NativeInterface) => ({ ...i, addresses: [...i.addresses] }));
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      throw new LiveCaptureError('FINDALLDEVS', `Cannot list capture interfaces: ${text}`, text);
    }
  }

  readonly summary: InputSummary;
  /** pcap_activate warnings (e.g. promiscuous mode not supported). */
  readonly warnings: string[] = [];
  /** 'nano' when the kernel delivers nanosecond timestamps, else 'micro'. */
  timestampPrecision: 'nano' | 'micro' | null = null;
  /** Resolves with the summary when capture ends (stop, or the interface failed). */
  readonly done: Promise<InputSummary>;

  private readonly opts: Required<Omit<LiveCaptureOptions, 'inputIndex'>> & { inputIndex: number };
  private readonly frame: Frame = newFrame();
  private native: NativeCapture | null = null;
  private buffers: Buffer[] = [];
  private state: 'new' | 'running' | 'stopping' | 'ended' = 'new';
  private sinkError: unknown = null;
  private finalStats: LiveStats | null = null;
  private resolveDone!: (s: InputSummary) => void;
  private rejectDone!: (e: unknown) => void;

  constructor(opts: LiveCaptureOptions, private readonly sink: FrameSink) {
    const snaplen = opts.snaplen ?? 160;
    if (!opts.device) throw new LiveCaptureError('BAD_OPTION', 'No capture interface given. List them with: vmotion-analyzer live --list');
    if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > 262144) {
      throw new LiveCaptureError('BAD_OPTION', `Invalid snaplen ${snaplen}: use 1 to 262144 bytes (160 keeps all headers).`);
    }
    const bufferSize = opts.bufferSize ?? 32 * 1024 * 1024;
    if (!Number.isInteger(bufferSize) || bufferSize < 65536) {
      throw new LiveCaptureError('BAD_OPTION', `Invalid capture buffer size ${bufferSize}: use at least 65536 bytes.`);
    }
    this.opts = {
      device: opts.device, snaplen, bufferSize,
      promiscuous: opts.promiscuous ?? true,
      immediate: opts.immediate ?? false,
      filter: opts.filter ?? defaultLiveFilter([]),
      inputIndex: opts.inputIndex ?? 0,
      // At least a few full-size records per batch, so a batch never holds just one.
      batchBytes: Math.max(opts.batchBytes ?? 1 << 20, 8 * (RECORD_HEADER + snaplen)),
      flushMs: opts.flushMs ?? 50,
    };
    this.summary = newInputSummary(`live:${opts.device}`);
    this.summary.format = 'live';
    this.summary.droppedPackets = 0;
    this.frame.inputIndex = this.opts.inputIndex;
    this.frame.fileOffset = -1;
    this.frame.interfaceId = 0;
    this.frame.fcsLength = 0;
    this.done = new Promise<InputSummary>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // A rejection nobody awaits must not crash the process: stop() rethrows it.
    this.done.catch(() => undefined);
  }

  /** Opens the interface and starts capturing; throws LiveCaptureError with advice. */
  start(): void {
    if (this.state !== 'new') throw new LiveCaptureError('STATE', 'This live capture was already started; create a new one.');
    const addon = loadAddon();
    const { device, filter } = this.opts;
    let native: NativeCapture;
    try {
      native = new addon.Capture({
        device, filter, snaplen: this.opts.snaplen, bufferSize: this.opts.bufferSize,
        promiscuous: this.opts.promiscuous, immediate: this.opts.immediate,
        timeoutMs: Math.max(1, Math.min(this.opts.flushMs, 1000)), flushMs: this.opts.flushMs,
      });
    } catch (e) {
      throw explainNativeError(e, device, filter);
    }
    const info = native.info();
    if (info.warning !== null) {
      this.warnings.push(info.warning);
      this.summary.errors.push({ message: `Capture on "${device}" started with a warning: ${info.warning}`, offset: -1, fatal: false });
    }
    this.timestampPrecision = info.tsPrecision;
    const linkType = info.linkType === DLT_RAW_LINUX || info.linkType === DLT_RAW_OPENBSD ? LINKTYPE_RAW : info.linkType;
    this.frame.linkType = linkType;
    this.summary.interfaces.push({
      id: 0, linkType, snaplen: info.snaplen, name: device, tsDigits: info.tsPrecision === 'nano' ? 9 : 6,
    });
    this.buffers = Array.from({ length: POOL_BUFFERS }, () => Buffer.allocUnsafeSlow(this.opts.batchBytes));
    this.native = native;
    this.state = 'running';
    native.start(this.buffers, this.onMessage);
  }

  /** Stops capturing; resolves after the last batch reached the sink. Idempotent. */
  async stop(): Promise<void> {
    if (this.state === 'new') {
      this.state = 'ended';
      this.resolveDone(this.summary);
    } else if (this.state === 'running') {
      this.state = 'stopping';
      this.native?.stop();
    }
    await this.done;
  }

  stats(): LiveStats {
    if (this.finalStats !== null) return { ...this.finalStats };
    if (this.native === null) return { received: 0, dropped: 0, ifDropped: 0, captured: 0, batches: 0 };
    const s = this.native.stats();
    this.summary.droppedPackets = s.dropped + s.ifDropped;
    return s;
  }

  private readonly onMessage = (index: number, count: number, bytes: number, endError?: string | null): void => {
    if (index < 0) {
      this.finish(endError ?? null);
      return;
    }
    if (this.sinkError !== null) return;  // stopping after a sink failure: discard the rest
    const buf = this.buffers[index];
    const frame = this.frame;
    const summary = this.summary;
    frame.data = buf;
    let pos = 0;
    try {
      for (let i = 0; i < count; i++) {
        const tsSec = buf.readUInt32LE(pos);
        const tsNsec = buf.readUInt32LE(pos + 4);
        const caplen = buf.readUInt32LE(pos + 8);
        const origlen = buf.readUInt32LE(pos + 12);
        frame.frameNumber = ++summary.packets;
        frame.tsSec = tsSec;
        frame.tsNsec = tsNsec;
        frame.capturedLength = caplen;
        frame.originalLength = origlen;
        frame.offset = pos + RECORD_HEADER;
        pos += RECORD_HEADER + caplen;
        if (caplen < origlen) summary.truncatedPackets++;
        if (summary.packets === 1) { summary.firstTsSec = tsSec; summary.firstTsNsec = tsNsec; }
        summary.lastTsSec = tsSec;
        summary.lastTsNsec = tsNsec;
        summary.bytesRead += caplen;
        this.sink(frame);
      }
    } catch (e) {
      this.sinkError = e;
      if (this.state === 'running') {
        this.state = 'stopping';
        this.native?.stop();
      }
    }
    if (pos > bytes) {
      // Cannot happen unless the addon and this reader disagree on the record layout.
      this.sinkError ??= new Error(`live capture batch overrun: read ${pos} of ${bytes} bytes`);
    }
  };

  private finish(endError: string | null): void {
    if (this.native !== null) {
      this.finalStats = this.native.stats();
      this.summary.droppedPackets = this.finalStats.dropped + this.finalStats.ifDropped;
    }
    if (endError !== null) {
      this.summary.errors.push({
        message: `Capture on "${this.opts.device}" stopped: ${endError}. Check that the interface still exists and is up (vmotion-analyzer live --list).`,
        offset: -1, fatal: false,
      });
    }
    this.state = 'ended';
    this.native = null;
    if (this.sinkError !== null) this.rejectDone(this.sinkError);
    else this.resolveDone(this.summary);
  }
}
