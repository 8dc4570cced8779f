#!/usr/bin/env node
/**
 * `npm run bench`: times `vmotion-analyzer analyze` against its peers on generated captures (issue 9).
 *
 * For each size (millions of packets) it generates a capture (bench/gen-capture.mjs, seeded, into
 * bench/out/, git-ignored), warms the page cache, then runs every tool once per round, rounds
 * interleaved and the tool order rotated each round, so load from other processes hits every tool
 * alike. Reported per tool: median wall time, median CPU time (user + system), packets/s, peak
 * RSS (from /usr/bin/time, else /proc/PID/status VmHWM polling), and analyze's ratios to each peer.
 *
 * Peers: `tcpdump -r FILE -w /dev/null` (libpcap's bare read loop: the floor), `tcptrace -n -l`,
 * `tshark -q -z conv,tcp` (slow: fewer rounds on large sizes, skipped above --tshark-max).
 * Our command: `node bin/vmotion-analyzer.js analyze FILE -f json --no-progress` with stdout to
 * /dev/null (full analysis and JSON rendering; -o would add an fsync'ed atomic write); also with
 * --threads 0 (one thread) and with VMA_NATIVE_DECODE=0 (the decode worker without its native packer).
 *
 * Options: --sizes 1,10[,50]  --runs 5  --format pcap|pcapng  --dir bench/out  --keep
 *          --tshark-max 10  --no-tshark  --parallel-check SIZE  --large-runs 1  --no-doc  --doc docs/benchmark.md
 * Sizes above 10 M run --large-runs rounds (default 1: a 50 M round takes minutes on 2 cores).
 * Requires a current build (`npm run build`): dist/ is what bin/vmotion-analyzer.js runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCapture } from './gen-capture.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SEED = 1;

function parseArgs(argv) {
  const o = {
    sizes: [1, 10], runs: 5, format: 'pcap', dir: join(root, 'bench', 'out'), keep: false,
    tsharkMax: 10, tshark: true, parallelCheck: null, largeRuns: 1, doc: join(root, 'docs', 'benchmark.md'), writeDoc: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    switch (a) {
      case '--sizes': o.sizes = v().split(',').map((x) => { const n = Number(x); if (!(n > 0)) throw new Error(`bad size "${x}" (millions of packets, e.g. 1,10,50)`); return n; }); break;
      case '--runs': o.runs = Number(v()); if (!(o.runs >= 1)) throw new Error('--runs must be >= 1'); break;
      case '--format': o.format = v(); if (o.format !== 'pcap' && o.format !== 'pcapng') throw new Error('--format must be pcap or pcapng'); break;
      case '--dir': o.dir = v(); break;
      case '--keep': o.keep = true; break;
      case '--tshark-max': o.tsharkMax = Number(v()); break;
      case '--no-tshark': o.tshark = false; break;
      case '--parallel-check': o.parallelCheck = Number(v()); break;
      case '--large-runs': o.largeRuns = Number(v()); break;
      case '--doc': o.doc = v(); break;
      case '--no-doc': o.writeDoc = false; break;
      case '-h': case '--help':
        process.stdout.write('usage: node bench/run.mjs [--sizes 1,10,50] [--runs 5] [--format pcap|pcapng] [--dir bench/out] [--keep]\n' +
          '       [--tshark-max 10] [--no-tshark] [--parallel-check SIZE] [--large-runs 1] [--no-doc] [--doc docs/benchmark.md]\n' +
          'sizes in millions of packets; sizes above 10 M get --large-runs rounds (default 1), tshark one round above 1 M\n');
        process.exit(0);
        break;
      default: throw new Error(`unknown option ${a} (see --help)`);
    }
  }
  return o;
}

let timeFiles = 0;
const hasTimeV = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { stdio: 'ignore' }).status === 0;
const hasTool = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;

/** Runs a command with stdout to /dev/null; returns wall and CPU seconds and peak RSS in KiB. */
function measure(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const devnull = openSync('/dev/null', 'w');
    const timeFile = join(opts.dir, `.time-${process.pid}-${++timeFiles}`);
    const argv = hasTimeV ? ['/usr/bin/time', ['-f', '%e %U %S %M %x', '-o', timeFile, cmd, ...args]] : [cmd, args];
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv[1], { stdio: ['ignore', devnull, 'pipe'], env: env ? { ...process.env, ...env } : undefined });
    let stderr = '';
    child.stderr.on('data', (d) => { if (stderr.length < 4000) stderr += d; });
    // Fallback peak RSS: VmHWM is the process's own high-water mark; poll it until exit.
    let hwm = 0;
    const poll = hasTimeV ? null : setInterval(() => {
      try { const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8')); if (m) hwm = Math.max(hwm, Number(m[1])); } catch { /* exited */ }
    }, 20);
    child.on('error', (e) => { closeSync(devnull); reject(e); });
    child.on('close', (code) => {
      closeSync(devnull);
      if (poll) clearInterval(poll);
      const wallOwn = Number(process.hrtime.bigint() - t0) / 1e9;
      if (hasTimeV) {
        const [e, u, s, m, x] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        rmSync(timeFile, { force: true });
        if (x !== 0) { reject(new Error(`${cmd} ${args.join(' ')} exited ${x}: ${stderr.trim()}`)); return; }
        resolve({ wall: e > 0 ? e : wallOwn, cpu: u + s, rssKiB: m });
      } else {
        if (code !== 0) { reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.trim()}`)); return; }
        resolve({ wall: wallOwn, cpu: NaN, rssKiB: hwm });
      }
    });
  });
}

/** Generates (or reuses, when the sidecar says it was made with the same options) one capture. */
function ensureCapture(millions, format) {
  const packets = Math.round(millions * 1e6);
  const file = join(opts.dir, `bench-${millions}m.${format}`);
  const sidecar = `${file}.truth.json`;
  const want = { packets, format, seed: SEED, generator: statSync(join(root, 'bench', 'gen-capture.mjs')).mtimeMs };
  if (existsSync(file) && existsSync(sidecar)) {
    const had = JSON.parse(readFileSync(sidecar, 'utf8'));
    if (had.packets === want.packets && had.format === format && had.seed === SEED && had.generator === want.generator) return { file, truth: had };
  }
  log(`generating ${relative(root, file)} (${packets} packets)...`);
  const t0 = Date.now();
  const truth = generateCapture({ packets, format, seed: SEED, out: file });
  writeFileSync(sidecar, JSON.stringify({ ...truth, generator: want.generator }));
  log(`  ${(truth.bytes / 2 ** 20).toFixed(0)} MiB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { file, truth };
}

function log(s) { process.stderr.write(`${s}\n`); }
const median = (a) => { const b = a.filter((x) => !Number.isNaN(x)).sort((x, y) => x - y); if (b.length === 0) return NaN; const m = b.length >> 1; return b.length % 2 ? b[m] : (b[m - 1] + b[m]) / 2; };

function toolsFor(file, millions) {
  const tools = [
    { name: 'analyze', cmd: process.execPath, args: [join(root, 'bin', 'vmotion-analyzer.js'), 'analyze', file, '-f', 'json', '--no-progress'] },
    // The same analysis on one thread: what the decode worker (src/decode/read-decoded.ts) buys.
    { name: 'analyze --threads 0', cmd: process.execPath, args: [join(root, 'bin', 'vmotion-analyzer.js'), 'analyze', file, '-f', 'json', '--no-progress', '--threads', '0'] },
    // The decode worker without its native packer (src/decode/native-packer.ts): what native/frame-packer.cc buys.
    { name: 'analyze, TypeScript worker', cmd: process.execPath, args: [join(root, 'bin', 'vmotion-analyzer.js'), 'analyze', file, '-f', 'json', '--no-progress'], env: { VMA_NATIVE_DECODE: '0' } },
    { name: 'tcpdump', cmd: 'tcpdump', args: ['-r', file, '-w', '/dev/null'] },
    { name: 'tcptrace', cmd: 'tcptrace', args: ['-n', '-l', file] },
  ];
  if (opts.tshark && millions <= opts.tsharkMax) {
    // tshark needs about a minute of CPU per million packets here: one round beyond 1 M packets.
    tools.push({ name: 'tshark', cmd: 'tshark', args: ['-r', file, '-q', '-z', 'conv,tcp'], rounds: millions > 1 ? 1 : opts.runs });
  }
  return tools.filter((t) => t.cmd === process.execPath || hasTool(t.cmd));
}

async function benchSize(millions) {
  const { file, truth } = ensureCapture(millions, opts.format);
  // Warm the page cache so every tool reads from memory (the first tool would pay the disk otherwise).
  await measure('cat', [file]);
  const tools = toolsFor(file, millions);
  const res = Object.fromEntries(tools.map((t) => [t.name, []]));
  const runs = millions > 10 ? Math.min(opts.largeRuns, opts.runs) : opts.runs;
  for (let r = 0; r < runs; r++) {
    // Rotate the order each round so no tool always runs right after the heaviest one.
    const order = tools.map((_, i) => tools[(i + r) % tools.length]);
    for (const t of order) {
      if (res[t.name].length >= Math.min(t.rounds ?? runs, runs)) continue;
      const m = await measure(t.cmd, t.args, t.env);
      res[t.name].push(m);
      log(`  ${millions}M round ${r + 1}: ${t.name.padEnd(8)} ${m.wall.toFixed(2)} s wall, ${m.cpu.toFixed(2)} s cpu, ${(m.rssKiB / 1024).toFixed(0)} MiB`);
    }
  }
  const rows = tools.map((t) => {
    const list = res[t.name];
    return {
      tool: t.name, runs: list.length,
      wall: median(list.map((m) => m.wall)), wallMin: Math.min(...list.map((m) => m.wall)),
      cpu: median(list.map((m) => m.cpu)), rssMiB: Math.max(...list.map((m) => m.rssKiB)) / 1024,
    };
  });
  const sizeBytes = statSync(file).size;
  let parallel = null;
  if (opts.parallelCheck === millions) parallel = await parallelCheck(file, millions);
  if (!opts.keep) { rmSync(file, { force: true }); rmSync(`${file}.truth.json`, { force: true }); }
  return { millions, packets: truth.packets, sizeBytes, streams: truth.streams.length, rows, parallel };
}

/**
 * Would several input files parallelise? One file; the same bytes as two inputs in one run
 * (sequential today); two processes at once (what worker threads could reach at best).
 */
async function parallelCheck(file, millions) {
  const b = file.replace(/(\.[^.]+)$/, '-copy$1');
  rmSync(b, { force: true });
  linkSync(file, b); // a second name for the same bytes: a separate capture point, no extra disk
  const node = process.execPath;
  const bin = join(root, 'bin', 'vmotion-analyzer.js');
  const one = [], two = [], twoSingle = [], conc = [];
  const runs = Math.min(opts.runs, 2);
  for (let r = 0; r < runs; r++) {
    one.push((await measure(node, [bin, 'analyze', file, '-f', 'json', '--no-progress'])).wall);
    two.push((await measure(node, [bin, 'analyze', file, b, '-f', 'json', '--no-progress'])).wall);
    twoSingle.push((await measure(node, [bin, 'analyze', file, b, '-f', 'json', '--no-progress', '--threads', '0'])).wall);
    const t0 = process.hrtime.bigint();
    await Promise.all([measure(node, [bin, 'analyze', file, '-f', 'json', '--no-progress']), measure(node, [bin, 'analyze', b, '-f', 'json', '--no-progress'])]);
    conc.push(Number(process.hrtime.bigint() - t0) / 1e9);
    log(`  ${millions}M parallel check round ${r + 1}: one ${one.at(-1).toFixed(2)} s, two inputs ${two.at(-1).toFixed(2)} s ` +
      `(--threads 0: ${twoSingle.at(-1).toFixed(2)} s), two processes at once ${conc.at(-1).toFixed(2)} s`);
  }
  rmSync(b, { force: true });
  return { runs, one: median(one), twoSequential: median(two), twoSingleThread: median(twoSingle), twoConcurrent: median(conc) };
}

function machine() {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const ver = (cmd, args, re) => { const r = spawnSync(cmd, args, { encoding: 'utf8' }); const m = re.exec(`${r.stdout}${r.stderr}`); return m ? m[1] : 'n/a'; };
  return {
    cpu, nproc: cpus().length, memGiB: (totalmem() / 2 ** 30).toFixed(0), node: process.version,
    tcpdump: ver('tcpdump', ['--version'], /tcpdump version (\S+)/), libpcap: ver('tcpdump', ['--version'], /libpcap version (\S+)/),
    tshark: ver('tshark', ['--version'], /TShark \(Wireshark\) (\S+)/), tcptrace: ver('tcptrace', ['-v'], /version (\d[\d.]*)/),
  };
}

const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const fx = (x) => (Number.isFinite(x) ? `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}x` : 'n/a');

function report(results, m, loadBefore, loadAfter) {
  const lines = [];
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  lines.push('# Benchmark', '');
  lines.push(`Latest \`npm run bench\` (bench/run.mjs), ${date}. Generated captures (bench/gen-capture.mjs, seed ${SEED}, ` +
    `${opts.format}, snaplen 128, 6 multi-NIC migrations of 5 streams, MTU 1500 / jumbo / TSO segments, loss, noise, ARP).`);
  lines.push('', `Machine: ${m.cpu}, ${m.nproc} cores, ${m.memGiB} GiB RAM, Node ${m.node}; tcpdump ${m.tcpdump} (libpcap ${m.libpcap}), ` +
    `tcptrace ${m.tcptrace}, tshark ${m.tshark}. Load average (1 min) ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after` +
    `${loadBefore > m.nproc / 2 || loadAfter > m.nproc / 2 ? ' (shared machine: wall times include waiting for the CPU; CPU times are steadier)' : ''}.`);
  lines.push('', `Rounds interleaved, tool order rotated each round, warm page cache; medians of ${opts.runs} rounds unless the runs column says otherwise. ` +
    'Wall and CPU (user + system) seconds; peak RSS is the maximum over the rounds.', '');
  for (const r of results) {
    const a = r.rows.find((x) => x.tool === 'analyze');
    lines.push(`## ${r.millions} M packets (${(r.sizeBytes / 2 ** 30).toFixed(2)} GiB, ${r.streams} tracked streams)`, '');
    lines.push('| tool | runs | wall s (median) | wall s (min) | CPU s | packets/s (wall) | peak RSS MiB | analyze wall / this | analyze CPU / this |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const x of r.rows) {
      lines.push(`| ${x.tool} | ${x.runs} | ${f2(x.wall)} | ${f2(x.wallMin)} | ${f2(x.cpu)} | ${(r.packets / x.wall / 1e6).toFixed(2)} M | ${x.rssMiB.toFixed(0)} | ` +
        `${x.tool === 'analyze' ? '' : fx(a.wall / x.wall)} | ${x.tool === 'analyze' ? '' : fx(a.cpu / x.cpu)} |`);
    }
    if (r.parallel) {
      const p = r.parallel;
      lines.push('', `Several inputs (median of ${p.runs}): one file ${f2(p.one)} s; the same file twice as two inputs of one run ` +
        `${f2(p.twoSequential)} s (${fx(p.twoSequential / p.one)} one file; ${f2(p.twoSingleThread)} s with --threads 0); ` +
        `two analyze processes at once ${f2(p.twoConcurrent)} s (${fx(p.twoConcurrent / p.one)}).`);
    }
    lines.push('');
  }
  const ten = results.find((r) => r.millions === 10) ?? results.at(-1);
  if (ten) {
    const get = (t) => ten.rows.find((x) => x.tool === t);
    const a = get('analyze');
    const check = (label, peer, ok) => {
      const p = get(peer);
      if (!p) return;
      const w = a.wall / p.wall, c = a.cpu / p.cpu;
      lines.push(`| ${label} | ${fx(w)} | ${fx(c)} | ${ok(w) ? 'met' : 'NOT met'} |`);
    };
    lines.push(`## Targets (issue 9) on ${ten.millions} M packets`, '', '| target | wall ratio | CPU ratio | by wall time |', '|---|---:|---:|---|');
    check('analyze <= 2.0x tcpdump bare read', 'tcpdump', (w) => w <= 2.0);
    check('analyze faster than tcptrace -n -l', 'tcptrace', (w) => w < 1);
    check('analyze >= 50x faster than tshark conv,tcp (ratio <= 0.02)', 'tshark', (w) => w <= 0.02);
    const rss = Math.max(...results.map((r) => r.rows.find((x) => x.tool === 'analyze').rssMiB));
    lines.push(`| analyze peak RSS < 200 MiB (all sizes run) | ${rss.toFixed(0)} MiB | | ${rss < 200 ? 'met' : 'NOT met'} |`, '');
  }
  if (results.length > 1) {
    lines.push('## Linearity', '', '| packets | analyze wall s | ns/packet (wall) | ns/packet (CPU) | peak RSS MiB |', '|---:|---:|---:|---:|---:|');
    for (const r of results) {
      const a = r.rows.find((x) => x.tool === 'analyze');
      lines.push(`| ${r.millions} M | ${f2(a.wall)} | ${(a.wall / r.packets * 1e9).toFixed(0)} | ${(a.cpu / r.packets * 1e9).toFixed(0)} | ${a.rssMiB.toFixed(0)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

const opts = parseArgs(process.argv.slice(2));

async function main() {
  const distMain = join(root, 'dist', 'cli', 'main.js');
  if (!existsSync(distMain)) throw new Error('dist/ is missing: run "npm run build" first (bin/vmotion-analyzer.js runs dist/)');
  const newest = newestMtime(join(root, 'src'));
  if (newest > statSync(distMain).mtimeMs + 1000) log('warning: src/ is newer than dist/: run "npm run build" to benchmark the current code');
  mkdirSync(opts.dir, { recursive: true });
  if (!hasTimeV) log('note: /usr/bin/time not found (apt-get install time): peak RSS from /proc polling, no CPU times');
  const loadBefore = loadavg()[0];
  const results = [];
  for (const s of opts.sizes) {
    log(`== ${s} M packets`);
    results.push(await benchSize(s));
  }
  const text = report(results, machine(), loadBefore, loadavg()[0]);
  process.stdout.write(`${text}\n`);
  if (opts.writeDoc) {
    mkdirSync(dirname(opts.doc), { recursive: true });
    const prior = existsSync(opts.doc) ? readFileSync(opts.doc, 'utf8') : '';
    // Keep hand-written notes below the marker; replace the generated table above it.
    const marker = '<!-- notes: kept by bench/run.mjs -->';
    const notes = prior.includes(marker) ? prior.slice(prior.indexOf(marker)) : marker + '\n';
    writeFileSync(opts.doc, `${text}\n${notes}`);
    log(`wrote ${relative(root, opts.doc)}`);
  }
}

function newestMtime(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

main().catch((err) => { log(`bench: ${err.message}`); process.exitCode = 1; });
