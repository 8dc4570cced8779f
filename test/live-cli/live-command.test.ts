import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { downAllLabs, skipLab, withLab, type Lab } from '../lab/netns.js';
import { ROOT, runJson } from '../helpers/cli.js';

const BIN = join(ROOT, 'bin', 'vmotion-analyzer.js');
const skip = skipLab();
afterAll(downAllLabs);

interface LiveRun { code: number; stdout: string; stderr: string }

/**
 * Starts `vmotion-analyzer live` inside a lab namespace, waits until it reports it is capturing
 * (its first status line), runs `during`, then stops it with SIGINT as a user's Ctrl-C would.
 */
async function liveWhile(lab: Lab, ns: string, args: string[], during: () => Promise<void>): Promise<LiveRun> {
  const p = spawn('ip', ['netns', 'exec', ns, process.execPath, BIN, 'live', ...args, '--refresh', '0.2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = ''; let stderr = '';
  p.stdout.on('data', (d) => { stdout += d; });
  const ready = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`live did not start: ${stderr}`)), 20_000);
    p.stderr.on('data', (d) => { stderr += d; if (/^live /m.test(stderr)) { clearTimeout(t); resolve(); } });
    p.once('close', (code) => { clearTimeout(t); reject(new Error(`live exited early (${code}): ${stderr}`)); });
  });
  const closed = new Promise<number>((resolve) => p.once('close', (code) => resolve(code ?? -1)));
  try {
    await ready;
    await during();
  } finally {
    p.kill('SIGINT');
  }
  const killer = setTimeout(() => p.kill('SIGKILL'), 20_000);
  const code = await closed;
  clearTimeout(killer);
  void lab;
  return { code, stdout, stderr };
}

describe.skipIf(skip)('live capture in the namespace lab', () => {
  it('reports the migration, exact bytes, a routed verdict and zero drops; --write gives the same report offline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vma-live-'));
    await withLab('routed', async (lab) => {
      let manifest: Awaited<ReturnType<Lab['traffic']>> | null = null;
      const written = join(dir, 'live.pcapng');
      const bundle = join(dir, 'bundle');
      const run = await liveWhile(lab, lab.dstNs, ['-i', 'eth0', '--format', 'json', '--write', written, '--evidence', bundle], async () => {
        manifest = await lab.traffic({ manifest: join(dir, 'm.json'), args: ['--migrations', '1', '--memory-bytes', '8388608', '--small-bytes', '1048576'] });
      });
      expect(run.code, run.stderr).toBe(0);
      const live = JSON.parse(run.stdout);
      const m = manifest!;
      const expected = m.streams.filter((s) => s.migration !== null)
        .reduce((a, s) => a + (s.client.ip === m.hosts.source.ip ? s.bytesClientToServer : s.bytesServerToClient), 0);
      expect(live.migrations).toHaveLength(1);
      expect(live.migrations[0].sourceHost).toBe(m.hosts.source.ip);
      expect(live.migrations[0].payloadBytes).toBe(expected);
      expect(live.migrations[0].path.verdict).toBe('routed');
      expect(live.migrations[0].path.hops).toBe(1);
      expect(live.inputs[0].format).toBe('live');
      expect(live.inputs[0].droppedPackets).toBe(0);
      expect(live.inputs[0].firstPacketTime).toMatch(/\.\d{9}Z$/);
      // The recorded file, analysed offline, tells the same story.
      const offline = runJson(['analyze', written]).result;
      // Identical but for the capture point's name (live:eth0 vs the file name).
      const strip = (r: any, point: string) => JSON.parse(JSON.stringify(r.migrations).split(point).join('POINT'));
      expect(strip(offline, offline.inputs[0].point)).toEqual(strip(live, live.inputs[0].point));
      expect(offline.inputs[0].packets).toBe(live.inputs[0].packets);
      expect(offline.inputs[0].droppedPackets).toBe(0);
      // --evidence: the bundle cut from the recording, with the same verdict and bytes.
      expect(readdirSync(bundle).sort()).toEqual(['SHA256SUMS', 'evidence.pcapng', 'manifest.json', 'report.html', 'report.json', 'report.md']);
      const report = JSON.parse(readFileSync(join(bundle, 'report.json'), 'utf8'));
      expect(report.migrations[0].payloadBytes).toBe(expected);
      expect(report.migrations[0].path.verdict).toBe('routed');
    });
  }, 180_000);

  it('rotates --write files with --ring and analyze stitches them back into one capture point', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vma-ring-'));
    await withLab('l2', async (lab) => {
      const run = await liveWhile(lab, lab.dstNs, ['-i', 'eth0', '--format', 'json', '--write', join(dir, 'ring.pcapng'), '--ring', '0.01,1000'], async () => {
        await lab.traffic({ manifest: join(dir, 'm.json'), args: ['--migrations', '1', '--memory-bytes', '8388608', '--small-bytes', '1048576'] });
      });
      expect(run.code, run.stderr).toBe(0);
      const live = JSON.parse(run.stdout);
      const files = readdirSync(dir).filter((f) => f.startsWith('ring_')).map((f) => join(dir, f));
      expect(files.length).toBeGreaterThan(1);
      const offline = runJson(['analyze', ...files]).result;
      expect(new Set(offline.inputs.map((i: any) => i.point)).size).toBe(1);
      expect(offline.migrations.map((x: any) => x.payloadBytes)).toEqual(live.migrations.map((x: any) => x.payloadBytes));
    });
  }, 180_000);

  it('says what to do for an unknown interface and a bad filter', async () => {
    const bad = runJson(['live', '-i', 'no-such-if0', '--duration', '1']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/live --list/);
    const filter = runJson(['live', '-i', 'lo', '--bpf', 'tcp port banana', '--duration', '1']);
    expect(filter.code).toBe(3);
    expect(filter.stderr).toMatch(/tcp port banana/);
  });
});
