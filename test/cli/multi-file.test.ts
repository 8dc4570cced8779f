import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rotationBase, parsePointSpecs } from '../../src/analysis/capture-points.js';
import { CAPTURES, runCli, runJson, tool } from '../helpers/cli.js';

const L2 = join(CAPTURES, 'lab-l2.pcap');

/**
 * The parts of a report that must not depend on how the capture was split into files: frame
 * references become positions in the whole capture, point names a placeholder.
 */
function essence(r: any) {
  const offsets: number[] = [];
  r.inputs.reduce((a: number, i: any) => { offsets.push(a); return a + i.packets; }, 0);
  const global = (v: any): any => {
    if (Array.isArray(v)) return v.map(global);
    if (v && typeof v === 'object') {
      const keys = Object.keys(v);
      if (keys.length === 2 && 'input' in v && 'frame' in v) return { frame: offsets[v.input] + v.frame };
      return Object.fromEntries(keys.map((k) => [k, global(v[k])]));
    }
    return v;
  };
  r = JSON.parse(JSON.stringify(global(r)).split(r.inputs[0].point).join('POINT'));
  return {
    migrations: r.migrations,
    streams: r.streams,
    findings: r.findings,
    packets: r.inputs.reduce((a: number, i: any) => a + i.packets, 0),
  };
}

describe('several input files', () => {
  it('stitches a capture split into ten pieces (editcap -c) back into the same report, in time order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vma-split-'));
    const packets = Number(tool('capinfos', ['-T', '-r', '-c', L2]).trim().split('\t')[1]);
    tool('editcap', ['-c', String(Math.ceil(packets / 10)), L2, join(dir, 'piece.pcap')]);
    const pieces = readdirSync(dir).map((f) => join(dir, f));
    expect(pieces).toHaveLength(10);
    const whole = runJson(['analyze', L2]).result;
    // Given in reverse order on purpose: pieces are ordered by their first packet.
    const split = runJson(['analyze', ...pieces.slice().reverse()]).result;
    expect(new Set(split.inputs.map((i: any) => i.point))).toEqual(new Set(['piece.pcap']));
    expect(split.inputs.map((i: any) => i.path)).toEqual(pieces.slice().sort());
    expect(essence(split)).toEqual(essence(whole));
  });

  it('keeps separate capture points as separate observations (--point)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vma-points-'));
    const a = join(dir, 'esx-a.pcap'); const b = join(dir, 'esx-b.pcap');
    copyFileSync(L2, a); copyFileSync(L2, b);
    const r = runJson(['analyze', a, b, '--point', `host-a=${a}`, '--point', `host-b=${b}`]).result;
    const whole = runJson(['analyze', L2]).result;
    expect(r.inputs.map((i: any) => i.point)).toEqual(['host-a', 'host-b']);
    expect(r.streams).toHaveLength(2 * whole.streams.length);
    expect(r.migrations).toHaveLength(2 * whole.migrations.length);
    expect(new Set(r.migrations.map((m: any) => m.point))).toEqual(new Set(['host-a', 'host-b']));
    // Same bytes at each point: nothing counted twice.
    expect(r.migrations.filter((m: any) => m.point === 'host-a').map((m: any) => m.payloadBytes))
      .toEqual(whole.migrations.map((m: any) => m.payloadBytes));
  });

  it('makes each busy interface of a pcapng its own capture point, also when gzip or stdin hides the interfaces up front', () => {
    const legs = join(CAPTURES, 'lab-router-legs.pcapng');
    const plain = runJson(['analyze', legs]).result;
    // Both router legs: every migration seen once per leg, never one stream counted twice.
    expect(plain.migrations).toHaveLength(4);
    expect(new Set(plain.migrations.map((m: any) => m.point)).size).toBe(2);
    expect(plain.migrations.every((m: any) => m.retransmittedBytes === 0)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'vma-legs-'));
    const gz = join(dir, 'legs.pcapng.gz');
    writeFileSync(gz, gzipSync(readFileSync(legs)));
    for (const r of [runJson(['analyze', gz]).result, JSON.parse(runCli(['analyze', '-', '-f', 'json'], { input: readFileSync(legs) }).stdout)]) {
      expect(r.migrations).toHaveLength(4);
      expect(r.migrations.map((m: any) => m.payloadBytes)).toEqual(plain.migrations.map((m: any) => m.payloadBytes));
      expect(r.migrations.every((m: any) => m.retransmittedBytes === 0)).toBe(true);
    }
  });

  it('recognises rotation names and rejects bad --point specs', () => {
    expect(rotationBase('/x/cap_00003_20261126112233.pcapng')).toBe('cap.pcapng');
    expect(rotationBase('dump.pcap12')).toBe('dump.pcap');
    expect(rotationBase('esx-a.pcap')).toBeNull();
    expect(() => parsePointSpecs(['novalue'])).toThrow(/NAME=FILE/);
    expect(() => parsePointSpecs(['a=x.pcap', 'b=x.pcap'])).toThrow(/both a and b/);
  });
});
