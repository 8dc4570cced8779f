#!/usr/bin/env node
// Benchmark: sustained live-capture rate (packets/s) with zero drops, on a veth pair in
// two network namespaces this script creates and deletes (vma-live-bench-a/b). tcpreplay
// in one namespace sends minimum-size TCP port 8000 frames at rising rates; LiveCapture
// (default filter, snaplen 160) captures them in the other. Needs root and tcpreplay.
// Usage: node scripts/bench-live.mjs [--seconds 2]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: {
  worker: { type: 'boolean', default: false }, device: { type: 'string' }, seconds: { type: 'string', default: '2' },
} });

if (values.worker) {
  // Runs inside namespace b: capture, answer "snap" with cumulative counters, "stop" to end.
  const { LiveCapture } = await import('../src/source/live-capture.js');
  let frames = 0;
  const cap = new LiveCapture({ device: values.device }, (f) => {
    // Count only the generated frames (destination MAC ..:99), not the namespace's own IPv6 chatter.
    if (f.data[f.offset + 5] === 0x99 && f.data[f.offset] === 2) frames++;
  });
  cap.start();
  console.log('ready');
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'stop') await cap.stop();
    console.log(JSON.stringify({ frames, ...cap.stats() }));
    if (line === 'stop') break;
  }
  process.exit(0);
}

if (process.getuid?.() !== 0) { console.error('bench-live needs root (namespaces, capture).'); process.exit(2); }
if (spawnSync('tcpreplay', ['--version']).error) { console.error('bench-live needs tcpreplay (apt-get install tcpreplay).'); process.exit(2); }

const A = 'vma-live-bench-a', B = 'vma-live-bench-b';
const cleanup = () => { for (const ns of [A, B]) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); };
const ip = (...args) => execFileSync('ip', args);
cleanup();
ip('netns', 'add', A); ip('netns', 'add', B);
ip('link', 'add', 'vma0', 'netns', A, 'type', 'veth', 'peer', 'name', 'vma1', 'netns', B);
ip('-n', A, 'link', 'set', 'vma0', 'up'); ip('-n', B, 'link', 'set', 'vma1', 'up');

// 1000 distinct 60-byte TCP frames to port 8000; the destination MAC is nobody's, so
// namespace b's stack discards them after capture and sends nothing back.
const dir = mkdtempSync(join(tmpdir(), 'vma-live-bench-'));
const pcapFile = join(dir, 'frames.pcap');
const N = 1000, LEN = 60;
const file = Buffer.alloc(24 + N * (16 + LEN));
file.writeUInt32LE(0xa1b2c3d4, 0); file.writeUInt16LE(2, 4); file.writeUInt16LE(4, 6);
file.writeUInt32LE(65535, 16); file.writeUInt32LE(1, 20);
for (let i = 0; i < N; i++) {
  const r = 24 + i * (16 + LEN), f = r + 16;
  file.writeUInt32LE(i, r + 4); file.writeUInt32LE(LEN, r + 8); file.writeUInt32LE(LEN, r + 12);
  Buffer.from([2, 0, 0, 0, 0, 0x99, 2, 0, 0, 0, 0, 1, 8, 0]).copy(file, f);
  file[f + 14] = 0x45; file.writeUInt16BE(46, f + 16); file[f + 22] = 64; file[f + 23] = 6;
  Buffer.from([10, 99, 43, 1, 10, 99, 43, 2]).copy(file, f + 26);
  file.writeUInt16BE(40000 + i, f + 34); file.writeUInt16BE(8000, f + 36); file[f + 46] = 0x50; file[f + 47] = 0x10;
}
writeFileSync(pcapFile, file);

const worker = spawn('ip', ['netns', 'exec', B, process.execPath, '--import', './test/live/ts-register.mjs',
  'scripts/bench-live.mjs', '--worker', '--device', 'vma1'], { cwd: repo, stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: worker.stdout })[Symbol.asyncIterator]();
const ask = async (cmd) => { worker.stdin.write(`${cmd}\n`); return JSON.parse((await lines.next()).value); };

try {
  if ((await lines.next()).value !== 'ready') throw new Error('capture worker did not start');
  const seconds = Number(values.seconds);
  let best = null;
  for (const rate of [50_000, 100_000, 200_000, 400_000, 800_000, 'top']) {
    const count = rate === 'top' ? 2_000_000 : rate * seconds;
    const before = await ask('snap');
    const t = spawnSync('ip', ['netns', 'exec', A, 'tcpreplay', '-q', '-i', 'vma0', `--limit=${count}`, '--loop=0',
      rate === 'top' ? '--topspeed' : `--pps=${rate}`, pcapFile], { encoding: 'utf8' });
    const sentMatch = /Actual: (\d+) packets .* in ([\d.]+) seconds/.exec(t.stdout);
    if (!sentMatch) throw new Error(`tcpreplay failed: ${t.stdout}${t.stderr}`);
    const sent = Number(sentMatch[1]), secs = Number(sentMatch[2]);
    await new Promise((r) => setTimeout(r, 300));  // let the last batch arrive
    const after = await ask('snap');
    const got = after.frames - before.frames, dropped = after.dropped - before.dropped;
    const batches = after.batches - before.batches;
    const ok = got === sent && dropped === 0;
    console.log(`offered ${String(rate).padStart(7)} pps: sent ${sent} in ${secs.toFixed(2)} s (${Math.round(sent / secs)} pps), ` +
      `captured ${got}, kernel drops ${dropped}, ${batches} batches (${Math.round(got / Math.max(1, batches))} packets/batch) ${ok ? 'OK' : 'LOSS'}`);
    if (ok) best = { pps: Math.round(sent / secs), batches, got };
    else break;
  }
  await ask('stop');
  console.log(best
    ? `bench-live: sustained ${best.pps} packets/s with 0 drops (veth, 60-byte TCP/8000 frames, snaplen 160, default filter, ${Math.round(best.got / Math.max(1, best.batches))} packets per JS callback)`
    : 'bench-live: drops even at the lowest offered rate');
} finally {
  worker.kill();
  cleanup();
  rmSync(dir, { recursive: true, force: true });
}
