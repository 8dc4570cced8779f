/**
 * The evidence bundle on real lab captures, checked with independent tools: tshark reads
 * evidence.pcapng (headers only, original lengths and times, every cited frame, comments),
 * `sha256sum -c` verifies the manifest, and a redacted bundle leaks no original address.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { AnalysisResult, FrameRef } from '../../src/analysis/result.js';
import { missingTools, run, runAsync } from '../source/tools.js';

const ROUTED = resolve('captures/lab-routed.pcapng');
const SOURCE_SIDE = resolve('captures/lab-routed-source.pcap');
const tmp = mkdtempSync(join(tmpdir(), 'vma-evidence-'));
const missing = missingTools(['tshark', 'sha256sum']);
const haveLab = existsSync(ROUTED) && existsSync(SOURCE_SIDE);
if (!haveLab) console.warn('skipping evidence bundle tests: lab captures missing (captures/README.md)');
if (process.env.CI && !haveLab) throw new Error('lab captures missing in CI');
const live = missing.length === 0 && haveLab;

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

async function cli(...args: string[]): Promise<number> {
  return main(['node', 'vmotion-analyzer', ...args, '--no-progress']);
}

interface Row { [k: string]: string }

async function tsharkRows(file: string, fields: string[], extra: string[] = []): Promise<Row[]> {
  const out = await runAsync('tshark', ['-r', file, ...extra, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,',
    ...fields.flatMap((f) => ['-e', f])]);
  return out.split('\n').filter((l) => l.length > 0).map((l) => Object.fromEntries(l.split('\t').map((v, i) => [fields[i], v])));
}

/** Every frame the result cites, found independently of the code under test: all `frames` arrays. */
function citedIn(result: unknown): FrameRef[] {
  const out: FrameRef[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(walk); return; }
    if (v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'frames' && Array.isArray(x)) out.push(...(x as FrameRef[]));
      else walk(x);
    }
  };
  walk(result);
  return out;
}

const COMMENT = /^input (\d+) \(([^)]+)\) frame (\d+): (.+)$/;

