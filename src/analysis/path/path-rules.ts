/**
 * THE RULES: how hop evidence becomes a verdict ("routed" | "l2-adjacent" | "unknown").
 * Every rule lives in this file, as pure functions over small fact objects (built from the
 * capture by path-facts.ts), so each can be read, tested and argued with on its own.
 *
 * Each rule emits signals: {says routed|l2, strength 3 strong / 2 medium / 1 weak, hops}.
 * combineSignals() turns them into the verdict:
 * - no signal, or only weak ones           -> unknown (never l2-adjacent from absence of evidence)
 * - signals agree                          -> that verdict; confidence from the strongest
 *   (two medium signals of different kinds agreeing make it high)
 * - signals disagree                       -> the strictly stronger side wins, one confidence
 *   step lower if the other side was at least medium; equal strength -> unknown. Reasons say why.
 *
 * The rules (details and wording in each function):
 * TTL (ttlSignals), per capture vantage:
 *   T1 both directions visible, both at an initial value (e.g. 64 and 64): 0 routers either side,
 *      l2 strong (medium if the two initial values differ: unusual for two ESXi hosts).
 *   T2 both directions visible, hops = sum of both sides' (initial - observed) > 0: routed strong
 *      when both sides infer the same initial value (one side undecremented confirms the stack's
 *      initial value), medium when they differ.
 *   T3 one direction visible and below its initial value: routed medium, hops is a lower bound.
 *   T4 one direction visible at its initial value: no signal (it may be the capture host's own packets).
 *   TTL that changed within a direction: one step weaker; an inferred hop count above 16 is weak.
 * MAC (macSignals): vmk0 clones a physical NIC's MAC, so OUIs alone are weak.
 *   M1 a source MAC also used by other source IPs (same IP version) at the point: routed medium.
 *   M2 both directions' source MACs are distinct VMware OUIs: l2 weak.
 *   M3 one direction's source MAC is a registered non-VMware OUI, the other's VMware: routed weak.
 * Neighbour discovery, ARP / IPv6 ND (neighbourSignals):
 *   A1 an endpoint asked for the other endpoint's address: l2 medium (proxy ARP could still route).
 *   A2 frames of a direction are addressed to / arrive from a MAC that claimed another address G
 *      (and never the endpoint's): routed strong, G is the gateway.
 *   A3 both directions' source MACs claimed their own sender's address: l2 strong.
 * ICMP (icmpSignals), matched to the stream by the quoted packet:
 *   I1 time exceeded or redirect: routed strong, naming the router.
 *   I2 fragmentation needed / packet too big from an address other than the two endpoints: routed strong.
 * Several capture points (multiPointSignals), the same segments matched by sequence number:
 *   P1 TTL lower at the later point: routed strong, that many routers between the two points.
 *   TTL equal: evidence only (no router between those two points, says nothing about the rest).
 */
import type { FrameRef } from '../result.js';
import type { PathConfidence, PathEvidence, PathReport, PathVerdict } from './path-types.js';
import { inferInitialTtl } from './ttl.js';
import { describeMac, type MacInfo } from './mac-vendor.js';

// ---------------------------------------------------------------- facts (inputs of the rules)

export interface TtlValue { value: number; count: number; first: FrameRef }

export interface MacFact {
  info: MacInfo;
  count: number;
  first: FrameRef;
  /** Other source IPs (same IP version) that sent frames from this MAC at this point (one list shared by the MAC's streams). */
  sharedWith: readonly string[];
  /** Addresses this MAC claimed in ARP / neighbour discovery at this point. */
  claims: Array<{ ip: string; frames: FrameRef[] }>;
}

export interface DirectionFacts {
  sender: string;
  receiver: string;
  /** Most frequent first. */
  ttl: TtlValue[];
  ttlChanges: number;
  ttlChangeFrames: FrameRef[];
  srcMacs: MacFact[];
  dstMacs: MacFact[];
}

export interface VantageFacts {
  /** Capture point name, with the interface when one input holds several (e.g. "legs.pcapng/ldst"). */
  name: string;
  /** The one or two directions seen here. */
  dirs: DirectionFacts[];
}

export interface NeighbourQuestionFact { sender: string; target: string; frames: FrameRef[] }

export interface IcmpFact {
  kind: 'time-exceeded' | 'redirect' | 'frag-needed' | 'packet-too-big';
  from: string;
  gateway: string | null;
  mtu: number | null;
  frame: FrameRef;
}

