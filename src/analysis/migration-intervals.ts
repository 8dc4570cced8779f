import type { RunClock } from '../streams/run-clock.js';
import { MAX_BUCKETS } from '../streams/interval-series.js';

/** Anything with bytes (or counts) per fine bucket of the RunClock grid. */
export interface FineSeries { get(bucket: number): number }

/** One report interval of a migration: where it starts, what it summed, how long it was active. */
export interface MigrationInterval {
  /** Fine bucket where the interval starts (time = startBucket * clock.resolution). */
  startBucket: number;
  /** Sum of every series over the interval's fine buckets. */
  total: number;
  /** Seconds of the interval the migration was active in (edge intervals are partial). */
  coveredSeconds: number;
  /** Length of this interval: the requested one, or a whole multiple of it when the span was too long (see MAX_INTERVALS). */
  intervalSeconds: number;
}

/**
 * At most this many points per migration series. A timestamp jump inside one stream (a damaged
 * or hostile capture) must not make the report's size and build time grow with the time span:
 * longer spans get coarser intervals, a whole multiple of the requested one.
 */
export const MAX_INTERVALS = 10_000;

/**
 * Re-bins fine buckets (a tenth of the interval) into report intervals that start at the
 * migration's first payload, so the first interval is a full one. Goodput and retransmission
 * series both come from here, so their points line up.
 */
export function migrationIntervals(clock: RunClock, intervalSeconds: number, activeStart: number, activeEnd: number,
  series: FineSeries[]): MigrationInterval[] {
  const out: MigrationInterval[] = [];
  if (!(activeStart <= activeEnd)) return out;
  const active = activeEnd - activeStart;
  const fine = Math.round(intervalSeconds / clock.resolution);
  const firstFine = clock.bucketOf(activeStart);
  // Series hold at most MAX_BUCKETS fine buckets from their first data: later buckets are empty.
  const lastFine = Math.min(clock.bucketOf(activeEnd), firstFine + MAX_BUCKETS - 1);
  const widen = Math.max(1, Math.ceil((lastFine - firstFine + 1) / fine / MAX_INTERVALS));
  const step = fine * widen;
  const stepSeconds = intervalSeconds * widen;
  for (let b = firstFine; b <= lastFine; b += step) {
    let total = 0;
    for (const ser of series) for (let j = 0; j < step; j++) total += ser.get(b + j);
    // Edge intervals are partial: rate over the part the migration was active in (at least a
    // tenth of the interval, so one late packet cannot fake a peak). A migration shorter than
    // one interval thus gets its average as its only point.
    const from = Math.max(b * clock.resolution, activeStart);
    const to = Math.min((b + step) * clock.resolution, activeEnd);
    const covered = Math.min(stepSeconds, Math.max(to - from, Math.min(active, clock.resolution), 1e-9));
    out.push({ startBucket: b, total, coveredSeconds: covered, intervalSeconds: stepSeconds });
    if (out.length >= MAX_INTERVALS) break;
  }
  return out;
}
