/**
 * The native TCP health pass (native/tcp-health.cc via native-health-observer.ts) against the
 * TypeScript observer, the reference: the same flags on every frame and the same state on every
 * stream of every capture, in process; and byte-identical analyses from the CLI, with the packets
 * handed over as fields (one thread) and as records read in place from the decode worker's ring.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Analyzer, DEFAULT_OPTIONS } from '../../src/analysis/analyzer.js';
import { attachStandardAnalyses } from '../../src/analysis/standard-analyses.js';
import { StreamHealth } from '../../src/analysis/health/direction-health.js';
import { NativeHealthObserver, layoutMismatch, nativeHealthEngine } from '../../src/analysis/health/native-health-observer.js';
import { TcpHealthObserver, type HealthObserver } from '../../src/analysis/health/tcp-health-observer.js';
import { DecodedPacket, TCP_ACK, TCP_SYN } from '../../src/decode/packet.js';
import { FrameList } from '../../src/analysis/health/frame-list.js';
import { IntervalSeries } from '../../src/streams/interval-series.js';
import { RttHistogram } from '../../src/analysis/health/rtt-histogram.js';
import { newFrame } from '../../src/source/frame.js';
import { readCapture } from '../../src/source/read-capture.js';
import { RunClock } from '../../src/streams/run-clock.js';
import { Stream, KIND_VMOTION } from '../../src/streams/stream.js';
import { CAPTURES, ROOT, runCli } from '../helpers/cli.js';
import fc from 'fast-check';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import { DESCRIPTOR_SLOTS, describeFrame, nativePacker, nativeTakes, newFlowTable } from '../../src/decode/native-packer.js';
import { FrameUnpacker, recordViews } from '../../src/decode/packed-frame.js';
import { ethernet, frameOf, ipv4, opt, tcp } from '../decode/helpers/build.js';

const engine = nativeHealthEngine();
if (engine === null) {
  if (process.env.CI) throw new Error('the native addon (HealthEngine) is required in CI: npm run build:native');
  console.warn('skipping native health tests: the addon is not built (npm run build:native)');
}
const captures = readdirSync(CAPTURES).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(CAPTURES, f));
const FIXTURES = join(ROOT, 'test', 'fuzz', 'fixtures');
let dir = '';
let generated = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vma-native-health-'));
  generated = join(dir, 'gen.pcap');
  const g = spawnSync(process.execPath, [join(ROOT, 'bench', 'gen-capture.mjs'), '--packets', '300k', '--seed', '7', '-o', generated], { encoding: 'utf8' });
  if (g.status !== 0) throw new Error(g.stderr);
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

/** Everything a report could read of a stream's health, as plain data. */
function plain(sh: StreamHealth | null): unknown {
  if (sh === null) return null;
  const value = (v: unknown): unknown => {
    if (v instanceof FrameList) return v.toRefs();
    if (v instanceof RttHistogram) return { count: v.count, min: v.min, max: v.max, sum: v.sum, median: v.median() };
    if (v instanceof IntervalSeries) return { base: v.base, length: v.length, data: Array.from(v.data.subarray(0, v.length)), dropped: v.droppedBytes };
    return v;
  };
  const dirs = sh.dirs.map((d) => {
    const o: Record<string, unknown> = { nextSeq: d.nextSeq, maxSeqToBeAcked: d.maxSeqToBeAcked, lastAck: d.lastAck, dscp: d.dscpValues };
    // The RTT ring's buffers are working state the native pass keeps to itself (ringHead/ringLen are compared).
    for (const [k, v] of Object.entries(d)) if (k !== 'ringEnd' && k !== 'ringT' && k !== 'seqs') o[k] = value(v);
    return o;
  });
  return { ...sh, dirs };
}

/** One capture through an Analyzer whose only stream observer is `observer`. */
async function analyse(file: string, make: (clock: RunClock) => HealthObserver): Promise<{ flags: string[]; states: unknown[] }> {
  const analyzer = new Analyzer({ ...DEFAULT_OPTIONS });
  const observer = make(analyzer.clock);
  analyzer.tracker.observers.push(observer);
  const flags: string[] = [];
  observer.trace = (input, frame, a) => flags.push(`${input}:${frame}:${a.toString(16)}`);
  const idx = analyzer.addInput({ path: file, point: 'p', sha256: null, sizeBytes: null });
  await readCapture(file, analyzer.onFrame, { inputIndex: idx });
  analyzer.tracker.settle();
  const states = analyzer.tracker.table.streams.map((s) => plain(observer.stateOf(s)));
  return { flags, states };
}

function report(files: string[], threads: number, nativeHealth: boolean): string {
  const r = runCli(['analyze', ...files, '-f', 'json', '--no-progress', '--threads', String(threads)], nativeHealth ? {} : { env: { VMA_NATIVE_HEALTH: '0' } });
  expect(r.stdout.length, r.stderr).toBeGreaterThan(0);
  return `exit ${r.code}\n${r.stdout}`;
}

