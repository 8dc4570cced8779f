/**
 * Real cooked captures, not conversions: the same lab traffic captured at once on the destination's
 * eth0 (dumpcap, Ethernet), with `tcpdump -i any` (LINUX_SLL2) and with `tcpdump -i any -y LINUX_SLL`
 * (as a Linux jump box writes them). All three must give the same streams, migrations and bytes.
 * Runs as root in network namespaces (test/lab/netns.ts); skipped with a reason elsewhere.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalysisResult, StreamReport } from '../../src/analysis/result.js';
import { downAllLabs, skipLab, withLab, type RunningCapture } from '../lab/netns.js';
import { analyze } from './compare.js';
import { scratchDir } from './convert.js';

const skip = skipLab();
afterAll(downAllLabs);

/** tcpdump with extra options in a lab namespace (lab.capture has no -y); resolves once it listens. */
function tcpdumpIn(ns: string, file: string, extra: string[]): Promise<RunningCapture> {
  return new Promise((resolve, reject) => {
    const p = spawn('ip', ['netns', 'exec', ns, 'timeout', '300', 'tcpdump', '-n', '-U', '-Z', 'root', '-s', '128', ...extra, '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const exited = new Promise<void>((r) => p.once('close', () => r()));
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`tcpdump did not start: ${err}`)); }, 15_000);
    p.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (/listening on/.test(err)) {
        clearTimeout(timer);
        resolve({ file, async stop() { p.kill('SIGINT'); await exited; } });
      }
    });
    p.once('close', (code) => { clearTimeout(timer); reject(new Error(`tcpdump exited (${code}): ${err}`)); });
  });
}

/** A stream as the three captures must agree on it (times compared separately: each socket stamps its own copy). */
function totals(s: StreamReport): unknown {
  const d = (x: StreamReport['clientToServer']) => ({ packets: x.packets, ipBytes: x.ipBytes, payloadBytes: x.payloadBytes, retransmittedBytes: x.retransmittedBytes, dataPackets: x.dataPackets });
  return { kind: s.kind, client: s.client, server: s.server, synSeen: s.synSeen, synAckSeen: s.synAckSeen, closed: s.closed, c2s: d(s.clientToServer), s2c: d(s.serverToClient), migrationId: s.migrationId, verdict: s.path?.verdict, hops: s.path?.hops };
}
const sorted = (r: AnalysisResult): unknown[] => r.streams.map(totals).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe.skipIf(skip)('tcpdump -i any on a Linux host, against an Ethernet capture of the same traffic', () => {
  test('LINUX_SLL2 and LINUX_SLL captures analyse like the eth0 capture', async () => {
    const dir = scratchDir('any');
    try {
      const files = { eth: join(dir, 'eth0.pcapng'), sll2: join(dir, 'any-sll2.pcap'), sll: join(dir, 'any-sll.pcap') };
      await withLab('routed', async (lab) => {
        const caps = [
          await lab.capture({ ns: lab.dstNs, file: files.eth }),
          await tcpdumpIn(lab.dstNs, files.sll2, ['-i', 'any']),
          await tcpdumpIn(lab.dstNs, files.sll, ['-i', 'any', '-y', 'LINUX_SLL']),
        ];
        try {
          await lab.traffic({ manifest: join(dir, 'manifest.json'), args: ['--migrations', '1', '--memory-bytes', String(4 << 20), '--small-bytes', String(1 << 20)] });
          await new Promise((r) => setTimeout(r, 1000)); // the last FIN/ACKs
        } finally {
          for (const c of caps) await c.stop();
        }
      });
      const [eth, sll2, sll] = await Promise.all([analyze(files.eth), analyze(files.sll2), analyze(files.sll)]);
      expect(sll2.inputs[0].linkTypes.map((l) => l.name)).toEqual(['LINUX_SLL2']);
      expect(sll.inputs[0].linkTypes.map((l) => l.name)).toEqual(['LINUX_SLL']);
      expect(eth.migrations).toHaveLength(1);
      for (const cooked of [sll2, sll]) {
        expect(sorted(cooked)).toEqual(sorted(eth));
        expect(cooked.migrations.map((m) => [m.sourceIps, m.destinationIps, m.payloadBytes, m.reversePayloadBytes, m.retransmittedBytes, m.path?.verdict]))
          .toEqual(eth.migrations.map((m) => [m.sourceIps, m.destinationIps, m.payloadBytes, m.reversePayloadBytes, m.retransmittedBytes, m.path?.verdict]));
        // Each socket stamps its own copy of a frame: the same instant within a millisecond.
        cooked.migrations.forEach((m, i) => {
          expect(Math.abs(Date.parse(m.startTime) - Date.parse(eth.migrations[i].startTime))).toBeLessThan(1);
          expect(m.activeSeconds).toBeCloseTo(eth.migrations[i].activeSeconds, 2);
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
