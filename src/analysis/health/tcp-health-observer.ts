import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../../decode/packet.js';
import type { RunClock } from '../../streams/run-clock.js';
import type { Stream } from '../../streams/stream.js';
import type { ObservedFrame, ObservedPacket, StreamObserver } from '../../streams/stream-observer.js';
import { IntervalSeries } from '../../streams/interval-series.js';
import {
  A_ACK_LOST_SEGMENT, A_DUPLICATE_ACK, A_FAST_RETRANSMISSION, A_KEEP_ALIVE, A_KEEP_ALIVE_ACK, A_LOST_SEGMENT,
  A_OUT_OF_ORDER, A_RETRANSMISSION, A_SPURIOUS_RETRANSMISSION, A_WINDOW_FULL, A_ZERO_WINDOW, A_ZERO_WINDOW_PROBE,
  A_ZERO_WINDOW_PROBE_ACK, DirectionHealth, RTT_RING, StreamHealth,
} from './direction-health.js';

const SFR = TCP_SYN | TCP_FIN | TCP_RST;
/** Ring index arithmetic by mask: RTT_RING is a power of two (% on an int32 that might be negative costs more). */
const RING_MASK = RTT_RING - 1;
/** Wireshark's window for a fast retransmission after the last duplicate ACK. */
const FAST_RETRANS_WINDOW = 0.02;
/** Wireshark's out-of-order threshold when the handshake RTT is unknown. */
const DEFAULT_OOO_THRESHOLD = 0.003;
/** A segment is "full-size" (black hole candidate) above a standard 1500-byte MTU or near the peer's MSS. */
const STANDARD_MTU = 1500;
/** Full-size resends of one sequence, with no ACK past it, that make an MTU black hole suspect (RTO backoff: ~1.4 s and more). */
export const BLACKHOLE_RESENDS = 3;

const gt = (a: number, b: number): boolean => ((a - b) | 0) > 0;
const lt = (a: number, b: number): boolean => ((a - b) | 0) < 0;
const le = (a: number, b: number): boolean => ((a - b) | 0) <= 0;

/** What the health reports read: a stream's health state, whichever pass kept it (this one or native-health-observer.ts). */
export interface HealthObserver extends StreamObserver {
  stateOf(s: Stream): StreamHealth | null;
  /** Optional per-packet hook (tests, debugging): the analysis flags of every frame that has any. */
  trace: ((input: number, frame: number, flags: number) => void) | null;
}

/**
 * Per-direction TCP health, one pass, state in stream.ext[slot]. The sequence analysis follows
 * Wireshark's tcp_analyze_sequence_number (packet-tcp.c, 4.0) so that counts match tshark's
 * tcp.analysis.* flags on the same file; docs/tcp-health.md lists each definition.
 */
export class TcpHealthObserver implements HealthObserver {
  /** Optional per-packet hook (tests, debugging): the analysis flags of every frame that has any. */
  trace: ((input: number, frame: number, flags: number) => void) | null = null;

  constructor(readonly slot: number, private readonly clock: RunClock) {}

  stateOf(s: Stream): StreamHealth | null {
    return (s.ext[this.slot] as StreamHealth | undefined) ?? null;
  }