describe.skipIf(engine === null)('native TCP health pass', () => {
  it('an addon built from other sources (another state layout) is refused, naming both layouts', () => {
    const layout = new engine!().layout();
    expect(layoutMismatch(layout)).toBeNull();
    expect(layoutMismatch([layout[0] - 1, layout[1] - 1, layout[2] - 2, layout[3]])).toMatch(new RegExp(`exports ${layout[0] - 1} fields per direction, this build reads ${layout[0]}`));
    class Stale { run(): void {} read(): boolean { return false; } layout(): number[] { return [layout[0] + 1, layout[1], layout[2], layout[3]]; } }
    expect(() => new NativeHealthObserver(0, new RunClock(1), Stale as never)).toThrow(/rebuild the addon/);
  });

  it('is what a run uses when the addon is built', () => {
    const analyzer = new Analyzer({ ...DEFAULT_OPTIONS });
    attachStandardAnalyses(analyzer);
    expect(analyzer.tracker.observers.some((o) => o instanceof NativeHealthObserver)).toBe(true);
  });

  it.each([...captures.map((c) => [c.split('/').pop()!, c]), ['generated 300 k packets with loss', '']])(
    '%s: the same flags on every frame and the same state on every stream as the TypeScript pass', async (_name, path) => {
      const file = path || generated;
      const ts = await analyse(file, (clock) => new TcpHealthObserver(0, clock));
      const nat = await analyse(file, (clock) => new NativeHealthObserver(0, clock, engine!));
      expect(nat.states.length).toBeGreaterThan(0);
      expect(nat.states).toEqual(ts.states);
      expect(nat.flags).toEqual(ts.flags);
    }, 60_000);

  it('the generated capture has the events worth comparing (retransmissions, dup ACKs, RTT samples)', async () => {
    const nat = await analyse(generated, (clock) => new NativeHealthObserver(0, clock, engine!));
    const all = JSON.stringify(nat.states);
    expect(nat.flags.length).toBeGreaterThan(100);
    expect(nat.flags.some((f) => (parseInt(f.split(':')[2], 16) & 0x001) !== 0)).toBe(true); // a retransmission
    expect(nat.flags.some((f) => (parseInt(f.split(':')[2], 16) & 0x040) !== 0)).toBe(true); // a duplicate ACK
    expect(all).toMatch(/"retransBytesSeries":\{"base"/);
    expect(all).toMatch(/"rtt":\{"count":[1-9]/);
  }, 60_000);

  it('a stream that takes the id of a collected one starts from a fresh state', () => {
    const clock = new RunClock(1);
    const nat = new NativeHealthObserver(0, clock, engine!);
    const ref = new TcpHealthObserver(0, clock);
    clock.toT(1000, 0);
    const frame = newFrame();
    const pkt = new DecodedPacket();
    const send = (obs: HealthObserver[], s: Stream[], dir: number, flags: number, seq: number, ack: number, len: number, t: number): void => {
      pkt.tcpFlags = flags; pkt.seq = seq; pkt.ack = ack; pkt.payloadLength = len; pkt.ipTotalLength = 40 + len;
      pkt.window = 1000; pkt.mss = (flags & TCP_SYN) !== 0 ? 1460 : -1; pkt.windowScale = (flags & TCP_SYN) !== 0 ? 7 : -1;
      frame.frameNumber++;
      obs.forEach((o, i) => o.onStreamPacket(s[i], dir, pkt, frame, t));
    };
    const a = new Stream(1, KIND_VMOTION, 0, 1);
    send([nat], [a], 0, TCP_SYN, 100, 0, 0, 0.1);
    send([nat], [a], 1, TCP_SYN | TCP_ACK, 5000, 101, 0, 0.2);
    send([nat], [a], 0, TCP_ACK, 101, 5001, 1000, 0.3);
    send([nat], [a], 0, TCP_ACK, 101, 5001, 1000, 0.9); // a retransmission
    expect(nat.stateOf(a)!.dirs[0].retransmissions).toBe(1);
    // The table evicted `a` and it was collected: its id is free (what the FinalizationRegistry does).
    (nat as unknown as { release(id: number): void }).release(0);
    const b = new Stream(2, KIND_VMOTION, 0, 2);
    const bRef = new Stream(2, KIND_VMOTION, 0, 2);
    send([nat, ref], [b, bRef], 0, TCP_ACK, 101, 5001, 500, 1.0); // a's sequence numbers: not a retransmission for b
    send([nat, ref], [b, bRef], 1, TCP_ACK, 5001, 601, 0, 1.1);
    expect(nat.stateOf(b)!.dirs[0].segments).toBe(1);
    expect(plain(nat.stateOf(b))).toEqual(plain(ref.stateOf(bRef)));
    expect(nat.stateOf(b)!.dirs[0].retransBytesSeries).toBeNull();
  });

  it('a packet read from its decode worker record gives the state its fields give (every field, full ranges)', () => {
    const pack = nativePacker();
    expect(pack).not.toBeNull();
    const packet = fc.record({
      reverse: fc.boolean(), flags: fc.constantFrom(0x10, 0x18, 0x02, 0x12, 0x11, 0x14, 0x04, 0x10, 0x10),
      seq: fc.oneof(fc.integer({ min: 0x7ffff000, max: 0x80001000 }), fc.integer({ min: 0, max: 0xffffffff })),
      ack: fc.oneof(fc.integer({ min: 0xfffff000, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })),
      payload: fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 2, max: 65000 })),
      window: fc.oneof(fc.constant(0), fc.integer({ min: 32768, max: 65535 }), fc.integer({ min: 0, max: 65535 })),
      dscp: fc.integer({ min: 0, max: 63 }), df: fc.boolean(), mss: fc.integer({ min: 0, max: 65535 }),
      ws: fc.integer({ min: 0, max: 16 }), sackPerm: fc.boolean(), gapUs: fc.integer({ min: 0, max: 2_000_000 }),
    });
    fc.assert(fc.property(fc.array(packet, { minLength: 1, maxLength: 60 }), (gen) => {
      const views = recordViews(new ArrayBuffer(1 << 20));
      const flows = newFlowTable();
      const desc = new Float64Array(DESCRIPTOR_SLOTS);
      const out = new Int32Array(2);
      const decoded = new DecodedPacket();
      const clock = new RunClock(1);
      const nat = new NativeHealthObserver(0, clock, engine!);
      const ref = new TcpHealthObserver(0, clock);
      const sNat = new Stream(1, KIND_VMOTION, 0, 1);
      const sRef = new Stream(1, KIND_VMOTION, 0, 1);
      const flagsNat: number[] = [];
      const flagsRef: number[] = [];
      nat.trace = (_i, _f, a) => flagsNat.push(a);
      ref.trace = (_i, _f, a) => flagsRef.push(a);
      nat.useRing(views, 0);
      const unpacker = new FrameUnpacker(Buffer.from(views.u8.buffer), 0);
      const frame = newFrame();
      const pkt = new DecodedPacket();
      let end = 0;
      let us = 0;
      gen.forEach((g, i) => {
        const syn = (g.flags & TCP_SYN) !== 0;
        const options = syn ? Buffer.concat([opt.mss(g.mss), opt.nop(), opt.ws(g.ws), g.sackPerm ? Buffer.concat([opt.sackPerm(), opt.nop(), opt.nop()]) : Buffer.from([1, 1, 1, 1])]) : Buffer.alloc(0);
        const seg = tcp({ sport: g.reverse ? 8000 : 40000, dport: g.reverse ? 40000 : 8000, seq: g.seq, ack: g.ack, flags: g.flags, window: g.window, options });
        const l3 = ipv4({ src: g.reverse ? '10.0.0.2' : '10.0.0.1', dst: g.reverse ? '10.0.0.1' : '10.0.0.2', protocol: 6, df: g.df, tos: g.dscp << 2, totalLength: 20 + seg.length + g.payload }, seg);
        const bytes = ethernet({ type: 0x0800 }, l3);
        const f = frameOf(bytes, { originalLength: bytes.length + g.payload });
        us += g.gapUs;
        f.tsSec = 1_700_000_000 + Math.floor(us / 1e6);
        f.tsNsec = (us % 1e6) * 1000;
        f.frameNumber = i + 1;
        decodeFrame(f, decoded);
        expect(nativeTakes(f, decoded)).toBe(true);
        describeFrame(f, desc, 0);
        pack!(f.data, desc, 0, 1, views.u8, end, 4096, out, flows);
        expect(out[0]).toBe(1);
        const at = end;
        end += out[1];
        unpacker.unpack(views, at, frame, pkt);
        const dir = g.reverse ? 1 : 0;
        nat.onStreamRecord(sNat, dir, at);
        ref.onStreamPacket(sRef, dir, pkt, frame, clock.toT(frame.tsSec, frame.tsNsec));
      });
      nat.useRing(null, 0);
      expect(plain(nat.stateOf(sNat))).toEqual(plain(ref.stateOf(sRef)));
      expect(flagsNat).toEqual(flagsRef);
    }), { numRuns: 300, seed: 20261126 });
  });

  it.each(captures.map((c) => [c.split('/').pop()!, c]))('%s: byte-identical analysis with the native pass (worker records, one thread) and the TypeScript one', (_name, file) => {
    const reference = report([file], 0, false);
    expect(report([file], 1, true)).toBe(reference);
    expect(report([file], 0, true)).toBe(reference);
  });

  it('all captures in one run, the generated capture, and fuzz-found hostile inputs: byte-identical', () => {
    const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.cap')).map((f) => join(FIXTURES, f));
    for (const files of [captures, [generated], fixtures]) {
      const reference = report(files, 0, false);
      expect(report(files, 1, true)).toBe(reference);
      expect(report(files, 0, true)).toBe(reference);
    }
  });
});
