/**
 * The decode worker of `analyze FILE`, started by bin/vmotion-analyzer.js before the CLI's own
 * modules load. A worker needs ~70 ms from `new Worker` to its first records, and the CLI ~60 ms
 * to load and parse its options; started first, the two overlap instead of adding up (~7% of a
 * 1 M-packet run, docs/benchmark.md "Seventh round").
 *
 * It is a guess made before the options are parsed, so it is kept only if analyzeFiles asks for
 * the same file (takeEarlyDecode): one capture file among the arguments (pcap or pcapng magic),
 * no `--threads 0`, a spare core, and the file unchanged since. Otherwise the worker is stopped
 * (dropEarlyDecode); until it is taken it does not keep the process alive.
 */
import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { isCaptureMagic } from '../source/format-magic.js';
import { DecodeAhead, decodeWorkerAvailable } from './read-decoded.js';

interface EarlyDecode {
  ahead: DecodeAhead;
  path: string;
  stat: Stats;
}

let early: EarlyDecode | null = null;

/** What became of early workers in this process (tests, benchmarks). */
export const earlyDecodeStats = { started: 0, taken: 0, dropped: 0 };

/** The one capture file `argv` (process.argv) would analyse, with its stat; null when that is not clear. */
export function earlyCaptureFile(argv: readonly string[]): { path: string; stat: Stats } | null {
  if (argv[2] !== 'analyze') return null;
  let found: { path: string; stat: Stats } | null = null;
  for (let i = 3; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--threads' && argv[i + 1] === '0') return null;
    if (a === '--threads=0') return null;
    if (a === '--') return null;
    if (a.startsWith('-')) continue;
    const c = captureFile(a);
    if (c === null) continue;
    if (found !== null) return null; // several inputs: planInputs orders them, not argv
    found = c;
  }
  return found;
}

function captureFile(path: string): { path: string; stat: Stats } | null {
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    const stat = fstatSync(fd);
    if (!stat.isFile()) return null;
    const head = Buffer.alloc(4);
    if (readSync(fd, head, 0, 4, 0) !== 4) return null;
    return isCaptureMagic(head.readUInt32LE(0)) ? { path: resolve(path), stat } : null;
  } catch {
    return null;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Start the decode worker `argv` will want, if the guess is clear (see the module comment). */
export function startDecodeEarly(argv: readonly string[]): void {
  if (early !== null || availableParallelism() < 2 || !decodeWorkerAvailable()) return;
  const c = earlyCaptureFile(argv);
  if (c === null) return;
  try {
    const ahead = new DecodeAhead(c.path);
    ahead.keepProcessAlive(false);
    early = { ahead, path: c.path, stat: c.stat };
    earlyDecodeStats.started++;
  } catch {
    // No thread to be had: analyzeFiles decides again.
  }
}

/** The early worker if it reads `path` and the file is unchanged since it started; it then keeps the process alive. */
export function takeEarlyDecode(path: string): DecodeAhead | null {
  const e = early;
  if (e === null || resolve(path) !== e.path) return null;
  let now: Stats;
  try { now = statSync(path); } catch { return null; }
  if (now.ino !== e.stat.ino || now.dev !== e.stat.dev || now.size !== e.stat.size || now.mtimeMs !== e.stat.mtimeMs) return null;
  early = null;
  earlyDecodeStats.taken++;
  e.ahead.keepProcessAlive(true);
  return e.ahead;
}

/** Stop the early worker if nobody took it. */
export async function dropEarlyDecode(): Promise<void> {
  const e = early;
  early = null;
  if (e === null) return;
  earlyDecodeStats.dropped++;
  await e.ahead.cancel();
}
