#!/usr/bin/env node
/**
 * Where does the time go, stage by stage? Times one capture through growing prefixes of the
 * pipeline, in one process, from the compiled dist/ (run `npm run build` first):
 *   read     readCapture with an empty sink (file chunks + record framing)
 *   decode   + decodeFrame into the reused DecodedPacket
 *   core     + Analyzer.onFrame without the standard analyses (classification, stream table, sequence space, ICMP errors)
 *   path     + the path analysis' observers (TTL/MAC sets, segment sampler, ARP/ND)
 *   analyze  + every standard analysis (path, stream budget, TCP health): what `analyze` runs per frame
 *   hash     SHA-256 of the file alone (analyze --sha256 and evidence hash every input)
 *   worker   read + decode + pack on the decode worker, a no-op sink here: the pipeline's floor
 *   worker-ts  the same with the worker's native packer off (VMA_NATIVE_DECODE=0): TypeScript decodes all
 *   pipeline analyze's default: the worker feeding every standard analysis on this thread (records of known
 *            streams read in place, src/analysis/record-fast-path.ts)
 * Usage: node bench/stages.mjs FILE [--runs 3] [--only read,decode,core,path,analyze,hash,worker,worker-ts,pipeline]
 * CPU seconds of the worker stages include the worker thread (process-wide).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

const dist = new URL('../dist/', import.meta.url);
const { readCapture } = await import(new URL('source/read-capture.js', dist));
const { decodeFrame } = await import(new URL('decode/decode-frame.js', dist));
const { DecodedPacket } = await import(new URL('decode/packet.js', dist));
const { Analyzer, DEFAULT_OPTIONS } = await import(new URL('analysis/analyzer.js', dist));
const { attachStandardAnalyses } = await import(new URL('analysis/standard-analyses.js', dist));
const { pathAnalysis } = await import(new URL('analysis/path/path-analysis.js', dist));
const { DecodeAhead } = await import(new URL('decode/read-decoded.js', dist));
const { drainInto } = await import(new URL('analysis/record-fast-path.js', dist));

const file = process.argv[2];
if (!file) { process.stderr.write('usage: node bench/stages.mjs FILE [--runs N]\n'); process.exit(2); }
const ri = process.argv.indexOf('--runs');
const runs = ri > 0 ? Number(process.argv[ri + 1]) : 3;
const oi = process.argv.indexOf('--only');
const only = oi > 0 ? process.argv[oi + 1].split(',') : null;

// CPU seconds (user + system) of this process: on a shared machine wall time swings with the
// neighbours' load, CPU time much less; both are reported.
async function time(fn) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const n = await fn();
  const c = process.cpuUsage(c0);
  return { s: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (c.user + c.system) / 1e6, n };
}

async function analyzeWith(attach) {
  const a = new Analyzer(DEFAULT_OPTIONS);
  attach(a);
  const idx = a.addInput({ path: file, point: 'p', sha256: null, sizeBytes: null });
  return (await readCapture(file, a.onFrame, { inputIndex: idx })).packets;
}

const stages = {
  read: async () => (await readCapture(file, () => undefined, { inputIndex: 0 })).packets,
  decode: async () => {
    const pkt = new DecodedPacket();
    return (await readCapture(file, (f) => decodeFrame(f, pkt), { inputIndex: 0 })).packets;
  },
  core: () => analyzeWith(() => undefined),
  path: () => analyzeWith((a) => pathAnalysis(a)),
  analyze: () => analyzeWith((a) => attachStandardAnalyses(a)),
  worker: async () => (await new DecodeAhead(file).drain(0, () => undefined)).packets,
  'worker-ts': async () => {
    // Worker threads share process.env: the new worker's packer lookup sees this.
    process.env.VMA_NATIVE_DECODE = '0';
    try { return (await new DecodeAhead(file).drain(0, () => undefined)).packets; } finally { delete process.env.VMA_NATIVE_DECODE; }
  },
  pipeline: async () => {
    const a = new Analyzer(DEFAULT_OPTIONS);
    attachStandardAnalyses(a);
    const idx = a.addInput({ path: file, point: 'p', sha256: null, sizeBytes: null });
    return (await drainInto(new DecodeAhead(file), idx, a)).packets;
  },
  hash: () => new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file, { highWaterMark: 1 << 20 }).on('data', (c) => h.update(c)).on('error', reject)
      .on('end', () => { h.digest(); resolve(0); });
  }),
};

const results = Object.fromEntries(Object.keys(stages).map((k) => [k, []]));
const cpu = Object.fromEntries(Object.keys(stages).map((k) => [k, []]));
let packets = 0;
for (let r = 0; r < runs; r++) {
  for (const [name, fn] of Object.entries(stages)) {
    if (only && !only.includes(name)) continue;
    const { s, cpu: c, n } = await time(fn);
    if (n) packets = n;
    results[name].push(s);
    cpu[name].push(c);
  }
}
const median = (a) => { const b = [...a].sort((x, y) => x - y); return b[b.length >> 1]; };
for (const [name, list] of Object.entries(results)) {
  if (list.length === 0) continue;
  const m = median(list);
  const c = median(cpu[name]);
  process.stdout.write(`${name.padEnd(9)} wall ${m.toFixed(2).padStart(6)} s  cpu ${c.toFixed(2).padStart(6)} s  ` +
    `${name === 'hash' ? '' : `${(packets / c / 1e6).toFixed(2)} Mpkt/cpu-s`}  wall runs: ${list.map((x) => x.toFixed(2)).join(' ')}\n`);
}
