/**
 * Runs one input through the whole offline pipeline, in process: CaptureParser (pushed in
 * irregular chunks, as the file and gzip readers do) -> Analyzer with every standard analysis ->
 * buildResult -> JSON, table and CSV renders. Throws a FuzzFailure when the pipeline throws or
 * when what it reports is not true of the input ("lies"): frames outside their buffer, a packet
 * count that disagrees with the frames delivered, an error without the file name or with an
 * offset outside the input, a reader error that no finding reports, a non-finite number in the
 * result, or a different outcome depending on how the bytes were chunked.
 */
import { join } from 'node:path';
import { rngFor } from './mutate.mjs';

export class FuzzFailure extends Error {}

export async function loadPipeline(distDir) {
  const imp = (p) => import(join(distDir, p));
  const [parser, source, analyzer, build, std, json, table, csv, nativePacker, packed, decodeFrame, packet, runs] = await Promise.all([
    imp('source/capture-parser.js'), imp('source/capture-source.js'), imp('analysis/analyzer.js'),
    imp('analysis/build-result.js'), imp('analysis/standard-analyses.js'), imp('report/json-report.js'),
    imp('report/table-report.js'), imp('report/csv-report.js'), imp('decode/native-packer.js'), imp('decode/packed-frame.js'),
    imp('decode/decode-frame.js'), imp('decode/packet.js'), imp('decode/native-pcap-runs.js'),
  ]);
  return {
    nativeCheck: nativeChecker(nativePacker, packed, decodeFrame.decodeFrame, packet.DecodedPacket),
    runsCheck: runsChecker(nativePacker, runs.NativePcapRuns, packed, decodeFrame.decodeFrame, packet.DecodedPacket,
      parser.CaptureParser, source.newInputSummary),
    CaptureParser: parser.CaptureParser, newInputSummary: source.newInputSummary, Analyzer: analyzer.Analyzer,
    DEFAULT_OPTIONS: analyzer.DEFAULT_OPTIONS, buildResult: build.buildResult,
    attachStandardAnalyses: std.attachStandardAnalyses, renderJson: json.renderJson, renderTable: table.renderTable,
    renderMigrationsCsv: csv.renderMigrationsCsv, renderStreamsCsv: csv.renderStreamsCsv,
  };
}

function fail(msg) { throw new FuzzFailure(msg); }

/**
 * The decode worker's native packer against the TypeScript decoder, frame by frame: the same
 * record, or the frame handed back when TypeScript's decode is not one the native path takes
 * (nativeTakes: clean Ethernet TCP, UDP or ARP). Null without the addon.
 */
function nativeChecker(np, packed, decodeFrame, DecodedPacket) {
  const pack = np.nativePacker();
  if (pack === null) return null;
  const ts = new SharedArrayBuffer(1 << 12);
  const views = packed.recordViews(ts);
  const native = new Uint8Array(new SharedArrayBuffer(1 << 12));
  const packer = new packed.RecordPacker();
  const pkt = new DecodedPacket();
  const desc = new Float64Array(np.DESCRIPTOR_SLOTS);
  const out = new Int32Array(2);
  return (f) => {
    decodeFrame(f, pkt);
    np.describeFrame(f, desc, 0);
    const status = pack(f.data, desc, 0, 1, native, 0, 2048, out);
    if (!np.nativeTakes(f, pkt)) {
      if (status !== np.PACK_FALLBACK) fail(`native packer took frame ${f.frameNumber}, which TypeScript decodes as ${pkt.stopLayer ? `stopped at ${pkt.stopLayer}` : 'not one it takes'}`);
      return;
    }
    const size = packer.measure(f, pkt);
    packer.write(f, pkt, views, 0);
    if (status !== np.PACK_DONE || out[1] !== size) fail(`native packer: frame ${f.frameNumber} status ${status}, ${out[1]} bytes (TypeScript: ${size})`);
    if (!Buffer.from(native.buffer, 0, size).equals(Buffer.from(ts, 0, size))) fail(`native packer: frame ${f.frameNumber} record differs from TypeScript's`);
  };
}

/**
 * The decode worker's classic pcap runs (native framing, native-pcap-runs.ts) against framing
 * every record in TypeScript: the same records (packed as the worker packs them) and the same
 * reader summary, pushed in the same chunks. Null without the addon.
 */
