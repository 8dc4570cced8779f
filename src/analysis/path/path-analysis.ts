/**
 * The path analysis plugin: registers the evidence observers on the analyzer and, at the end,
 * turns the evidence into facts, the facts into a verdict (path-rules.ts) for every stream and
 * every migration, and adds TTL_CHANGED / DUPLICATE_IP findings.
 */
import { formatIp } from '../../decode/addresses.js';
import type { Analyzer } from '../analyzer.js';
import type { ResultContext, ResultEnricher } from '../build-result.js';
import { finding } from '../findings.js';
import type { IcmpErrors } from '../icmp-errors.js';
import type { AnalysisResult, Finding, FrameRef } from '../result.js';
import type { Stream } from '../../streams/stream.js';
import { describeMac, macInfo, prefetchRegistry, shortVendor, type MacInfo } from './mac-vendor.js';
import { matchSamples } from './multi-point.js';
import type { DirectionPath, VantagePath } from './path-evidence.js';
import { StreamPath } from './path-evidence.js';
import { NeighbourObserver } from './neighbour-observer.js';
import {
  combineSignals, pathSignals, type DirectionFacts, type IcmpFact, type MacFact, type MultiPointFact,
  type PathFacts, type VantageFacts, type Signal, type CombinedVerdict,
} from './path-rules.js';
import { PathStreamObserver } from './path-stream-observer.js';
import type { PathEvidence, PathReport } from './path-types.js';
import { inferInitialTtl } from './ttl.js';

export function pathAnalysis(analyzer: Analyzer): ResultEnricher {
  const slot = analyzer.tracker.observers.length;
  const streams = new PathStreamObserver(slot);
  analyzer.tracker.observers.push(streams);
  const neighbours = new NeighbourObserver();
  analyzer.packetObservers.push(neighbours);
  prefetchRegistry();
  return new PathEnricher(slot, neighbours, analyzer.icmpErrors, streams);
}

/** One vantage of one stream, with its directions keyed by sender "ip:port". */
interface VantageRef {
  stream: Stream;
  vantage: VantagePath;
  name: string;
  bySender: Map<string, { dir: DirectionPath; sender: string; receiver: string }>;
}

export class PathEnricher implements ResultEnricher {
  constructor(readonly slot: number, readonly neighbours: NeighbourObserver, readonly icmp: IcmpErrors, readonly streams: PathStreamObserver) {}

  enrich(result: AnalysisResult, ctx: ResultContext): void {
    const { analyzer, streamsById } = ctx;
    const macCache = new Map<number, MacInfo>();
    const info = (mac: number): MacInfo => {
      let i = macCache.get(mac);
      if (i === undefined) { i = macInfo(mac); macCache.set(mac, i); }
      return i;
    };

    // Vantages of every stream, and the source IPs each MAC sent for, per point.
    const refs = new Map<Stream, VantageRef[]>();
    const sendersOfMac = new Map<string, Set<string>>();
    for (const s of streamsById.values()) {
      const sp = s.ext[this.slot] as StreamPath | undefined;
      if (sp === undefined) continue;
      // Named by the stream's capture point (each busy pcapng interface is one: `file/if_name`).
      const name = analyzer.pointNames[s.point];
      const list: VantageRef[] = [];
      for (const v of sp.vantages) {
        const bySender = new Map<string, { dir: DirectionPath; sender: string; receiver: string }>();
        for (let k = 0; k < 2; k++) {
          const d = v.dirs[k];
          if (d.packets === 0) continue;
          const cip = formatIp(s.ipVersion, s.clientIp); const sip = formatIp(s.ipVersion, s.serverIp);
          const [sender, receiver, sport] = k === 0 ? [cip, sip, s.clientPort] : [sip, cip, s.serverPort];
          bySender.set(`${sender}|${sport}`, { dir: d, sender, receiver });
          for (let m = 0; m < d.srcMac.size; m++) {
            const key = `${s.point}|${d.srcMac.values[m]}`;
            let set = sendersOfMac.get(key);
            if (set === undefined) { set = new Set(); sendersOfMac.set(key, set); }
            set.add(sender);
          }
        }
        list.push({ stream: s, vantage: v, name, bySender });
      }
      refs.set(s, list);
    }

    // The same connection at several capture points (other files, or other interfaces of one pcapng);
    // vantages at one point share its name and are not compared with each other.
    const groups = new Map<string, VantageRef[]>();
    for (const [s, list] of refs) {
      const key = connectionKey(s);
      let g = groups.get(key);
      if (g === undefined) { g = []; groups.set(key, g); }
      g.push(...list);
    }
    const multiOf = new Map<string, MultiPointFact[]>();
    for (const [key, g] of groups) {
      const names = new Set(g.map((r) => r.name));
      if (names.size < 2) continue;
      multiOf.set(key, compareVantages(g, info));
    }

    // One array per MAC, shared by the facts of every stream it sent for (read-only): a copy per
    // stream grew with streams x senders (a flood's 1,000 kept streams behind one router MAC: 8 MB).
    const sharedLists = new Map<string, string[]>();
    const sendersOf = (key: string): string[] => {
      let l = sharedLists.get(key);
      if (l === undefined) { l = [...(sendersOfMac.get(key) ?? [])]; sharedLists.set(key, l); }
      return l;
    };
    const signalsOf = new Map<Stream, { signals: Signal[]; evidence: PathEvidence[]; facts: PathFacts }>();
    for (const sr of result.streams) {
      const s = streamsById.get(sr.id);
      if (s === undefined) continue;
      const facts = this.factsOf(s, refs.get(s) ?? [], multiOf.get(connectionKey(s)) ?? [], sendersOf, info);
      const sig = pathSignals(facts);
      signalsOf.set(s, { ...sig, facts });
      const combined = combineSignals(sig.signals, sig.evidence);
      sr.path = { ...combined, summary: summarize(combined, [facts]) };
    }

    ctx.groups.forEach((g, i) => {
      const mr = result.migrations[i];
      if (mr === undefined) return;
      const parts = g.members.map((m) => signalsOf.get(m.stream)).filter((p) => p !== undefined);
      const combined = combineSignals(parts.flatMap((p) => p.signals), parts.flatMap((p) => p.evidence));
      mr.path = { ...combined, summary: summarize(combined, parts.map((p) => p.facts)) };
    });

    result.findings.push(...this.ttlChangedFindings(result, refs), ...this.duplicateIpFindings(analyzer, result));
  }

