import { SequenceSpace } from './sequence-space.js';
import { IntervalSeries } from './interval-series.js';
import type { DeferredPacket } from './deferred-packet.js';
import { startAsDoubles } from './field-priming.js';

export const KIND_VMOTION = 1;
export const KIND_NFC = 2;

/** Per-direction counters of one TCP stream (direction 0: client to server, 1: server to client). */
export class Direction {
  packets = 0;
  wireBytes = 0;
  ipBytes = 0;
  dataPackets = 0;
  retransmittedPackets = 0;
  retransmittedBytes = 0;
  readonly seq = new SequenceSpace();
  /** Newly advanced payload bytes per fine time bucket (see Clock). */
  readonly series = new IntervalSeries();
  finSeen = false;
  rstSeen = false;
  /** Time of the first and last payload-carrying packet: run-relative seconds, and exact stamps. */
  firstDataT = -1;
  lastDataT = -1;
  firstDataSec = 0; firstDataNsec = 0;
  lastDataSec = 0; lastDataNsec = 0;
}

// Totals past 2^31 bytes in long migrations (field-priming.ts).
startAsDoubles(new Direction(), ['wireBytes', 'ipBytes', 'retransmittedBytes']);

/**
 * One TCP connection as seen at one capture point. The client is the side that sent the SYN
 * (or, when the capture began mid-stream, the side not on a tracked port).
 */
export class Stream {
  readonly clientIp = new Uint32Array(4);
  readonly serverIp = new Uint32Array(4);
  clientPort = 0;
  serverPort = 0;
  ipVersion = 4;
  synSeen = false;
  synAckSeen = false;
  rstSeen = false;
  /** First/last packet: exact stamps, run-relative seconds, and frame references. */
  firstSec = 0; firstNsec = 0; firstT = 0;
  lastSec = 0; lastNsec = 0; lastT = 0;
  firstInput = 0; firstFrame = 0;
  lastInput = 0; lastFrame = 0;
  readonly dirs: [Direction, Direction] = [new Direction(), new Direction()];
  /** Next stream in the same hash bucket of the StreamTable. */
  nextInBucket: Stream | null = null;
  /** The StreamTable's flow-slot cache entry that points here, -1 for none. */
  flowSlot = -1;
  /** Some payload seen in either direction (such streams are not evicted as idle; see StreamBudget). */
  hasPayload = false;
  /** Removed from the table by the stream budget; its id is not reported. */
  evicted = false;
  /** Per-observer state (see StreamObserver), indexed by observer slot. */
  readonly ext: unknown[] = [];
  /** Packets the observers have not seen yet, oldest first (see StreamTracker); null once they are in step. */
  deferred: DeferredPacket | null = null;

  constructor(readonly id: number, readonly kind: number, readonly point: number, readonly hash: number) {}

  get closedByFin(): boolean {
    return this.dirs[0].finSeen || this.dirs[1].finSeen;
  }

  /** Both sides said goodbye (or one reset): a new SYN on the same ports is a new connection. */
  get finished(): boolean {
    return this.rstSeen || (this.dirs[0].finSeen && this.dirs[1].finSeen);
  }
}
