import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFiles } from '../../src/analysis/analyze-files.js';
import { DEFAULT_OPTIONS } from '../../src/analysis/analyzer.js';
import * as F from '../../src/analysis/health/direction-health.js';
import { ethernet, ipv4, opt, tcp, writePcap } from '../decode/helpers/build.js';
import { framesWith, ourFlags, tool, tsharkFlags } from './helpers.js';

const C = '10.0.0.1'; const S = '10.0.0.2';
const SYN = 0x02; const ACK = 0x10; const PSH = 0x08;
const toS = (seq: number, ack: number, flags: number, len = 0, options?: Buffer): Buffer =>
  ethernet({ type: 0x0800 }, ipv4({ src: C, dst: S, protocol: 6, df: true }, tcp({ sport: 40000, dport: 8000, seq, ack, flags, window: 1000, options }, Buffer.alloc(len))));
const toC = (seq: number, ack: number, flags: number, len = 0, options?: Buffer): Buffer =>
  ethernet({ type: 0x0800 }, ipv4({ src: S, dst: C, protocol: 6, df: true }, tcp({ sport: 8000, dport: 40000, seq, ack, flags, window: 1000, options }, Buffer.alloc(len))));
const dir = mkdtempSync(join(tmpdir(), 'vma-health-crafted-'));

describe('crafted captures (one second between frames)', () => {
  it('MTU black hole: a jumbo segment resent 3 times, never ACKed, while small ones pass', async () => {
    const file = join(dir, 'blackhole.pcap');
    const syn = Buffer.concat([opt.mss(8960), opt.nop(), opt.ws(7)]);
    writePcap(file, 1, [
      toS(1000, 0, SYN, 0, syn), // 1
      toC(5000, 1001, SYN | ACK, 0, syn), // 2
      toS(1001, 5001, ACK), // 3
      toS(1001, 5001, ACK | PSH, 100), // 4: small segment
      toC(5001, 1101, ACK), // 5: ACKed
      toS(1101, 5001, ACK | PSH, 8960), // 6: full-size (9000-byte IP packet)
      toS(1101, 5001, ACK | PSH, 8960), // 7: resend 1
      toS(1101, 5001, ACK | PSH, 8960), // 8: resend 2
      toS(1101, 5001, ACK | PSH, 8960), // 9: resend 3
    ]);
    const r = await analyzeFiles([file], { ...DEFAULT_OPTIONS });
    const f = r.findings.filter((x) => x.code === 'MTU_BLACKHOLE_SUSPECTED');
    expect(f).toHaveLength(1);
    expect(f[0].frames.map((x) => x.frame)).toEqual([7, 9]);
    const h = r.streams[0].health!.clientToServer;
    expect(h.retransmittedSegments).toBe(3);
    expect(h.largestIpPacketBytes).toBe(9000);
    expect(h.largestSegmentClass).toBe('jumbo');
    expect(h.mss).toBe(8960);
    expect(h.dontFragmentPackets).toBe(7);
    if (tool('tshark', ['--version'])) {
      const { flags } = await ourFlags(file);
      expect(framesWith(flags, F.A_RETRANSMISSION)).toEqual(framesWith(tsharkFlags(file), F.A_RETRANSMISSION));
    }
  });

  it('the same resends with the peer ACKing in between are plain loss, not a black hole', async () => {
    const file = join(dir, 'loss.pcap');
    writePcap(file, 1, [
      toS(1000, 0, SYN, 0, opt.mss(8960)), toC(5000, 1001, SYN | ACK, 0, opt.mss(8960)), toS(1001, 5001, ACK),
      toS(1001, 5001, ACK | PSH, 8948), toS(1001, 5001, ACK | PSH, 8948), toC(5001, 9949, ACK),
      toS(9949, 5001, ACK | PSH, 8948), toS(9949, 5001, ACK | PSH, 8948), toC(5001, 18897, ACK),
    ]);
    const r = await analyzeFiles([file], { ...DEFAULT_OPTIONS });
    expect(r.findings.map((x) => x.code)).not.toContain('MTU_BLACKHOLE_SUSPECTED');
    expect(r.streams[0].health!.clientToServer.retransmittedSegments).toBe(2);
  });

  it('one-way capture: CAPTURE_ONE_WAY, RTT and loss marked not judgeable', async () => {
    const file = join(dir, 'oneway.pcap');
    writePcap(file, 1, [toS(1001, 5001, ACK | PSH, 1000), toS(2001, 5001, ACK | PSH, 1000), toS(3001, 5001, ACK | PSH, 1000)]);
    const r = await analyzeFiles([file], { ...DEFAULT_OPTIONS });
    const f = r.findings.filter((x) => x.code === 'CAPTURE_ONE_WAY');
    expect(f).toHaveLength(1);
    expect(f[0].streamIds).toEqual([r.streams[0].id]);
    const h = r.streams[0].health!;
    expect([h.oneWay, h.rttJudgeable, h.lossJudgeable]).toEqual([true, false, false]);
    expect(r.findings.map((x) => x.code)).not.toContain('SYN_UNANSWERED');
  });
});
