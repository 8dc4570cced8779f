/**
 * StreamTable.find's flow-slot cache (DecodedPacket.flowSlot, given by the decode worker's native
 * flow table) must find exactly the stream, and direction, that hashing finds: through port reuse,
 * resets, evictions of a flood's idle streams, and flow-table epochs that reuse slots.
 */
import { describe, expect, it } from 'vitest';
import { DecodedPacket, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../../src/decode/packet.js';
import { newFrame } from '../../src/source/frame.js';
import { RunClock } from '../../src/streams/run-clock.js';
import { StreamTracker } from '../../src/streams/stream-tracker.js';
import { MAX_IDLE_STREAMS } from '../../src/streams/stream-budget.js';

/** The native flow table's contract: one slot per connection within an epoch; a new epoch at half full. */
class FlowSlots {
  private readonly slots = new Map<string, number>();
  epoch = 0;
  constructor(private readonly capacity: number) {}
  slotOf(key: string): number {
    let s = this.slots.get(key);
    if (s === undefined) {
      if (this.slots.size >= this.capacity / 2) { this.slots.clear(); this.epoch++; }
      // Scattered, as a hash table's are: slots of the last epoch get reused by other connections.
      s = (this.slots.size * 40503 + this.epoch * 7) % this.capacity;
      this.slots.set(key, s);
    }
    return s;
  }
}

describe('stream table flow-slot cache', () => {
  it('finds the same streams and directions as hashing, through reuse, resets, evictions and epochs', () => {
    const plain = new StreamTracker(new RunClock(1), (p) => p === 8000);
    const hinted = new StreamTracker(new RunClock(1), (p) => p === 8000);
    const flows = new FlowSlots(65536);
    const a = new DecodedPacket();
    const b = new DecodedPacket();
    const frame = newFrame();
    let n = 0;
    let hits = 0;
    // Servers on both sides of the clients' addresses: the client is flow side 0 or 1.
    const serverOf = (conn: number): number => (conn % 2 === 1 ? 0x01000001 : 0xc0a80001);
    const send = (conn: number, fromClient: boolean, flags: number, seq: number, len = 0): void => {
      n++;
      for (const pkt of [a, b]) {
        const client = 0x0a000000 + conn; const server = serverOf(conn);
        pkt.ipVersion = 4;
        pkt.src[0] = fromClient ? client : server; pkt.dst[0] = fromClient ? server : client;
        pkt.srcPort = fromClient ? 40000 + (conn % 7) : 8000; pkt.dstPort = fromClient ? 8000 : 40000 + (conn % 7);
        pkt.tcpFlags = flags; pkt.seq = seq; pkt.payloadLength = len; pkt.ipTotalLength = 40 + len;
      }
      // The hint, as the native table gives it: canonical side by (address, port).
      const clientIsLow = 0x0a000000 + conn < serverOf(conn);
      b.flowSlot = flows.slotOf(`${conn}`);
      b.flowSide = fromClient === clientIsLow ? 0 : 1;
      b.flowTag = flows.epoch;
      frame.frameNumber = n; frame.tsSec = 1_700_000_000 + Math.floor(n / 1000); frame.tsNsec = (n % 1000) * 1000;
      const t = n * 1e-3;
      const sp = plain.onTcp(a, frame, t, 0, 1);
      const dp = plain.table.dir;
      const before = n;
      const sh = hinted.onTcp(b, frame, t, 0, 1);
      expect([sh.id, hinted.table.dir], `packet ${before}`).toEqual([sp.id, dp]);
      hits++;
    };
    // A connection with data, closed, and its ports reused by a new SYN.
    send(1, true, TCP_SYN, 100); send(1, false, TCP_SYN | TCP_ACK, 900); send(1, true, TCP_ACK, 101, 1000);
    send(1, false, TCP_ACK, 901); send(1, true, TCP_FIN | TCP_ACK, 1101); send(1, false, TCP_FIN | TCP_ACK, 901);
    send(1, true, TCP_SYN, 5000); send(1, false, TCP_SYN | TCP_ACK, 7000); send(1, true, TCP_ACK, 5001, 10);
    // A reset connection, then mid-stream traffic on its ports (no SYN): the same stream, as hashing says.
    send(2, true, TCP_SYN, 1); send(2, false, TCP_RST | TCP_ACK, 0); send(2, true, TCP_ACK, 2, 50);
    // A flood of handshake-only connections: the table evicts idle streams, slots cross epochs.
    for (let c = 10; c < 10 + MAX_IDLE_STREAMS + 40_000; c++) send(c, true, TCP_SYN, c);
    // Old connections again (some evicted, some slots reused by now), and both directions.
    for (const c of [1, 2, 10, 11, 12, 5000, 39_000, 10 + MAX_IDLE_STREAMS + 39_999]) {
      send(c, true, TCP_ACK, 77, 100); send(c, false, TCP_ACK, 88); send(c, true, TCP_ACK, 177, 100);
    }
    expect(flows.epoch).toBeGreaterThan(0);
    expect(hinted.table.streams.map((s) => s.id)).toEqual(plain.table.streams.map((s) => s.id));
    expect(hits).toBe(n);
  });
});
