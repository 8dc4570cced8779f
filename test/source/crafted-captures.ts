import { NgWriter, ethTcpFrame } from './capture-writer.js';

/** Section 1 big-endian (two interfaces, PB, unknown block, ISBs), section 2 little-endian (SPB). */
export function craftedPcapng(): Buffer {
  const be = new NgWriter(false);
  const le = new NgWriter(true);
  const nsTs = 1_751_234_567n * 1_000_000_000n + 123_456_789n;
  const pow2Ts = (1_751_234_567n << 20n) | (1n << 19n); // .5 s in 2^-20 units
  return Buffer.concat([
    be.shb(),
    be.idb(1, 262144, { name: 'vmk1', tsresol: 9, fcslen: 4 }),
    be.idb(1, 96, { tsresol: 0x80 | 20, tsoffset: 100n }),
    be.epb(0, nsTs, ethTcpFrame(70, 1)),
    be.epb(1, pow2Ts, ethTcpFrame(96, 2), 1514),
    be.isb(0, nsTs, { ifrecv: 10n, ifdrop: 2n, osdrop: 3n }),
    be.block(0x0bad, Buffer.from('opaque vendor block')),
    be.pb(0, nsTs + 1000n, ethTcpFrame(66, 3)),
    be.epb(1, pow2Ts + 3n, ethTcpFrame(80, 4)),
    be.isb(0, nsTs + 2000n, { ifrecv: 20n, ifdrop: 5n, osdrop: 1n }),
    le.shb(),
    le.idb(113, 128, { name: 'any' }),
    le.epb(0, 1_751_300_000_000_001n, Buffer.alloc(60, 1), 60),
    le.spb(Buffer.alloc(128, 2), 400),
    le.block(0x40000bad, Buffer.alloc(8)),
    le.epb(0, 1_751_300_000_999_999n, Buffer.alloc(44, 3), 44),
    le.isb(0, 1_751_300_001_000_000n, { ifdrop: 7n }),
  ]);
}
