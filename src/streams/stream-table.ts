import { DecodedPacket, TCP_ACK, TCP_SYN } from '../decode/packet.js';
import { Stream } from './stream.js';

/**
 * Finds the stream of a TCP packet by numbers only (no string keys, nothing allocated on a hit).
 * The hash is symmetric in the two endpoints so both directions land in one bucket; buckets
 * chain through Stream.nextInBucket.
 */
export class StreamTable {
  private readonly buckets = new Map<number, Stream>();
  readonly streams: Stream[] = [];
  /** Direction of the packet passed to the last find/create: 0 client->server, 1 server->client. */
  dir = 0;

  constructor(private readonly isServerPort: (port: number) => boolean) {}

  get size(): number {
    return this.streams.length;
  }

  /** The stream this packet belongs to at this capture point, or null. Sets this.dir. */
  find(pkt: DecodedPacket, point: number): Stream | null {
    const h = endpointHash(pkt.src, pkt.srcPort) ^ endpointHash(pkt.dst, pkt.dstPort) ^ Math.imul(point + 1, 0x27d4eb2d);
    for (let s = this.buckets.get(h) ?? null; s !== null; s = s.nextInBucket) {
      if (s.point !== point || s.ipVersion !== pkt.ipVersion) continue;
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
  create(pkt: DecodedPacket, point: number, kind: number, replacing: Stream | null): Stream {
    const h = endpointHash(pkt.src, pkt.srcPort) ^ endpointHash(pkt.dst, pkt.dstPort) ^ Math.imul(point + 1, 0x27d4eb2d);
    const s = new Stream(this.streams.length + 1, kind, point, h);
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
    s.nextInBucket = this.buckets.get(h) ?? null;
    this.buckets.set(h, s);
    this.streams.push(s);
    return s;
  }

  private unlink(old: Stream): void {
    let prev: Stream | null = null;
    for (let s = this.buckets.get(old.hash) ?? null; s !== null; prev = s, s = s.nextInBucket) {
      if (s !== old) continue;
      if (prev === null) {
        if (s.nextInBucket === null) this.buckets.delete(old.hash); else this.buckets.set(old.hash, s.nextInBucket);
      } else prev.nextInBucket = s.nextInBucket;
      old.nextInBucket = null;
      return;
    }
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
