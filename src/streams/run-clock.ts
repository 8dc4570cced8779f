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

  bucketOf(t: number): number {
    return Math.floor(t / this.resolution);
  }
}
