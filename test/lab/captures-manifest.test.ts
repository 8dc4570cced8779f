/**
 * The bundled lab captures agree with their truth manifests, as judged by tshark: every manifest stream
 * is in `-z conv,tcp`, each direction carries exactly the manifest's bytes (sequence extent, and the sum
 * of tcp.len over non-retransmitted segments), handshakes/FINs/RSTs are where the scenario says, and
 * the TTLs match the expected hop counts. Later tests trust these manifests; this is what earns it.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readdirSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  readManifest, hasTool, runTool, tsharkSegmentsPerInterface, tsharkConversations, directionFacts,
  type LabManifest, type Seg,
} from './manifest-check.js';

const CAPTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'captures');
const MAX_BYTES = 2 * 1024 * 1024;
const manifests = readdirSync(CAPTURES).filter((f) => f.endsWith('.manifest.json')).sort();

const missing = ['tshark', 'capinfos'].filter((t) => !hasTool(t));
if (missing.length > 0 && !process.env.CI) console.warn(`skipping lab capture checks: missing ${missing.join(', ')} (apt-get install tshark)`);
const skip = missing.length > 0 && !process.env.CI;

/** Interface names as tshark reports them: pcapng IDB names, or 'if0' for classic pcap. */
function interfacesOf(m: LabManifest): string[] {
  return m.capture!.format === 'pcapng' ? m.capture!.interfaces : ['if0'];
}

/** Expected TTL of packets from the source / destination host at one capture interface. */
function expectedTtl(m: LabManifest, iface: string): { fromSource: number; fromDestination: number } {
  const t = m.expected!.ttlAtCapture as Record<string, unknown>;
  if (typeof t.fromSource === 'number') return t as { fromSource: number; fromDestination: number };
  return t[iface] as { fromSource: number; fromDestination: number };
}


it('has the two captures the analyzer defaults to, each with a manifest', () => {
  expect(manifests).toContain('lab-routed.manifest.json');
  expect(manifests).toContain('lab-l2.manifest.json');
});

