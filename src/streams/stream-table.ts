import { DecodedPacket, TCP_ACK, TCP_SYN } from '../decode/packet.js';
import { Stream } from './stream.js';
import { StreamBudget } from './stream-budget.js';

/** Slots of the decode worker's flow table (src/decode/native-packer.ts FLOW_TABLE_WORDS). */
const FLOW_SLOTS = 65536;

/**
 * Finds the stream of a TCP packet by numbers only (no string keys, nothing allocated on a hit).
 * The hash is symmetric in the two endpoints so both directions land in one bucket; buckets
 * chain through Stream.nextInBucket.
 */
export class StreamTable {
  /**
   * Chain heads by the low bits of the hash, power-of-two sized, grown with the table. An array,
   * not a Map: a Map rehashed under a flood's insert/delete churn leaves old tables behind that
   * still point at streams it has evicted, keeping them alive into V8's old generation.
   */
  private buckets: Array<Stream | null> = new Array<Stream | null>(1024).fill(null);
  private mask = 1023;
  private readonly all: Stream[] = [];
  /**
   * Streams without payload, oldest first (entries that since got payload or were evicted are
   * skipped lazily). Slots before idleHead are cleared: a queue holding streams it has evicted
   * would keep them alive long enough to be promoted to V8's old generation.
   */
  private idle: Array<Stream | null> = [];
  private idleHead = 0;
  private idleCount = 0;
  private live = 0;
  private nextId = 1;
  /** Direction of the packet passed to the last find/create: 0 client->server, 1 server->client. */
  dir = 0;
  /**
   * Streams by the decode worker's flow slot (DecodedPacket.flowSlot): a packet that names its
   * slot is looked up by index, not by hashing and comparing four address words per side. An
   * entry counts only for the same tag (input and flow-table epoch) and while its stream is in the
   * table; a stream sits in at most one entry, cleared when it leaves the table, so the cache never
   * keeps an evicted stream alive.
   */
  private readonly flowStream: Array<Stream | null> = new Array<Stream | null>(FLOW_SLOTS).fill(null);
  private readonly flowTag = new Float64Array(FLOW_SLOTS).fill(-1);
  /** Stream direction of the packets from flow side 0. */
  private readonly flowDir = new Uint8Array(FLOW_SLOTS);

  constructor(private readonly isServerPort: (port: number) => boolean, readonly budget = new StreamBudget()) {}

  /** Every stream kept, in creation order (evicted ones removed). */
  get streams(): Stream[] {
    if (this.all.length !== this.live) this.compact();
    return this.all;
  }

  get size(): number {
    return this.live;
  }

  /** The stream this packet belongs to at this capture point, or null. Sets this.dir. */
  find(pkt: DecodedPacket, point: number): Stream | null {
    const slot = pkt.flowSlot;
    if (slot >= 0) {
      const c = this.cached(slot, pkt.flowSide, pkt.flowTag, point);
      if (c !== null) return c;
    }
    const s = this.findByHash(pkt, point);
    if (s !== null && slot >= 0) this.remember(pkt, s);
    return s;
  }

  /** The stream cached under a packet's flow slot, side and tag at this point, or null. Sets this.dir. */
  cached(slot: number, side: number, tag: number, point: number): Stream | null {
    if (this.flowTag[slot] !== tag) return null;
    const c = this.flowStream[slot];
    if (c === null || c.point !== point) return null;
    this.dir = this.flowDir[slot] ^ side;
    return c;
  }

  private findByHash(pkt: DecodedPacket, point: number): Stream | null {
    const h = endpointHash(pkt.src, pkt.srcPort) ^ endpointHash(pkt.dst, pkt.dstPort) ^ Math.imul(point + 1, 0x27d4eb2d);
    for (let s = this.buckets[h & this.mask]; s !== null; s = s.nextInBucket) {
      if (s.hash !== h || s.point !== point || s.ipVersion !== pkt.ipVersion) continue;
      if (s.clientPort === pkt.srcPort && s.serverPort === pkt.dstPort && same(s.clientIp, pkt.src) && same(s.serverIp, pkt.dst)) {
        this.dir = 0; return s;
      }
      if (s.clientPort === pkt.dstPort && s.serverPort === pkt.srcPort && same(s.clientIp, pkt.dst) && same(s.serverIp, pkt.src)) {
        this.dir = 1; return s;
      }
    }
    return null;
  }

  /**
   * Start a new stream for this packet (replacing a finished one with the same ports in the
   * bucket chain). Orientation: a SYN's sender is the client; a SYN-ACK's receiver is; otherwise
   * the side on a tracked server port is the server; otherwise the sender is the client.
   */
  create(pkt: DecodedPacket, point: number, kind: number, replacing: Stream | null, t = 0): Stream {
    const h = endpointHash(pkt.src, pkt.srcPort) ^ endpointHash(pkt.dst, pkt.dstPort) ^ Math.imul(point + 1, 0x27d4eb2d);
    if (this.idleCount >= this.budget.maxIdle || this.live >= this.budget.maxStreams) this.evict(t);
    const s = new Stream(this.nextId++, kind, point, h);
    const syn = (pkt.tcpFlags & TCP_SYN) !== 0;
    const ack = (pkt.tcpFlags & TCP_ACK) !== 0;
    let senderIsClient: boolean;
    if (syn) senderIsClient = !ack;
    else if (this.isServerPort(pkt.dstPort) && !this.isServerPort(pkt.srcPort)) senderIsClient = true;
    else if (this.isServerPort(pkt.srcPort) && !this.isServerPort(pkt.dstPort)) senderIsClient = false;
    else senderIsClient = true;
    s.ipVersion = pkt.ipVersion;
    if (senderIsClient) {
      s.clientIp.set(pkt.src); s.serverIp.set(pkt.dst); s.clientPort = pkt.srcPort; s.serverPort = pkt.dstPort; this.dir = 0;
    } else {
      s.clientIp.set(pkt.dst); s.serverIp.set(pkt.src); s.clientPort = pkt.dstPort; s.serverPort = pkt.srcPort; this.dir = 1;
    }
    if (replacing !== null) this.unlink(replacing);
    if (pkt.flowSlot >= 0) this.remember(pkt, s);
    if (this.live >= this.buckets.length) this.growBuckets();
    const b = h & this.mask;
    s.nextInBucket = this.buckets[b];
    this.buckets[b] = s;
    this.all.push(s);
    this.live++;
    this.idle.push(s);
    this.idleCount++;
    return s;
  }

