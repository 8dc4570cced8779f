import { IntervalSeries } from '../../streams/interval-series.js';
import { FrameList } from './frame-list.js';
import { RttHistogram } from './rtt-histogram.js';
import { startAsDoubles, startHolding } from '../../streams/field-priming.js';

/** Per-segment analysis flags (one packet's verdict, in the spirit of Wireshark's tcp.analysis.*). */

const NO_RING_END = new Uint32Array(0);
const NO_RING_T = new Float64Array(0);
export const A_RETRANSMISSION = 0x001;
export const A_FAST_RETRANSMISSION = 0x002;
export const A_SPURIOUS_RETRANSMISSION = 0x004;
export const A_OUT_OF_ORDER = 0x008;
export const A_LOST_SEGMENT = 0x010;
export const A_ACK_LOST_SEGMENT = 0x020;
export const A_DUPLICATE_ACK = 0x040;
export const A_ZERO_WINDOW = 0x080;
export const A_WINDOW_FULL = 0x100;
export const A_KEEP_ALIVE = 0x200;
export const A_ZERO_WINDOW_PROBE = 0x400;
export const A_KEEP_ALIVE_ACK = 0x800;
export const A_ZERO_WINDOW_PROBE_ACK = 0x1000;

/** Outstanding data segments timed for RTT per direction (Karn: dropped on any retransmission). A power of two. */
export const RTT_RING = 64;
/** Frames kept as proof per event kind and direction. */
export const PROOF_FRAMES = 8;

/**
 * TCP health state of one direction of one stream (this side as the sender). Sequence numbers
 * are raw 32-bit values compared modulo 2^32, as TCP (and Wireshark) do. Fixed size: every
 * array is allocated when the stream is first seen, never per packet.
 */
export class DirectionHealth {
  // --- Wireshark-equivalent sequence analysis state (0 means "not set", as in packet-tcp.c) ---
  /**
   * nextSeq, maxSeqToBeAcked and lastAck live in a Uint32Array: read from it, TurboFan knows them
   * as 32-bit integers and compares them modulo 2^32 in integer instructions, where a field holds
   * a boxed double (they exceed the small-integer range) and each comparison converted it.
   */
  private readonly seqs = new Uint32Array(3);
  get nextSeq(): number { return this.seqs[0]; }
  set nextSeq(v: number) { this.seqs[0] = v; }
  get maxSeqToBeAcked(): number { return this.seqs[1]; }
  set maxSeqToBeAcked(v: number) { this.seqs[1] = v; }
  get lastAck(): number { return this.seqs[2]; }
  set lastAck(v: number) { this.seqs[2] = v; }
  nextSeqT = 0;
  lastAckT = 0;
  /** Raw (unscaled) window of the last segment; -1 before the first. */
  window = -1;
  /** -1 unknown (no SYN seen), -2 no scaling in use, else the shift count. */
  winScale = -1;
  dupAckNum = 0;
  lastSegFlags = 0;

  // --- counters ---
  segments = 0;
  dataSegments = 0;
  retransmissions = 0;
  retransmittedBytes = 0;
  fastRetransmissions = 0;
  spuriousRetransmissions = 0;
  outOfOrder = 0;
  lostSegments = 0;
  ackedUnseen = 0;
  duplicateAcks = 0;
  tripleDuplicateAcks = 0;
  zeroWindows = 0;
  windowFull = 0;
  keepAlives = 0;
  zeroWindowProbes = 0;

  // --- handshake options and sizes ---
  mss = -1;
  synWindowScale = -1;
  sackPermitted = false;
  synSeen = false;
  maxPayload = 0;
  maxIpLength = 0;
  /** Payload larger than the peer's advertised MSS: host-side TSO/GSO or LRO/GRO aggregates. */
  segmentsOverMss = 0;
  dfPackets = 0;
  /** DSCP values seen: bit i of word i >> 5. */
  dscpLo = 0;
  dscpHi = 0;

  // --- timing ---
  lastDataT = -1;
  longestGap = 0;
  longestGapEndInput = 0;
  longestGapEndFrame = 0;
  maxInFlight = 0;
  readonly rtt = new RttHistogram();
  /** Timed segments awaiting their ACK; allocated with the first data segment (a SYN flood's streams never get one). */
  ringEnd: Uint32Array = NO_RING_END;
  ringT: Float64Array = NO_RING_T;
  ringHead = 0;
  ringLen = 0;
  /** The peer acknowledged something in this direction (an ACK beyond the first sequence). */
  acked = false;
  /** This side has sent a segment with the ACK flag (its lastAck is meaningful). */
  ackSeen = false;
  /** Sequence number of this side's SYN (valid when synSeen). */
  firstSeq = 0;
  lastPayload = 0;
  lastIpLength = 0;

  // --- MTU black hole: full-size segments resent at one sequence without the peer acking past it ---
  bigRetransSeq = 0;
  bigRetransCount = 0;
  bigRetransFirstInput = 0;
  bigRetransFirstFrame = 0;
  blackholeEpisodes = 0;
  readonly blackholeFrames = new FrameList(4);

  // --- proof frames ---
  readonly retransFrames = new FrameList(PROOF_FRAMES);
  readonly zeroWindowFrames = new FrameList(PROOF_FRAMES);
  readonly lostFrames = new FrameList(4);
  readonly ackedUnseenFrames = new FrameList(4);
  readonly synFrames = new FrameList(4);
  readonly rstFrames = new FrameList(2);

  /** Retransmitted bytes and segments per fine time bucket (RunClock grid); created on the first retransmission. */
  retransBytesSeries: IntervalSeries | null = null;
  retransSegmentsSeries: IntervalSeries | null = null;

  get dscpValues(): number[] {
    const out: number[] = [];
    for (let v = 0; v < 64; v++) if (((v < 32 ? this.dscpLo : this.dscpHi) >>> (v & 31)) & 1) out.push(v);
    return out;
  }
}

// Byte totals past 2^31, raw 32-bit sequence numbers, and frame numbers (doubles in the frames they come from),
// some first set on rare paths (src/streams/field-priming.ts).
startAsDoubles(new DirectionHealth(), ['retransmittedBytes', 'bigRetransSeq', 'firstSeq', 'bigRetransFirstFrame', 'longestGapEndFrame']);
// Created at a stream's first retransmission, minutes into a capture.
startHolding(new DirectionHealth(), { retransBytesSeries: new IntervalSeries(), retransSegmentsSeries: new IntervalSeries() });

/** Per-stream health state (stream.ext[slot]). */
export class StreamHealth {
  readonly dirs: [DirectionHealth, DirectionHealth] = [new DirectionHealth(), new DirectionHealth()];
  /** Most recent SYN (no ACK), first SYN/ACK after it, first ACK completing the handshake: run seconds, -1 unset. */
  synT = -1;
  synAckT = -1;
  handshakeAckT = -1;
  /** Wireshark's ts_first_rtt: SYN to the first ACK after it (out-of-order threshold). */
  firstRtt = 0;
  /** The first RST and whether it answered a SYN (no SYN/ACK seen before it). */
  rstDir = -1;
  rstRefusedSyn = false;
}
