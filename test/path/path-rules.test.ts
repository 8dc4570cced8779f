import { describe, expect, it } from 'vitest';
import { macInfo } from '../../src/analysis/path/mac-vendor.js';
import {
  MEDIUM, STRONG, WEAK, combineSignals, icmpSignals, judgePath, macSignals, multiPointSignals, neighbourSignals, ttlSignals,
  type DirectionFacts, type MacFact, type MultiPointFact, type PathFacts, type Signal, type VantageFacts,
} from '../../src/analysis/path/path-rules.js';
import { hopsFromTtl, inferInitialTtl } from '../../src/analysis/path/ttl.js';

const A = '10.0.1.2';
const B = '10.0.2.2';
const f = (frame: number) => ({ input: 0, frame });

function mac(text: string, o: Partial<MacFact> = {}): MacFact {
  return { info: macInfo(parseInt(text.replace(/:/g, ''), 16)), count: 10, first: f(1), sharedWith: [], claims: [], ...o };
}

function dir(sender: string, receiver: string, ttls: number[], o: Partial<DirectionFacts> = {}): DirectionFacts {
  return {
    sender, receiver, ttl: ttls.map((value, i) => ({ value, count: 100 - i, first: f(i + 1) })),
    ttlChanges: ttls.length - 1, ttlChangeFrames: [], srcMacs: [], dstMacs: [], ...o,
  };
}

function facts(vantages: VantageFacts[], o: Partial<PathFacts> = {}): PathFacts {
  return { a: A, b: B, vantages, questions: [], icmp: [], multiPoint: [], ...o };
}

const at = (...dirs: DirectionFacts[]): VantageFacts => ({ name: 'cap', dirs });

describe('TTL arithmetic', () => {
  it('infers the smallest common initial value not below the observed one', () => {
    expect([1, 32, 33, 63, 64, 65, 127, 128, 129, 254, 255].map(inferInitialTtl)).toEqual([32, 32, 64, 64, 64, 128, 128, 128, 255, 255, 255]);
    expect(hopsFromTtl(63)).toBe(1);
    expect(hopsFromTtl(62)).toBe(2);
    expect(hopsFromTtl(64)).toBe(0);
    expect(hopsFromTtl(250)).toBe(5);
  });
});