export interface MultiPointFact {
  sender: string;
  receiver: string;
  /** Upstream (nearer the sender) and downstream vantage names, when TTL tells them apart. */
  from: string;
  to: string;
  matched: number;
  ttlFrom: number;
  ttlTo: number;
  macFrom: MacInfo | null;
  macTo: MacInfo | null;
  frames: FrameRef[];
  /** Median of (time at `to` - time at `from`) over matched segments: clock offset plus transit; null if none matched. */
  clockOffsetSeconds: number | null;
  /** Copies seen at `from` and never at `to` (estimated from the sample); null when segmentation differs (TSO/GRO). */
  lostBetween: number | null;
  /** Copies seen at `to` and never at `from` (only meaningful when the TTL cannot order the points). */
  lostReverse: number | null;
  /** True when the TTL told which point is nearer the sender. */
  ordered: boolean;
}

export interface PathFacts {
  /** The two endpoint addresses. */
  a: string;
  b: string;
  vantages: VantageFacts[];
  questions: NeighbourQuestionFact[];
  icmp: IcmpFact[];
  multiPoint: MultiPointFact[];
}

// ---------------------------------------------------------------- signals

export const STRONG = 3;
export const MEDIUM = 2;
export const WEAK = 1;

export interface Signal {
  says: 'routed' | 'l2';
  strength: number;
  /** Hops this signal implies; 'total' between the hosts, 'atLeast' a lower bound, 'between' two capture points. */
  hops: number | null;
  hopsKind: 'total' | 'atLeast' | 'between' | null;
  /** Rule id (T1, M2...) so signals of one kind are not counted twice as agreement. */
  rule: string;
  reason: string;
  evidence: PathEvidence;
}

const MAX_PLAUSIBLE_HOPS = 16;