  private factsOf(s: Stream, vantages: VantageRef[], multi: MultiPointFact[], sendersOf: (key: string) => string[], info: (m: number) => MacInfo): PathFacts {
    const a = formatIp(s.ipVersion, s.clientIp);
    const b = formatIp(s.ipVersion, s.serverIp);
    const macFacts = (set: DirectionPath['srcMac'], withShared: boolean): MacFact[] => {
      const out: MacFact[] = [];
      for (let m = 0; m < set.size; m++) {
        const mac = set.values[m];
        const claims = this.neighbours.ipsOf(s.point, mac).map((c) => ({ ip: c.ip, frames: c.frames }));
        out.push({
          info: info(mac), count: set.counts[m], first: { input: set.firstInput[m], frame: set.firstFrame[m] },
          sharedWith: withShared ? sendersOf(`${s.point}|${mac}`) : [], claims,
        });
      }
      return out.sort((x, y) => y.count - x.count);
    };
    const vfacts: VantageFacts[] = vantages.map((r) => ({
      name: r.name,
      dirs: [...r.bySender.values()].map(({ dir, sender, receiver }): DirectionFacts => {
        const ttl = [];
        for (let k = 0; k < dir.ttl.size; k++) ttl.push({ value: dir.ttl.values[k], count: dir.ttl.counts[k], first: { input: dir.ttl.firstInput[k], frame: dir.ttl.firstFrame[k] } });
        ttl.sort((x, y) => y.count - x.count);
        return {
          sender, receiver, ttl, ttlChanges: dir.ttlChanges, ttlChangeFrames: dir.ttlChangeFrames,
          srcMacs: macFacts(dir.srcMac, true), dstMacs: macFacts(dir.dstMac, false),
        };
      }).sort((x, y) => (x.sender < y.sender ? -1 : x.sender > y.sender ? 1 : 0)), // one wording per pair
    }));
    const questions = [...this.neighbours.questionsFrom(s.point, a), ...this.neighbours.questionsFrom(s.point, b)]
      .map((q) => ({ sender: q.sender, target: q.target, frames: q.frames }));
    const icmp: IcmpFact[] = this.icmp.records.filter((r) => r.innerProtocol === 6 && r.ipVersion === s.ipVersion && (
      (r.innerSrc === a && r.innerDst === b && r.innerSrcPort === s.clientPort && r.innerDstPort === s.serverPort)
      || (r.innerSrc === b && r.innerDst === a && r.innerSrcPort === s.serverPort && r.innerDstPort === s.clientPort)))
      .map((r) => ({ kind: r.kind, from: r.from, gateway: r.gateway, mtu: r.mtu, frame: r.frame }));
    return { a, b, vantages: vfacts, questions, icmp, multiPoint: multi };
  }

  private ttlChangedFindings(result: AnalysisResult, refs: Map<Stream, VantageRef[]>): Finding[] {
    const out: Finding[] = [];
    const reportOf = new Map(result.streams.map((x) => [x.id, x]));
    for (const [s, list] of refs) {
      const sr = reportOf.get(s.id);
      for (const r of list) {
        for (const { dir, sender, receiver } of r.bySender.values()) {
          if (dir.ttlChanges === 0) continue;
          const values: string[] = [];
          for (let k = 0; k < dir.ttl.size; k++) values.push(`${dir.ttl.values[k]} (${dir.ttl.counts[k]} packets)`);
          out.push(finding('TTL_CHANGED',
            `stream ${s.id} at ${r.name}: the TTL of ${sender} → ${receiver} changed ${dir.ttlChanges} time(s) between ${values.join(', ')}: the path changed during the stream (route flap, failover, or a middlebox answering); compare the frames before and after each change`,
            { streamIds: [s.id], migrationIds: sr?.migrationId ? [sr.migrationId] : [], frames: dir.ttlChangeFrames }));
        }
      }
    }
    return out;
  }

