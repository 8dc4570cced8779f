import type { ResultContext } from '../build-result.js';
import { finding, MAX_FRAMES_PER_FINDING } from '../findings.js';
import type { IcmpErrors, MtuSource } from '../icmp-errors.js';
import type { AnalysisResult, Finding, FrameRef, MigrationReport, StreamReport } from '../result.js';
import type { Stream } from '../../streams/stream.js';
import { KIND_VMOTION } from '../../streams/stream.js';
import type { DirectionHealth, StreamHealth } from './direction-health.js';
import { isOneWay } from './health-report.js';
import type { HealthObserver } from './tcp-health-observer.js';

/** Documented vMotion floor per concurrent migration, and the maximum supported RTT. */
export const FLOOR_BITS_PER_SECOND = 250e6;
export const MAX_RTT_SECONDS = 0.15;
/** Retransmitted share of data segments above which RETRANSMISSIONS is raised. */
export const RETRANSMISSION_RATE = 0.01;
/** Throughput is judged only on migrations long and large enough for a rate to mean something. */
export const LOW_THROUGHPUT_MIN_SECONDS = 1;
export const LOW_THROUGHPUT_MIN_BYTES = 8 * 1024 * 1024;

const pct = (x: number): string => `${(x * 100).toFixed(x < 0.1 ? 2 : 1)} %`;
const ms = (s: number): string => `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms`;

function collect(refs: FrameRef[][]): FrameRef[] {
  const out: FrameRef[] = [];
  for (const list of refs) for (const r of list) { if (out.length >= MAX_FRAMES_PER_FINDING) return out; out.push(r); }
  return out.sort((a, b) => a.input - b.input || a.frame - b.frame);
}