describe.runIf(live)('evidence bundle of lab captures (two capture points)', () => {
  const out = join(tmp, 'bundle');
  let result: AnalysisResult;
  let rows: Row[];
  const inputHashes = haveLab ? [sha256(ROUTED), sha256(SOURCE_SIDE)] : [];

  beforeAll(async () => {
    expect(await cli('evidence', ROUTED, SOURCE_SIDE, '--out', out)).toBe(0);
    result = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    rows = await tsharkRows(join(out, 'evidence.pcapng'), ['frame.number', 'frame.comment', 'frame.len', 'frame.cap_len', 'frame.time_epoch',
      'frame.protocols', 'frame.interface_name', 'ip.hdr_len', 'tcp.hdr_len', 'tcp.flags.syn', 'tcp.flags.ack']);
  }, 120_000);

  it('writes the six files and nothing else', () => {
    expect(readdirSync(out).sort()).toEqual(['SHA256SUMS', 'evidence.pcapng', 'manifest.json', 'report.html', 'report.json', 'report.md']);
  }, 60_000);

  it('manifest and SHA256SUMS verify with sha256sum, inputs hashed as on disk and left unmodified', () => {
    expect(run('sh', ['-c', `cd '${out}' && sha256sum -c SHA256SUMS`])).toMatch(/report\.html: OK[\s\S]*manifest\.json: OK/);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.tool).toEqual({ name: 'vmotion-analyzer', version: result.generator.version });
    expect(m.commandLine).toContain('evidence');
    expect(m.commandLine).toContain(ROUTED);
    expect(Date.parse(m.analysedAt)).toBeGreaterThan(Date.parse('2024-01-01'));
    for (const o of m.outputs) expect(sha256(join(out, o.file))).toBe(o.sha256);
    expect(m.outputs.map((o: { file: string }) => o.file).sort()).toEqual(['evidence.pcapng', 'report.html', 'report.json', 'report.md']);
    const byPath = new Map(m.inputs.map((i: { path: string; sha256: string }) => [i.path, i.sha256]));
    expect(byPath.get(ROUTED)).toBe(inputHashes[0]);
    expect(byPath.get(SOURCE_SIDE)).toBe(inputHashes[1]);
    expect([sha256(ROUTED), sha256(SOURCE_SIDE)]).toEqual(inputHashes);
  }, 60_000);

  it('report.json is the analysis with the --format json schema', async () => {
    const file = join(tmp, 'analyze.json');
    expect(await cli('analyze', ROUTED, SOURCE_SIDE, '-f', 'json', '-o', file)).toBe(0);
    const direct = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(result).sort()).toEqual(Object.keys(direct).sort());
    expect(result.migrations.map((m) => [m.id, m.payloadBytes])).toEqual(direct.migrations.map((m: { id: number; payloadBytes: number }) => [m.id, m.payloadBytes]));
  }, 60_000);

  it('tshark reads evidence.pcapng: one interface per input, a comment naming the original frame on every packet', () => {
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.length).toBeLessThanOrEqual(5000);
    for (const r of rows) {
      const m = COMMENT.exec(r['frame.comment']);
      expect(m, `packet ${r['frame.number']} comment "${r['frame.comment']}"`).not.toBeNull();
      expect(r['frame.interface_name']).toBe(`input ${m![1]}: ${m![2]}`);
    }
    expect(new Set(rows.map((r) => r['frame.interface_name'])).size).toBe(2);
  }, 60_000);

  it('every packet ends at its headers: cap_len = link + IP + TCP header, nothing of the payload', () => {
    let tcp = 0;
    for (const r of rows) {
      const cap = Number(r['frame.cap_len']);
      const protos = r['frame.protocols'].split(':');
      if (protos.includes('tcp')) {
        tcp++;
        const link = protos[0] === 'eth' ? 14 + 4 * protos.filter((p) => p === 'vlan').length : protos[0] === 'sll' ? 16 : NaN;
        expect(cap, `packet ${r['frame.number']} (${r['frame.protocols']})`).toBe(link + Number(r['ip.hdr_len']) + Number(r['tcp.hdr_len']));
      } else if (protos.includes('arp')) {
        expect(cap).toBeLessThanOrEqual(64);
      } else {
        expect(cap).toBeLessThanOrEqual(14 + 60 + 8 + 60 + 8); // ICMP: its header and the quoted headers at most
      }
      expect(Number(r['frame.len'])).toBeGreaterThanOrEqual(cap);
    }
    expect(tcp).toBeGreaterThan(10);
    // The bulk data packets were big on the wire: their original lengths are kept.
    expect(Math.max(...rows.map((r) => Number(r['frame.len'])))).toBeGreaterThan(1500);
  }, 60_000);

  it('original lengths and timestamps are those of the original frames', async () => {
    const inputs = [ROUTED, SOURCE_SIDE];
    for (let i = 0; i < 2; i++) {
      const orig = await tsharkRows(inputs[i], ['frame.number', 'frame.len', 'frame.time_epoch']);
      const byNumber = new Map(orig.map((o) => [o['frame.number'], o]));
      for (const r of rows) {
        const m = COMMENT.exec(r['frame.comment'])!;
        if (Number(m[1]) !== result.inputs.findIndex((x) => x.path === inputs[i])) continue;
        const o = byNumber.get(m[3])!;
        expect(r['frame.len']).toBe(o['frame.len']);
        expect(r['frame.time_epoch']).toBe(o['frame.time_epoch']);
      }
    }
  }, 60_000);

  it('every cited frame is present; handshakes, closes and first data packets of every stream are there', () => {
    const present = new Set(rows.map((r) => { const m = COMMENT.exec(r['frame.comment'])!; return `${m[1]}:${m[3]}`; }));
    const cited = citedIn(result);
    expect(cited.length).toBeGreaterThan(0);
    for (const f of cited) expect(present.has(`${f.input}:${f.frame}`), `cited frame ${f.input}:${f.frame}`).toBe(true);
    const comments = rows.map((r) => r['frame.comment']).join('\n');
    for (const s of result.streams) {
      if (s.synSeen) expect(comments).toContain(`stream ${s.id} handshake: SYN`);
      if (s.synAckSeen) expect(comments).toContain(`stream ${s.id} handshake: SYN-ACK`);
      if (s.closed === 'fin') expect(comments).toMatch(new RegExp(`stream ${s.id} close: FIN`));
      if (s.clientToServer.dataPackets > 0) expect(comments).toContain(`stream ${s.id} data client→server #1`);
      expect(present.has(`${s.lastFrame.input}:${s.lastFrame.frame}`)).toBe(true);
    }
    // SYN packets in the evidence really are SYNs (the comment matches the packet).
    for (const r of rows) if (/handshake: SYN(;|$| \()/.test(r['frame.comment'])) expect([r['tcp.flags.syn'], r['tcp.flags.ack']]).toEqual(['1', '0']);
  }, 60_000);

  it('never overwrites an existing bundle without --force; --force replaces it', async () => {
    const before = sha256(join(out, 'report.json'));
    const mtime = statSync(join(out, 'evidence.pcapng')).mtimeMs;
    expect(await cli('evidence', ROUTED, '--out', out)).toBe(2);
    expect(sha256(join(out, 'report.json'))).toBe(before);
    expect(statSync(join(out, 'evidence.pcapng')).mtimeMs).toBe(mtime);
    const other = join(tmp, 'occupied');
    await cli('analyze', ROUTED, '-f', 'json', '-o', join(tmp, 'x.json'));
    writeFileSync(join(tmp, 'occupied-marker'), '');
    expect(await cli('evidence', ROUTED, '--out', other)).toBe(0);
    expect(await cli('evidence', ROUTED, '--out', other, '--force')).toBe(0);
    expect(run('sh', ['-c', `cd '${other}' && sha256sum -c --quiet SHA256SUMS && echo verified`])).toContain('verified');
    expect(readdirSync(other).some((f) => f.endsWith('.tmp'))).toBe(false);
  }, 120_000);

  it('refuses standard input and an --out that would overwrite an input', async () => {
    expect(await cli('evidence', '-', '--out', join(tmp, 'stdin'))).toBe(2);
    const dir = mkdtempSync(join(tmp, 'trap-'));
    const trap = join(dir, 'report.json');
    writeFileSync(trap, readFileSync(ROUTED));
    const h = sha256(trap);
    expect(await cli('evidence', trap, '--out', dir, '--force')).toBe(2);
    expect(sha256(trap)).toBe(h);
  });
});

