/**
 * RTT samples in bounded memory: exact min / max / count / sum, and a log-scaled histogram
 * (20 bins per decade, 1 µs to 1000 s) for the median. The median is the geometric centre of
 * its bin: within about 6 % of the true value, whatever the number of samples.
 */
const BINS_PER_DECADE = 20;
const MIN_EXP = -6;
const DECADES = 9;
const NBINS = BINS_PER_DECADE * DECADES;

export class RttHistogram {
  count = 0;
  min = Infinity;
  max = 0;
  sum = 0;
  private bins: Uint32Array | null = null;

  add(seconds: number): void {
    if (!(seconds >= 0)) return;
    this.count++;
    this.sum += seconds;
    if (seconds < this.min) this.min = seconds;
    if (seconds > this.max) this.max = seconds;
    if (this.bins === null) this.bins = new Uint32Array(NBINS);
    this.bins[binOf(seconds)]++;
  }

  /** Bins of the histogram (native/tcp-health.cc exports them). */
  get binCount(): number {
    return NBINS;
  }

  /** Take the state of a histogram kept elsewhere (native/tcp-health.cc): bins only with samples, as add makes them. */
  restore(count: number, min: number, max: number, sum: number, bins: ArrayLike<number>): void {
    this.count = count; this.min = min; this.max = max; this.sum = sum;
    this.bins = null;
    if (count > 0) this.bins = Uint32Array.from(bins);
  }

  /** Approximate median (null without samples); clamped into [min, max]. */
  median(): number | null {
    if (this.count === 0 || this.bins === null) return null;
    const half = (this.count + 1) / 2;
    let seen = 0;
    for (let i = 0; i < NBINS; i++) {
      seen += this.bins[i];
      if (seen >= half) {
        const centre = Math.pow(10, MIN_EXP + (i + 0.5) / BINS_PER_DECADE);
        return Math.min(this.max, Math.max(this.min, centre));
      }
    }
    return this.max;
  }
}

function binOf(seconds: number): number {
  if (seconds <= 0) return 0;
  const b = Math.floor((Math.log10(seconds) - MIN_EXP) * BINS_PER_DECADE);
  return b < 0 ? 0 : b >= NBINS ? NBINS - 1 : b;
}
