/**
 * The analysis thread reads most records of a decode worker in place (src/analysis/record-fast-path.ts)
 * instead of unpacking them for Analyzer.onDecoded. Here the worker's records are made as the
 * worker makes them (the native packer with its flow table, TypeScript for the frames it hands
 * back) and analysed both ways; the results must be identical, and the fast path must really have
 * carried the bulk of each capture. The CLI-level check (worker thread, ring) is test/cli/threads.test.ts.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Analyzer, DEFAULT_OPTIONS } from '../../src/analysis/analyzer.js';
import { buildResult } from '../../src/analysis/build-result.js';
import { RecordFastPath } from '../../src/analysis/record-fast-path.js';
import { attachStandardAnalyses } from '../../src/analysis/standard-analyses.js';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import { DESCRIPTOR_SLOTS, describeFrame, nativePacker, nativeTakes, newFlowTable } from '../../src/decode/native-packer.js';
import { FrameUnpacker, RecordPacker, W_SIZE, recordViews, type RecordViews } from '../../src/decode/packed-frame.js';
import { DecodedPacket } from '../../src/decode/packet.js';
import { newInputSummary, type InputSummary } from '../../src/source/capture-source.js';
import { newFrame } from '../../src/source/frame.js';
import { readCapture } from '../../src/source/read-capture.js';
import type { Frame } from '../../src/source/frame.js';
import { ethernet, frameOf, ipv4, ipv6, opt, tcp } from '../decode/helpers/build.js';

const CAPTURES = fileURLToPath(new URL('../../captures/', import.meta.url));
/** Sample captures whose TCP streams never carry payload (captures/README.md). */
const HANDSHAKE_ONLY = ['lab-refused.pcap', 'lab-silent.pcap'];
const pack = nativePacker();
if (pack === null) {
  if (process.env.CI) throw new Error('the native addon (build/Release/vma_pcap.node) must be built in CI: npm run build:native');
  console.warn('skipping the record fast path tests: the native addon is not built (npm run build:native; needs libpcap-dev)');
}

/** One input's records as its decode worker writes them, and what its reader said. */
interface Recorded { views: RecordViews; buffer: ArrayBuffer; end: number; summary: InputSummary; nativeRecords: number }

/** Records of frames as a decode worker writes them: the native packer's where it takes the frame. */
class WorkerRecords {
  readonly buffer = new ArrayBuffer(64 * 1024 * 1024);
  readonly views = recordViews(this.buffer);
  private readonly flows = newFlowTable();
  private readonly desc = new Float64Array(DESCRIPTOR_SLOTS);
  private readonly out = new Int32Array(2);
  private readonly pkt = new DecodedPacket();
  private readonly packer = new RecordPacker();
  end = 0;
  nativeRecords = 0;

  add(frame: Frame): void {
    const pkt = this.pkt;
    decodeFrame(frame, pkt);
    if (nativeTakes(frame, pkt)) {
      describeFrame(frame, this.desc, 0);
      pack!(frame.data, this.desc, 0, 1, this.views.u8, this.end, 4096, this.out, this.flows);
      expect(this.out[0]).toBe(1);
      this.end += this.out[1];
      this.nativeRecords++;
      return;
    }
    const size = this.packer.measure(frame, pkt);
    this.packer.write(frame, pkt, this.views, this.end);
    this.end += size;
  }
}

async function record(path: string): Promise<Recorded> {
  const w = new WorkerRecords();
  const summary = await readCapture(path, (frame) => w.add(frame), { inputIndex: 0 });
  return { views: w.views, buffer: w.buffer, end: w.end, summary, nativeRecords: w.nativeRecords };
}

