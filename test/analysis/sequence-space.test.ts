import { describe, expect, it } from 'vitest';
import { SequenceSpace } from '../../src/streams/sequence-space.js';

describe('SequenceSpace', () => {
  it('counts data after the SYN from isn + 1', () => {
    const s = new SequenceSpace();
    s.onSyn(1000);
    s.onData(1001, 100);
    s.onData(1101, 50);
    expect(s.uniqueBytes).toBe(150);
    expect(s.overlap).toBe(0);
  });

  it('counts bytes across a 32-bit sequence wrap and beyond 4 GiB', () => {
    const s = new SequenceSpace();
    s.onSyn(0xffff_ff00);
    let seq = (0xffff_ff00 + 1) >>> 0;
    const seg = 65_000;
    const n = 70_000; // 4.55 GB: more than one full wrap
    for (let i = 0; i < n; i++) { s.onData(seq, seg); seq = (seq + seg) >>> 0; }
    expect(s.uniqueBytes).toBe(n * seg);
  });

  it('counts bytes sent again below the high mark as retransmitted, holes as unique', () => {
    const s = new SequenceSpace();
    s.onSyn(0);
    s.onData(1, 1000);
    s.onData(2001, 1000); // 1001..2000 never seen here (lost before the capture point)
    expect(s.uniqueBytes).toBe(3000);
    s.onData(1001, 1000); // the retransmission of the hole
    expect(s.advanced).toBe(0);
    expect(s.overlap).toBe(1000);
    s.onData(2501, 1000); // partial overlap: 500 old, 500 new
    expect(s.overlap).toBe(500);
    expect(s.advanced).toBe(500);
    expect(s.uniqueBytes).toBe(3500);
  });

  it('starts at the first seen segment when the capture began mid-stream', () => {
    const s = new SequenceSpace();
    s.onData(5_000_000, 1448);
    s.onData(5_001_448, 1448);
    expect(s.uniqueBytes).toBe(2896);
  });
});