  /** The tracker saw the first payload of a stream: it no longer counts as idle. */
  markPayload(s: Stream): void {
    if (s.hasPayload) return;
    s.hasPayload = true;
    if (!s.evicted) this.idleCount--;
  }

  /**
   * Make room (see StreamBudget): evict the oldest idle streams down to 3/4 of the idle cap; if
   * the table is still full, the least recently active streams with payload down to 3/4 of
   * MAX_STREAMS. Batches keep the cost per created stream constant.
   */
  private evict(t: number): void {
    const b = this.budget;
    if (b.firstEvictionT < 0) b.firstEvictionT = t;
    const idleTarget = Math.floor(b.maxIdle * 3 / 4);
    const q = this.idle;
    while (this.idleCount > idleTarget && this.idleHead < q.length) {
      const s = q[this.idleHead]!;
      q[this.idleHead++] = null;
      if (s.hasPayload || s.evicted) continue;
      this.remove(s);
      this.idleCount--;
      b.evictedIdle++;
      b.evictedIdlePackets += s.dirs[0].packets + s.dirs[1].packets;
    }
    if (this.idleHead > 4096 && this.idleHead * 2 > q.length) { this.idle = q.slice(this.idleHead); this.idleHead = 0; }
    // Let evicted streams (and their observers' state) be collected: drop them from the list too.
    if (this.all.length > 2 * this.live + 1024) this.compact();
    if (this.live >= b.maxStreams) {
      const keep = this.streams.filter((s) => !s.evicted).sort((x, y) => y.lastT - x.lastT);
      for (let i = Math.floor(b.maxStreams * 3 / 4); i < keep.length; i++) {
        const s = keep[i];
        this.remove(s);
        if (s.hasPayload) { b.evictedWithPayload++; b.evictedPayloadBytes += s.dirs[0].seq.uniqueBytes + s.dirs[1].seq.uniqueBytes; } else {
          this.idleCount--; b.evictedIdle++; b.evictedIdlePackets += s.dirs[0].packets + s.dirs[1].packets;
        }
      }
    }
  }

  private remove(s: Stream): void {
    this.unlink(s);
    s.evicted = true;
    this.live--;
  }

  private compact(): void {
    let w = 0;
    for (let r = 0; r < this.all.length; r++) if (!this.all[r].evicted) this.all[w++] = this.all[r];
    this.all.length = w;
  }

  /** Cache s (found or created for pkt, this.dir set) under pkt's flow slot. */
  private remember(pkt: DecodedPacket, s: Stream): void {
    const slot = pkt.flowSlot;
    const before = this.flowStream[slot];
    if (before !== null && before !== s) before.flowSlot = -1;
    if (s.flowSlot >= 0 && s.flowSlot !== slot) this.flowStream[s.flowSlot] = null;
    this.flowStream[slot] = s;
    this.flowTag[slot] = pkt.flowTag;
    this.flowDir[slot] = this.dir ^ pkt.flowSide;
    s.flowSlot = slot;
  }

  private unlink(old: Stream): void {
    if (old.flowSlot >= 0) { this.flowStream[old.flowSlot] = null; old.flowSlot = -1; }
    let prev: Stream | null = null;
    const b = old.hash & this.mask;
    for (let s = this.buckets[b]; s !== null; prev = s, s = s.nextInBucket) {
      if (s !== old) continue;
      if (prev === null) this.buckets[b] = s.nextInBucket; else prev.nextInBucket = s.nextInBucket;
      old.nextInBucket = null;
      return;
    }
  }

  /** Double the bucket array (chains keep at most one stream per connection, so their order does not matter). */
  private growBuckets(): void {
    const next = new Array<Stream | null>(this.buckets.length * 2).fill(null);
    const mask = next.length - 1;
    for (let i = 0; i < this.buckets.length; i++) {
      for (let s = this.buckets[i]; s !== null;) {
        const after = s.nextInBucket;
        s.nextInBucket = next[s.hash & mask];
        next[s.hash & mask] = s;
        s = after;
      }
    }
    this.buckets = next;
    this.mask = mask;
  }
}

function endpointHash(ip: Uint32Array, port: number): number {
  let h = Math.imul(ip[0] ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ ip[1] ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ ip[2] ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ ip[3] ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ Math.imul(port + 0x3c6ef372, 0x27d4eb2d) ^ (h >>> 16)) | 0;
}

function same(a: Uint32Array, b: Uint32Array): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}
