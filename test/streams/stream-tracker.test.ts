/**
 * The tracker defers the observers of a stream's first payload-less packets (a SYN flood's streams
 * then cost no observer state) and replays them later: the observers must see exactly what they
 * would have seen without the deferral, and evicted streams nothing at all.
 */
import { describe, expect, it } from 'vitest';
import { DecodedPacket, TCP_ACK, TCP_RST, TCP_SYN } from '../../src/decode/packet.js';
import { newFrame } from '../../src/source/frame.js';
import { RunClock } from '../../src/streams/run-clock.js';
import type { Stream } from '../../src/streams/stream.js';
import type { ObservedFrame, ObservedPacket, StreamObserver } from '../../src/streams/stream-observer.js';
import { OBSERVED_FRAME_FIELDS, OBSERVED_PACKET_FIELDS } from '../../src/streams/stream-observer.js';
import { MAX_DEFERRED_PACKETS, StreamTracker } from '../../src/streams/stream-tracker.js';
import { MAX_IDLE_STREAMS } from '../../src/streams/stream-budget.js';

type Seen = Record<string, unknown>;

/** Records every field an observer may read, per call. */
class Recorder implements StreamObserver {
  readonly calls: Seen[] = [];
  onStreamPacket(stream: Stream, dir: number, pkt: ObservedPacket, frame: ObservedFrame, t: number): void {
    const c: Seen = { stream: stream.id, dir, t };
    for (const k of OBSERVED_PACKET_FIELDS) c[k] = pkt[k];
    for (const k of OBSERVED_FRAME_FIELDS) c[k] = frame[k];
    this.calls.push(c);
  }
}

interface Pkt { from: 'c' | 's'; flags: number; seq: number; len?: number; flow?: number }

/** A run over one reused packet and frame, as the decoder and sources reuse theirs. */
function run() {
  const tracker = new StreamTracker(new RunClock(1), (p) => p === 8000);
  const rec = new Recorder();
  tracker.observers.push(rec);
  const pkt = new DecodedPacket();
  const frame = newFrame();
  let n = 0;
  const expected: Seen[] = [];
  const feed = (p: Pkt): Stream => {
    n++;
    const flow = p.flow ?? 0;
    const client = [0x0a000000 + flow, 0, 0, 0];
    const server = [0xc0a80001, 0, 0, 0];
    const c = p.from === 'c';
    pkt.ipVersion = 4;
    pkt.src.set(c ? client : server); pkt.dst.set(c ? server : client);
    pkt.srcPort = c ? 40000 + (flow % 20000) : 8000; pkt.dstPort = c ? 8000 : 40000 + (flow % 20000);
    pkt.tcpFlags = p.flags; pkt.seq = p.seq; pkt.ack = p.flags & TCP_ACK ? 1000 + n : 0;
    pkt.window = 500 + n; pkt.payloadLength = p.len ?? 0; pkt.ipTotalLength = 40 + (p.len ?? 0);
    pkt.ttl = c ? 64 : 63; pkt.hasMacs = true; pkt.srcMac = c ? 0x005056000001 : 0x0200000000fe; pkt.dstMac = c ? 0x0200000000fe : 0x005056000001;
    pkt.dontFragment = n % 2 === 0; pkt.dscp = n % 64; pkt.mss = p.flags & TCP_SYN ? 1460 : -1;
    pkt.windowScale = p.flags & TCP_SYN ? 7 : -1; pkt.sackPermitted = (p.flags & TCP_SYN) !== 0;
    frame.inputIndex = 0; frame.frameNumber = n; frame.interfaceId = 0;
    frame.tsSec = 1_700_000_000; frame.tsNsec = n * 1000; frame.originalLength = 54 + (p.len ?? 0);
    const t = n * 1e-6;
    const s = tracker.onTcp(pkt, frame, t, 0, 1);
    const e: Seen = { stream: s.id, dir: c ? 0 : 1, t }; // the 'c' side always opens (SYN, or the port that is not 8000)
    for (const k of OBSERVED_PACKET_FIELDS) e[k] = pkt[k];
    for (const k of OBSERVED_FRAME_FIELDS) e[k] = frame[k];
    expected.push(e);
    return s;
  };
  return { tracker, rec, feed, expected };
}