describe.skipIf(skip).each(manifests)('%s', (name) => {
  const m = readManifest(join(CAPTURES, name));
  const file = join(CAPTURES, m.capture!.file);
  let segs: Seg[];
  let conv: Set<string>;

  beforeAll(async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'vma-lab-check-'));
    try {
      [segs, conv] = await Promise.all([
        tsharkSegmentsPerInterface(file, m.capture!.format === 'pcapng' ? m.capture!.interfaces.length : 1, tmp),
        tsharkConversations(file)]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 180_000); // tshark over ~1 MB on a shared 2-core machine: seconds, not the default 10 s

  it('is a small snaplen-128 capture of the declared format', { timeout: 60_000 }, async () => {
    expect(statSync(file).size).toBeLessThan(MAX_BYTES);
    const info = await runTool('capinfos', ['-t', '-l', '-I', file]);
    expect(info).toMatch(m.capture!.format === 'pcapng' ? /pcapng/ : /pcap\b|libpcap/);
    expect(info).toMatch(/inferred: 128 bytes/);
    if (m.capture!.format === 'pcapng') {
      expect(info).toMatch(new RegExp(`Number of interfaces in file: ${m.capture!.interfaces.length}`));
    }
  });

  it('manifest is self-consistent', () => {
    expect(m.schema).toBe('vmotion-lab-manifest/1');
    expect(m.streams.length).toBeGreaterThan(0);
    if (m.scenario === 'vmotion') {
      for (const mig of m.migrations) {
        const roles = m.streams.filter((s) => s.migration === mig.index).map((s) => s.role).sort();
        expect(roles).toEqual(['memory', 'reverse', 'small']);
        // The destination opens one stream (to the source's 8000): SYN direction is not migration direction.
        const reverse = m.streams.find((s) => s.migration === mig.index && s.role === 'reverse')!;
        expect(reverse.client.ip).toBe(m.hosts.destination.ip);
        expect(reverse.server).toMatchObject({ ip: m.hosts.source.ip, port: 8000 });
        expect(reverse.bytesServerToClient).toBeGreaterThan(reverse.bytesClientToServer);
      }
      for (let i = 1; i < m.migrations.length; i++) {
        expect(m.migrations[i].start! - m.migrations[i - 1].end!).toBeGreaterThan(2);
      }
      const nfc = (m as unknown as { config: { nfcBytes: number } }).config.nfcBytes;
      expect(m.streams.some((s) => s.server.port === 902)).toBe(nfc > 0);
    }
  });

  it('every manifest stream is a tshark conversation with exactly the manifest bytes each way', () => {
    for (const s of m.streams) {
      const key = `${s.client.ip}:${s.client.port} ${s.server.ip}:${s.server.port}`;
      expect(conv.has(key), `${key} in conv,tcp`).toBe(true);
      for (const iface of interfacesOf(m)) {
        const c2s = directionFacts(segs, s.client, s.server, iface);
        const s2c = directionFacts(segs, s.server, s.client, iface);
        const where = `${m.capture!.file} ${iface} stream ${s.id} (${s.role}) ${key}`;
        if (s.outcome === 'ok') {
          expect(c2s.syn, `${where}: SYN`).toBeGreaterThanOrEqual(1);
          expect(s2c.syn, `${where}: SYN-ACK`).toBeGreaterThanOrEqual(1);
          expect(c2s.fin, `${where}: client FIN`).toBeGreaterThanOrEqual(1);
          expect(s2c.fin, `${where}: server FIN`).toBeGreaterThanOrEqual(1);
          expect(c2s.extent, `${where}: client->server sequence extent`).toBe(s.bytesClientToServer);
          expect(s2c.extent, `${where}: server->client sequence extent`).toBe(s.bytesServerToClient);
          for (const [dir, f, bytes] of [['client->server', c2s, s.bytesClientToServer], ['server->client', s2c, s.bytesServerToClient]] as const) {
            // Every byte is seen at least once, whatever was lost or resent.
            expect(f.covered, `${where}: ${dir} bytes covered`).toBe(bytes);
            if (f.retransSegments === 0) {
              expect(f.sumAll, `${where}: ${dir} sum of tcp.len`).toBe(bytes);
            } else if (m.capture!.pointRole === 'src' && s.client.ip === m.hosts.source.ip) {
              // At the sender every original segment passes the tap before any copy of it: what
              // tshark does not flag as resent adds up to exactly the bytes sent.
              expect(f.uniqueSum, `${where}: ${dir} tcp.len minus retransmissions`).toBe(bytes);
            } else {
              expect(f.uniqueSum, `${where}: ${dir} tcp.len minus retransmissions`).toBeLessThanOrEqual(bytes);
              expect(f.sumAll).toBeGreaterThan(bytes);
            }
          }
        } else if (s.outcome === 'refused') {
          expect(c2s.syn, `${where}: SYN`).toBeGreaterThanOrEqual(1);
          expect(s2c.rst, `${where}: RST`).toBeGreaterThanOrEqual(1);
          expect(c2s.extent + s2c.extent).toBe(0);
        } else if (s.outcome === 'timeout') {
          // Unanswered: the SYN is retransmitted and nothing ever comes back.
          expect(c2s.syn, `${where}: SYN retransmitted`).toBeGreaterThanOrEqual(2);
          expect(s2c.segments, `${where}: no answer`).toBe(0);
        }
      }
    }
  });

  it('TTL / hop limit matches the expected hop count at the capture point', () => {
    const src = m.hosts.source.ip;
    const dst = m.hosts.destination.ip;
    for (const iface of interfacesOf(m)) {
      const want = expectedTtl(m, iface);
      const fromSrc = new Set(segs.filter((x) => x.iface === iface && x.src === src).map((x) => x.ttl));
      const fromDst = new Set(segs.filter((x) => x.iface === iface && x.src === dst).map((x) => x.ttl));
      expect([...fromSrc], `${iface} TTL from source`).toEqual([want.fromSource]);
      if (fromDst.size > 0) expect([...fromDst], `${iface} TTL from destination`).toEqual([want.fromDestination]);
    }
    expect(m.expected!.routed).toBe(m.expected!.hops > 0);
  });

  // Registered only where they apply, so nothing is reported as skipped.
  if ((m.expected?.findings ?? []).length > 0) it('shows what it was made for', { timeout: 60_000 }, async () => {
    for (const finding of m.expected!.findings!) {
      if (finding === 'retransmissions') {
        const n = segs.filter((x) => (x.retrans || x.outOfOrder) && (x.sport === 8000 || x.dport === 8000)).length;
        expect(n, 'retransmitted vMotion segments').toBeGreaterThan(10);
      } else if (finding === 'icmp-frag-needed') {
        // A router (never a host) names itself and the MTU, quoting a vMotion segment.
        const out = await runTool('tshark', ['-r', file, '-n', '-Y', 'icmp.type == 3 && icmp.code == 4', '-T', 'fields',
          '-E', 'separator=/t', '-e', 'ip.src', '-e', 'icmp.mtu', '-e', 'tcp.dstport']);
        const rows = out.split('\n').filter(Boolean).map((l) => l.split('\t'));
        expect(rows.length).toBeGreaterThan(0);
        const routerIps = (m.topology!.routers ?? []).flatMap((r) => Object.values(r.interfaces).map((i) => i.ip));
        for (const [src, mtu, dport] of rows) {
          expect(routerIps).toContain(src.split(',')[0]);
          expect(Number(mtu)).toBe(m.topology!.mtuCore);
          expect(dport).toBe('8000');
        }
      } else if (finding === 'rst-on-8000') {
        expect(segs.some((x) => x.rst && x.sport === 8000)).toBe(true);
      } else if (finding === 'unanswered-syn') {
        const silent = m.topology!.silentIp!;
        expect(segs.filter((x) => x.syn && x.dst === silent).length).toBeGreaterThanOrEqual(4);
        expect(segs.some((x) => x.src === silent)).toBe(false);
      } else {
        throw new Error(`manifest names unknown finding '${finding}'`);
      }
    }
  });

  if (m.scenario === 'vmotion') it('each migration memory stream runs >= 1.5 s in the capture', () => {
    for (const s of m.streams.filter((x) => x.role === 'memory')) {
      const f = directionFacts(segs, s.client, s.server, interfacesOf(m)[0]);
      expect(f.lastData - f.firstData, `stream ${s.id}`).toBeGreaterThanOrEqual(1.5);
    }
  });
});
