/** Analyse a capture in-process and reduce the result to what a capture variant must not change. */
import { expect } from 'vitest';
import { analyzeFiles } from '../../src/analysis/analyze-files.js';
import { DEFAULT_OPTIONS } from '../../src/analysis/analyzer.js';
import type { AnalysisResult, DirectionReport, StreamReport } from '../../src/analysis/result.js';

/** Every file is one capture point named 'capture', so point names (and texts quoting them) compare equal. */
export async function analyze(...paths: string[]): Promise<AnalysisResult> {
  return analyzeFiles(paths, DEFAULT_OPTIONS, { points: new Map(paths.map((p) => [p, 'capture'])) });
}

export interface ViewOpts {
  /** Wire bytes each frame gained (+) or lost (-) in the variant: wireBytes must move by packets x delta. */
  wireDelta?: number;
  /**
   * 'full': path verdicts and evidence identical (the variant keeps both MACs);
   * 'verdict': verdict and hops identical (MACs lost: SLL keeps one, RAW/NULL none);
   * 'none': not compared (the tool that made the variant garbled the MACs).
   */
  path?: 'full' | 'verdict' | 'none';
}

function dir(d: DirectionReport, delta: number): DirectionReport {
  return { ...d, wireBytes: d.wireBytes + d.packets * delta };
}

function pathView(path: unknown, o: ViewOpts): unknown {
  if (o.path === 'full') return path;
  if (o.path === 'none') return null;
  const p = path as { verdict?: unknown; hops?: unknown } | undefined;
  return { verdict: p?.verdict, hops: p?.hops };
}

function stream(s: StreamReport, o: ViewOpts): unknown {
  const { path, ...rest } = s;
  return {
    ...rest,
    clientToServer: dir(s.clientToServer, o.wireDelta ?? 0),
    serverToClient: dir(s.serverToClient, o.wireDelta ?? 0),
    path: pathView(path, o),
  };
}

/**
 * The parts of a result a capture variant must reproduce exactly: every stream (ids, endpoints,
 * flags, frame numbers, times, packets, IP and payload bytes, retransmissions), every migration
 * (throughput, series) and the input's packet classification. wireBytes of `expected` are shifted
 * by the variant's per-frame header change.
 */
export function view(r: AnalysisResult, o: ViewOpts = {}): unknown {
  return {
    streams: r.streams.map((s) => stream(s, o)),
    migrations: r.migrations.map(({ path, ...m }) => ({ ...m, path: pathView(path, o) })),
    inputs: r.inputs.map((i) => ({
      packets: i.packets, vmotionPackets: i.vmotionPackets, nfcPackets: i.nfcPackets, otherPackets: i.otherPackets,
      firstPacketTime: i.firstPacketTime, lastPacketTime: i.lastPacketTime, point: i.point,
    })),
  };
}

/** Asserts the variant analyses like the Ethernet original (wireBytes moved by `wireDelta` per frame). */
export function expectSameAnalysis(variant: AnalysisResult, original: AnalysisResult, o: ViewOpts = {}): void {
  expect(original.streams.length).toBeGreaterThan(0);
  expect(original.migrations.length).toBeGreaterThan(0);
  expect(variant.inputs.every((i) => !i.failed && i.error === null)).toBe(true);
  expect(view(variant, { ...o, wireDelta: 0 })).toEqual(view(original, o));
}