function ep(s: StreamReport, side: 'client' | 'server'): string {
  const e = s[side];
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

export function healthFindings(result: AnalysisResult, ctx: ResultContext, obs: HealthObserver, icmp: IcmpErrors): Finding[] {
  const out: Finding[] = [];
  const live = (sr: StreamReport): { s: Stream; h: StreamHealth } | null => {
    const s = ctx.streamsById.get(sr.id);
    const h = s ? obs.stateOf(s) : null;
    return s && h ? { s, h } : null;
  };
  const vm = result.streams.filter((sr) => sr.kind === 'vmotion');

  // --- connection setup: unanswered, refused -------------------------------------------------
  const byServer = (pred: (s: Stream, h: StreamHealth) => boolean): Map<string, StreamReport[]> => {
    const m = new Map<string, StreamReport[]>();
    for (const sr of vm) {
      const x = live(sr);
      if (!x || !pred(x.s, x.h)) continue;
      const key = `${sr.point}\u0000${ep(sr, 'server')}`;
      m.set(key, [...(m.get(key) ?? []), sr]);
    }
    return m;
  };
  for (const list of byServer((s, h) => s.synSeen && !s.synAckSeen && s.dirs[1].packets === 0 && h.dirs[0].synFrames.length > 0).values()) {
    const syns = list.reduce((a, sr) => a + (live(sr)?.h.dirs[0].synFrames.length ?? 0), 0);
    out.push(finding('SYN_UNANSWERED',
      `${list.length} connection attempt(s) from ${list[0].client.ip} to ${ep(list[0], 'server')} got no answer (${syns} SYN${syns === 1 ? '' : 's'} captured, nothing back): a firewall drops them, the peer's vMotion vmknic is down, or there is no route (check the vMotion TCP/IP stack gateway; vmkping -I vmkX -S vmotion ${list[0].server.ip})`,
      { streamIds: list.map((s) => s.id), migrationIds: migrationIdsOf(list), frames: collect(list.map((sr) => live(sr)!.h.dirs[0].synFrames.toRefs())) }));
  }
  for (const list of byServer((_s, h) => h.rstRefusedSyn).values()) {
    out.push(finding('CONNECTION_REFUSED',
      `${list.length} connection attempt(s) from ${list[0].client.ip} to ${ep(list[0], 'server')} were refused (RST answering the SYN): nothing listens on the vMotion port there, or a firewall rejects it; check that vMotion is enabled on the peer's vmknic`,
      { streamIds: list.map((s) => s.id), migrationIds: migrationIdsOf(list),
        frames: collect(list.map((sr) => { const h = live(sr)!.h; return [...h.dirs[0].synFrames.toRefs().slice(0, 1), ...h.dirs[1].rstFrames.toRefs().slice(0, 1)]; })) }));
  }

  // --- per stream: reset, MSS, RTT, black hole -------------------------------------------------
  for (const sr of vm) {
    const x = live(sr);
    if (!x) continue;
    const { s, h } = x;
    const [c, v] = h.dirs;
    const ids = { streamIds: [sr.id], migrationIds: sr.migrationId ? [sr.migrationId] : [] };
    if (h.rstDir >= 0 && !h.rstRefusedSyn && (s.synAckSeen || s.dirs[0].dataPackets + s.dirs[1].dataPackets > 0)) {
      const who = h.rstDir === 0 ? ep(sr, 'client') : ep(sr, 'server');
      out.push(finding('CONNECTION_RESET',
        `stream ${sr.id} (${ep(sr, 'client')} → ${ep(sr, 'server')}) was reset by ${who}: if the migration failed, check vmkernel.log on both hosts at ${sr.lastPacketTime} for the reason (timeout, cancelled task, memory or checksum error)`,
        { ...ids, frames: h.dirs[h.rstDir].rstFrames.toRefs() }));
    }
    if (c.mss > 0 && v.mss > 0 && c.mss !== v.mss) {
      out.push(finding('MSS_MISMATCH',
        `stream ${sr.id}: the two ends announce different MSS (${ep(sr, 'client')}: ${c.mss}, ${ep(sr, 'server')}: ${v.mss}), so their vmknic MTUs differ (about ${c.mss + 40} vs ${v.mss + 40} bytes): set the same MTU on both vmknics, their vSwitches and every hop (check with vmkping -I vmkX -S vmotion -d -s ${Math.max(c.mss, v.mss) + 40 - 28} <peer>)`,
        { ...ids, frames: collect([c.synFrames.toRefs().slice(0, 1), v.synFrames.toRefs().slice(0, 1)]) }));
    }
    if (!isOneWay(s)) {
      const bulk = s.dirs[0].seq.uniqueBytes >= s.dirs[1].seq.uniqueBytes ? 0 : 1;
      const med = h.dirs[bulk].rtt.median();
      const hs = h.synT >= 0 && h.synAckT >= 0 && h.handshakeAckT >= 0 ? h.handshakeAckT - h.synT : null;
      const worst = Math.max(med ?? 0, hs ?? 0);
      if (worst > MAX_RTT_SECONDS) {
        out.push(finding('HIGH_RTT',
          `stream ${sr.id}: round-trip time ${ms(worst)} (${med !== null ? `data/ACK median ${ms(med)}` : 'no data/ACK samples'}${hs !== null ? `, handshake ${ms(hs)}` : ''}) exceeds the 150 ms vMotion supports: check the path (long distance, congested or queuing link) between the vmknics`,
          { ...ids, frames: collect([c.synFrames.toRefs().slice(0, 1), v.synFrames.toRefs().slice(0, 1)]) }));
      }
    }
    for (const dir of [0, 1]) {
      const d = h.dirs[dir];
      const peerAcked = s.synAckSeen || d.acked;
      if (d.blackholeEpisodes > 0 && peerAcked) {
        const from = dir === 0 ? ep(sr, 'client') : ep(sr, 'server');
        out.push(finding('MTU_BLACKHOLE_SUSPECTED',
          `stream ${sr.id}: full-size segments from ${from} (up to ${d.maxIpLength}-byte IP packets) were resent again and again without being acknowledged while small packets got through: a hop with a smaller MTU drops them silently (ICMP filtered). Check with vmkping -I vmkX -S vmotion -d -s 8972 <peer> (jumbo) or -s 1472 (standard) and fix the MTU on every hop`,
          { ...ids, frames: d.blackholeFrames.toRefs() }));
      }
    }
  }

  // --- per migration (or lone stream): retransmissions, zero windows, throughput ----------
  const groups: Array<{ mig: MigrationReport | null; streams: StreamReport[] }> = [];
  const inMig = new Set<number>();
  for (const m of result.migrations) {
    const list = vm.filter((sr) => m.streamIds.includes(sr.id));
    list.forEach((sr) => inMig.add(sr.id));
    groups.push({ mig: m, streams: list });
  }
  for (const sr of vm) if (!inMig.has(sr.id)) groups.push({ mig: null, streams: [sr] });
  for (const { mig, streams } of groups) {
    const where = mig ? `migration ${mig.id} (${mig.sourceHost} → ${mig.destinationHost})` : `stream ${streams[0].id} (${ep(streams[0], 'client')} → ${ep(streams[0], 'server')})`;
    const ids = { streamIds: streams.map((s) => s.id), migrationIds: mig ? [mig.id] : [] };
    let retr = 0; let data = 0; const rFrames: FrameRef[][] = []; let zw = 0; const zFrames: FrameRef[][] = [];
    let judgeable = true;
    for (const sr of streams) {
      const x = live(sr);
      if (!x) continue;
      if (isOneWay(x.s)) judgeable = false;
      for (const d of x.h.dirs as DirectionHealth[]) {
        retr += d.retransmissions; data += d.dataSegments; rFrames.push(d.retransFrames.toRefs());
        zw += d.zeroWindows; zFrames.push(d.zeroWindowFrames.toRefs());
      }
    }
    if (data > 0 && retr / data > RETRANSMISSION_RATE) {
      out.push(finding('RETRANSMISSIONS',
        `${where}: ${retr} of ${data} data segments were retransmissions (${pct(retr / data)}): packets are lost between the hosts (congested or shaped link, shallow switch buffers, a flapping uplink, bad cable or optic): check interface drop and error counters along the path (esxcli network nic stats get -n vmnicX)${judgeable ? '' : '; one-way capture: only the captured direction was judged'}`,
        { ...ids, frames: collect(rFrames) }));
    }
    if (zw > 0) {
      out.push(finding('ZERO_WINDOW',
        `${where}: the receiver advertised a zero window ${zw} time(s) — it could not take data fast enough (a slow or busy destination host, storage or CPU), the network is not the bottleneck there`,
        { ...ids, frames: collect(zFrames) }));
    }
    if (mig && mig.activeSeconds >= LOW_THROUGHPUT_MIN_SECONDS && mig.payloadBytes >= LOW_THROUGHPUT_MIN_BYTES
      && mig.throughputBitsPerSecond < FLOOR_BITS_PER_SECOND) {
      const concurrent = result.migrations.filter((o) => o.id !== mig.id && o.point === mig.point && o.startTime < mig.endTime && mig.startTime < o.endTime).length;
      out.push(finding('LOW_THROUGHPUT',
        `${where} averaged ${(mig.throughputBitsPerSecond / 1e6).toFixed(0)} Mbit/s, under the 250 Mbit/s vMotion requires per concurrent migration${concurrent > 0 ? ` (${concurrent} other migration(s) ran at the same time)` : ''}: see RETRANSMISSIONS / ZERO_WINDOW / HIGH_RTT findings for the cause, and check the vMotion vmknic's uplink speed and shaping`,
        { ...ids }));
    }
  }

  // --- ICMP: fragmentation needed / packet too big -----------------------------------------
  const byRouter = new Map<string, MtuSource[]>();
  for (const src of icmp.mtuSources) {
    const key = `${src.point}\u0000${src.router}\u0000${src.mtu}`;
    byRouter.set(key, [...(byRouter.get(key) ?? []), src]);
  }
  for (const list of byRouter.values()) {
    const point = result.inputs.find((i) => i.point === ctx.analyzer.pointNames[list[0].point])?.point;
    const streams = vm.filter((sr) => sr.point === point && list.some((q) =>
      (sr.client.ip === q.innerSrc && sr.client.port === q.innerSrcPort && sr.server.ip === q.innerDst && sr.server.port === q.innerDstPort)
      || (sr.server.ip === q.innerSrc && sr.server.port === q.innerSrcPort && sr.client.ip === q.innerDst && sr.client.port === q.innerDstPort)));
    const count = list.reduce((a, q) => a + q.count, 0);
    out.push(finding('MTU_FRAGMENTATION_NEEDED',
      `${list[0].router} sent ${count} ICMP "fragmentation needed"/"packet too big" message(s) for vMotion traffic (next-hop MTU ${list[0].mtu > 0 ? list[0].mtu : 'not given'}), for packets from ${[...new Set(list.map((q) => q.innerSrc))].join(', ')}: the vmknics use a larger MTU than that hop. Set one MTU end to end (vmknic, vSwitch, physical switches, router interfaces) and verify with vmkping -I vmkX -S vmotion -d -s 8972 <peer>`,
      { streamIds: streams.map((s) => s.id), migrationIds: migrationIdsOf(streams), frames: collect(list.map((q) => q.frames)) }));
  }

  // --- capture quality ---------------------------------------------------------------------
  const byPoint = new Map<string, StreamReport[]>();
  for (const sr of vm) { const x = live(sr); if (x && isOneWay(x.s)) byPoint.set(sr.point, [...(byPoint.get(sr.point) ?? []), sr]); }
  for (const [point, list] of byPoint) {
    out.push(finding('CAPTURE_ONE_WAY',
      `capture point ${point}: ${list.length} vMotion stream(s) were seen in one direction only (e.g. pktcap-uw's default capture point sees one direction): round-trip time, loss and retransmission judgements need both; capture again with pktcap-uw --dir 2 (both directions), or on the peer too`,
      { streamIds: list.map((s) => s.id), migrationIds: migrationIdsOf(list), frames: list.slice(0, MAX_FRAMES_PER_FINDING).map((s) => s.firstFrame) }));
  }
  const gaps = vm.map((sr) => ({ sr, x: live(sr) })).filter(({ x }) => x && !isOneWay(x.s) && x.h.dirs[0].ackedUnseen + x.h.dirs[1].ackedUnseen > 0);
  if (gaps.length > 0) {
    const n = gaps.reduce((a, { x }) => a + x!.h.dirs[0].ackedUnseen + x!.h.dirs[1].ackedUnseen, 0);
    out.push(finding('CAPTURE_GAPS',
      `${n} time(s) a receiver acknowledged data the capture never saw, in ${gaps.length} stream(s): the capture missed packets (capture drops, mirror/SPAN overload, or part of the traffic took another path), so loss and byte counts near those frames are lower bounds; capture closer to a host or with a larger buffer`,
      { streamIds: gaps.map((g) => g.sr.id), migrationIds: migrationIdsOf(gaps.map((g) => g.sr)), frames: collect(gaps.map((g) => [0, 1].flatMap((d) => g.x!.h.dirs[d].ackedUnseenFrames.toRefs()))) }));
  }
  void KIND_VMOTION;
  return out;
}

function migrationIdsOf(list: StreamReport[]): number[] {
  return [...new Set(list.map((s) => s.migrationId).filter((m): m is number => m !== null))].sort((a, b) => a - b);
}
