import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readLines } from '../../src/logs/line-reader.js';
import { leadingTimeText, parseVmkernelLine } from '../../src/logs/vmkernel-line.js';
import { readVmkernelLogs } from '../../src/logs/vmkernel-log.js';

const dir = mkdtempSync(join(tmpdir(), 'vmk-line-'));

describe('parseVmkernelLine', () => {
  it('reads the 6.x/7.x Setting VMOTION info line (published example shape)', () => {
    const p = parseVmkernelLine('2015-12-25T16:39:25.565Z cpu4:2758489)Migrate: vm 2758492: 3284: Setting VMOTION info: Source ts = 1451061663105920, src ip = <192.168.1.176> dest ip = <192.168.1.177> Dest wid = 1830931 using SHARED swap');
    expect(p.event).toEqual({ kind: 'migrate', ts: '1451061663105920', role: 'source', format: '6.x/7.x', srcIps: ['192.168.1.176'], dstIps: ['192.168.1.177'], encrypted: null });
    expect(p.time).toBeCloseTo(Date.UTC(2015, 11, 25, 16, 39, 25, 565) / 1000, 6);
    expect(p.timeText).toBe('2015-12-25T16:39:25.565Z');
  });

  it('reads the 8.x vmotion line on both sides, keeps 64-bit ids exact and marks encrypted', () => {
    const src = parseVmkernelLine('2024-03-02T10:11:12.345Z In(182) vmkernel: cpu12:2098351 opID=d5991c6f)Migrate: 314: vmotion: Source vmmLeaderID = 2118927, ts = 7182955985622810397, srcIP = <10.0.0.1> dstIP = <10.0.0.2> Dest wid = 2109446 using SHARED swap, encrypted');
    expect(src.event).toMatchObject({ kind: 'migrate', ts: '7182955985622810397', role: 'source', format: '8.x', srcIps: ['10.0.0.1'], dstIps: ['10.0.0.2'], encrypted: true });
    // KB 441977 prints "ts =<...>" without a blank on the destination.
    const dst = parseVmkernelLine('2024-03-02T10:11:12.401Z In(182) vmkernel: cpu3:2098351)Migrate: 314: vmotion: Dest vmmLeaderID = 2109446, ts =7182955985622810397, srcIP = <10.0.0.1> dstIP = <10.0.0.2> Dest wid = 0 using SHARED swap');
    expect(dst.event).toMatchObject({ role: 'destination', ts: '7182955985622810397', encrypted: null });
  });

  it('reads pre-copy bandwidth and vmknic lines, forwarded by syslog too', () => {
    const p = parseVmkernelLine('2015-02-20T11:05:06.449Z esx.vmware.com vmkernel: cpu3:427570)VMotion: 3878: 1424430291970314 S: Stopping pre-copy: only 3491 pages left to send, which can be sent within the switchover time goal of 0.500 seconds (network bandwidth ~931.354 MB/s, 1049920% t2d)');
    expect(p.event).toEqual({ kind: 'precopy', ts: '1424430291970314', role: 'source', bandwidthMBps: 931.354 });
    const v = parseVmkernelLine("2015-12-25T16:39:25.567Z cpu4:2758489)VMotion: 2734: 1451061663105920 D: Set ip address 'fd00:80:0:0::3' worldlet affinity to send World ID 2772001");
    expect(v.event).toEqual({ kind: 'vmknic', ts: '1451061663105920', role: 'destination', ip: 'fd00:80::3' });
  });

  it('ignores noise, counts look-alikes in no known format, and never places a line without a time', () => {
    expect(parseVmkernelLine('2015-12-25T16:39:25.567Z cpu4:2758489)Tcpip_Vmk: 1288: Affinitizing 192.168.1.176 to world 2772001, Success')).toMatchObject({ event: null, unknownFormat: false });
    expect(parseVmkernelLine('2015-12-25T16:39:25.567Z cpu3:2097212)Migrate: 104: World 2098123 moved')).toMatchObject({ event: null, unknownFormat: false });
    // A hypothetical future wording: counted, not guessed.
    expect(parseVmkernelLine('2031-01-01T00:00:00.000Z In(182) vmkernel: cpu1:1)Migrate: 777: vmotion2: Source id=9 ts=55 srcIP = <1.2.3.4> dstIP = <1.2.3.5>')).toMatchObject({ event: null, unknownFormat: true });
    // Cut in the middle of the IP list.
    expect(parseVmkernelLine('2015-12-25T16:39:25.565Z cpu4:2758489)Migrate: vm 2758492: 3284: Setting VMOTION info: Source ts = 1451061663105920, src ip = <192.16')).toMatchObject({ event: null, unknownFormat: true });
    const untimed = parseVmkernelLine('cpu4:2758489)Migrate: vm 2758492: 3284: Setting VMOTION info: Source ts = 1, src ip = <1.1.1.1> dest ip = <1.1.1.2>');
    expect(untimed.event).toBeNull();
    expect(untimed.unknownFormat).toBe(true);
  });

  it('honours an explicit zone offset', () => {
    const line = 'cpu4:1)VMotion: 3878: 7 S: Stopping pre-copy: only 1 pages left to send (network bandwidth ~5 MB/s, 1% t2d)';
    const a = parseVmkernelLine(`2015-12-25T17:39:25.500+01:00 ${line}`).time;
    const b = parseVmkernelLine(`2015-12-25T16:39:25.500Z ${line}`).time;
    expect(a).toBeCloseTo(Date.UTC(2015, 11, 25, 16, 39, 25, 500) / 1000, 6);
    expect(b).toBeCloseTo(a, 6);
    expect(leadingTimeText(`2015-12-25T17:39:25.500+01:00 ${line}`)).toBe('2015-12-25T17:39:25.500+01:00');
    expect(leadingTimeText('2015-12-25T16:39:25.5Z cpu1)x')).toBe('2015-12-25T16:39:25.5Z');
    expect(leadingTimeText('    (continued) 2015-12-25T16:39:25Z')).toBe('');
  });
});

