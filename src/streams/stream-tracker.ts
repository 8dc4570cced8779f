import { DecodedPacket, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../decode/packet.js';
import { newFrame, type Frame } from '../source/frame.js';
import { deferPacket, restorePacket } from './deferred-packet.js';
import type { RunClock } from './run-clock.js';
import { Stream } from './stream.js';
import type { StreamObserver } from './stream-observer.js';
import { StreamTable } from './stream-table.js';

/**
 * Packets without payload at the start of a stream whose observers wait (see onTcp). A SYN
 * retried to the end of its back-off, or a handshake opened and closed without data, fits.
 */
export const MAX_DEFERRED_PACKETS = 8;

/**
 * Updates per-stream state with every TCP packet of a tracked stream.
 *
 * The observers' per-stream state (path evidence, TCP health) is several kilobytes, and a SYN
 * flood makes a stream of every packet: streams the table soon evicts as idle, but which lived
 * long enough to be promoted to the old generation, where they piled up as garbage (hundreds of
 * MiB). So a stream's first packets without payload only get a small copy (DeferredPacket); the
 * observers see them, in order, when the stream proves real (payload, or more than
 * MAX_DEFERRED_PACKETS packets), or when the result is built (settle). Evicted streams never cost more.
 */
export class StreamTracker {
  readonly table: StreamTable;
  readonly observers: StreamObserver[] = [];
  // Reused for replays: the same shapes as the decoder's packet and the sources' frames, so the
  // observers' property accesses stay monomorphic.
  private readonly replayPkt = new DecodedPacket();
  private readonly replayFrame = newFrame();

  constructor(private readonly clock: RunClock, isServerPort: (port: number) => boolean) {
    this.table = new StreamTable(isServerPort);
  }

  onTcp(pkt: DecodedPacket, frame: Frame, t: number, point: number, kind: number): Stream {
    const table = this.table;
    let s = table.find(pkt, point);
    const flags = pkt.tcpFlags;
    let created = false;
    if (s === null) {
      s = this.open(pkt, frame, t, point, kind, null);
      created = true;
    } else if ((flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && table.dir === 0 && s.finished
      && s.dirs[0].seq.isn !== pkt.seq) {
      // Port reuse: a fresh SYN after the old connection closed is a new connection (as tshark's tcp.stream).
      s = this.open(pkt, frame, t, point, kind, s);
      created = true;
    }
    const dir = table.dir;
    const len = pkt.payloadLength;
    // The int32 view of the sequence number: SequenceSpace works modulo 2^32, and a uint32 above
    // 2^31 passed to a call is boxed (a heap number per data packet).
    this.count(s, dir, flags, pkt.seq | 0, len, pkt.ipTotalLength, frame.originalLength, t, frame.tsSec, frame.tsNsec,
      frame.inputIndex, frame.frameNumber);
    const obs = this.observers;
    if (s.deferred !== null) {
      if (len === 0 && s.dirs[0].packets + s.dirs[1].packets <= MAX_DEFERRED_PACKETS) {
        let last = s.deferred;
        while (last.next !== null) last = last.next;
        last.next = deferPacket(pkt, frame, dir, t);
        return s;
      }
      this.replay(s);
    } else if (created && len === 0 && obs.length > 0) {
      s.deferred = deferPacket(pkt, frame, dir, t);
      return s;
    }
    for (let i = 0; i < obs.length; i++) obs[i].onStreamPacket(s, dir, pkt, frame, t);
    return s;
  }

  /**
   * The stream's counters for one of its packets (direction `dir`): what onTcp does between finding
   * the stream and its observers. Primitives only, so a frame can be counted straight from a decode
   * worker's record (src/analysis/record-fast-path.ts). `seq` as an int32.
   */
  count(s: Stream, dir: number, flags: number, seq: number, len: number, ipLength: number, wireLength: number, t: number,
    tsSec: number, tsNsec: number, input: number, frameNumber: number): void {
    const d = s.dirs[dir];
    d.packets++;
    d.wireBytes += wireLength;
    d.ipBytes += ipLength;
    if ((flags & TCP_SYN) !== 0) {
      if ((flags & TCP_ACK) === 0) s.synSeen = true; else s.synAckSeen = true;
      d.seq.onSyn(seq >>> 0);
    }
    if ((flags & TCP_FIN) !== 0) d.finSeen = true;
    if ((flags & TCP_RST) !== 0) { d.rstSeen = true; s.rstSeen = true; }
    if (len > 0) {
      if (!s.hasPayload) this.table.markPayload(s);
      d.dataPackets++;
      d.seq.onData(seq, len);
      if (d.seq.advanced > 0) {
        d.series.add(this.clock.bucketOf(t), d.seq.advanced);
        if (d.firstDataT < 0) { d.firstDataT = t; d.firstDataSec = tsSec; d.firstDataNsec = tsNsec; }
        d.lastDataT = t; d.lastDataSec = tsSec; d.lastDataNsec = tsNsec;
      }
      // Without a branch: a run's first retransmission would otherwise meet the optimized
      // per-packet code for the first time, and V8 would throw that code away.
      const overlap = d.seq.overlap;
      d.retransmittedPackets += overlap > 0 ? 1 : 0;
      d.retransmittedBytes += overlap;
    }
    if (t < s.firstT) { s.firstT = t; s.firstSec = tsSec; s.firstNsec = tsNsec; s.firstInput = input; s.firstFrame = frameNumber; }
    if (t >= s.lastT) { s.lastT = t; s.lastSec = tsSec; s.lastNsec = tsNsec; s.lastInput = input; s.lastFrame = frameNumber; }
  }

  /**
   * Let the observers see every packet still deferred in the streams kept, before their state is
   * read (the result is built from it). Idempotent; packets that follow go to them directly.
   */
  settle(): void {
    for (const s of this.table.streams) if (s.deferred !== null) this.replay(s);
  }

  private replay(s: Stream): void {
    const pkt = this.replayPkt;
    const frame = this.replayFrame;
    const obs = this.observers;
    for (let d = s.deferred; d !== null; d = d.next) {
      restorePacket(d, pkt, frame);
      for (let i = 0; i < obs.length; i++) obs[i].onStreamPacket(s, d.dir, pkt, frame, d.t);
    }
    s.deferred = null;
  }

  private open(pkt: DecodedPacket, frame: Frame, t: number, point: number, kind: number, replacing: Stream | null): Stream {
    const s = this.table.create(pkt, point, kind, replacing, t);
    s.firstT = t; s.firstSec = frame.tsSec; s.firstNsec = frame.tsNsec;
    s.firstInput = frame.inputIndex; s.firstFrame = frame.frameNumber;
    s.lastT = t; s.lastSec = frame.tsSec; s.lastNsec = frame.tsNsec;
    s.lastInput = frame.inputIndex; s.lastFrame = frame.frameNumber;
    return s;
  }
}
