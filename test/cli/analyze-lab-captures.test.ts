import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { CAPTURES, ROOT, runJson, tool } from '../helpers/cli.js';

/**
 * Issue 2's proof on real lab traffic (captures/README.md says how each was made): exact payload
 * bytes against the traffic generator's manifest, and packet/byte counts against tshark and capinfos.
 */
const FILES = ['lab-routed.pcapng', 'lab-l2.pcap'];

const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'analysis-v1.schema.json'), 'utf8'));
const ajv = new (Ajv2020 as any)({ allErrors: true, strict: false });
(addFormats as any)(ajv);
const validate = ajv.compile(schema);

interface ManifestStream { role: string; client: { ip: string; port: number }; server: { ip: string; port: number }; bytesClientToServer: number; bytesServerToClient: number; migration: number | null; outcome: string }

function manifest(file: string): { streams: ManifestStream[]; migrations: Array<{ source: string; destination: string; bytesSourceToDestination: number }> } {
  return JSON.parse(readFileSync(join(CAPTURES, file.replace(/\.pcap(ng)?$/, '.manifest.json')), 'utf8'));
}

const key = (a: { ip: string; port: number }, b: { ip: string; port: number }) => `${a.ip}:${a.port}>${b.ip}:${b.port}`;

describe.each(FILES)('analyze %s', (file) => {
  const path = join(CAPTURES, file);
  let result: any;
  beforeAll(() => {
    const r = runJson(['analyze', path, '--sha256']);
    expect(r.code, r.stderr).toBe(0);
    result = r.result;
  });

  it('produces JSON valid against the published schema', () => {
    const ok = validate(result);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('reports exactly the payload bytes the traffic generator sent, per stream and per migration', () => {
    const m = manifest(file);
    const byKey = new Map(result.streams.map((s: any) => [key(s.client, s.server), s]));
    const tracked = m.streams.filter((s) => s.server.port === 8000 || s.server.port === 902);
    expect(tracked.length).toBeGreaterThan(0);
    for (const ms of tracked) {
      const s: any = byKey.get(key(ms.client, ms.server));
      expect(s, `stream ${key(ms.client, ms.server)} (${ms.role})`).toBeDefined();
      expect(s.kind).toBe(ms.server.port === 902 ? 'nfc' : 'vmotion');
      expect(s.clientToServer.payloadBytes).toBe(ms.bytesClientToServer);
      expect(s.serverToClient.payloadBytes).toBe(ms.bytesServerToClient);
      expect(s.synSeen).toBe(true);
      expect(s.closed).toBe('fin');
    }
    expect(result.migrations.map((x: any) => [x.sourceHost, x.destinationHost, x.payloadBytes]))
      .toEqual(m.migrations.map((x) => [x.source, x.destination, x.bytesSourceToDestination]));
    // NFC (902) and other ports never join a migration.
    for (const s of result.streams) expect(s.migrationId === null).toBe(s.kind === 'nfc');
  });

  it('agrees with tshark -z conv,tcp on frames per direction and with tshark fields on exact wire bytes', () => {
    const conv = tool('tshark', ['-r', path, '-q', '-z', 'conv,tcp']);
    const units: Record<string, number> = { bytes: 1, kB: 1e3, MB: 1e6, GB: 1e9 };
    const rows = new Map<string, { aToB: [number, number, string]; bToA: [number, number, string] }>();
    for (const line of conv.split('\n')) {
      const m = /^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+(\d+)\s+(\d+)\s+(bytes|kB|MB|GB)\s+(\d+)\s+(\d+)\s+(bytes|kB|MB|GB)/.exec(line);
      if (!m) continue;
      // tshark: "<-" columns are frames from B to A, "->" from A to B.
      rows.set(`${m[1]}:${m[2]}|${m[3]}:${m[4]}`, { bToA: [+m[5], +m[6], m[7]], aToB: [+m[8], +m[9], m[10]] });
    }
    const exact = new Map<string, [number, number]>();
    const fields = tool('tshark', ['-r', path, '-Y', 'tcp', '-T', 'fields', '-E', 'separator=,', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'tcp.dstport', '-e', 'frame.len']);
    for (const line of fields.trim().split('\n')) {
      const [s4, s6, sp, d4, d6, dp, len] = line.split(',');
      const k = `${s4 || s6}:${sp}>${d4 || d6}:${dp}`;
      const e = exact.get(k) ?? [0, 0];
      e[0]++; e[1] += Number(len);
      exact.set(k, e);
    }
    const ours = result.streams;
    expect(ours.length).toBeGreaterThan(0);
    for (const s of ours) {
      const a = `${s.client.ip}:${s.client.port}`; const b = `${s.server.ip}:${s.server.port}`;
      const row = rows.get(`${a}|${b}`);
      const rev = rows.get(`${b}|${a}`);
      const c2sConv = row ? row.aToB : rev!.bToA;
      const s2cConv = row ? row.bToA : rev!.aToB;
      expect(s.clientToServer.packets).toBe(c2sConv[0]);
      expect(s.serverToClient.packets).toBe(s2cConv[0]);
      for (const [d, c] of [[s.clientToServer, c2sConv], [s.serverToClient, s2cConv]] as const) {
        expect(Math.abs(d.wireBytes / units[c[2]] - c[1])).toBeLessThanOrEqual(1);
      }
      expect([s.clientToServer.packets, s.clientToServer.wireBytes]).toEqual(exact.get(`${a}>${b}`) ?? [0, 0]);
      expect([s.serverToClient.packets, s.serverToClient.wireBytes]).toEqual(exact.get(`${b}>${a}`) ?? [0, 0]);
    }
  });

  it('agrees with capinfos on packets, duration and first/last packet times', () => {
    const out = tool('capinfos', ['-T', '-r', '-c', '-u', '-a', '-e', '-S', path]).trim().split('\t');
    const [, packets, duration, first, last] = out;
    const inp = result.inputs[0];
    expect(inp.packets).toBe(Number(packets));
    expect(inp.durationSeconds).toBeCloseTo(Number(duration), 5);
    // Exact, digit for digit: seconds since the epoch with the capture's own fraction.
    const epoch = (iso: string) => `${Date.parse(`${iso.slice(0, 19)}Z`) / 1000}.${/\.(\d+)Z$/.exec(iso)![1]}`;
    expect(epoch(inp.firstPacketTime)).toBe(first);
    expect(epoch(inp.lastPacketTime)).toBe(last);
    expect(inp.sha256).toBe(tool('sha256sum', [path]).split(' ')[0]);
  });

  it('hashes inputs only when asked (--sha256): the hash costs about as much CPU as the analysis', () => {
    const r = runJson(['analyze', path]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.result.inputs[0].sha256).toBeNull();
    expect(r.result.streams).toEqual(result.streams);
  });

  it('numbers frames as Wireshark does: each stream starts at the frame tshark shows for its first packet', () => {
    const out = tool('tshark', ['-r', path, '-Y', 'tcp', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream']);
    const firstOfStream = new Map<string, number>();
    for (const line of out.trim().split('\n')) {
      const [n, st] = line.split('\t');
      if (!firstOfStream.has(st)) firstOfStream.set(st, Number(n));
    }
    const tsharkFirsts = new Set(firstOfStream.values());
    for (const s of result.streams) expect(tsharkFirsts.has(s.firstFrame.frame), `stream ${s.id} first frame ${s.firstFrame.frame}`).toBe(true);
  });

  it('keeps the capture\'s timestamp precision', () => {
    const digits = file.endsWith('.pcapng') ? 9 : 6;
    const re = new RegExp(`\\.\\d{${digits}}Z$`);
    expect(result.inputs[0].firstPacketTime).toMatch(re);
    for (const s of result.streams) expect(s.firstPacketTime).toMatch(re);
    for (const m of result.migrations) expect(m.startTime).toMatch(re);
  });

  it('computes throughput from unique payload over the active time, with a series on the interval', () => {
    for (const m of result.migrations) {
      expect(m.throughputBitsPerSecond).toBeCloseTo((m.payloadBytes * 8) / m.activeSeconds, 0);
      expect(m.series.length).toBeGreaterThanOrEqual(Math.floor(m.activeSeconds / m.intervalSeconds));
      const max = Math.max(...m.series.map((p: any) => p.bitsPerSecond));
      expect(m.peakThroughputBitsPerSecond).toBe(max);
      // Bytes in the series add up to the migration's payload (each point covers one interval except the edge).
      expect(m.series.length).toBeLessThanOrEqual(Math.ceil(m.activeSeconds / m.intervalSeconds) + 1);
    }
  });
});