/** Analyse the inputs' records, through the fast path or not; the result as JSON, and how many records it took. */
function analyse(paths: string[], inputs: Recorded[], fast: boolean): { json: string; taken: number } {
  const a = new Analyzer(DEFAULT_OPTIONS);
  const enrichers = attachStandardAnalyses(a);
  let taken = 0;
  inputs.forEach((r, i) => {
    const index = a.addInput({ path: paths[i], point: 'p', sha256: null, sizeBytes: null });
    const path = new RecordFastPath(a, index, r.views);
    const unpacker = new FrameUnpacker(Buffer.from(r.buffer), index);
    const frame = newFrame();
    frame.inputIndex = index;
    const pkt = new DecodedPacket();
    for (let at = 0; at < r.end; at += r.views.i32[(at >> 2) + W_SIZE]) {
      if (fast && path.take(r.views, at)) continue;
      unpacker.unpack(r.views, at, frame, pkt);
      a.onDecoded(frame, pkt);
    }
    path.end();
    a.finishInput(index, r.summary);
    taken += path.taken;
  });
  return { json: JSON.stringify(buildResult(a, enrichers)), taken };
}

describe.skipIf(pack === null)('record fast path', () => {
  const files = readdirSync(CAPTURES).filter((f) => /\.pcap(ng)?$/.test(f));

  it.each(files)('%s: the same analysis, most records read in place', async (name) => {
    const path = join(CAPTURES, name);
    const r = await record(path);
    const slow = analyse([path], [r], false);
    const fast = analyse([path], [r], true);
    expect(slow.taken).toBe(0);
    expect(fast.json).toBe(slow.json);
    if (HANDSHAKE_ONLY.includes(name)) {
      // SYNs, and packets of streams still waiting to prove real (deferred): all unpacked.
      expect(fast.taken).toBe(0);
    } else {
      // Every native record but a stream's first packets (SYNs, the deferred handshake, a cache miss).
      expect(fast.taken).toBeGreaterThan(0.5 * r.nativeRecords);
      expect(fast.taken).toBeLessThanOrEqual(r.nativeRecords);
    }
  });

  it('two inputs at one capture point continue the same streams (flow slots are per input)', async () => {
    const names = ['lab-l2.pcap', 'lab-lossy.pcap'].map((n) => join(CAPTURES, n));
    const recs = await Promise.all(names.map(record));
    const twice = [names[0], names[0], names[1]];
    const inputs = [recs[0], recs[0], recs[1]];
    const slow = analyse(twice, inputs, false);
    const fast = analyse(twice, inputs, true);
    expect(fast.json).toBe(slow.json);
    expect(fast.taken).toBeGreaterThan(0);
  });
});

/** One generated TCP frame: which connection, which way, what it says. */
interface GenFrame {
  conn: number; reverse: boolean; flags: number; seq: number; ack: number; payload: number; captured: number;
  ttl: number; mac: number; iface: number; gapUs: number; window: number; options: number;
}
const CONNS = [
  { v6: false, client: '10.0.0.1', server: '10.0.0.2', sport: 40000, dport: 8000 },
  { v6: false, client: '10.0.0.1', server: '10.0.0.2', sport: 40001, dport: 8000 },
  { v6: false, client: '10.0.0.3', server: '10.0.0.2', sport: 40000, dport: 902 },
  { v6: false, client: '10.0.0.1', server: '10.0.0.2', sport: 40002, dport: 443 },
  { v6: true, client: 'fd00::1', server: 'fd00::2', sport: 40000, dport: 8000 },
];
const FLAGS = [0x02, 0x12, 0x10, 0x18, 0x11, 0x14, 0x04, 0x10];
const MACS = ['00:50:56:aa:00:01', '00:50:56:aa:00:02', '00:0c:29:00:00:03'];

