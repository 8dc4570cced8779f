/**
 * Network-namespace lab for root-only tests: build a topology with scripts/lab/lab.sh, capture inside
 * it, drive scripts/lab/traffic.mjs, and always tear down by name (vma-<tag>-*), even when the test
 * body throws or the process exits early.
 *
 *   const why = labUnavailable();            // null when usable; CI (root) must never skip
 *   await withLab('routed', async (lab) => {
 *     const cap = await lab.capture({ ns: lab.dstNs, file: '/tmp/x.pcapng' });
 *     const manifest = await lab.traffic({ manifest: '/tmp/x.json', args: ['--migrations', '1'] });
 *     await cap.stop();
 *   }, { shape: '200mbit:256kb:8mb' });
 *   afterAll(downAllLabs);                   // belt and braces
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readManifest, type LabManifest } from './manifest-check.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LAB_SH = join(ROOT, 'scripts', 'lab', 'lab.sh');
export const TRAFFIC_MJS = join(ROOT, 'scripts', 'lab', 'traffic.mjs');

export type Topology = 'routed' | 'l2' | 'two-routers';

export interface LabOptions {
  /** tbf on the last egress towards dst: RATE[:BURST[:LIMIT]], e.g. '200mbit:256kb:8mb'. */
  shape?: string;
  mtuHosts?: number;
  mtuCore?: number;
  offload?: 'on' | 'off';
  /** Adds a dst address that never answers (SILENT_IP). */
  silent?: boolean;
  rmemMax?: number;
}

export interface RunningCapture {
  file: string;
  /** SIGINT the capture tool and wait for it to flush and exit. */
  stop(): Promise<void>;
}

export interface Lab {
  topo: Topology;
  tag: string;
  /** Everything lab.sh printed: SRC_NS, DST_NS, SRC_IP, DST_IP, SRC_IP6, R1_NS, SILENT_IP, ... */
  env: Record<string, string>;
  srcNs: string; dstNs: string; srcIp: string; dstIp: string; srcIp6: string; dstIp6: string;
  /** Run a command inside one of this lab's namespaces (bounded by timeoutMs). */
  exec(ns: string, argv: string[], timeoutMs?: number): Promise<string>;
  /** Start dumpcap (pcapng) or tcpdump (pcap) in `ns`; resolves once the tool is capturing. */
  capture(opts: { ns: string; file: string; interfaces?: string[]; format?: 'pcap' | 'pcapng'; snaplen?: number }): Promise<RunningCapture>;
  /** Run traffic.mjs between src and dst (IPv6 with ipv6: true); resolves with the written manifest. */
  traffic(opts: { manifest: string; args?: string[]; ipv6?: boolean; timeoutS?: number }): Promise<LabManifest>;
}

/** Why the lab cannot run here, or null when it can. */
export function labUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root (network namespaces need root; CI runs as root)';
  for (const t of ['ip', 'tc', 'dumpcap', 'tcpdump', 'timeout']) {
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) return `'${t}' is not installed`;
  }
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (r.status !== 0) return `'ip netns list' fails: ${r.stderr.trim()}`;
  return null;
}

/**
 * True when lab tests should be skipped (a reason is printed). In CI an unusable lab is an error,
 * never a skip.
 */
export function skipLab(): boolean {
  const why = labUnavailable();
  if (why === null) return false;
  if (process.env.CI) throw new Error(`network-namespace lab unavailable in CI: ${why}`);
  console.warn(`skipping network-namespace lab tests: ${why}`);
  return true;
}

const activeTags = new Set<string>();
let counter = 0;
let exitHookInstalled = false;

function labDown(tag: string): void {
  spawnSync(LAB_SH, ['down', tag], { stdio: 'ignore', timeout: 30_000 });
  activeTags.delete(tag);
}

/** Tear down every lab this process built and has not torn down yet (use in afterAll). */
export function downAllLabs(): void {
  for (const tag of [...activeTags]) labDown(tag);
}

function run(argv: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    p.on('error', (e) => { clearTimeout(timer); reject(e); });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`${argv.join(' ')} failed (${signal ?? code}): ${Buffer.concat(err).toString().trim()}`));
    });
  });
}

