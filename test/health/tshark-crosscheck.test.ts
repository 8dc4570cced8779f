import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as F from '../../src/analysis/health/direction-health.js';
import { formatIp } from '../../src/decode/addresses.js';
import { capture, FLAGS, framesWith, ourFlags, tcptrace, tool, tsharkFlags } from './helpers.js';

const haveTshark = tool('tshark', ['--version']);
const LAB = ['lab-lossy.pcap', 'lab-mtu.pcap', 'lab-refused.pcap', 'lab-silent.pcap', 'lab-l2.pcap', 'lab-routed.pcapng', 'lab-routed-ipv6.pcapng', 'lab-routed-source.pcap', 'lab-two-routers.pcap'];

describe.runIf(haveTshark)('per-frame agreement with tshark tcp.analysis.* flags', () => {
  for (const name of LAB) {
    it(name, async () => {
      const file = capture(name);
      if (!file) return;
      const { flags } = await ourFlags(file);
      const theirs = tsharkFlags(file);
      for (const [flag, bit] of FLAGS) {
        expect(framesWith(flags, bit), `tcp.analysis.${flag} frames`).toEqual(framesWith(theirs, bit));
      }
    }, 120_000);
  }

  it('the lossy lab really exercises the analysis (not a vacuous match)', async () => {
    const file = capture('lab-lossy.pcap');
    if (!file) return;
    const { flags } = await ourFlags(file);
    expect(framesWith(flags, F.A_RETRANSMISSION).length).toBeGreaterThan(100);
    expect(framesWith(flags, F.A_FAST_RETRANSMISSION).length).toBeGreaterThan(10);
    expect(framesWith(flags, F.A_DUPLICATE_ACK).length).toBeGreaterThan(100);
  }, 120_000);

  it('router legs in one file: each interface alone matches tshark exactly; merged, each leg is its own capture point, so nothing is counted twice', async () => {
    const file = capture('lab-router-legs.pcapng');
    if (!file) return;
    const dir = mkdtempSync(join(tmpdir(), 'vma-health-'));
    const { flags: merged } = await ourFlags(file);
    for (const i of [0, 1]) {
      const leg = join(dir, `leg${i}.pcapng`);
      execFileSync('tshark', ['-r', file, '-Y', `frame.interface_id==${i}`, '-w', leg], { stdio: 'ignore' });
      const { flags } = await ourFlags(leg);
      const theirs = tsharkFlags(leg);
      for (const [flag, bit] of FLAGS) expect(framesWith(flags, bit), `leg ${i} ${flag}`).toEqual(framesWith(theirs, bit));
      // The merged file's frames of this leg carry exactly the leg's own flags (tshark, which sees one
      // capture, flags every second copy as a retransmission or out-of-order instead).
      const numbers = execFileSync('tshark', ['-r', file, '-Y', `frame.interface_id==${i}`, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' })
        .trim().split('\n').map(Number);
      for (const [flag, bit] of FLAGS) {
        expect(framesWith(merged, bit).filter((n) => numbers.includes(n)), `merged, leg ${i} ${flag}`)
          .toEqual(framesWith(flags, bit).map((n) => numbers[n - 1]));
      }
    }
  }, 120_000);
});

describe.runIf(haveTshark && tool('tcptrace', ['-v']))('agreement with tcptrace -l -r', () => {
  for (const name of ['lab-lossy.pcap', 'lab-mtu.pcap', 'lab-l2.pcap']) {
    it(name, async () => {
      const file = capture(name);
      if (!file) return;
      const { analyzer, observer } = await ourFlags(file);
      const conns = tcptrace(file);
      let compared = 0;
      for (const s of analyzer.tracker.table.streams) {
        const c = `${formatIp(s.ipVersion, s.clientIp)}:${s.clientPort}`;
        const v = `${formatIp(s.ipVersion, s.serverIp)}:${s.serverPort}`;
        const t = conns.find((x) => (x.a === c && x.b === v) || (x.a === v && x.b === c));
        if (!t) continue;
        const h = observer.stateOf(s)!;
        const col = (dir: number): number => ((t.a === c) === (dir === 0) ? 0 : 1);
        for (const dir of [0, 1]) {
          // tcptrace "rexmt data pkts/bytes" = data below the highest sequence already seen: the core's
          // sequence-space count, not Wireshark's classification (which also separates out-of-order).
          expect(s.dirs[dir].retransmittedPackets, `stream ${s.id} dir ${dir} rexmt pkts`).toBe(t.rexmtPkts[col(dir)]);
          // tcptrace also counts the sequence byte of a resent FIN: at most one byte more per direction.
          const diff = t.rexmtBytes[col(dir)] - s.dirs[dir].retransmittedBytes;
          expect(diff === 0 || (diff === 1 && s.dirs[dir].finSeen), `stream ${s.id} dir ${dir} rexmt bytes ${t.rexmtBytes[col(dir)]} vs ${s.dirs[dir].retransmittedBytes}`).toBe(true);
          expect(h.dirs[dir].zeroWindows, `stream ${s.id} dir ${dir} zero win adv`).toBe(t.zeroWinAdv[col(dir)]);
        }
        compared++;
      }
      expect(compared).toBeGreaterThan(0);
    }, 120_000);
  }
});
