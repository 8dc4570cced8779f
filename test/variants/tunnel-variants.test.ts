/**
 * Issue 3's proof for mirror encapsulations: every frame of a real lab capture carried inside
 * GRE TEB, ERSPAN I/II/III or VXLAN (as a remote mirror session delivers it to a collector)
 * analyses exactly like the capture itself, VLAN tags inside and outside the tunnel included.
 * wireBytes grow by exactly the outer headers (what tshark -z conv counts on the collector).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalysisResult } from '../../src/analysis/result.js';
import { CAPTURES, tool } from '../helpers/cli.js';
import { analyze, expectSameAnalysis } from './compare.js';
import {
  erspanI, erspanII, erspanIII, greTeb, loadEthernet, scratchDir, vxlanOverlay, withTags, writePcap, writePcapng,
  type Loaded, type Rec,
} from './convert.js';

interface Tunnel {
  name: string; wrap: (r: Rec) => Rec; innerTags?: Array<{ tpid: number; vid: number }>; pcapng?: boolean; tsharkFilter: string;
  /** The input's tunnel summary: which mirror session delivered the frames. */
  type: string; session: number | null; v6?: boolean;
}

const SPAN_TAGS = [{ tpid: 0x88a8, vid: 200 }, { tpid: 0x8100, vid: 30 }];
const TUNNELS: Tunnel[] = [
  { name: 'GRE TEB (0x6558)', wrap: greTeb(), type: 'gre-teb', session: null, tsharkFilter: 'gre.proto == 0x6558' },
  { name: 'GRE TEB with key', wrap: greTeb({ session: 77 }), type: 'gre-teb', session: 77, tsharkFilter: 'gre.key == 77' },
  { name: 'ERSPAN I (no GRE sequence)', wrap: erspanI(), type: 'erspan-i', session: null, tsharkFilter: 'gre.proto == 0x88be' },
  { name: 'ERSPAN II (GRE sequence)', wrap: erspanII({ session: 7 }), type: 'erspan-ii', session: 7, tsharkFilter: 'erspan.spanid == 7' },
  { name: 'ERSPAN II over IPv6', wrap: erspanII({ session: 9, v6: true }), type: 'erspan-ii', session: 9, v6: true, pcapng: true, tsharkFilter: 'ipv6 && erspan.spanid == 9' },
  { name: 'ERSPAN III', wrap: erspanIII({ session: 300 }), type: 'erspan-iii', session: 300, tsharkFilter: 'erspan.spanid == 300' },
  { name: 'ERSPAN III with platform sub-header', wrap: erspanIII({ session: 301, subheader: true }), type: 'erspan-iii', session: 301, tsharkFilter: 'erspan.spanid == 301' },
  { name: 'VXLAN (UDP 4789)', wrap: vxlanOverlay({ session: 5001 }), type: 'vxlan', session: 5001, tsharkFilter: 'vxlan.vni == 5001' },
  { name: 'ERSPAN II, QinQ-tagged frame inside, 802.1Q tag outside', wrap: erspanII({ session: 8, outerVlans: [{ tpid: 0x8100, vid: 999 }] }), type: 'erspan-ii', session: 8, innerTags: SPAN_TAGS, tsharkFilter: 'erspan.spanid == 8' },
  { name: 'VXLAN, 802.1Q inside, QinQ outside', wrap: vxlanOverlay({ session: 42, outerVlans: SPAN_TAGS }), type: 'vxlan', session: 42, innerTags: [{ tpid: 0x8100, vid: 30 }], pcapng: true, tsharkFilter: 'vxlan.vni == 42' },
];

const SOURCES = ['lab-routed.pcapng', 'lab-l2.pcap'];

test('two mirror sessions interleaved in one collector capture: each listed with its own frame count', async () => {
  const dir = scratchDir('sessions'); dirs.push(dir);
  const cap = loadEthernet(join(CAPTURES, 'lab-routed.pcapng'), dir);
  const a = erspanII({ session: 11 }); const b = erspanIII({ session: 12 });
  const out = writePcap(join(dir, 'two.pcap'), 1, cap.recs.map((r, i) => (i % 4 === 0 ? b(r) : a(r))), { nanos: true });
  const r = await analyze(out);
  const nb = Math.ceil(cap.recs.length / 4);
  expect(r.inputs[0].tunnels).toEqual([
    { type: 'erspan-iii', outerSrc: '192.0.2.10', outerDst: '192.0.2.99', sessionId: 12, frames: nb },
    { type: 'erspan-ii', outerSrc: '192.0.2.10', outerDst: '192.0.2.99', sessionId: 11, frames: cap.recs.length - nb },
  ]);
});
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe.each(SOURCES)('%s', (source) => {
  const path = join(CAPTURES, source);
  let dir: string;
  let cap: Loaded;
  let original: AnalysisResult;

  beforeAll(async () => {
    dir = scratchDir('tunnel'); dirs.push(dir);
    cap = loadEthernet(path, dir);
    original = await analyze(path);
  });

  test.each(TUNNELS)('$name analyses like the Ethernet original', async (t) => {
    const tag = t.innerTags ? withTags(t.innerTags) : (r: Rec) => r;
    const recs = cap.recs.map((r) => t.wrap(tag(r)));
    const delta = recs[0].origLen - cap.recs[0].origLen;
    const out = join(dir, t.pcapng ? 'mirror.pcapng' : 'mirror.pcap');
    if (t.pcapng) writePcapng(out, [{ linkType: 1 }], recs, { nanos: cap.nanos });
    else writePcap(out, 1, recs, { nanos: cap.nanos });
    const mirrored = await analyze(out);
    // Both MACs of the inner frame survive the tunnel: path evidence must be identical too.
    expectSameAnalysis(mirrored, original, { wireDelta: delta, path: 'full' });
    expect(mirrored.inputs[0].decodeProblems).toEqual(original.inputs[0].decodeProblems);
    // The mirror session (outer addresses, session id) is the capture point: reported per input.
    expect(original.inputs[0].tunnels).toEqual([]);
    expect(mirrored.inputs[0].tunnels).toEqual([{
      type: t.type, outerSrc: t.v6 ? '2001:db8::10' : '192.0.2.10', outerDst: t.v6 ? '2001:db8::99' : '192.0.2.99', sessionId: t.session, frames: cap.recs.length,
    }]);
    // tshark (independent dissectors) agrees every frame is the encapsulation we meant.
    const matched = tool('tshark', ['-r', out, '-n', '-Y', t.tsharkFilter, '-T', 'fields', '-e', 'frame.number']).trim().split('\n').length;
    expect(matched).toBe(cap.recs.length);
  });
});
