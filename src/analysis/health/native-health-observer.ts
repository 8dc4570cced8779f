/**
 * TcpHealthObserver's per-packet pass in native code (native/tcp-health.cc), for speed: the
 * TypeScript pass cost the analysis thread ~75 ns a packet, a third of its time on a 10 M-packet
 * capture (docs/benchmark.md, "Eighth round"). Each packet goes into a batch, as its fields or, for
 * a record the fast path took (RecordObserver), as the record's offset in the decode worker's ring;
 * the engine runs a batch when it is full, before the ring's space is released, and before any
 * state is read (stateOf). Everything after the
 * per-packet pass is shared: stateOf returns the same StreamHealth the TypeScript observer keeps,
 * filled from the engine's state, so the reports do not know which pass ran.
 *
 * The TypeScript observer stays the reference, used without the addon or with
 * VMA_NATIVE_HEALTH=0; test/health/native-health.test.ts compares both on every capture.
 */
import { optionalAddonExport } from '../../source/live-addon.js';
import type { RunClock } from '../../streams/run-clock.js';
import type { Stream } from '../../streams/stream.js';
import type { ObservedFrame, ObservedPacket, RecordObserver } from '../../streams/stream-observer.js';
import { IntervalSeries } from '../../streams/interval-series.js';
import { A_RETRANSMISSION, DirectionHealth, StreamHealth } from './direction-health.js';
import type { FrameList } from './frame-list.js';
import type { HealthObserver } from './tcp-health-observer.js';
import { D_FRAME_NUMBER, D_PAYLOAD_LENGTH, D_TS_SEC, W_TS_NSEC, type RecordViews } from '../../decode/packed-frame.js';

/** native/tcp-health.cc's HealthEngine. */
interface HealthEngine {
  run(entries: Int32Array, times: Float64Array, count: number, out: Int32Array, ring: Uint8Array | null, input: number, epochSec: number): void;
  read(id: number, into: Float64Array): boolean;
  layout(): [number, number, number, number];
}
type HealthEngineClass = new () => HealthEngine;

// A packet entry: Int32 words (tcp-health.cc E_*), and Float64 slots (run time, frame number).
// A record entry is three words: id, direction | EB_RECORD, the record's byte offset in the ring.
const E_STRIDE = 10;
const T_STRIDE = 2;
const EB_RESET = 2, EB_DF = 4, EB_SACK_PERMITTED = 8, EB_RECORD = 16;
/** Packets per engine call (~1 µs each): the records of 1024 packets (~200 KB) are still in the core's cache when the engine reads them again (4096: ~2% slower). */
const BATCH = 1024;

/** DirectionHealth's scalar fields in the order the engine exports them (tcp-health.cc ExportDirection). */
const DIRECTION_FIELDS = [
  'nextSeq', 'maxSeqToBeAcked', 'lastAck', 'nextSeqT', 'lastAckT', 'window', 'winScale', 'dupAckNum', 'lastSegFlags',
  'segments', 'dataSegments', 'retransmissions', 'retransmittedBytes', 'fastRetransmissions', 'spuriousRetransmissions',
  'outOfOrder', 'lostSegments', 'ackedUnseen', 'duplicateAcks', 'tripleDuplicateAcks', 'zeroWindows', 'windowFull',
  'keepAlives', 'zeroWindowProbes',
  'mss', 'synWindowScale', 'sackPermitted', 'synSeen', 'maxPayload', 'maxIpLength', 'segmentsOverMss', 'dfPackets',
  'dscpLo', 'dscpHi',
  'lastDataT', 'longestGap', 'longestGapEndInput', 'longestGapEndFrame', 'maxInFlight', 'ringHead', 'ringLen', 'acked',
  'ackSeen', 'firstSeq', 'lastPayload', 'lastIpLength',
  'bigRetransSeq', 'bigRetransCount', 'bigRetransFirstInput', 'bigRetransFirstFrame', 'blackholeEpisodes',
] as const satisfies ReadonlyArray<keyof DirectionHealth>;
const BOOLEAN_FIELDS = new Set<string>(['sackPermitted', 'synSeen', 'acked', 'ackSeen']);
/** Frame lists in export order. */
const FRAME_LISTS = ['retransFrames', 'zeroWindowFrames', 'lostFrames', 'ackedUnseenFrames', 'synFrames', 'rstFrames', 'blackholeFrames'] as const;

let checked: HealthEngineClass | null | undefined;

/**
 * The engine's class, or null without the addon, with VMA_NATIVE_HEALTH=0, or when the addon was
 * built from other sources (its state layout differs: a checkout updated without `npm run
 * build:native`); the TypeScript pass then does the work, with a warning for the last case.
 */