function runsChecker(np, NativePcapRuns, packed, decodeFrame, DecodedPacket, CaptureParser, newInputSummary) {
  const packPcap = np.nativePcapPacker();
  if (packPcap === null) return null;
  const buffers = [new ArrayBuffer(8 << 20), new ArrayBuffer(8 << 20)];
  const parseWith = (b, bytes, sizes, runs) => {
    const views = packed.recordViews(buffers[b]);
    const packer = new packed.RecordPacker();
    const pkt = new DecodedPacket();
    let end = 0;
    let full = false;
    const room = {
      bytes: views.u8, room: 0,
      // Room for one record now and then, so runs also restart after NEED_ROOM.
      begin() {
        if (end + (1 << 16) > views.u8.length) { full = true; return -1; }
        this.room = (end & 64) === 0 ? np.MAX_NATIVE_RECORD_BYTES + 8 : 1 << 16;
        return end;
      },
      end(written) { end += written; },
    };
    const summary = newInputSummary('fuzz-input.cap');
    const parser = new CaptureParser(summary, 0, (f) => {
      decodeFrame(f, pkt);
      const size = packer.measure(f, pkt);
      if (end + size > views.u8.length) { full = true; return; }
      packer.write(f, pkt, views, end);
      end += size;
    }, undefined, runs ? new NativePcapRuns(packPcap, room, undefined) : null);
    let pos = 0;
    for (const n of sizes) { parser.push(bytes.subarray(pos, pos + n)); pos += n; }
    parser.end();
    return { records: Buffer.from(buffers[b], 0, end), summary: JSON.stringify(summary), full };
  };
  return (bytes, sizes) => {
    // Classic pcap only (either byte order, µs or ns): the runs are offered nothing else.
    if (bytes.length < 4 || ![0xa1b2c3d4, 0xa1b23c4d, 0xd4c3b2a1, 0x4d3cb2a1].includes(bytes.readUInt32LE(0))) return;
    const ts = parseWith(0, bytes, sizes, false);
    const nat = parseWith(1, bytes, sizes, true);
    if (ts.full || nat.full) return; // beyond the check's buffers (huge frames): the frame-by-frame check still ran
    if (nat.summary !== ts.summary) fail(`native pcap runs: the reader's summary differs from TypeScript framing: ${nat.summary} vs ${ts.summary}`);
    if (!nat.records.equals(ts.records)) fail('native pcap runs: the records differ from TypeScript framing');
  };
}

/** Chunk sizes for one run: mostly large, sometimes tiny, so records straddle chunk edges. */
function chunkPlan(rng, total) {
  const sizes = [];
  let left = total;
  while (left > 0) {
    const n = rng.chance(0.3) ? 1 + rng.int(8) : rng.chance(0.5) ? 1 + rng.int(512) : 1 + rng.int(65536);
    sizes.push(Math.min(n, left));
    left -= n;
  }
  return sizes;
}

/** Parse only (no analysis): frame count and summary, for the chunking comparison. */
function parseOnly(P, bytes, path, sizes) {
  const summary = P.newInputSummary(path);
  let frames = 0;
  const parser = new P.CaptureParser(summary, 0, () => { frames++; });
  let pos = 0;
  for (const n of sizes) { parser.push(bytes.subarray(pos, pos + n)); pos += n; }
  parser.end();
  return { frames, summary };
}

function assertFinite(value, where) {
  if (typeof value === 'number') { if (!Number.isFinite(value)) fail(`non-finite number ${value} at ${where}`); return; }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) { for (let i = 0; i < value.length; i++) assertFinite(value[i], `${where}[${i}]`); return; }
  for (const k of Object.keys(value)) assertFinite(value[k], `${where}.${k}`);
}

/**
 * opts: { index, seed, cut (truncation sweep expectation or null), thorough (also compare
 * against a single-chunk parse and render the CSV views), table (render the table view) }.
 */