describe('readLines', () => {
  it('handles CRLF, a last line without newline, gzip, and bounds long lines', async () => {
    const text = 'one\r\ntwo\n' + 'x'.repeat(200_000) + '\nfour';
    const plain = join(dir, 'a.log'); writeFileSync(plain, text);
    const gz = join(dir, 'a.0.gz'); writeFileSync(gz, gzipSync(text));
    for (const path of [plain, gz]) {
      const got: string[] = [];
      const s = await readLines(path, (l) => got.push(l), 1024);
      expect(got.map((l) => l.length)).toEqual([3, 3, 1024, 4]);
      expect(got[0]).toBe('one');
      expect(s.longLines).toBe(1);
      expect(s.compressed).toBe(path === gz);
      expect(s.error).toBeNull();
    }
  });

  it('a cut-off gzip keeps the lines before the cut and says where', async () => {
    const lines = Array.from({ length: 20000 }, (_, i) => `2015-12-25T16:39:25.565Z cpu4:1)line ${i} ${'y'.repeat(i % 97)}`).join('\n');
    const full = gzipSync(lines);
    const cut = join(dir, 'cut.1.gz'); writeFileSync(cut, full.subarray(0, full.length >> 1));
    let n = 0;
    const s = await readLines(cut, () => { n++; });
    expect(s.error?.message).toMatch(/cut off or corrupt/);
    expect(s.error?.message).toContain(cut);
    expect(n).toBeGreaterThan(1000);
    expect(n).toBeLessThan(20000);
  });

  it('a missing file is an error naming it, not a crash', async () => {
    const s = await readLines(join(dir, 'nope.log'), () => {});
    expect(s.error?.message).toMatch(/nope\.log.*ENOENT/);
  });
});

describe('readVmkernelLogs', () => {
  it('joins one migration across rotated files and both hosts by its id', async () => {
    const a = join(dir, 'src-vmkernel.0.gz');
    writeFileSync(a, gzipSync('2020-01-01T00:00:00.000Z cpu1:1)Migrate: vm 5: 3284: Setting VMOTION info: Source ts = 42, src ip = <10.0.0.1> dest ip = <10.0.0.2> Dest wid = 7 using SHARED swap\n'));
    const b = join(dir, 'src-vmkernel.log');
    writeFileSync(b, "2020-01-01T00:00:01.000Z cpu1:1)VMotion: 2734: 42 S: Set ip address '10.0.1.1' worldlet affinity to send World ID 9\r\n2020-01-01T00:00:09.000Z cpu1:1)VMotion: 3878: 42 S: Stopping pre-copy: only 1 pages left to send, which can be sent within the switchover time goal of 0.500 seconds (network bandwidth ~100.5 MB/s, 5% t2d)\r\n");
    const c = join(dir, 'dst-vmkernel.log');
    writeFileSync(c, '2020-01-01T00:00:00.020Z cpu1:1)Migrate: vm 6: 3284: Setting VMOTION info: Dest ts = 42, src ip = <10.0.0.1> dest ip = <10.0.0.2> Dest wid = 0 using SHARED swap\ngarbage without time\n');
    const set = await readVmkernelLogs([a, b, c]);
    expect(set.migrations).toHaveLength(1);
    const m = set.migrations[0];
    expect(m).toMatchObject({ ts: '42', sourceIps: ['10.0.0.1', '10.0.1.1'], destinationIps: ['10.0.0.2'], seenOn: ['source', 'destination'], bandwidthMBps: 100.5, fileOf: { source: 0, destination: 2 } });
    expect(m.lines.map((l) => l.line)).toEqual([1, 1, 2, 1]);
    expect(set.files.map((f) => f.hostIps)).toEqual([['10.0.0.1'], ['10.0.1.1'], ['10.0.0.2']]);
    expect(set.files[0].compressed).toBe(true);
    expect(set.files[2].untimedLines).toBe(1);
  });
});