export function nativeHealthEngine(): HealthEngineClass | null {
  if (checked === undefined) {
    checked = optionalAddonExport<HealthEngineClass>('HealthEngine', 'VMA_NATIVE_HEALTH');
    const why = checked === null ? null : layoutMismatch(new checked().layout());
    if (why !== null) {
      process.emitWarning(`the native TCP health pass is not used: ${why}; rebuild the addon (npm run build:native)`);
      checked = null;
    }
  }
  return checked;
}

/** Why an engine's layout() does not match this build's StreamHealth, or null when it does. */
export function layoutMismatch([scalars, dirSlots, slots]: number[]): string | null {
  if (scalars === DIRECTION_FIELDS.length && slots === 2 * dirSlots + 6) return null;
  return `the addon exports ${scalars} fields per direction, this build reads ${DIRECTION_FIELDS.length}`;
}

/** What a stream keeps in stream.ext[slot]: its engine id and what the TypeScript side adds (refById holds it too). */
class NativeHealthRef {
  /** Retransmitted bytes and segments per bucket, per direction: created at the first retransmission, as in DirectionHealth. */
  readonly series: Array<IntervalSeries | null> = [null, null, null, null];
  cached: StreamHealth | null = null;
  cachedAt = -1;
  constructor(readonly id: number) {}
}

export class NativeHealthObserver implements HealthObserver, RecordObserver {
  trace: ((input: number, frame: number, flags: number) => void) | null = null;
  private readonly engine: HealthEngine;
  private readonly entries = new Int32Array(BATCH * E_STRIDE);
  private readonly times = new Float64Array(BATCH * T_STRIDE);
  private readonly out = new Int32Array(BATCH);
  private n = 0;
  /** The ring that record entries point into, and its input (useRing). */
  private ring: RecordViews | null = null;
  private ringInput = 0;
  /** Batches run: a cached StreamHealth is current while no batch ran since. */
  private runs = 0;
  private readonly state: Float64Array;
  private nextId = 0;
  /** Each live id's ref (a stream's retransmission series are found by id). */
  private readonly refById: Array<NativeHealthRef | undefined> = [];
  /** Ids of streams collected after the table evicted them: reused, reset in batch order. */
  private readonly freeIds: number[] = [];
  private readonly registry = new FinalizationRegistry<number>((id) => this.release(id));

  constructor(readonly slot: number, private readonly clock: RunClock, engine: HealthEngineClass) {
    this.engine = new engine();
    const layout = this.engine.layout();
    const why = layoutMismatch(layout);
    if (why !== null) throw new Error(`${why}: rebuild the addon (npm run build:native)`);
    this.state = new Float64Array(layout[2]);
  }

  onStreamPacket(stream: Stream, dir: number, pkt: ObservedPacket, frame: ObservedFrame, t: number): void {
    let ref = stream.ext[this.slot] as NativeHealthRef | undefined;
    if (ref === undefined) ref = this.open(stream);
    if (this.n === BATCH) this.flush();
    const k = this.n++;
    const e = k * E_STRIDE;
    const en = this.entries;
    en[e] = ref.id;
    en[e + 1] = dir | (pkt.dontFragment ? EB_DF : 0) | (pkt.sackPermitted ? EB_SACK_PERMITTED : 0) | (pkt.tcpFlags << 8) | (pkt.dscp << 16);
    en[e + 2] = pkt.seq;
    en[e + 3] = pkt.ack;
    en[e + 4] = pkt.window;
    en[e + 5] = pkt.payloadLength;
    en[e + 6] = pkt.ipTotalLength;
    en[e + 7] = pkt.mss;
    en[e + 8] = pkt.windowScale;
    en[e + 9] = frame.inputIndex;
    const ti = k * T_STRIDE;
    this.times[ti] = t;
    this.times[ti + 1] = frame.frameNumber;
  }

  useRing(views: RecordViews | null, inputIndex: number): void {
    this.flush();
    this.ring = views;
    this.ringInput = inputIndex;
  }

  onStreamRecord(stream: Stream, dir: number, at: number): void {
    let ref = stream.ext[this.slot] as NativeHealthRef | undefined;
    if (ref === undefined) ref = this.open(stream);
    if (this.n === BATCH) this.flush();
    const e = this.n++ * E_STRIDE;
    const en = this.entries;
    en[e] = ref.id;
    en[e + 1] = dir | EB_RECORD;
    en[e + 2] = at;
  }

  releaseRecords(): void {
    this.flush();
  }

