import { openSync, readSync, closeSync } from 'node:fs';
import { basename } from 'node:path';
import { CaptureParser } from '../source/capture-parser.js';
import { newInputSummary } from '../source/capture-source.js';

/**
 * Several files in one run are either pieces of one capture (tcpdump -C, editcap -c, dumpcap
 * ring buffers) or separate capture points (host A, host B, a SPAN port). Pieces of one point
 * are read in time order into one stream table, so a stream crossing a file boundary stays one
 * stream; separate points stay separate observations of the same streams.
 *
 * Default without --point: files whose names differ only by a rotation suffix are pieces of one
 * point; every other file is its own point.
 */
export interface PlannedInput { path: string; point: string }

/** Parses `--point NAME=FILE[,FILE...]` values into file -> point name. */
export function parsePointSpecs(specs: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new Error(`--point ${spec}: expected NAME=FILE[,FILE...], e.g. --point esx-a=a.pcap`);
    const name = spec.slice(0, eq);
    for (const file of spec.slice(eq + 1).split(',')) {
      if (!file) continue;
      const prior = map.get(file);
      if (prior !== undefined && prior !== name) throw new Error(`--point: ${file} is assigned to both ${prior} and ${name}`);
      map.set(file, name);
    }
  }
  return map;
}

/**
 * The name a rotated piece shares with its siblings, or null when the file name shows no rotation:
 * tcpdump -C/-W: `cap.pcap`, `cap.pcap1`, `cap.pcap2`; editcap -c / dumpcap ring buffers:
 * `cap_00001_20261126111422.pcapng`.
 */
export function rotationBase(path: string): string | null {
  const name = basename(path);
  const ring = /^(.*)_\d{5}_\d{14}(\.[^.]+(?:\.gz)?)?$/.exec(name);
  if (ring) return `${ring[1]}${ring[2] ?? ''}`;
  const tcpdumpC = /^(.*\.(?:pcap|pcapng|cap|dmp))(\d+)$/.exec(name);
  if (tcpdumpC) return tcpdumpC[1];
  return null;
}

/** Assign every input to a capture point and order pieces of a point by their first packet. */
export function planInputs(paths: string[], explicit: Map<string, string>): PlannedInput[] {
  const byBase = new Map<string, string[]>();
  for (const p of paths) {
    if (explicit.has(p) || p === '-') continue;
    const base = rotationBase(p) ?? basename(p);
    byBase.set(base, [...(byBase.get(base) ?? []), p]);
  }
  const pointOf = (p: string): string => {
    const named = explicit.get(p);
    if (named !== undefined) return named;
    if (p === '-') return 'stdin';
    const base = rotationBase(p) ?? basename(p);
    // A lone file keeps its own name as its point, even when it looks rotated.
    return (byBase.get(base)?.length ?? 0) > 1 ? base : basename(p);
  };
  const planned = paths.map((path, i) => ({ path, point: pointOf(path), order: i, first: Number.NaN }));
  // Order within a point by first packet time (file name order as the fallback), keeping the
  // order in which points were first named on the command line.
  const pointRank = new Map<string, number>();
  for (const p of planned) if (!pointRank.has(p.point)) pointRank.set(p.point, pointRank.size);
  const sizes = new Map<string, number>();
  for (const p of planned) sizes.set(p.point, (sizes.get(p.point) ?? 0) + 1);
  for (const p of planned) if ((sizes.get(p.point) ?? 0) > 1) p.first = firstPacketTime(p.path);
  planned.sort((a, b) => (pointRank.get(a.point)! - pointRank.get(b.point)!)
    || (Number.isNaN(a.first) || Number.isNaN(b.first) ? 0 : a.first - b.first)
    || a.path.localeCompare(b.path, undefined, { numeric: true })
    || a.order - b.order);
  return planned.map(({ path, point }) => ({ path, point }));
}

/** First packet time (seconds) from the first 1 MiB of a file; NaN if unknown (gzip, unreadable). */
export function firstPacketTime(path: string): number {
  if (path === '-') return Number.NaN;
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(1 << 20);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const summary = newInputSummary(path);
    let t = Number.NaN;
    const parser = new CaptureParser(summary, 0, (f) => { if (Number.isNaN(t)) t = f.tsSec + f.tsNsec * 1e-9; });
    parser.push(buf.subarray(0, n));
    return t;
  } catch {
    return Number.NaN;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}