function sig(says: Signal['says'], strength: number, rule: string, reason: string, evidence: PathEvidence, hops: number | null = null, hopsKind: Signal['hopsKind'] = null): Signal {
  return { says, strength: Math.max(WEAK, Math.min(STRONG, strength)), rule, reason, evidence, hops, hopsKind };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** T1-T4. Also returns evidence that is not a signal (T4, TTL changes). */
export function ttlSignals(v: VantageFacts): { signals: Signal[]; evidence: PathEvidence[] } {
  const signals: Signal[] = [];
  const evidence: PathEvidence[] = [];
  const seen = v.dirs.filter((d) => d.ttl.length > 0);
  const at = v.name;
  for (const d of seen) {
    if (d.ttl.length > 1) {
      evidence.push({
        kind: 'ttl-change',
        detail: `at ${at}, TTL of ${d.sender} → ${d.receiver} changed ${plural(d.ttlChanges, 'time')} (values ${d.ttl.map((t) => `${t.value}×${t.count}`).join(', ')}): the path changed during the stream`,
        frames: d.ttlChangeFrames,
      });
    }
  }
  const ttlEvidence = (d: DirectionFacts): PathEvidence => {
    const t = d.ttl[0];
    const init = inferInitialTtl(t.value);
    return { kind: 'ttl', detail: `at ${at}, ${d.sender} → ${d.receiver}: TTL ${t.value} (inferred initial ${init}, ${plural(init - t.value, 'hop')})`, frames: [t.first] };
  };
  const penalty = (d: DirectionFacts) => (d.ttl.length > 1 ? 1 : 0);
  if (seen.length === 2) {
    const [x, y] = seen;
    const vx = x.ttl[0].value; const vy = y.ttl[0].value;
    const ix = inferInitialTtl(vx); const iy = inferInitialTtl(vy);
    const hx = ix - vx; const hy = iy - vy;
    const total = hx + hy;
    const ev: PathEvidence = {
      kind: 'ttl',
      detail: `at ${at}: ${x.sender} → ${x.receiver} TTL ${vx} (initial ${ix}, ${plural(hx, 'hop')}); ${y.sender} → ${y.receiver} TTL ${vy} (initial ${iy}, ${plural(hy, 'hop')})`,
      frames: [x.ttl[0].first, y.ttl[0].first],
    };
    const pen = penalty(x) + penalty(y);
    if (total === 0) {
      const same = ix === iy;
      signals.push(sig('l2', (same ? STRONG : MEDIUM) - pen, 'T1',
        `at ${at} both directions arrive at their initial TTL (${vx} and ${vy}): no router on either side of the capture point${same ? '' : ' (the two hosts use different initial values, which is unusual for ESXi)'}`, ev, 0, 'total'));
    } else {
      const same = ix === iy;
      let strength = (same ? STRONG : MEDIUM) - pen;
      if (total > MAX_PLAUSIBLE_HOPS) strength = WEAK;
      const local = hx === 0 ? x : hy === 0 ? y : null;
      const remote = local === x ? y : x;
      const why = local !== null
        ? `${local.sender}'s packets arrive undecremented (TTL ${local.ttl[0].value}) while ${remote.sender}'s arrive with TTL ${remote.ttl[0].value}: ${plural(total, 'router')} between ${remote.sender} and the capture point at ${at}`
        : `both directions arrive decremented at ${at} (TTL ${vx} and ${vy}): the capture point lies between routers, ${plural(total, 'router')} in all`;
      signals.push(sig('routed', strength, 'T2', why + (same ? '' : ` (initial values differ: ${ix} vs ${iy}, so the count is inferred)`)
        + (total > MAX_PLAUSIBLE_HOPS ? ` (more than ${MAX_PLAUSIBLE_HOPS} hops is implausible: an unusual initial TTL?)` : ''), ev, total, 'total'));
    }
  } else if (seen.length === 1) {
    const d = seen[0];
    const v1 = d.ttl[0].value; const i1 = inferInitialTtl(v1); const h = i1 - v1;
    if (h > 0) {
      signals.push(sig('routed', (h > MAX_PLAUSIBLE_HOPS ? WEAK : MEDIUM) - penalty(d), 'T3',
        `only ${d.sender} → ${d.receiver} is visible at ${at}: TTL ${v1} is ${plural(h, 'hop')} below the inferred initial ${i1} (not confirmed by the other side's undecremented packets, and a lower bound if the capture point is mid-path)`,
        ttlEvidence(d), h, 'atLeast'));
    } else {
      evidence.push({ ...ttlEvidence(d), detail: ttlEvidence(d).detail + ' — only this direction is visible and it may be the capture host\'s own traffic, so it says nothing about the path' });
    }
  }
  return { signals, evidence };
}

function isV6(ip: string): boolean {
  return ip.includes(':');
}

/** M1-M3. */
export function macSignals(v: VantageFacts): { signals: Signal[]; evidence: PathEvidence[] } {
  const signals: Signal[] = [];
  const evidence: PathEvidence[] = [];
  const at = v.name;
  for (const d of v.dirs) {
    for (const m of d.srcMacs) {
      evidence.push({ kind: 'mac', detail: `at ${at}, ${d.sender} → ${d.receiver} frames come from ${describeMac(m.info)}${m.info.vendor && !m.info.vmware ? '' : ''}`, frames: [m.first] });
      const others = m.sharedWith.filter((ip) => isV6(ip) === isV6(d.sender) && ip !== d.sender);
      if (others.length > 0) {
        signals.push(sig('routed', MEDIUM, 'M1',
          `at ${at}, MAC ${m.info.mac} is the source of frames from ${d.sender} and also from ${others.slice(0, 4).join(', ')}${others.length > 4 ? '…' : ''}: one box forwarding for several addresses is a router`,
          { kind: 'mac', detail: `${m.info.mac} sends for ${[d.sender, ...others].length} source addresses at ${at}`, frames: [m.first] }));
      }
    }
    for (const m of d.dstMacs) {
      if (m.info.multicast) continue;
      evidence.push({ kind: 'mac', detail: `at ${at}, ${d.sender} → ${d.receiver} frames are addressed to ${describeMac(m.info)}`, frames: [m.first] });
    }
  }
  const both = v.dirs.filter((d) => d.srcMacs.length > 0);
  if (both.length === 2) {
    const [x, y] = both;
    const mx = x.srcMacs[0].info; const my = y.srcMacs[0].info;
    const ev: PathEvidence = { kind: 'mac', detail: `at ${at}: ${x.sender}'s frames from ${describeMac(mx)}, ${y.sender}'s from ${describeMac(my)}`, frames: [x.srcMacs[0].first, y.srcMacs[0].first] };
    if (mx.vmware && my.vmware && mx.mac !== my.mac) {
      signals.push(sig('l2', WEAK, 'M2', `at ${at} both ends' frames carry VMware MACs (${mx.mac}, ${my.mac}), as two vmknics on one segment would (a virtual router would too)`, ev));
    } else {
      const foreign = (i: MacInfo) => !i.vmware && !i.locallyAdministered && !i.multicast;
      const pair: Array<[MacInfo, MacInfo, string]> = [[mx, my, y.sender], [my, mx, x.sender]];
      for (const [other, vm, sender] of pair) {
        if (foreign(other) && vm.vmware) {
          const fromWho = sender === y.sender ? x.sender : y.sender;
          signals.push(sig('routed', WEAK, 'M3', `at ${at} ${fromWho}'s frames come from ${describeMac(other)} while ${sender}'s carry a VMware MAC: possibly a router (weak: vmk0 clones its physical NIC's MAC)`, ev));
        }
      }
    }
  }
  return { signals, evidence };
}

/** A1-A3. */
export function neighbourSignals(facts: PathFacts): { signals: Signal[]; evidence: PathEvidence[] } {
  const signals: Signal[] = [];
  const evidence: PathEvidence[] = [];
  const ends = new Set([facts.a, facts.b]);
  for (const q of facts.questions) {
    if (!ends.has(q.sender)) continue;
    const peer = q.sender === facts.a ? facts.b : facts.a;
    if (q.target === peer) {
      signals.push(sig('l2', MEDIUM, 'A1', `${q.sender} asked for ${peer}'s link-layer address (ARP/ND): it treats ${peer} as on-link (proxy ARP could still route it)`,
        { kind: 'arp', detail: `${q.sender} asks who-has ${peer}`, frames: q.frames }));
    } else {
      evidence.push({ kind: 'arp', detail: `${q.sender} asks who-has ${q.target} (not its peer ${peer})`, frames: q.frames });
    }
  }
  for (const v of facts.vantages) {
    let ownSrc = 0;
    for (const d of v.dirs) {
      const sameFamily = (ip: string) => isV6(ip) === isV6(d.sender);
      const gatewayOf = (m: MacFact, endpoint: string) => {
        if (m.claims.some((c) => c.ip === endpoint)) return null;
        return m.claims.find((c) => sameFamily(c.ip) && !ends.has(c.ip)) ?? null;
      };
      for (const m of d.dstMacs) {
        const g = gatewayOf(m, d.receiver);
        if (g) {
          signals.push(sig('routed', STRONG, 'A2', `at ${v.name}, ${d.sender} sends its frames for ${d.receiver} to ${m.info.mac}, the MAC that answers for ${g.ip}: ${g.ip} is its gateway`,
            { kind: 'arp', detail: `${m.info.mac} claims ${g.ip}; ${d.sender} → ${d.receiver} frames are addressed to it`, frames: [...g.frames.slice(0, 2), m.first] }));
        }
      }
      for (const m of d.srcMacs) {
        const g = gatewayOf(m, d.sender);
        if (g) {
          signals.push(sig('routed', STRONG, 'A2', `at ${v.name}, ${d.sender}'s frames arrive from ${m.info.mac}, the MAC that answers for ${g.ip}: ${g.ip} forwarded them`,
            { kind: 'arp', detail: `${m.info.mac} claims ${g.ip}; ${d.sender} → ${d.receiver} frames come from it`, frames: [...g.frames.slice(0, 2), m.first] }));
        }
        if (m.claims.some((c) => c.ip === d.sender)) ownSrc++;
      }
    }
    if (ownSrc >= 2 && v.dirs.length === 2) {
      const frames = v.dirs.flatMap((d) => d.srcMacs.flatMap((m) => m.claims.filter((c) => c.ip === d.sender).flatMap((c) => c.frames.slice(0, 1))));
      signals.push(sig('l2', STRONG, 'A3', `at ${v.name} both ${facts.a}'s and ${facts.b}'s frames come from the MAC each answers ARP/ND with: they reach each other directly`,
        { kind: 'arp', detail: `${v.dirs.map((d) => `${d.sender} from ${d.srcMacs[0]?.info.mac}`).join(', ')}, each claimed by its own sender`, frames }));
    }
  }
  return { signals, evidence };
}

/** I1-I2. */
export function icmpSignals(facts: PathFacts): { signals: Signal[]; evidence: PathEvidence[] } {
  const signals: Signal[] = [];
  const evidence: PathEvidence[] = [];
  const ends = new Set([facts.a, facts.b]);
  for (const i of facts.icmp) {
    const ev: PathEvidence = {
      kind: 'icmp',
      detail: `${i.kind} from ${i.from}${i.gateway ? ` (use gateway ${i.gateway})` : ''}${i.mtu !== null ? ` (MTU ${i.mtu})` : ''} quoting this stream`,
      frames: [i.frame],
    };
    if (i.kind === 'time-exceeded' || i.kind === 'redirect') {
      signals.push(sig('routed', STRONG, 'I1', `${i.from} sent ICMP ${i.kind} for this stream's packets: it is a router on the path`, ev));
    } else if (!ends.has(i.from)) {
      signals.push(sig('routed', STRONG, 'I2', `${i.from}, not one of the two hosts, reports ${i.kind}${i.mtu !== null ? ` (next-hop MTU ${i.mtu})` : ''} for this stream: a router on the path`, ev));
    } else evidence.push(ev);
  }
  return { signals, evidence };
}

/** P1. */
export function multiPointSignals(facts: PathFacts): { signals: Signal[]; evidence: PathEvidence[] } {
  const signals: Signal[] = [];
  const evidence: PathEvidence[] = [];
  for (const m of facts.multiPoint) {
    const diff = m.ttlFrom - m.ttlTo;
    const macs = m.macFrom && m.macTo
      ? (m.macFrom.mac !== m.macTo.mac ? `; source MAC rewritten from ${describeMac(m.macFrom)} to ${describeMac(m.macTo)}` : `; same source MAC ${m.macFrom.mac}`)
      : '';
    const clock = m.clockOffsetSeconds === null ? '' : `; clock of ${m.to} runs ${formatOffset(m.clockOffsetSeconds)} relative to ${m.from} (median over matched segments, transit included)`;
    const loss = m.lostBetween === null ? '; segmentation differs between the points (TSO/GRO), loss not located'
      : m.ordered ? `; ${m.lostBetween} segment cop${m.lostBetween === 1 ? 'y' : 'ies'} seen at ${m.from} never reached ${m.to}${m.lostBetween > 0 ? ' (lost between them)' : ''}`
        : `; ${m.lostBetween} seen only at ${m.from}, ${m.lostReverse ?? 0} only at ${m.to}`;
    const detail = `${m.sender} → ${m.receiver}: ${plural(m.matched, 'sampled segment')} matched at ${m.from} (TTL ${m.ttlFrom}) and ${m.to} (TTL ${m.ttlTo})${macs}${clock}${loss}`;
    if (diff > 0) {
      signals.push(sig('routed', STRONG, 'P1', `the same segments of ${m.sender} → ${m.receiver} lose ${diff} TTL between ${m.from} and ${m.to}${macs}: ${plural(diff, 'router')} sits between these two capture points`,
        { kind: 'multi-point', detail, frames: m.frames }, diff, 'between'));
    } else {
      evidence.push({ kind: 'multi-point', detail: detail + ': no router between these two points', frames: m.frames });
    }
  }
  return { signals, evidence };
}

function formatOffset(s: number): string {
  const abs = Math.abs(s);
  const text = abs >= 1 ? `${abs.toFixed(3)} s` : abs >= 1e-3 ? `${(abs * 1e3).toFixed(3)} ms` : `${(abs * 1e6).toFixed(1)} µs`;
  return `${s < 0 ? '-' : '+'}${text}`;
}

/** Every rule over one stream's (or one migration's merged) facts. */
export function pathSignals(facts: PathFacts): { signals: Signal[]; evidence: PathEvidence[] } {
  const parts = [
    ...facts.vantages.map(ttlSignals), ...facts.vantages.map(macSignals),
    neighbourSignals(facts), icmpSignals(facts), multiPointSignals(facts),
  ];
  return { signals: parts.flatMap((p) => p.signals), evidence: parts.flatMap((p) => p.evidence) };
}

// ---------------------------------------------------------------- combination

const CONFIDENCE: Record<number, PathConfidence> = { [STRONG]: 'high', [MEDIUM]: 'medium', [WEAK]: 'low' };
export const MAX_EVIDENCE = 24;

function strengthOf(signals: Signal[]): number {
  let best = 0;
  for (const s of signals) best = Math.max(best, s.strength);
  // Independent medium signals (different rules) agreeing count as strong.
  if (best === MEDIUM && new Set(signals.filter((s) => s.strength >= MEDIUM).map((s) => s.rule[0])).size >= 2) best = STRONG;
  return best;
}

function hopsOf(routed: Signal[]): { hops: number | null; note: string | null } {
  const totals = routed.filter((s) => s.hopsKind === 'total' && s.hops !== null);
  if (totals.length > 0) {
    const best = Math.max(...totals.map((s) => s.strength));
    const top = totals.filter((s) => s.strength === best);
    const counts = new Map<number, number>();
    for (const s of top) counts.set(s.hops!, (counts.get(s.hops!) ?? 0) + 1);
    const hops = [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0][0];
    const distinct = new Set(totals.map((s) => s.hops));
    return { hops, note: distinct.size > 1 ? `hop counts differ between signals (${[...distinct].join(', ')}): reporting ${hops}` : null };
  }
  const bounds = routed.filter((s) => s.hops !== null && s.hops > 0);
  if (bounds.length > 0) {
    const hops = Math.max(...bounds.map((s) => s.hops!));
    return { hops, note: `hop count ${hops} is a lower bound (no capture shows both directions)` };
  }
  return { hops: null, note: null };
}

export type CombinedVerdict = Omit<PathReport, 'summary'>;

/** Signals (plus evidence that is not a signal) -> verdict, hops, confidence, reasons. */
export function combineSignals(signals: Signal[], extraEvidence: PathEvidence[] = []): CombinedVerdict {
  const routed = signals.filter((s) => s.says === 'routed');
  const l2 = signals.filter((s) => s.says === 'l2');
  const r = strengthOf(routed);
  const l = strengthOf(l2);
  const reasons: string[] = [];
  const byStrength = (a: Signal, b: Signal) => b.strength - a.strength;
  const evidence = dedupeEvidence([...[...signals].sort(byStrength).map((s) => s.evidence), ...extraEvidence]);
  const uniq = (xs: string[]) => [...new Set(xs)];
  let verdict: PathVerdict = 'unknown';
  let strength = 0;
  if (r === 0 && l === 0) {
    reasons.push('no hop evidence: no TTL beyond what the capture host itself sends, no ARP/ND, ICMP or second capture point that tells a router apart from a switch');
  } else if (r === l) {
    reasons.push(`conflicting signals of equal weight, so no verdict: routed because ${uniq(routed.sort(byStrength).map((s) => s.reason)).slice(0, 2).join('; ')}; Layer-2 because ${uniq(l2.sort(byStrength).map((s) => s.reason)).slice(0, 2).join('; ')}`);
  } else {
    const win = r > l ? routed : l2;
    const lose = r > l ? l2 : routed;
    const winS = Math.max(r, l); const loseS = Math.min(r, l);
    if (winS === WEAK) {
      reasons.push(`only weak hints, no verdict: ${uniq(win.map((s) => s.reason)).join('; ')}`);
    } else {
      verdict = r > l ? 'routed' : 'l2-adjacent';
      strength = loseS >= MEDIUM ? winS - 1 : winS;
      reasons.push(...uniq([...win].sort(byStrength).map((s) => s.reason)));
      if (lose.length > 0) {
        reasons.push(`${loseS >= MEDIUM ? 'confidence lowered: ' : 'outweighed: '}${uniq([...lose].sort(byStrength).map((s) => s.reason)).join('; ')}`);
      }
    }
  }
  let hops: number | null = null;
  if (verdict === 'routed') {
    const h = hopsOf(routed);
    hops = h.hops;
    if (h.note) reasons.push(h.note);
  } else if (verdict === 'l2-adjacent') hops = 0;
  return { verdict, hops, confidence: verdict === 'unknown' ? 'low' : CONFIDENCE[Math.max(WEAK, strength)], reasons, evidence };
}

function dedupeEvidence(list: PathEvidence[]): PathEvidence[] {
  const seen = new Set<string>();
  const out: PathEvidence[] = [];
  for (const e of list) {
    const key = `${e.kind}|${e.detail}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
    if (out.length >= MAX_EVIDENCE) break;
  }
  return out;
}

/** One stream's (or a migration's merged) facts -> verdict. */
export function judgePath(facts: PathFacts): CombinedVerdict {
  const { signals, evidence } = pathSignals(facts);
  return combineSignals(signals, evidence);
}
