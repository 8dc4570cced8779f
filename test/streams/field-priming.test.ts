/**
 * startAsDoubles and startHolding (src/streams/field-priming.ts) change how V8 stores some fields,
 * never their values: new objects still start at their declared values, and a field name that no
 * longer exists (a rename) fails loudly when the module loads instead of silently priming nothing.
 */
import { describe, expect, it } from 'vitest';
import { startAsDoubles, startHolding } from '../../src/streams/field-priming.js';
import { IntervalSeries } from '../../src/streams/interval-series.js';
import { Direction } from '../../src/streams/stream.js';
import { SequenceSpace } from '../../src/streams/sequence-space.js';
import { DirectionHealth } from '../../src/analysis/health/direction-health.js';
import { SegmentSampler } from '../../src/analysis/path/segment-sampler.js';

describe('startAsDoubles', () => {
  it('primed classes still start every object at its declared values (+0, not 0.5 or -0)', () => {
    const d = new Direction();
    for (const f of ['wireBytes', 'ipBytes', 'retransmittedBytes'] as const) expect(Object.is(d[f], 0), f).toBe(true);
    const s = new SequenceSpace();
    for (const f of ['highAbs', 'advanced', 'overlap'] as const) expect(Object.is(s[f], 0), f).toBe(true);
    expect(s.isn).toBe(-1);
    const h = new DirectionHealth();
    for (const f of ['retransmittedBytes', 'bigRetransSeq', 'firstSeq', 'bigRetransFirstFrame', 'longestGapEndFrame'] as const) {
      expect(Object.is(h[f], 0), f).toBe(true);
    }
    expect(new SegmentSampler().minSeq).toBe(-1);
    // startHolding: the retransmission series still start absent (a stream without retransmissions has none).
    expect(h.retransBytesSeries).toBeNull();
    expect(h.retransSegmentsSeries).toBeNull();
  });

  it('counts past 2^31 and 32-bit sequence numbers exactly in primed fields', () => {
    const d = new Direction();
    for (let i = 0; i < 5; i++) d.wireBytes += 1_000_000_000;
    expect(d.wireBytes).toBe(5_000_000_000);
    const s = new SequenceSpace();
    s.onSyn(0xfffffff0);
    s.onData(0xfffffff1, 100);
    expect(s.uniqueBytes).toBe(100);
  });

  it('names a field that is missing or not a number', () => {
    expect(() => startAsDoubles(new Direction(), ['wireByte'])).toThrow(/wireByte is not a number field/);
    expect(() => startAsDoubles(new Direction(), ['seq'])).toThrow(/seq is not a number field/);
  });

  it('startHolding names a field that does not start null', () => {
    expect(() => startHolding(new DirectionHealth(), { retransBytesSerie: new IntervalSeries() } as never)).toThrow(/retransBytesSerie is not a field that starts null/);
    expect(() => startHolding(new DirectionHealth(), { rtt: new IntervalSeries() } as never)).toThrow(/rtt is not a field that starts null/);
  });
});
