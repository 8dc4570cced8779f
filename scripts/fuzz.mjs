#!/usr/bin/env node
/**
 * Longer fuzz runs than CI's: `npm run fuzz -- --seconds 600 [--seed N] [--workers N]`.
 * Without --seed a random one is chosen (printed, so the run can be repeated). Every failing
 * input is written to test/fuzz/fixtures/<kind>-<seed>-<index>.cap with a note beside it; the
 * regression test then runs it on every CI run. `--replay INDEX --seed N` rebuilds one input.
 */
import { fileURLToPath } from 'node:url';
import { runFuzz, writeCrasher } from '../test/fuzz/lib/supervisor.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v) || v < 0) { console.error(`fuzz: --${name} needs a number`); process.exit(2); }
  return v;
};
if (args.includes('--help')) {
  console.log('usage: npm run fuzz -- [--seconds 600] [--seed N] [--inputs N] [--workers N] [--replay INDEX]');
  process.exit(0);
}
const seed = opt('seed', Math.floor(Math.random() * 2 ** 31));
const fixtures = fileURLToPath(new URL('../test/fuzz/fixtures/', import.meta.url));
const replay = opt('replay', -1);
if (replay >= 0) {
  console.log(writeCrasher(fixtures, seed, { index: replay, kind: 'replay', message: 'replayed by hand' }));
  process.exit(0);
}
const seconds = opt('seconds', 600);
const inputs = opt('inputs', 0);
console.log(`fuzz: seed ${seed}, ${inputs > 0 ? `${inputs} inputs` : `${seconds} s`}`);
let last = Date.now();
const r = await runFuzz({
  seed, seconds: inputs > 0 ? 0 : seconds, inputs: inputs > 0 ? inputs : undefined, workers: opt('workers', undefined),
  hangMs: 30_000, slowMs: 10_000,
  onProgress: (n) => { if (Date.now() - last > 10_000) { last = Date.now(); process.stderr.write(`fuzz: ${n} inputs\n`); } },
});
const seen = new Set();
for (const f of r.failures) {
  const file = writeCrasher(fixtures, seed, f);
  const key = `${f.kind}:${(f.message.split('\n')[0] ?? '').slice(0, 120)}`;
  if (!seen.has(key)) { seen.add(key); console.log(`[${f.kind}] index ${f.index} ${f.label ?? ''}\n  ${f.message.split('\n').slice(0, 4).join('\n  ')}\n  -> ${file}`); }
}
console.log(`fuzz: ${r.inputs} inputs, ${r.failures.length} crashes (seed ${seed}, ${r.workers} workers, ${(r.ms / 1000).toFixed(0)} s)`);
process.exit(r.failures.length > 0 ? 1 : 0);
