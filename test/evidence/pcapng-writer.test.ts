import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PcapngWriter } from '../../src/evidence/pcapng-writer.js';
import { missingTools, readAll, runAsync } from '../source/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'vma-pcapng-writer-'));

function frame(len: number, fill: number): Buffer {
  const b = Buffer.alloc(len, fill);
  b.writeUInt16BE(0x0800, 12); // an Ethernet header, so tshark has something to dissect
  return b;
}

describe('pcapng writer', () => {
  // Odd lengths exercise padding; a timestamp with all nine digits exercises if_tsresol 9.
  const w = new PcapngWriter('vmotion-analyzer test');
  const a = w.addInterface({ linkType: 1, name: 'input 0: a.pcap', description: 'first file', snaplen: 128 });
  const b = w.addInterface({ linkType: 113, name: 'input 1: b.pcapng', description: 'second file, SLL', snaplen: 0 });
  w.addPacket({ interfaceId: a, tsSec: 1795692201, tsNsec: 565232825, data: frame(54, 1), originalLength: 9014, comment: 'first: SYN' });
  w.addPacket({ interfaceId: b, tsSec: 1795692202, tsNsec: 1, data: Buffer.alloc(37, 2), originalLength: 1500, comment: 'second — ünïcode' });
  w.addPacket({ interfaceId: a, tsSec: 4102444800, tsNsec: 999999999, data: frame(60, 3), originalLength: 60, comment: 'x'.repeat(301) });
  const file = join(dir, 'w.pcapng');
  writeFileSync(file, w.toBuffer());

  it('counts interfaces and packets and rejects an unknown interface', () => {
    expect(w.packetCount).toBe(3);
    expect(() => w.addPacket({ interfaceId: 7, tsSec: 0, tsNsec: 0, data: Buffer.alloc(1), originalLength: 1, comment: '' })).toThrow(/unknown interface/);
  });

  it('reads back with our own reader: timestamps to the nanosecond, lengths, link types', async () => {
    const { summary, frames } = await readAll(file);
    expect(summary.errors).toEqual([]);
    expect(summary.format).toBe('pcapng');
    expect(frames.map((f) => [f.sec, f.nsec, f.capLen, f.origLen, f.linkType, f.ifId])).toEqual([
      [1795692201, 565232825, 54, 9014, 1, 0],
      [1795692202, 1, 37, 1500, 113, 1],
      [4102444800, 999999999, 60, 60, 1, 0],
    ]);
    expect(frames[1].data).toBe('02'.repeat(37));
  });

  it('opens in tshark with comments, interface names and nanosecond times', async () => {
    if (missingTools(['tshark']).length > 0) return;
    const out = await runAsync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.number', '-e', 'frame.time_epoch',
      '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.comment', '-e', 'frame.interface_name']);
    const rows = out.trim().split('\n').map((l) => l.split('|'));
    expect(rows.map((r) => r.slice(0, 4))).toEqual([
      ['1', '1795692201.565232825', '9014', '54'],
      ['2', '1795692202.000000001', '1500', '37'],
      ['3', '4102444800.999999999', '60', '60'],
    ]);
    expect(rows.map((r) => r[4])).toEqual(['first: SYN', 'second — ünïcode', 'x'.repeat(301)]);
    expect(rows.map((r) => r[5])).toEqual(['input 0: a.pcap', 'input 1: b.pcapng', 'input 0: a.pcap']);
    const info = await runAsync('capinfos', ['-T', '-r', '-c', file]);
    expect(info).toMatch(/\t3$/m);
  });
});
