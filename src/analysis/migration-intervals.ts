import type { RunClock } from '../streams/run-clock.js';

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
}

export const MAX_INTERVALS = 1_000_000;

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
  const lastFine = clock.bucketOf(activeEnd);
  for (let b = firstFine; b <= lastFine; b += fine) {
    let total = 0;
    for (const ser of series) for (let j = 0; j < fine; j++) total += ser.get(b + j);
    // Edge intervals are partial: rate over the part the migration was active in (at least a
    // tenth of the interval, so one late packet cannot fake a peak). A migration shorter than
    // one interval thus gets its average as its only point.
    const from = Math.max(b * clock.resolution, activeStart);
    const to = Math.min((b + fine) * clock.resolution, activeEnd);
    const covered = Math.min(intervalSeconds, Math.max(to - from, Math.min(active, clock.resolution), 1e-9));
    out.push({ startBucket: b, total, coveredSeconds: covered });
    if (out.length >= MAX_INTERVALS) break;
  }
  return out;
}
