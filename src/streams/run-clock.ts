/** How far inside its bucket (in buckets) a time must be for bucketOf to skip the division. */
const BUCKET_MARGIN = 1e-4;

/**
 * The run's time base: every packet time becomes seconds relative to the first packet's whole
 * second (exact enough for nanoseconds over days, unlike absolute epoch doubles), and the
 * fine bucket grid that throughput series are recorded on.
 */
export class RunClock {
  epochSec = -1;
  /** Fine bucket width in seconds: a tenth of the report interval, so migrations re-bin at their own start. */
  readonly resolution: number;

  constructor(readonly intervalSeconds: number) {
    this.resolution = intervalSeconds / 10;
  }

  /** Run-relative seconds of a timestamp; the first call fixes the epoch. */
  toT(tsSec: number, tsNsec: number): number {
    if (this.epochSec < 0) this.epochSec = tsSec;
    return (tsSec - this.epochSec) + tsNsec * 1e-9;
  }

  /**
   * The bucket of the previous call and a range of times safely inside it (see bucketOf): packets
   * come in time order, so most calls land in the same bucket as the one before. lo > hi: none yet.
   */
  private cachedBucket = 0;
  private cachedLo = 1;
  private cachedHi = 0;

  /** floor(t / resolution), with a division only when t is not inside the previous call's bucket. */
  bucketOf(t: number): number {
    if (t >= this.cachedLo && t <= this.cachedHi) return this.cachedBucket;
    const b = Math.floor(t / this.resolution);
    // Inside [b, b + 1) * resolution by a margin of 1e-4 buckets, floor(t / resolution) is b
    // exactly whatever the rounding of these products and of the division (errors below 2^-22
    // buckets while |b| < 2^31); times closer to an edge, or further out, keep dividing.
    if (Math.abs(b) < 2 ** 31) {
      this.cachedBucket = b === 0 ? 0 : b; // t = -0 gives -0; every t in the cached range gives +0
      this.cachedLo = (b + BUCKET_MARGIN) * this.resolution;
      this.cachedHi = (b + 1 - BUCKET_MARGIN) * this.resolution;
    }
    return b;
  }
}