describe.runIf(live)('redacted evidence bundle', () => {
  const plain = join(tmp, 'plain');
  const red = join(tmp, 'redacted');
  let orig: AnalysisResult;
  let redacted: AnalysisResult;
  const ADDR_FIELDS = ['eth.src', 'eth.dst', 'ip.src', 'ip.dst', 'arp.src.hw_mac', 'arp.dst.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4'];

  beforeAll(async () => {
    expect(await cli('evidence', ROUTED, SOURCE_SIDE, '--out', plain)).toBe(0);
    expect(await cli('evidence', ROUTED, SOURCE_SIDE, '--out', red, '--redact')).toBe(0);
    orig = JSON.parse(readFileSync(join(plain, 'report.json'), 'utf8'));
    redacted = JSON.parse(readFileSync(join(red, 'report.json'), 'utf8'));
  }, 120_000);

  async function addresses(file: string): Promise<Set<string>> {
    const rows = await tsharkRows(file, ADDR_FIELDS);
    const s = new Set<string>();
    for (const r of rows) for (const f of ADDR_FIELDS) for (const v of (r[f] ?? '').split(',')) if (v) s.add(v);
    return s;
  }

  it('no original IP or MAC in any file of the bundle (text and packet bytes)', async () => {
    const originals = new Set([...await addresses(ROUTED), ...await addresses(SOURCE_SIDE)]);
    const keep = (a: string) => a !== 'ff:ff:ff:ff:ff:ff' && a !== '00:00:00:00:00:00' && a !== '0.0.0.0';
    const secret = [...originals].filter(keep);
    expect(secret.length).toBeGreaterThan(4);
    for (const f of readdirSync(red)) {
      const text = readFileSync(join(red, f)).toString('latin1');
      for (const a of secret) {
        const re = new RegExp(`(?<![0-9a-f.:])${a.replace(/\./g, '\\.')}(?![0-9a-f]|\\.[0-9])`, 'i');
        expect(re.test(text), `${a} in ${f}`).toBe(false);
      }
    }
    // Packet headers, as tshark dissects them.
    const inPcap = await addresses(join(red, 'evidence.pcapng'));
    for (const a of secret) expect(inPcap.has(a), `${a} in evidence.pcapng headers`).toBe(false);
    expect(run('sh', ['-c', `cd '${red}' && sha256sum -c --quiet SHA256SUMS && echo verified`])).toContain('verified');
  }, 60_000);

  it('keeps what the verdict rests on: verdicts, hops, OUIs, subnet relations, and one pseudonym per address everywhere', async () => {
    expect(redacted.migrations.map((m) => [m.id, m.payloadBytes, (m as unknown as { path?: { verdict: string; hops: number } }).path?.verdict,
      (m as unknown as { path?: { hops: number } }).path?.hops])).toEqual(orig.migrations.map((m) => [m.id, m.payloadBytes,
      (m as unknown as { path?: { verdict: string } }).path?.verdict, (m as unknown as { path?: { hops: number } }).path?.hops]));
    expect(redacted.findings.map((f) => f.code)).toEqual(orig.findings.map((f) => f.code));
    // The mapping, as the streams show it.
    const map = new Map<string, string>();
    orig.streams.forEach((s, i) => { map.set(s.client.ip, redacted.streams[i].client.ip); map.set(s.server.ip, redacted.streams[i].server.ip); });
    const ips = [...map.keys()];
    expect(ips.length).toBeGreaterThanOrEqual(2);
    const prefix = (ip: string, bits: number) => ip.split('.').map(Number).reduce((a, b) => a * 256 + b, 0) >>> (32 - bits);
    for (const a of ips) {
      expect(map.get(a)).not.toBe(a);
      for (const b of ips) for (const bits of [8, 16, 23, 24]) expect(prefix(map.get(a)!, bits) === prefix(map.get(b)!, bits)).toBe(prefix(a, bits) === prefix(b, bits));
    }
    // Same pseudonyms in the Markdown, the HTML and the packets.
    const md = readFileSync(join(red, 'report.md'), 'utf8');
    const html = readFileSync(join(red, 'report.html'), 'utf8');
    const pcapIps = await addresses(join(red, 'evidence.pcapng'));
    for (const v of map.values()) { expect(md, v).toContain(v); expect(html, v).toContain(v); expect(pcapIps.has(v), v).toBe(true); }
    // MAC vendor prefixes survive, the NIC part does not.
    const ouis = (s: Set<string>) => new Set([...s].filter((a) => a.includes(':')).map((a) => a.slice(0, 8)));
    const origMacs = new Set([...await addresses(ROUTED), ...await addresses(SOURCE_SIDE)].filter((a) => a.includes(':')));
    expect(ouis(pcapIps)).toEqual(ouis(new Set([...origMacs].filter((a) => [...pcapIps].some((p) => p.slice(0, 8) === a.slice(0, 8))))));
    expect([...ouis(pcapIps)].length).toBeGreaterThan(0);
  }, 60_000);

  it('IPv4 header checksums stay valid after rewriting (where they were valid in the original)', async () => {
    const fields = ['frame.comment', 'ip.checksum.status'];
    const rows = await tsharkRows(join(red, 'evidence.pcapng'), fields, ['-o', 'ip.check_checksum:TRUE']);
    const plainRows = await tsharkRows(join(plain, 'evidence.pcapng'), fields, ['-o', 'ip.check_checksum:TRUE']);
    const before = new Map(plainRows.map((r) => [r['frame.comment'].replace(/:.*/, ''), r['ip.checksum.status']]));
    let good = 0;
    for (const r of rows) {
      const key = r['frame.comment'].replace(/:.*/, '');
      if (!r['ip.checksum.status']) continue;
      expect(r['ip.checksum.status'], key).toBe(before.get(key));
      if (r['ip.checksum.status'] === '1') good++;
    }
    expect(good).toBeGreaterThan(10);
  });
});