describe('TTL rules alone', () => {
  it('T1: both directions at 64 is 0 hops, l2 strong', () => {
    const { signals } = ttlSignals(at(dir(A, B, [64]), dir(B, A, [64])));
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ says: 'l2', strength: STRONG, rule: 'T1', hops: 0 });
    expect(judgePath(facts([at(dir(A, B, [64]), dir(B, A, [64]))]))).toMatchObject({ verdict: 'l2-adjacent', hops: 0, confidence: 'high' });
  });

  it('T1: different initial values on the two sides weaken it to medium', () => {
    const { signals } = ttlSignals(at(dir(A, B, [64]), dir(B, A, [128])));
    expect(signals[0]).toMatchObject({ says: 'l2', strength: MEDIUM });
  });

  it('T2: one side undecremented, the other one below: routed strong with the hop count', () => {
    const v = judgePath(facts([at(dir(A, B, [63]), dir(B, A, [64]))]));
    expect(v).toMatchObject({ verdict: 'routed', hops: 1, confidence: 'high' });
    expect(v.reasons[0]).toMatch(/10\.0\.2\.2's packets arrive undecremented \(TTL 64\).*1 router/);
    expect(v.evidence[0].frames.length).toBe(2);
  });

  it('T2: mid-path capture adds both sides (63 and 63 = 2 routers)', () => {
    expect(judgePath(facts([at(dir(A, B, [63]), dir(B, A, [63]))]))).toMatchObject({ verdict: 'routed', hops: 2, confidence: 'high' });
  });

  it('T2: an implausible hop count is only weak, so no verdict', () => {
    const v = judgePath(facts([at(dir(A, B, [100]), dir(B, A, [64]))]));
    expect(v.verdict).toBe('unknown');
    expect(v.reasons.join(' ')).toMatch(/implausible/);
  });

  it('T3: one direction visible below its initial value is routed medium, hops a lower bound', () => {
    const v = judgePath(facts([at(dir(B, A, [62]))]));
    expect(v).toMatchObject({ verdict: 'routed', hops: 2, confidence: 'medium' });
    expect(v.reasons.join(' ')).toMatch(/lower bound/);
  });

  it('T4: one direction visible at its initial value says nothing (never l2 from absence of evidence)', () => {
    const v = judgePath(facts([at(dir(A, B, [64]))]));
    expect(v).toMatchObject({ verdict: 'unknown', hops: null, confidence: 'low' });
    expect(v.evidence.some((e) => /capture host's own traffic/.test(e.detail))).toBe(true);
  });

  it('no evidence at all gives unknown', () => {
    expect(judgePath(facts([]))).toMatchObject({ verdict: 'unknown', hops: null, confidence: 'low' });
  });

  it('a TTL that changed within a direction weakens the signal and is shown as evidence', () => {
    const { signals, evidence } = ttlSignals(at(dir(A, B, [63, 62]), dir(B, A, [64])));
    expect(signals[0]).toMatchObject({ says: 'routed', strength: MEDIUM, hops: 1 });
    expect(evidence.find((e) => e.kind === 'ttl-change')?.detail).toMatch(/changed 1 time/);
  });
});

describe('MAC rules alone (OUIs are weak: vmk0 clones a NIC MAC)', () => {
  it('M1: a source MAC that sends for several addresses is a router (medium)', () => {
    const { signals } = macSignals(at(dir(A, B, [], { srcMacs: [mac('00:1c:73:01:02:03', { sharedWith: [A, '10.0.3.7'] })] })));
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ says: 'routed', strength: MEDIUM, rule: 'M1' });
    expect(signals[0].reason).toMatch(/10\.0\.3\.7/);
  });

  it('M1 ignores the same host\'s other address family', () => {
    const { signals } = macSignals(at(dir(A, B, [], { srcMacs: [mac('00:1c:73:01:02:03', { sharedWith: [A, 'fd00::2'] })] })));
    expect(signals).toHaveLength(0);
  });

  it('M2: both ends with distinct VMware MACs is only a weak l2 hint: alone it gives no verdict', () => {
    const v = at(dir(A, B, [], { srcMacs: [mac('00:50:56:aa:00:01')] }), dir(B, A, [], { srcMacs: [mac('00:0c:29:bb:00:02')] }));
    const { signals } = macSignals(v);
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ says: 'l2', strength: WEAK, rule: 'M2' });
    expect(judgePath(facts([v])).verdict).toBe('unknown');
  });

  it('M3: a registered non-VMware OUI facing a VMware one is a weak routed hint naming the vendor', () => {
    const v = at(dir(A, B, [], { srcMacs: [mac('00:1c:73:01:02:03')] }), dir(B, A, [], { srcMacs: [mac('00:50:56:bb:00:02')] }));
    const { signals } = macSignals(v);
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ says: 'routed', strength: WEAK, rule: 'M3' });
    expect(signals[0].reason).toMatch(/Arista/);
    expect(judgePath(facts([v])).verdict).toBe('unknown');
  });

  it('locally administered MACs name no vendor and give no hint', () => {
    const v = at(dir(A, B, [], { srcMacs: [mac('02:80:00:01:02:01')] }), dir(B, A, [], { srcMacs: [mac('00:50:56:bb:00:02')] }));
    expect(macSignals(v).signals).toHaveLength(0);
  });
});

