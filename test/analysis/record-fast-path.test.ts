/**
 * The analysis thread reads most records of a decode worker in place (src/analysis/record-fast-path.ts)
 * instead of unpacking them for Analyzer.onDecoded. Here the worker's records are made as the
 * worker makes them (the native packer with its flow table, TypeScript for the frames it hands
 * back) and analysed both ways; the results must be identical, and the fast path must really have
 * carried the bulk of each capture. The CLI-level check (worker thread, ring) is test/cli/threads.test.ts.
 */
import { describe, expect, it } from 'vitest';
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
import type { InputSummary } from '../../src/source/capture-source.js';
import { newFrame } from '../../src/source/frame.js';
import { readCapture } from '../../src/source/read-capture.js';

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

async function record(path: string): Promise<Recorded> {
  const buffer = new ArrayBuffer(64 * 1024 * 1024);
  const views = recordViews(buffer);
  const flows = newFlowTable();
  const desc = new Float64Array(DESCRIPTOR_SLOTS);
  const out = new Int32Array(2);
  const pkt = new DecodedPacket();
  const packer = new RecordPacker();
  let end = 0;
  let nativeRecords = 0;
  const summary = await readCapture(path, (frame) => {
    decodeFrame(frame, pkt);
    if (nativeTakes(frame, pkt)) {
      describeFrame(frame, desc, 0);
      pack!(frame.data, desc, 0, 1, views.u8, end, 4096, out, flows);
      expect(out[0]).toBe(1);
      end += out[1];
      nativeRecords++;
      return;
    }
    const size = packer.measure(frame, pkt);
    packer.write(frame, pkt, views, end);
    end += size;
  }, { inputIndex: 0 });
  return { views, buffer, end, summary, nativeRecords };
}

/** Analyse the inputs' records, through the fast path or not; the result as JSON, and how many records it took. */
function analyse(paths: string[], inputs: Recorded[], fast: boolean): { json: string; taken: number } {
  const a = new Analyzer(DEFAULT_OPTIONS);
  const enrichers = attachStandardAnalyses(a);
  let taken = 0;
  inputs.forEach((r, i) => {
    const index = a.addInput({ path: paths[i], point: 'p', sha256: null, sizeBytes: null });
    const path = new RecordFastPath(a, index);
    const unpacker = new FrameUnpacker(Buffer.from(r.buffer), index);
    const frame = newFrame();
    frame.inputIndex = index;
    const pkt = new DecodedPacket();
    for (let at = 0; at < r.end; at += r.views.i32[(at >> 2) + W_SIZE]) {
      if (fast && path.take(r.views, at)) continue;
      unpacker.unpack(r.views, at, frame, pkt);
      a.onDecoded(frame, pkt);
    }
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