  onStreamPacket(stream: Stream, dir: number, pkt: ObservedPacket, frame: ObservedFrame, t: number): void {
    let sh = stream.ext[this.slot] as StreamHealth | undefined;
    if (sh === undefined) { sh = new StreamHealth(); stream.ext[this.slot] = sh; }
    const fwd = sh.dirs[dir];
    const rev = sh.dirs[1 - dir];
    const flags = pkt.tcpFlags;
    const seq = pkt.seq >>> 0;
    const ack = pkt.ack >>> 0;
    const seglen = pkt.payloadLength;
    const window = pkt.window;
    let a = 0;

    // The common path (data, pure ACKs) is written out in this one function: called per packet,
    // helpers for it cost a call each once TurboFan's inlining budget runs out. Rare cases call out.
    // --- sizes ---
    fwd.segments++;
    const ipLength = pkt.ipTotalLength;
    fwd.lastPayload = seglen;
    fwd.lastIpLength = ipLength;
    if (seglen > fwd.maxPayload) fwd.maxPayload = seglen;
    if (ipLength > fwd.maxIpLength) fwd.maxIpLength = ipLength;
    // Counted without a branch, as those below: the first TSO segment comes minutes in, and a
    // first-time branch throws this function's optimized code away (docs/benchmark.md, "Seventh round").
    fwd.segmentsOverMss += rev.mss > 0 && seglen > rev.mss ? 1 : 0;
    if (pkt.dontFragment) fwd.dfPackets++;
    const dscp = pkt.dscp;
    if (dscp < 32) fwd.dscpLo |= 1 << dscp; else fwd.dscpHi |= 1 << (dscp - 32);
    if ((flags & TCP_ACK) !== 0) fwd.ackSeen = true;

    // --- handshake ---
    if ((flags & TCP_SYN) !== 0) {
      this.syn(sh, fwd, rev, pkt, frame, t);
    } else if ((flags & TCP_ACK) !== 0) {
      if (sh.synT >= 0 && sh.firstRtt === 0) sh.firstRtt = t - sh.synT;
      if (dir === 0 && sh.synAckT >= 0 && sh.handshakeAckT < 0) sh.handshakeAckT = t;
    }
    if ((flags & TCP_RST) !== 0) this.rst(sh, fwd, dir, frame);

    // --- Wireshark-equivalent classification -----------------------------------------------
    if (seglen === 1 && seq === fwd.nextSeq && rev.window === 0) {
      a |= A_ZERO_WINDOW_PROBE;
    } else {
      if (window === 0 && (flags & SFR) === 0) a |= A_ZERO_WINDOW;
      if (fwd.nextSeq !== 0 && gt(seq, fwd.nextSeq) && (flags & TCP_RST) === 0) a |= A_LOST_SEGMENT;
      if (seglen <= 1 && seq === ((fwd.nextSeq - 1) >>> 0) && (flags & SFR) === 0) a |= A_KEEP_ALIVE;
      if (seglen > 0 && rev.winScale !== -1 && (flags & SFR) === 0 && rev.window >= 0
        // A shift, not 2 ** n (Math.pow was the costliest line of the health pass); shift <= 14 and
        // window <= 65535 keep the product below 2^31.
        && ((seq + seglen) >>> 0) === ((rev.lastAck + (rev.window << (rev.winScale === -2 ? 0 : rev.winScale))) >>> 0)) {
        a |= A_WINDOW_FULL;
      }
      const sameAck = seglen === 0 && seq === fwd.nextSeq && ack === fwd.lastAck && window === fwd.window && (flags & SFR) === 0;
      if (sameAck && window !== 0 && (rev.lastSegFlags & A_KEEP_ALIVE) !== 0) a |= A_KEEP_ALIVE_ACK;
      else if (sameAck && window === 0 && (rev.lastSegFlags & A_ZERO_WINDOW_PROBE) !== 0) a |= A_ZERO_WINDOW_PROBE_ACK;
      else if (sameAck && window !== 0) {
        fwd.dupAckNum = fwd.dupAckNum < 0 ? 1 : fwd.dupAckNum + 1;
        a |= A_DUPLICATE_ACK;
      }
    }
    if (ack !== fwd.lastAck) fwd.dupAckNum = 0;

    if (rev.maxSeqToBeAcked !== 0 && gt(ack, rev.maxSeqToBeAcked) && (flags & TCP_ACK) !== 0) {
      a |= A_ACK_LOST_SEGMENT;
      rev.maxSeqToBeAcked = rev.nextSeq;
    }

    if ((seglen > 0 || (flags & (TCP_SYN | TCP_FIN)) !== 0) && fwd.nextSeq !== 0 && lt(seq, fwd.nextSeq)
      && (a & A_KEEP_ALIVE) === 0 && !(seglen > 1 && ((fwd.nextSeq - 1) >>> 0) === seq)) {
      const ooo = sh.firstRtt > 0 ? sh.firstRtt : DEFAULT_OOO_THRESHOLD;
      if (seglen > 0 && rev.dupAckNum >= 2 && rev.lastAck === seq && t - rev.lastAckT < FAST_RETRANS_WINDOW) {
        a |= A_FAST_RETRANSMISSION | A_RETRANSMISSION;
      } else if (t - fwd.nextSeqT < ooo && fwd.nextSeq !== ((seq + seglen) >>> 0)) {
        a |= A_OUT_OF_ORDER;
      } else if (seglen > 0 && rev.lastAck !== 0 && le((seq + seglen) >>> 0, rev.lastAck)) {
        a |= A_SPURIOUS_RETRANSMISSION | A_RETRANSMISSION;
      } else {
        a |= A_RETRANSMISSION;
      }
    }

    let next = (seq + seglen) >>> 0;
    if ((flags & (TCP_SYN | TCP_FIN)) !== 0) next = (next + 1) >>> 0;
    if ((a & A_ZERO_WINDOW_PROBE) === 0) {
      if (fwd.nextSeq === 0 || gt(next, fwd.nextSeq)) { fwd.nextSeq = next; fwd.nextSeqT = t; }
      if (fwd.maxSeqToBeAcked === 0 || seq === fwd.maxSeqToBeAcked) fwd.maxSeqToBeAcked = fwd.nextSeq;
    }
    fwd.window = window;
    fwd.lastAck = ack;
    fwd.lastAckT = t;
    fwd.lastSegFlags = a;

    // --- counters and proof --------------------------------------------------------------
    if (a !== 0 && this.trace !== null) this.trace(frame.inputIndex, frame.frameNumber, a);
    if (a !== 0) this.count(fwd, a, seglen, seq, frame, t, rev);
    // onAck compares sequence numbers only modulo 2^32 (gt/lt/le): it gets the int32 view, which
    // is never boxed, where a uint32 above 2^31 became a heap number per call.
    if ((flags & TCP_ACK) !== 0) this.onAck(rev, ack | 0, t);
    if (seglen > 0) {
      // --- data ---
      fwd.dataSegments++;
      if (fwd.lastDataT >= 0 && t - fwd.lastDataT > fwd.longestGap) {
        fwd.longestGap = t - fwd.lastDataT;
        fwd.longestGapEndInput = frame.inputIndex;
        fwd.longestGapEndFrame = frame.frameNumber;
      }
      fwd.lastDataT = t;
      if ((a & (A_RETRANSMISSION | A_OUT_OF_ORDER | A_ZERO_WINDOW_PROBE | A_KEEP_ALIVE)) === 0 && fwd.ringLen < RTT_RING) {
        this.timeSegment(fwd, (seq + seglen) | 0, t);
      }
      // Sequence-based bytes in flight: highest byte sent minus the peer's latest cumulative ACK.
      if (rev.ackSeen) {
        const inFlight = (fwd.nextSeq - rev.lastAck) | 0;
        if (inFlight > 0 && inFlight > fwd.maxInFlight) fwd.maxInFlight = inFlight;
      }
    }
  }