const byStream = (calls: Seen[], id: number): Seen[] => calls.filter((c) => c.stream === id);

describe('StreamTracker: deferred observers', () => {
  it('an observer sees every packet of a stream once, in order, with the fields it had, deferred or not', () => {
    const { tracker, rec, feed, expected } = run();
    const a = feed({ from: 'c', flags: TCP_SYN, seq: 0xfffffff0 });
    const b = feed({ from: 'c', flags: TCP_SYN, seq: 7, flow: 1 });
    feed({ from: 's', flags: TCP_SYN | TCP_ACK, seq: 0x80000000 });
    expect(rec.calls).toEqual([]); // both streams still payload-less
    feed({ from: 'c', flags: TCP_ACK, seq: 0xfffffff1 });
    feed({ from: 's', flags: TCP_RST | TCP_ACK, seq: 0, flow: 1 });
    feed({ from: 'c', flags: TCP_ACK, seq: 0xfffffff1, len: 1448 }); // a's first payload: its three packets first
    expect(byStream(rec.calls, a.id)).toEqual(byStream(expected, a.id));
    expect(byStream(rec.calls, b.id)).toEqual([]);
    feed({ from: 's', flags: TCP_ACK, seq: 0x80000001 });
    expect(byStream(rec.calls, a.id)).toEqual(byStream(expected, a.id));
    tracker.settle();
    expect(byStream(rec.calls, b.id)).toEqual(byStream(expected, b.id));
    expect(rec.calls).toHaveLength(expected.length);
  });

  it('settle is idempotent, and packets after it reach the observers directly', () => {
    const { tracker, rec, feed, expected } = run();
    feed({ from: 'c', flags: TCP_SYN, seq: 1 });
    tracker.settle();
    tracker.settle();
    expect(rec.calls).toEqual(expected);
    feed({ from: 'c', flags: TCP_SYN, seq: 1 }); // a retransmitted SYN: no payload, yet not deferred any more
    expect(rec.calls).toEqual(expected);
  });

  it(`a stream with more than ${MAX_DEFERRED_PACKETS} payload-less packets catches up at the next one`, () => {
    const { rec, feed, expected } = run();
    for (let i = 0; i < MAX_DEFERRED_PACKETS; i++) feed({ from: 'c', flags: TCP_SYN, seq: 1 });
    expect(rec.calls).toEqual([]);
    feed({ from: 'c', flags: TCP_SYN, seq: 1 });
    expect(rec.calls).toEqual(expected);
  });

  it('streams evicted as idle never reach the observers; the kept ones do at settle', () => {
    const { tracker, rec, feed } = run();
    const n = 5 * MAX_IDLE_STREAMS;
    for (let i = 0; i < n; i++) feed({ from: 'c', flags: TCP_SYN, seq: i, flow: i });
    expect(rec.calls).toEqual([]);
    tracker.settle();
    const kept = tracker.table.streams;
    expect(kept.length + tracker.table.budget.evictedIdle).toBe(n);
    expect(rec.calls.map((c) => c.stream)).toEqual(kept.map((s) => s.id));
  });
});

describe('StreamTable buckets', () => {
  it('finds every stream again, in both directions, after the bucket array has grown', () => {
    const { tracker, feed } = run();
    const n = 5000; // the array starts at 1024 chain heads
    const streams: Stream[] = [];
    for (let i = 0; i < n; i++) streams.push(feed({ from: 'c', flags: TCP_ACK, seq: 1, len: 100, flow: i }));
    for (let i = n - 1; i >= 0; i--) expect(feed({ from: 's', flags: TCP_ACK, seq: 1, flow: i })).toBe(streams[i]);
    expect(tracker.table.size).toBe(n);
    expect(streams.every((s) => s.dirs[0].packets === 1 && s.dirs[1].packets === 1)).toBe(true);
  });
});