export function runInput(P, bytes, opts) {
  const path = 'fuzz-input.cap';
  const rng = rngFor(opts.seed ^ 0x5eed, opts.index);
  const analyzer = new P.Analyzer(P.DEFAULT_OPTIONS);
  const enrichers = P.attachStandardAnalyses(analyzer);
  const idx = analyzer.addInput({ path, point: 'fuzz', sha256: null, sizeBytes: bytes.length });
  const summary = P.newInputSummary(path);
  let frames = 0;
  let lastNumber = 0;
  const sink = (f) => {
    frames++;
    if (f.offset < 0 || f.capturedLength < 0 || f.offset + f.capturedLength > f.data.length) {
      fail(`frame ${f.frameNumber} claims bytes [${f.offset}, ${f.offset + f.capturedLength}) of a ${f.data.length}-byte buffer`);
    }
    if (f.capturedLength > 16 * 1024 * 1024) fail(`frame ${f.frameNumber} has ${f.capturedLength} captured bytes`);
    if (!(f.tsNsec >= 0 && f.tsNsec < 1e9) || !Number.isFinite(f.tsSec)) fail(`frame ${f.frameNumber} has timestamp ${f.tsSec}.${f.tsNsec}`);
    if (f.frameNumber <= lastNumber) fail(`frame numbers not increasing: ${f.frameNumber} after ${lastNumber}`);
    if (f.fileOffset < 0 || f.fileOffset >= bytes.length) fail(`frame ${f.frameNumber} at file offset ${f.fileOffset} outside the ${bytes.length}-byte input`);
    lastNumber = f.frameNumber;
    if (P.nativeCheck !== null) P.nativeCheck(f);
    analyzer.onFrame(f);
  };
  const parser = new P.CaptureParser(summary, idx, sink);
  const sizes = chunkPlan(rng, bytes.length);
  let pos = 0;
  for (const n of sizes) { parser.push(bytes.subarray(pos, pos + n)); pos += n; }
  parser.end();
  if (P.runsCheck !== null) P.runsCheck(bytes, sizes);
  analyzer.finishInput(idx, summary);
  const result = P.buildResult(analyzer, enrichers);
  const json = P.renderJson(result);
  // The table view is costly (cli-table3 measures every cell): sampled more sparsely.
  if (opts.table) P.renderTable(result, { verbose: true });
  if (opts.thorough) {
    P.renderMigrationsCsv(result);
    P.renderStreamsCsv(result);
  }

  // What the reader says must be true of the input.
  if (summary.packets !== frames) fail(`summary says ${summary.packets} packets, ${frames} frames were delivered`);
  if (summary.bytesRead !== bytes.length && !parser.failed) fail(`read ${summary.bytesRead} of ${bytes.length} bytes without stopping`);
  for (const e of summary.errors) {
    if (!e.message.startsWith(`${path}: `)) fail(`error does not name the file: ${e.message}`);
    if (!(e.offset >= -1 && e.offset <= bytes.length)) fail(`error offset ${e.offset} outside the ${bytes.length}-byte input: ${e.message}`);
    if (/undefined|NaN|\[object /.test(e.message)) fail(`garbled error message: ${e.message}`);
  }
  const inp = result.inputs[0];
  if (inp.packets !== frames) fail(`report says ${inp.packets} packets, ${frames} were read`);
  const codes = new Set(result.findings.map((f) => f.code));
  if (summary.errors.length > 0) {
    const reported = inp.failed ? codes.has('CAPTURE_UNREADABLE') : inp.cutOff ? codes.has('CAPTURE_TRUNCATED_FILE') : codes.has('CAPTURE_MALFORMED_FRAMES');
    if (!reported) fail(`reader error with no finding (${[...codes].join(',')}): ${summary.errors[0].message}`);
  }
  if (inp.failed && frames > 0) fail('input reported unreadable although frames were read');
  if (bytes.length === 0 && !inp.failed) fail('an empty input is not reported as unreadable');
  assertFinite(result, 'result');
  if (JSON.parse(json).inputs[0].packets !== frames) fail('JSON render disagrees with the result');

  if (opts.cut) {
    // Truncation sweep: every complete packet before the cut is read, and the cut is reported.
    if (frames !== opts.cut.packets) fail(`cut input: read ${frames} packets, ${opts.cut.packets} are complete before the cut`);
    if (opts.cut.clean && summary.errors.length > 0) fail(`cut on a record boundary reported an error: ${summary.errors[0].message}`);
    if (!opts.cut.clean && summary.errors.length === 0) fail('cut inside a record or header reported nothing');
    if (!opts.cut.clean && bytes.length > 0 && !summary.cutOff && !inp.failed) fail('cut inside a record not marked cut off');
  }

  if (opts.thorough) {
    const whole = parseOnly(P, bytes, path, [bytes.length]);
    if (whole.frames !== frames) fail(`chunking changes the frame count: ${frames} in ${sizes.length} chunks, ${whole.frames} in one`);
    const a = JSON.stringify(summary.errors); const b = JSON.stringify(whole.summary.errors);
    if (a !== b) fail(`chunking changes the errors: ${a} vs ${b}`);
  }
  return { frames, errors: summary.errors.length, findings: result.findings.length, failed: inp.failed };
}