  private count(fwd: DirectionHealth, a: number, seglen: number, seq: number, frame: ObservedFrame, t: number, rev: DirectionHealth): void {
    if ((a & A_RETRANSMISSION) !== 0) {
      fwd.retransmissions++;
      fwd.retransmittedBytes += seglen;
      fwd.retransFrames.add(frame.inputIndex, frame.frameNumber);
      const b = this.clock.bucketOf(t);
      if (fwd.retransBytesSeries === null) { fwd.retransBytesSeries = new IntervalSeries(); fwd.retransSegmentsSeries = new IntervalSeries(); }
      fwd.retransBytesSeries.add(b, seglen);
      fwd.retransSegmentsSeries!.add(b, 1);
      // Karn's rule: once data is resent, ACKs of outstanding segments no longer time them.
      fwd.ringLen = 0;
      if (seglen > 0) this.blackhole(fwd, rev, seq, frame);
    }
    if ((a & A_FAST_RETRANSMISSION) !== 0) fwd.fastRetransmissions++;
    if ((a & A_SPURIOUS_RETRANSMISSION) !== 0) fwd.spuriousRetransmissions++;
    if ((a & A_OUT_OF_ORDER) !== 0) fwd.outOfOrder++;
    if ((a & A_LOST_SEGMENT) !== 0) { fwd.lostSegments++; fwd.lostFrames.add(frame.inputIndex, frame.frameNumber); }
    // ACKed unseen: this ACK covers segments of the *other* direction the capture never saw.
    if ((a & A_ACK_LOST_SEGMENT) !== 0) { rev.ackedUnseen++; rev.ackedUnseenFrames.add(frame.inputIndex, frame.frameNumber); }
    if ((a & A_DUPLICATE_ACK) !== 0) { fwd.duplicateAcks++; if (fwd.dupAckNum === 3) fwd.tripleDuplicateAcks++; }
    if ((a & A_ZERO_WINDOW) !== 0) { fwd.zeroWindows++; fwd.zeroWindowFrames.add(frame.inputIndex, frame.frameNumber); }
    if ((a & A_WINDOW_FULL) !== 0) fwd.windowFull++;
    if ((a & A_KEEP_ALIVE) !== 0) fwd.keepAlives++;
    if ((a & A_ZERO_WINDOW_PROBE) !== 0) fwd.zeroWindowProbes++;
  }

