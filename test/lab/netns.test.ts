/**
 * The lab helper works end to end as root (as in CI): a routed lab is built, traffic.mjs runs, the
 * capture agrees with the manifest it wrote (tshark), and the namespaces are gone afterwards, also
 * when the test body throws.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withLab, downAllLabs, skipLab, labNamespaces } from './netns.js';
import { tsharkSegments, directionFacts } from './manifest-check.js';

const skip = skipLab();
const work = mkdtempSync(join(tmpdir(), 'vma-netns-test-'));

afterAll(() => {
  downAllLabs();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(skip)('network-namespace lab', () => {
  it('routed lab: capture at the destination matches the traffic manifest, TTL 63 from the source', async () => {
    let tag = '';
    const file = join(work, 'routed.pcapng');
    const m = await withLab('routed', async (lab) => {
      tag = lab.tag;
      expect(labNamespaces(tag).sort()).toEqual([`vma-${tag}-dst`, `vma-${tag}-r1`, `vma-${tag}-src`]);
      const cap = await lab.capture({ ns: lab.dstNs, file });
      try {
        return await lab.traffic({
          manifest: join(work, 'routed.json'),
          args: ['--migrations', '1', '--memory-bytes', String(3 * 1048576), '--small-bytes', String(300_000),
            '--nfc-bytes', '0', '--ping-count', '1'],
        });
      } finally {
        await cap.stop();
      }
    }, { shape: '500mbit:256kb:8mb', rmemMax: 1048576 });
    expect(labNamespaces(tag)).toEqual([]);

    const segs = await tsharkSegments(file);
    const roles = m.streams.map((s) => s.role).sort();
    expect(roles).toEqual(['memory', 'reverse', 'small']);
    for (const s of m.streams) {
      const c2s = directionFacts(segs, s.client, s.server);
      const s2c = directionFacts(segs, s.server, s.client);
      expect(c2s.covered, `${s.role} client->server`).toBe(s.bytesClientToServer);
      expect(s2c.covered, `${s.role} server->client`).toBe(s.bytesServerToClient);
      expect(c2s.fin).toBeGreaterThanOrEqual(1);
      expect(s2c.fin).toBeGreaterThanOrEqual(1);
    }
    expect(m.streams.find((s) => s.role === 'memory')!.bytesClientToServer).toBe(3 * 1048576);
    expect(new Set(segs.filter((x) => x.src === m.hosts.source.ip).map((x) => x.ttl))).toEqual(new Set([63]));
    expect(new Set(segs.filter((x) => x.src === m.hosts.destination.ip).map((x) => x.ttl))).toEqual(new Set([64]));
  }, 120_000);

  it('tears the lab down by name when the body throws', async () => {
    let tag = '';
    await expect(withLab('l2', async (lab) => {
      tag = lab.tag;
      // The bridge lab is really up: the destination answers a ping with TTL 64 (no router).
      const out = await lab.exec(lab.srcNs, ['ping', '-n', '-c', '1', '-W', '2', lab.dstIp]);
      expect(out).toMatch(/ttl=64/);
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(tag).not.toBe('');
    expect(labNamespaces(tag)).toEqual([]);
  }, 60_000);
});