function genFrames(): fc.Arbitrary<GenFrame[]> {
  const frame = fc.record({
    conn: fc.integer({ min: 0, max: CONNS.length - 1 }), reverse: fc.boolean(),
    // Mostly data and ACKs (the bulk of a migration), some of every other kind.
    flags: fc.oneof({ arbitrary: fc.constantFrom(0x10, 0x18), weight: 8 }, { arbitrary: fc.constantFrom(...FLAGS), weight: 2 },
      { arbitrary: fc.integer({ min: 0, max: 255 }), weight: 1 }),
    seq: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 0xffffffff })), ack: fc.integer({ min: 0, max: 0xffffffff }),
    payload: fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.integer({ min: 1, max: 9000 }), weight: 2 }),
    captured: fc.integer({ min: 0, max: 64 }),
    ttl: fc.constantFrom(64, 63, 62), mac: fc.integer({ min: 0, max: MACS.length - 1 }), iface: fc.constantFrom(0, 0, 0, 1),
    gapUs: fc.integer({ min: 0, max: 300_000 }), window: fc.integer({ min: 0, max: 65535 }), options: fc.integer({ min: 0, max: 3 }),
  });
  return fc.array(frame, { minLength: 1, maxLength: 300, size: 'large' });
}

/** The generated frames as the reader would deliver them (lengths from the IP header, bytes cut at `captured`). */
function* framesOf(gen: GenFrame[]): Generator<Frame> {
  let us = 0;
  for (let i = 0; i < gen.length; i++) {
    const g = gen[i];
    const c = CONNS[g.conn];
    const [src, dst] = g.reverse ? [c.server, c.client] : [c.client, c.server];
    const [sport, dport] = g.reverse ? [c.dport, c.sport] : [c.sport, c.dport];
    const options = [Buffer.alloc(0), opt.mss(1460), Buffer.concat([opt.nop(), opt.ws(7), opt.sackPerm(), opt.nop()]),
      Buffer.concat([opt.nop(), opt.nop(), opt.ts(i, i + 1)])][g.options];
    const seg = tcp({ sport, dport, seq: g.seq, ack: g.ack, flags: g.flags, window: g.window, options }, Buffer.alloc(Math.min(g.payload, g.captured)));
    const l3 = c.v6 ? ipv6({ src, dst, hopLimit: g.ttl, nextHeader: 6, payloadLength: seg.length - Math.min(g.payload, g.captured) + g.payload }, seg)
      : ipv4({ src, dst, ttl: g.ttl, protocol: 6, df: true, totalLength: 20 + seg.length - Math.min(g.payload, g.captured) + g.payload }, seg);
    const bytes = ethernet({ src: MACS[g.mac], type: c.v6 ? 0x86dd : 0x0800 }, l3);
    const f = frameOf(bytes, { originalLength: bytes.length - Math.min(g.payload, g.captured) + g.payload });
    us += g.gapUs;
    f.tsSec = 1_700_000_000 + Math.floor(us / 1e6);
    f.tsNsec = (us % 1e6) * 1000;
    f.frameNumber = i + 1;
    f.fileOffset = 24 + i * 100;
    f.interfaceId = g.iface;
    yield f;
  }
}

describe.skipIf(pack === null)('record fast path on generated traffic', () => {
  it('the same analysis as unpacking every record: handshakes, port reuse, resets, two interfaces, IPv6, NFC and other ports', () => {
    let taken = 0;
    fc.assert(fc.property(genFrames(), (gen) => {
      const w = new WorkerRecords();
      let packets = 0;
      for (const f of framesOf(gen)) { w.add(f); packets++; }
      const summary = { ...newSummaryLike(packets) };
      const r: Recorded = { views: w.views, buffer: w.buffer, end: w.end, summary, nativeRecords: w.nativeRecords };
      const slow = analyse(['gen'], [r], false);
      const fast = analyse(['gen'], [r], true);
      expect(fast.json).toBe(slow.json);
      taken += fast.taken;
    }), { numRuns: 150 });
    // The generator must actually exercise the fast path.
    expect(taken).toBeGreaterThan(1000);
  });
});

/** A reader's summary for generated frames (the analysis only copies it into the report). */
function newSummaryLike(packets: number): InputSummary {
  return { ...newInputSummary('gen'), packets };
}
