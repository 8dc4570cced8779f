import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CAPTURES, runCli, runJson } from '../helpers/cli.js';

const ROUTED = join(CAPTURES, 'lab-routed.pcapng');
const L2 = join(CAPTURES, 'lab-l2.pcap');
const tmp = mkdtempSync(join(tmpdir(), 'vma-cli-'));

describe('analyze CLI', () => {
  it('prints the inputs, migrations and findings tables by default', () => {
    const r = runCli(['analyze', ROUTED]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Inputs/);
    expect(r.stdout).toMatch(/Migrations/);
    expect(r.stdout).toMatch(/10\.80\.1\.2\s*│[\s\S]*→ 10\.80\.2\.2/);
    expect(r.stdout).toMatch(/Mbit\/s/);
    expect(r.stdout).not.toMatch(/^Streams$/m);
    expect(runCli(['analyze', ROUTED, '-v']).stdout).toMatch(/^Streams$/m);
  });

  it('exits 2 on usage errors', () => {
    expect(runCli(['analyze']).code).toBe(2);
    expect(runCli(['analyze', ROUTED, '--gap', 'soon']).code).toBe(2);
    expect(runCli(['analyze', ROUTED, '--port', '70000']).code).toBe(2);
    expect(runCli(['analyze', ROUTED, '--format', 'xml']).code).toBe(2);
    expect(runCli(['frobnicate']).code).toBe(2);
  });

  it('exits 3 when an input cannot be read, still analysing the others and naming the failure', () => {
    const garbage = join(tmp, 'notes.pcap');
    writeFileSync(garbage, 'this is not a capture file at all, just text\n'.repeat(10));
    const r = runJson(['analyze', join(tmp, 'missing.pcap'), garbage, L2]);
    expect(r.code).toBe(3);
    expect(r.result.inputs.map((i: any) => i.failed)).toEqual([true, true, false]);
    expect(r.result.inputs[1].error.message).toMatch(/notes\.pcap/);
    expect(r.result.inputs[1].error.offset).toBe(0);
    expect(r.result.migrations.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/missing\.pcap/);
    expect(r.result.findings.filter((f: any) => f.code === 'CAPTURE_UNREADABLE')).toHaveLength(2);
  });

  it('analyses a file cut off mid-packet up to the cut, with a finding naming the byte offset', () => {
    const whole = readFileSync(L2);
    const cut = join(tmp, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6) + 7));
    const r = runJson(['analyze', cut]);
    expect(r.code).toBe(0);
    const inp = r.result.inputs[0];
    expect(inp.cutOff).toBe(true);
    expect(inp.packets).toBeGreaterThan(1000);
    const f = r.result.findings.find((x: any) => x.code === 'CAPTURE_TRUNCATED_FILE');
    expect(f).toBeDefined();
    expect(f.message).toMatch(new RegExp(`byte ${inp.error.offset}`));
    expect(r.result.migrations.length).toBeGreaterThan(0);
  });

  it('reads gzip-compressed captures and standard input identically', () => {
    const plain = runJson(['analyze', L2]).result;
    const gz = join(tmp, 'l2.pcap.gz');
    writeFileSync(gz, gzipSync(readFileSync(L2)));
    const zipped = runJson(['analyze', gz]).result;
    expect(zipped.inputs[0].compression).toBe('gzip');
    expect(zipped.migrations.map((m: any) => m.payloadBytes)).toEqual(plain.migrations.map((m: any) => m.payloadBytes));
    const piped = runCli(['analyze', '-', '--format', 'json'], { input: readFileSync(L2) });
    expect(piped.code).toBe(0);
    const fromStdin = JSON.parse(piped.stdout);
    expect(fromStdin.inputs[0].path).toBe('-');
    expect(fromStdin.streams.map((s: any) => s.clientToServer.payloadBytes)).toEqual(plain.streams.map((s: any) => s.clientToServer.payloadBytes));
  });

  it('writes CSV per migration and per stream, and -o writes a file', () => {
    const csv = runCli(['analyze', ROUTED, '--format', 'csv']).stdout.trim().split('\r\n');
    const json = runJson(['analyze', ROUTED]).result;
    expect(csv[0].split(',')).toContain('payload_bytes');
    expect(csv).toHaveLength(1 + json.migrations.length);
    const col = csv[0].split(',').indexOf('payload_bytes');
    expect(csv.slice(1).map((l) => Number(l.split(',')[col]))).toEqual(json.migrations.map((m: any) => m.payloadBytes));
    const out = join(tmp, 'streams.csv');
    expect(runCli(['analyze', ROUTED, '--format', 'csv', '--streams', '-o', out]).code).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\r\n')).toHaveLength(1 + json.streams.length);
  });

  it('reports an unwritable output path clearly and exits 3', () => {
    const r = runCli(['analyze', ROUTED, '-o', join(tmp, 'no-such-dir', 'x.json')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot write .*x\.json/);
    expect(existsSync(join(tmp, 'no-such-dir'))).toBe(false);
  });

  it('honours --port, --interval and --gap', () => {
    const none = runJson(['analyze', ROUTED, '--port', '8001']).result;
    expect(none.migrations).toHaveLength(0);
    expect(none.findings.map((f: any) => f.code)).toContain('NO_VMOTION_TRAFFIC');
    const fine = runJson(['analyze', ROUTED, '--interval', '0.25']).result;
    expect(fine.migrations[0].intervalSeconds).toBe(0.25);
    expect(fine.migrations[0].series.length).toBeGreaterThanOrEqual(7);
    // The two lab migrations are ~3 s apart: a 10 s gap merges them.
    expect(runJson(['analyze', ROUTED, '--gap', '10']).result.migrations).toHaveLength(1);
  });

  it('groups several vmknic IPs into one host with --host-map', () => {
    const map = join(tmp, 'hosts.txt');
    writeFileSync(map, '# lab hosts\nesx-src 10.80.1.2 10.80.9.9\nesx-dst 10.80.2.2\n');
    const r = runJson(['analyze', ROUTED, '--host-map', map]).result;
    expect(r.migrations[0].sourceHost).toBe('esx-src');
    expect(r.migrations[0].destinationHost).toBe('esx-dst');
    expect(r.migrations[0].sourceIps).toEqual(['10.80.1.2']);
    const bad = join(tmp, 'bad-hosts.txt');
    writeFileSync(bad, 'esx1 10.0.0.300\n');
    const e = runCli(['analyze', ROUTED, '--host-map', bad]);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/bad-hosts\.txt:1: "10\.0\.0\.300" is not an IPv4 or IPv6 address/);
  });
});