describe('ARP / neighbour discovery rules alone', () => {
  it('A1: an endpoint asking for its peer is l2 medium', () => {
    const v = judgePath(facts([], { questions: [{ sender: A, target: B, frames: [f(3)] }] }));
    expect(v).toMatchObject({ verdict: 'l2-adjacent', hops: 0, confidence: 'medium' });
    expect(v.evidence[0]).toMatchObject({ kind: 'arp', frames: [f(3)] });
  });

  it('asking for another address is evidence only', () => {
    const r = neighbourSignals(facts([], { questions: [{ sender: A, target: '10.0.1.1', frames: [f(3)] }] }));
    expect(r.signals).toHaveLength(0);
    expect(r.evidence[0].detail).toMatch(/who-has 10\.0\.1\.1/);
  });

  it('A2: frames addressed to the MAC that answers for a third address: that address is the gateway (strong)', () => {
    const gw = mac('00:1c:73:00:00:01', { claims: [{ ip: '10.0.1.1', frames: [f(2)] }] });
    const v = judgePath(facts([at(dir(A, B, [], { dstMacs: [gw] }))]));
    expect(v).toMatchObject({ verdict: 'routed', hops: null, confidence: 'high' });
    expect(v.reasons[0]).toMatch(/10\.0\.1\.1 is its gateway/);
  });

  it('A2 does not fire when the MAC also answers for the endpoint itself (proxy ARP is not proof)', () => {
    const gw = mac('00:1c:73:00:00:01', { claims: [{ ip: '10.0.1.1', frames: [f(2)] }, { ip: B, frames: [f(4)] }] });
    expect(neighbourSignals(facts([at(dir(A, B, [], { dstMacs: [gw] }))])).signals).toHaveLength(0);
  });

  it('A3: both directions from the MAC each sender claims is l2 strong', () => {
    const v = judgePath(facts([at(
      dir(A, B, [], { srcMacs: [mac('00:50:56:00:00:01', { claims: [{ ip: A, frames: [f(1)] }] })] }),
      dir(B, A, [], { srcMacs: [mac('00:50:56:00:00:02', { claims: [{ ip: B, frames: [f(2)] }] })] }),
    )]));
    expect(v).toMatchObject({ verdict: 'l2-adjacent', hops: 0, confidence: 'high' });
  });
});

describe('ICMP rules alone', () => {
  it('I1: time exceeded names a router', () => {
    const v = judgePath(facts([], { icmp: [{ kind: 'time-exceeded', from: '10.0.9.1', gateway: null, mtu: null, frame: f(7) }] }));
    expect(v).toMatchObject({ verdict: 'routed', confidence: 'high' });
    expect(v.reasons[0]).toMatch(/10\.0\.9\.1/);
  });

  it('I2: frag-needed from a third address is a router; from the peer itself it is evidence only', () => {
    expect(icmpSignals(facts([], { icmp: [{ kind: 'frag-needed', from: '10.0.9.1', gateway: null, mtu: 1500, frame: f(7) }] })).signals[0])
      .toMatchObject({ says: 'routed', strength: STRONG, rule: 'I2' });
    const own = icmpSignals(facts([], { icmp: [{ kind: 'frag-needed', from: B, gateway: null, mtu: 1500, frame: f(7) }] }));
    expect(own.signals).toHaveLength(0);
    expect(own.evidence[0].detail).toMatch(/MTU 1500/);
  });
});

describe('multi-point rule alone', () => {
  const mp = (o: Partial<MultiPointFact>): MultiPointFact => ({
    sender: A, receiver: B, from: 'leg-a', to: 'leg-b', matched: 50, ttlFrom: 64, ttlTo: 63,
    macFrom: macInfo(0x005056000001), macTo: macInfo(0x028000010201), frames: [f(1), { input: 1, frame: 1 }],
    clockOffsetSeconds: 2.5, lostBetween: 0, lostReverse: 0, ordered: true, ...o,
  });

  it('P1: TTL lower at the later point puts routers between the points, with the MAC rewrite and clock offset', () => {
    const { signals } = multiPointSignals(facts([], { multiPoint: [mp({})] }));
    expect(signals[0]).toMatchObject({ says: 'routed', strength: STRONG, hops: 1, hopsKind: 'between' });
    expect(signals[0].reason).toMatch(/rewritten from 00:50:56:00:00:01.*02:80:00:01:02:01/);
    expect(signals[0].evidence.detail).toMatch(/\+2\.500 s/);
  });

  it('equal TTL at both points is evidence only', () => {
    const r = multiPointSignals(facts([], { multiPoint: [mp({ ttlTo: 64, ordered: false })] }));
    expect(r.signals).toHaveLength(0);
    expect(r.evidence[0].detail).toMatch(/no router between these two points/);
  });
});

