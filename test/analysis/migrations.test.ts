import { describe, expect, it } from 'vitest';
import { groupMigrations, type StreamHosts } from '../../src/analysis/migrations.js';
import { Stream } from '../../src/streams/stream.js';

let nextId = 1;
function stream(opts: { first: number; last: number; c2s: number; s2c: number; point?: number }): Stream {
  const s = new Stream(nextId++, 1, opts.point ?? 0, 0);
  s.firstT = opts.first; s.lastT = opts.last;
  s.dirs[0].seq.onData(1, opts.c2s || 0); if (!opts.c2s) s.dirs[0].seq.highAbs = 0;
  s.dirs[1].seq.onData(1, opts.s2c || 0); if (!opts.s2c) s.dirs[1].seq.highAbs = 0;
  return s;
}
const MB = 1 << 20;
const sh = (s: Stream, client: string, server: string): StreamHosts => ({ stream: s, clientHost: client, serverHost: server });

describe('groupMigrations', () => {
  it('orients by bulk bytes, not by who opened the stream, and attaches control streams', () => {
    const mem = stream({ first: 0, last: 10, c2s: 0, s2c: 500 * MB }); // opened by the destination B, data flows A->B
    const ctl = stream({ first: 0.1, last: 9, c2s: 10_000, s2c: 40_000 });
    const g = groupMigrations([sh(mem, 'B', 'A'), sh(ctl, 'A', 'B')], 1);
    expect(g).toHaveLength(1);
    expect(g[0].sourceHost).toBe('A');
    expect(g[0].destinationHost).toBe('B');
    expect(g[0].members.map((m) => [m.stream.id, m.forwardDir])).toEqual([[mem.id, 1], [ctl.id, 0]]);
  });

  it('splits migrations separated by more than the gap, joins those within it', () => {
    const a = stream({ first: 0, last: 5, c2s: 100 * MB, s2c: 0 });
    const b = stream({ first: 5.5, last: 9, c2s: 100 * MB, s2c: 0 });
    const c = stream({ first: 20, last: 25, c2s: 100 * MB, s2c: 0 });
    const g = groupMigrations([sh(a, 'A', 'B'), sh(b, 'A', 'B'), sh(c, 'A', 'B')], 1);
    expect(g.map((m) => m.members.map((x) => x.stream.id))).toEqual([[a.id, b.id], [c.id]]);
  });

  it('keeps opposite directions between the same hosts apart (two VMs swapping hosts)', () => {
    const ab = stream({ first: 0, last: 5, c2s: 100 * MB, s2c: 0 });
    const ba = stream({ first: 1, last: 6, c2s: 100 * MB, s2c: 0 });
    const g = groupMigrations([sh(ab, 'A', 'B'), sh(ba, 'B', 'A')], 1);
    expect(g.map((m) => `${m.sourceHost}>${m.destinationHost}`)).toEqual(['A>B', 'B>A']);
  });

  it('keeps capture points apart and makes a zero-byte attempt its own migration', () => {
    const p0 = stream({ first: 0, last: 5, c2s: 100 * MB, s2c: 0, point: 0 });
    const p1 = stream({ first: 0, last: 5, c2s: 100 * MB, s2c: 0, point: 1 });
    const syn = stream({ first: 100, last: 103, c2s: 0, s2c: 0 });
    const g = groupMigrations([sh(p0, 'A', 'B'), sh(p1, 'A', 'B'), sh(syn, 'A', 'B')], 1);
    expect(g).toHaveLength(3);
    expect(g[2].members[0].stream.id).toBe(syn.id);
    expect(g[2].sourceHost).toBe('A');
  });
});