function startCapture(cmd: string[], file: string, timeoutMs: number): Promise<RunningCapture> {
  return new Promise((resolve, reject) => {
    const p: ChildProcess = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let ready = false;
    const exited = new Promise<void>((r) => p.once('close', () => r()));
    const fail = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`capture did not start within ${timeoutMs} ms: ${err}`)); }, timeoutMs);
    p.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (!ready && /Capturing on|listening on/.test(err)) {
        ready = true;
        clearTimeout(fail);
        resolve({
          file,
          async stop() {
            p.kill('SIGINT');
            const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(t);
          },
        });
      }
    });
    p.once('close', (code) => {
      if (!ready) { clearTimeout(fail); reject(new Error(`capture tool exited (${code}) before capturing: ${err}`)); }
    });
  });
}

/** Build `topo`, run `fn`, and tear the lab down by name whatever happens. */
export async function withLab<T>(topo: Topology, fn: (lab: Lab) => Promise<T>, opts: LabOptions = {}): Promise<T> {
  if (!existsSync(LAB_SH)) throw new Error(`${LAB_SH} is missing`);
  if (!exitHookInstalled) {
    // A crashed test run must not leave namespaces behind.
    process.once('exit', downAllLabs);
    exitHookInstalled = true;
  }
  const tag = `vt${process.pid}n${++counter}`;
  const args = ['up', topo, tag];
  if (opts.shape) args.push('--shape', opts.shape);
  if (opts.mtuHosts) args.push('--mtu-hosts', String(opts.mtuHosts));
  if (opts.mtuCore) args.push('--mtu-core', String(opts.mtuCore));
  if (opts.offload) args.push('--offload', opts.offload);
  if (opts.silent) args.push('--silent');
  if (opts.rmemMax) args.push('--rmem-max', String(opts.rmemMax));
  activeTags.add(tag);
  try {
    const out = await run([LAB_SH, ...args], 60_000);
    const env: Record<string, string> = {};
    for (const line of out.split('\n')) {
      const m = /^([A-Z0-9_]+)='?(.*?)'?$/.exec(line.trim());
      if (m) env[m[1]] = m[2];
    }
    const lab: Lab = {
      topo, tag, env,
      srcNs: env.SRC_NS, dstNs: env.DST_NS, srcIp: env.SRC_IP, dstIp: env.DST_IP, srcIp6: env.SRC_IP6, dstIp6: env.DST_IP6,
      exec(ns, argv, timeoutMs = 30_000) {
        if (!ns.startsWith(`vma-${tag}-`)) throw new Error(`namespace ${ns} is not part of lab ${tag}`);
        return run(['ip', 'netns', 'exec', ns, 'timeout', String(Math.ceil(timeoutMs / 1000)), ...argv], timeoutMs + 5_000);
      },
      capture({ ns, file, interfaces = ['eth0'], format = 'pcapng', snaplen = 128 }) {
        if (!ns.startsWith(`vma-${tag}-`)) throw new Error(`namespace ${ns} is not part of lab ${tag}`);
        const ifargs = interfaces.flatMap((i) => ['-i', i]);
        const tool = format === 'pcapng'
          ? ['dumpcap', '-q', '-s', String(snaplen), ...ifargs, '-w', file]
          : ['tcpdump', '-n', '-U', '-Z', 'root', '-s', String(snaplen), ...ifargs, '-w', file];
        return startCapture(['ip', 'netns', 'exec', ns, 'timeout', '300', ...tool], file, 15_000);
      },
      async traffic({ manifest, args: extra = [], ipv6 = false, timeoutS = 120 }) {
        await run(['timeout', String(timeoutS + 10), process.execPath, TRAFFIC_MJS, 'run',
          '--src-ns', env.SRC_NS, '--dst-ns', env.DST_NS,
          '--src-ip', ipv6 ? env.SRC_IP6 : env.SRC_IP, '--dst-ip', ipv6 ? env.DST_IP6 : env.DST_IP,
          '--manifest', manifest, '--timeout-s', String(timeoutS), ...extra], (timeoutS + 20) * 1000);
        return readManifest(manifest);
      },
    };
    return await fn(lab);
  } finally {
    labDown(tag);
  }
}

/** Lab namespaces currently present for `tag` (for cleanup assertions). */
export function labNamespaces(tag: string): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return r.stdout.split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(`vma-${tag}-`));
}