  /** Full-size segments resent at one sequence while the peer never acknowledges past it. */
  private blackhole(fwd: DirectionHealth, rev: DirectionHealth, seq: number, frame: ObservedFrame): void {
    const full = fwd.lastIpLength > STANDARD_MTU || (rev.mss > 0 && fwd.lastPayload >= rev.mss * 0.9);
    if (!full) return;
    if (fwd.bigRetransCount > 0 && seq === fwd.bigRetransSeq) fwd.bigRetransCount++;
    else { fwd.bigRetransSeq = seq; fwd.bigRetransCount = 1; fwd.bigRetransFirstInput = frame.inputIndex; fwd.bigRetransFirstFrame = frame.frameNumber; }
    if (fwd.bigRetransCount === BLACKHOLE_RESENDS) {
      fwd.blackholeEpisodes++;
      fwd.blackholeFrames.add(fwd.bigRetransFirstInput, fwd.bigRetransFirstFrame);
      fwd.blackholeFrames.add(frame.inputIndex, frame.frameNumber);
    }
  }

  /** An ACK from the peer of `d`: RTT samples from the newest fully acknowledged timed segment. */
  private onAck(d: DirectionHealth, ack: number, t: number): void {
    // Once set, acked stays set: the sequence test is skipped on the bulk of the ACKs.
    if (!d.acked && (!d.synSeen || gt(ack, (d.firstSeq + 1) >>> 0))) d.acked = true;
    // Read and written on every ACK: the first retransmission must not meet this code cold.
    const pastBigRetrans = gt(ack, d.bigRetransSeq);
    d.bigRetransCount = d.bigRetransCount > 0 && pastBigRetrans ? 0 : d.bigRetransCount;
    let sampleT = -1;
    while (d.ringLen > 0) {
      const i = d.ringHead;
      if (!le(d.ringEnd[i], ack)) break;
      sampleT = d.ringT[i];
      d.ringHead = (i + 1) & RING_MASK;
      d.ringLen--;
    }
    if (sampleT >= 0) d.rtt.add(t - sampleT);
  }

  /** Time a data segment ending at `end` (int32 view) for an RTT sample, unless it does not advance the ring. */
  private timeSegment(fwd: DirectionHealth, end: number, t: number): void {
    if (fwd.ringLen === 0 || gt(end, fwd.ringEnd[(fwd.ringHead + fwd.ringLen - 1) & RING_MASK])) {
      if (fwd.ringEnd.length === 0) { fwd.ringEnd = new Uint32Array(RTT_RING); fwd.ringT = new Float64Array(RTT_RING); }
      const i = (fwd.ringHead + fwd.ringLen) & RING_MASK;
      fwd.ringEnd[i] = end;
      fwd.ringT[i] = t;
      fwd.ringLen++;
    }
  }

  private syn(sh: StreamHealth, fwd: DirectionHealth, rev: DirectionHealth, pkt: ObservedPacket, frame: ObservedFrame, t: number): void {
    const flags = pkt.tcpFlags;
    if (!fwd.synSeen) { fwd.firstSeq = pkt.seq >>> 0; }
    fwd.synSeen = true;
    if (pkt.mss >= 0) fwd.mss = pkt.mss;
    fwd.sackPermitted = fwd.sackPermitted || pkt.sackPermitted;
    fwd.synFrames.add(frame.inputIndex, frame.frameNumber);
    if (pkt.windowScale >= 0) { fwd.synWindowScale = pkt.windowScale; fwd.winScale = Math.min(pkt.windowScale, 14); }
    // Wireshark's verify_tcp_window_scaling: scaling is in use only if both SYNs carry the option.
    if (pkt.windowScale < 0) { fwd.winScale = -2; rev.winScale = -2; }
    else if ((flags & TCP_ACK) !== 0 && rev.winScale === -2) fwd.winScale = -2;
    if ((flags & TCP_ACK) === 0) { sh.synT = t; }
    else if (sh.synAckT < 0 && sh.synT >= 0) sh.synAckT = t;
  }

  private rst(sh: StreamHealth, fwd: DirectionHealth, dir: number, frame: ObservedFrame): void {
    fwd.rstFrames.add(frame.inputIndex, frame.frameNumber);
    if (sh.rstDir < 0) {
      sh.rstDir = dir;
      sh.rstRefusedSyn = dir === 1 && sh.synT >= 0 && sh.synAckT < 0;
    }
  }
}