  private duplicateIpFindings(analyzer: Analyzer, result: AnalysisResult): Finding[] {
    const byIp = new Map<string, Array<{ mac: number; frames: FrameRef[] }>>();
    for (const bnd of this.neighbours.bindings.values()) {
      const key = `${bnd.point}|${bnd.ip}`;
      let l = byIp.get(key);
      if (l === undefined) { l = []; byIp.set(key, l); }
      l.push({ mac: bnd.mac, frames: bnd.frames });
    }
    const out: Finding[] = [];
    for (const [key, macs] of byIp) {
      if (macs.length < 2) continue;
      const [point, ip] = [Number(key.slice(0, key.indexOf('|'))), key.slice(key.indexOf('|') + 1)];
      const streams = result.streams.filter((s) => s.point === analyzer.pointNames[point] && (s.client.ip === ip || s.server.ip === ip));
      out.push(finding('DUPLICATE_IP',
        `at ${analyzer.pointNames[point]}, ${ip} is claimed by ${macs.length} MACs (${macs.map((m) => describeMac(macInfo(m.mac))).join(', ')}) in ARP/neighbour discovery: a duplicate address (or a failover that moved it); find the second host and give it its own address`,
        { streamIds: streams.map((s) => s.id), migrationIds: [...new Set(streams.map((s) => s.migrationId).filter((m): m is number => m !== null))], frames: macs.flatMap((m) => m.frames.slice(0, 3)) }));
    }
    return out;
  }
}

/** Both directions of one TCP connection map to one key, whatever the capture point. */
function connectionKey(s: Stream): string {
  const a = `${formatIp(s.ipVersion, s.clientIp)}|${s.clientPort}`;
  const b = `${formatIp(s.ipVersion, s.serverIp)}|${s.serverPort}`;
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

function compareVantages(g: VantageRef[], info: (m: number) => MacInfo): MultiPointFact[] {
  const out: MultiPointFact[] = [];
  for (let i = 0; i < g.length; i++) {
    for (let j = i + 1; j < g.length; j++) {
      const x = g[i]; const y = g[j];
      if (x.name === y.name) continue;
      for (const [key, dx] of x.bySender) {
        const dy = y.bySender.get(key);
        if (dy === undefined) continue;
        const m = matchSamples(dx.dir.segments, dy.dir.segments);
        if (m.matched === 0) continue;
        const ordered = m.ttlA !== m.ttlB;
        const flip = m.ttlB > m.ttlA;
        const mac = (v: number) => (v >= 0 ? info(v) : null);
        out.push({
          sender: dx.sender, receiver: dx.receiver,
          from: flip ? y.name : x.name, to: flip ? x.name : y.name,
          matched: m.matched,
          ttlFrom: flip ? m.ttlB : m.ttlA, ttlTo: flip ? m.ttlA : m.ttlB,
          macFrom: mac(flip ? m.srcMacB : m.srcMacA), macTo: mac(flip ? m.srcMacA : m.srcMacB),
          frames: flip ? [...m.frames].reverse() : m.frames,
          clockOffsetSeconds: m.offsetSeconds === null ? null : flip ? -m.offsetSeconds : m.offsetSeconds,
          lostBetween: flip ? m.missingAtA : m.missingAtB,
          lostReverse: flip ? m.missingAtB : m.missingAtA,
          ordered,
        });
      }
    }
  }
  return out;
}

/** "routed · 1 hop · TTL 64→63 · src MAC 02:80:00:01:02:01 (locally administered) · confidence high". */
export function summarize(v: CombinedVerdict, facts: PathFacts[]): string {
  const parts: string[] = [v.verdict];
  if (v.hops !== null) parts.push(`${v.hops} hop${v.hops === 1 ? '' : 's'}`);
  // The most decremented direction tells the story; for L2, the TTLs as they arrived.
  let best: { d: DirectionFacts; hops: number } | null = null;
  for (const f of facts) for (const vf of f.vantages) for (const d of vf.dirs) {
    if (d.ttl.length === 0) continue;
    const h = inferInitialTtl(d.ttl[0].value) - d.ttl[0].value;
    if (best === null || h > best.hops) best = { d, hops: h };
  }
  if (best !== null) {
    const t = best.d.ttl[0].value;
    parts.push(best.hops > 0 ? `TTL ${inferInitialTtl(t)}→${t}` : `TTL ${t}`);
    const mac = best.d.srcMacs[0];
    if (mac) parts.push(`src MAC ${mac.info.mac} (${shortVendor(mac.info)})`);
  }
  parts.push(`confidence ${v.confidence}`);
  return parts.join(' · ');
}
