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
export interface PlannedInput {
  path: string;
  point: string;
  /**
   * For a file whose interfaces are separate capture points (a pcapng with both router legs, or a
   * mergecap of two hosts' captures): the point name of each interface id; null for one interface.
   */
  interfacePoints: string[] | null;
}

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
  const planned = paths.map((path, i) => {
    const peek = peekCapture(path);
    return { path, point: pointOf(path), order: i, first: peek.firstTime, interfaces: peek.interfaceNames, busy: peek.interfacesWithPackets };
  });
  // Order within a point by first packet time (file name order as the fallback), keeping the
  // order in which points were first named on the command line.
  const pointRank = new Map<string, number>();
  for (const p of planned) if (!pointRank.has(p.point)) pointRank.set(p.point, pointRank.size);
  const sizes = new Map<string, number>();
  for (const p of planned) sizes.set(p.point, (sizes.get(p.point) ?? 0) + 1);
  planned.sort((a, b) => (pointRank.get(a.point)! - pointRank.get(b.point)!)
    || (Number.isNaN(a.first) || Number.isNaN(b.first) ? 0 : a.first - b.first)
    || a.path.localeCompare(b.path, undefined, { numeric: true })
    || a.order - b.order);
  // Interfaces are separate points only when several of them carry packets: files split per
  // interface by tshark or editcap keep every interface declaration but use one.
  return planned.map(({ path, point, interfaces, busy }) => ({
    path, point, interfacePoints: busy > 1 ? interfacePointNames(point, interfaces) : null,
  }));
}

/** `file.pcapng/lsrc`, `file.pcapng/ldst`; ids stand in for missing or repeated interface names. */
export function interfacePointNames(point: string, names: Array<string | null>): string[] {
  const seen = new Map<string, number>();
  for (const n of names) if (n) seen.set(n, (seen.get(n) ?? 0) + 1);
  return names.map((n, id) => `${point}/${n && seen.get(n) === 1 ? n : `if${id}`}`);
}

/**
 * First packet time (seconds) and the interfaces declared in the first 1 MiB of a file (pcapng
 * declares them up front); NaN and none when unknown (gzip, stdin, unreadable).
 */
export function peekCapture(path: string): { firstTime: number; interfaceNames: Array<string | null>; interfacesWithPackets: number } {
  const none = { firstTime: Number.NaN, interfaceNames: [], interfacesWithPackets: 0 };
  if (path === '-') return none;
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(1 << 20);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const summary = newInputSummary(path);
    let t = Number.NaN;
    const used = new Set<number>();
    const parser = new CaptureParser(summary, 0, (f) => {
      if (Number.isNaN(t)) t = f.tsSec + f.tsNsec * 1e-9;
      used.add(f.interfaceId);
    });
    parser.push(buf.subarray(0, n));
    return { firstTime: t, interfaceNames: summary.interfaces.map((i) => i.name), interfacesWithPackets: used.size };
  } catch {
    return none;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}
