/**
 * Memory budget of the stream table. A flood of distinct flows (a SYN scan or SYN flood on the
 * vMotion port) would otherwise create one Stream per packet, and every stream kept is also a
 * row, path and health entry in the report. Streams that never carried payload in either
 * direction (handshake-only: SYNs, refused or unanswered attempts) are therefore kept only up to
 * MAX_IDLE_STREAMS; beyond it the oldest of them that are not the current packet's are evicted
 * in batches and counted here. Streams with payload are never evicted for idle ones; they have
 * their own ceiling (MAX_STREAMS), past which the least recently active of them go too.
 */
export const MAX_IDLE_STREAMS = 1_000;
/** Every stream kept (with or without payload). */
export const MAX_STREAMS = 200_000;

export class StreamBudget {
  constructor(readonly maxIdle = MAX_IDLE_STREAMS, readonly maxStreams = MAX_STREAMS) {}

  /** Handshake-only streams evicted, and the packets they had carried. */
  evictedIdle = 0;
  evictedIdlePackets = 0;
  /** Streams with payload evicted because MAX_STREAMS was reached (their bytes leave the report). */
  evictedWithPayload = 0;
  evictedPayloadBytes = 0;
  /** Run-relative time of the first eviction (-1: none). */
  firstEvictionT = -1;

  get evicted(): number {
    return this.evictedIdle + this.evictedWithPayload;
  }
}