  stateOf(s: Stream): StreamHealth | null {
    const ref = s.ext[this.slot] as NativeHealthRef | undefined;
    if (ref === undefined) return null;
    this.flush();
    if (ref.cached !== null && ref.cachedAt === this.runs) return ref.cached;
    if (!this.engine.read(ref.id, this.state)) return null;
    ref.cached = this.fill(ref);
    ref.cachedAt = this.runs;
    return ref.cached;
  }

  /** Run the batch: the engine's pass, then what stays here (retransmission series, trace). */
  flush(): void {
    const n = this.n;
    if (n === 0) return;
    this.n = 0;
    this.engine.run(this.entries, this.times, n, this.out, this.ring === null ? null : this.ring.u8, this.ringInput, this.clock.epochSec);
    this.runs++;
    const out = this.out;
    for (let k = 0; k < n; k++) {
      const a = out[k];
      if (a === 0) continue;
      this.afterPacket(k, a);
    }
  }

  /** What stays here of a packet with analysis flags `a`: its retransmission series, the trace. */
  private afterPacket(k: number, a: number): void {
    const en = this.entries;
    const e = k * E_STRIDE;
    let t: number, frame: number, input: number, seglen: number;
    if ((en[e + 1] & EB_RECORD) !== 0) {
      const v = this.ring!;
      const at = en[e + 2];
      t = this.clock.toT(v.f64[(at >> 3) + D_TS_SEC], v.i32[(at >> 2) + W_TS_NSEC]);
      frame = v.f64[(at >> 3) + D_FRAME_NUMBER];
      seglen = v.f64[(at >> 3) + D_PAYLOAD_LENGTH];
      input = this.ringInput;
    } else {
      t = this.times[k * T_STRIDE];
      frame = this.times[k * T_STRIDE + 1];
      seglen = en[e + 5];
      input = en[e + 9];
    }
    // No ref: the stream was evicted and collected while its packets waited in the batch.
    const ref = this.refById[en[e]];
    if ((a & A_RETRANSMISSION) !== 0 && ref !== undefined) {
      const i = (en[e + 1] & 1) * 2;
      const b = this.clock.bucketOf(t);
      (ref.series[i] ??= new IntervalSeries()).add(b, seglen);
      (ref.series[i + 1] ??= new IntervalSeries()).add(b, 1);
    }
    if (this.trace !== null) this.trace(input, frame, a);
  }

  private open(stream: Stream): NativeHealthRef {
    let id = this.freeIds.pop();
    if (id === undefined) id = this.nextId++;
    else {
      // A collected stream's id: packets still queued for it go first (refById no longer has their
      // stream), then its state is reset.
      this.flush();
      const e = this.n++ * E_STRIDE;
      this.entries.fill(0, e, e + E_STRIDE);
      this.entries[e] = id;
      this.entries[e + 1] = EB_RESET;
    }
    const ref = new NativeHealthRef(id);
    stream.ext[this.slot] = ref;
    this.refById[id] = ref;
    // The id is free once the stream is collected (the table evicted it): nothing else holds the stream.
    this.registry.register(stream, id);
    return ref;
  }

  /** The stream of `id` is gone (collected): the id is taken again by the next new stream. */
  private release(id: number): void {
    this.refById[id] = undefined;
    this.freeIds.push(id);
  }

  /** A StreamHealth holding the engine state just read (this.state). */
  private fill(ref: NativeHealthRef): StreamHealth {
    const st = this.state;
    const sh = new StreamHealth();
    let o = 0;
    for (let dir = 0; dir < 2; dir++) {
      const d = sh.dirs[dir] as unknown as Record<string, number | boolean>;
      for (const f of DIRECTION_FIELDS) { d[f] = BOOLEAN_FIELDS.has(f) ? st[o] !== 0 : st[o]; o++; }
      const dh = sh.dirs[dir];
      dh.rtt.restore(st[o], st[o + 1], st[o + 2], st[o + 3], st.subarray(o + 4, o + 4 + dh.rtt.binCount));
      o += 4 + dh.rtt.binCount;
      for (const name of FRAME_LISTS) {
        const list: FrameList = dh[name];
        const len = st[o];
        for (let i = 0; i < len; i++) list.add(st[o + 1 + 2 * i], st[o + 2 + 2 * i]);
        o += 1 + 2 * list.capacity;
      }
      dh.retransBytesSeries = ref.series[dir * 2];
      dh.retransSegmentsSeries = ref.series[dir * 2 + 1];
    }
    sh.synT = st[o]; sh.synAckT = st[o + 1]; sh.handshakeAckT = st[o + 2]; sh.firstRtt = st[o + 3];
    sh.rstDir = st[o + 4]; sh.rstRefusedSyn = st[o + 5] !== 0;
    return sh;
  }
}
