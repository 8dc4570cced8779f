import type { Stream } from '../streams/stream.js';

/**
 * Groups vMotion streams into migrations.
 *
 * A migration carries one VM's memory from a source host to a destination host over several
 * streams (several per vmknic pair since 7.0 U2, over several vmknic pairs with multi-NIC).
 * Rules, in order:
 * 1. A stream is a *carrier* when its larger direction sent at least CARRIER_MIN_BYTES and at
 *    least CARRIER_RATIO times the other direction. Its bulk direction gives source and
 *    destination: never who sent the SYN (the destination opens streams too).
 * 2. Carriers of the same (source host, destination host, capture point) whose activity overlaps
 *    or starts within `gap` seconds of the group's end form one migration.
 * 3. Every other stream (control, handshake-only, failed attempts) joins the migration of the
 *    same host pair (either direction) that overlaps it in time (within `gap`), the largest
 *    overlap winning; streams that overlap none are grouped among themselves by host pair and
 *    time, oriented by their payload (or from client to server when they carried none).
 */
export const CARRIER_MIN_BYTES = 256 * 1024;
export const CARRIER_RATIO = 4;

export interface StreamHosts {
  stream: Stream;
  clientHost: string;
  serverHost: string;
}

export interface MigrationMember {
  stream: Stream;
  /** The stream direction that flows source -> destination (0: client->server). */
  forwardDir: number;
}

export interface MigrationGroup {
  point: number;
  sourceHost: string;
  destinationHost: string;
  members: MigrationMember[];
  startT: number;
  endT: number;
}

export function groupMigrations(streams: StreamHosts[], gapSeconds: number): MigrationGroup[] {
  const groups: MigrationGroup[] = [];
  const carriers: Array<StreamHosts & { dir: number }> = [];
  const others: StreamHosts[] = [];
  for (const sh of streams) {
    const dir = carrierDirection(sh.stream);
    if (dir >= 0) carriers.push({ ...sh, dir }); else others.push(sh);
  }
  carriers.sort((a, b) => a.stream.firstT - b.stream.firstT);
  const open = new Map<string, MigrationGroup>();
  for (const c of carriers) {
    const src = c.dir === 0 ? c.clientHost : c.serverHost;
    const dst = c.dir === 0 ? c.serverHost : c.clientHost;
    const key = `${c.stream.point}\u0000${src}\u0000${dst}`;
    let g = open.get(key);
    if (g === undefined || c.stream.firstT > g.endT + gapSeconds) {
      g = { point: c.stream.point, sourceHost: src, destinationHost: dst, members: [], startT: c.stream.firstT, endT: c.stream.lastT };
      groups.push(g);
      open.set(key, g);
    }
    g.members.push({ stream: c.stream, forwardDir: c.dir });
    g.endT = Math.max(g.endT, c.stream.lastT);
  }

  // Non-carriers: attach to an overlapping migration of the same host pair. Groups are indexed by
  // point and unordered host pair so a capture with thousands of handshake-only streams stays linear.
  const byPair = new Map<string, MigrationGroup[]>();
  for (const g of groups) {
    const key = pairKey(g.point, g.sourceHost, g.destinationHost);
    const list = byPair.get(key);
    if (list === undefined) byPair.set(key, [g]); else list.push(g);
  }
  const leftovers: StreamHosts[] = [];
  for (const o of others) {
    const s = o.stream;
    let best: MigrationGroup | null = null;
    let bestOverlap = -Infinity;
    for (const g of byPair.get(pairKey(s.point, o.clientHost, o.serverHost)) ?? []) {
      const overlap = Math.min(g.endT + gapSeconds, s.lastT) - Math.max(g.startT - gapSeconds, s.firstT);
      if (overlap >= 0 && overlap > bestOverlap) { best = g; bestOverlap = overlap; }
    }
    if (best !== null) {
      best.members.push({ stream: s, forwardDir: best.sourceHost === o.clientHost ? 0 : 1 });
      best.startT = Math.min(best.startT, s.firstT);
      best.endT = Math.max(best.endT, s.lastT);
    } else leftovers.push(o);
  }

  // Leftovers among themselves: by unordered host pair, in time.
  leftovers.sort((a, b) => a.stream.firstT - b.stream.firstT);
  const pending = new Map<string, MigrationGroup>();
  for (const o of leftovers) {
    const s = o.stream;
    const key = pairKey(s.point, o.clientHost, o.serverHost);
    let g = pending.get(key);
    if (g === undefined || s.firstT > g.endT + gapSeconds) {
      g = { point: s.point, sourceHost: '', destinationHost: '', members: [], startT: s.firstT, endT: s.lastT };
      pending.set(key, g);
      groups.push(g);
    }
    g.members.push({ stream: s, forwardDir: 0 });
    g.endT = Math.max(g.endT, s.lastT);
  }
  const hostsOf = new Map<Stream, StreamHosts>();
  for (const sh of leftovers) hostsOf.set(sh.stream, sh);
  for (const g of pending.values()) orientLeftoverGroup(g, hostsOf);

  for (const g of groups) g.members.sort((a, b) => a.stream.id - b.stream.id);
  groups.sort((a, b) => a.startT - b.startT || a.members[0].stream.id - b.members[0].stream.id);
  return groups;
}

/** Direction (0/1) in which a stream carried bulk payload, or -1 when it is not a carrier. */
export function carrierDirection(s: Stream): number {
  const c2s = s.dirs[0].seq.uniqueBytes;
  const s2c = s.dirs[1].seq.uniqueBytes;
  if (c2s >= CARRIER_MIN_BYTES && c2s >= CARRIER_RATIO * s2c) return 0;
  if (s2c >= CARRIER_MIN_BYTES && s2c >= CARRIER_RATIO * c2s) return 1;
  return -1;
}

function pairKey(point: number, a: string, b: string): string {
  return a < b ? `${point}\u0000${a}\u0000${b}` : `${point}\u0000${b}\u0000${a}`;
}

/** Orient a group of non-carrier streams by which host sent more payload (client side on a tie). */
function orientLeftoverGroup(g: MigrationGroup, hostsOf: Map<Stream, StreamHosts>): void {
  const sent = new Map<string, number>();
  const first = hostsOf.get(g.members[0].stream)!;
  for (const m of g.members) {
    const sh = hostsOf.get(m.stream)!;
    sent.set(sh.clientHost, (sent.get(sh.clientHost) ?? 0) + m.stream.dirs[0].seq.uniqueBytes);
    sent.set(sh.serverHost, (sent.get(sh.serverHost) ?? 0) + m.stream.dirs[1].seq.uniqueBytes);
  }
  const a = first.clientHost;
  const b = first.serverHost;
  const src = (sent.get(b) ?? 0) > (sent.get(a) ?? 0) ? b : a;
  g.sourceHost = src;
  g.destinationHost = src === a ? b : a;
  for (const m of g.members) m.forwardDir = hostsOf.get(m.stream)!.clientHost === src ? 0 : 1;
}