describe('signals in conflict', () => {
  const s = (says: Signal['says'], strength: number, rule: string, hops: number | null = null): Signal => ({
    says, strength, rule, hops, hopsKind: hops === null ? null : 'total', reason: `${rule} says ${says}`, evidence: { kind: 'ttl', detail: rule, frames: [] },
  });

  it('strong routed against medium l2: routed, one step lower, and says why', () => {
    const v = combineSignals([s('routed', STRONG, 'T2', 1), s('l2', MEDIUM, 'A1')]);
    expect(v).toMatchObject({ verdict: 'routed', hops: 1, confidence: 'medium' });
    expect(v.reasons.join(' ')).toMatch(/confidence lowered: A1 says l2/);
  });

  it('a weak dissent is mentioned but does not lower a strong verdict', () => {
    const v = combineSignals([s('routed', STRONG, 'T2', 1), s('l2', WEAK, 'M2')]);
    expect(v).toMatchObject({ verdict: 'routed', confidence: 'high' });
    expect(v.reasons.join(' ')).toMatch(/outweighed: M2 says l2/);
  });

  it('equal strength both ways: unknown, naming both sides', () => {
    const v = combineSignals([s('routed', STRONG, 'T2', 1), s('l2', STRONG, 'A3')]);
    expect(v).toMatchObject({ verdict: 'unknown', hops: null, confidence: 'low' });
    expect(v.reasons[0]).toMatch(/conflicting.*T2 says routed.*A3 says l2/);
  });

  it('proxy ARP scenario: host asked for its peer but the TTL shows a router', () => {
    const v = judgePath(facts([at(dir(A, B, [64]), dir(B, A, [63]))], { questions: [{ sender: A, target: B, frames: [f(1)] }] }));
    expect(v).toMatchObject({ verdict: 'routed', hops: 1, confidence: 'medium' });
  });

  it('two independent medium signals agreeing make a high-confidence verdict', () => {
    const v = combineSignals([s('routed', MEDIUM, 'T3', 1), s('routed', MEDIUM, 'M1')]);
    expect(v).toMatchObject({ verdict: 'routed', confidence: 'high' });
    const same = combineSignals([s('routed', MEDIUM, 'T3', 1), s('routed', MEDIUM, 'T3', 1)]);
    expect(same.confidence).toBe('medium');
  });

  it('disagreeing hop counts are reported', () => {
    const v = combineSignals([s('routed', STRONG, 'T2', 1), s('routed', STRONG, 'T2', 2), s('routed', STRONG, 'T2', 2)]);
    expect(v.hops).toBe(2);
    expect(v.reasons.join(' ')).toMatch(/hop counts differ/);
  });
});

describe('MAC vendors from the IEEE registry', () => {
  it('names vendors, marks the VMware OUIs and locally administered addresses', () => {
    expect(macInfo(0x001c73000001).vendor).toMatch(/Arista/);
    for (const oui of [0x005056, 0x000c29, 0x000569, 0x001c14]) expect(macInfo(oui * 0x1000000 + 1).vmware).toBe(true);
    expect(macInfo(0x001c73000001).vmware).toBe(false);
    const la = macInfo(0x028000010201);
    expect(la).toMatchObject({ locallyAdministered: true, vendor: null, vmware: false, mac: '02:80:00:01:02:01' });
  });
});
