/**
 * Test-only capture writers for the variants no tool writes: big-endian files, several pcapng
 * sections, if_tsresol 2^-n / 10^-9, if_tsoffset, SPB, obsolete PB, ISB drop counters, unknown blocks.
 * Written from the pcap / pcapng specifications, independently of the readers under test.
 */

export interface PcapPacket { sec: number; frac: number; data: Buffer; origLen?: number }

export function pcapFile(opts: { le: boolean; nanos: boolean; linkTypeField: number; snaplen: number },
  packets: PcapPacket[]): Buffer {
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  const w32 = (b: Buffer, v: number, o: number): void => { if (opts.le) b.writeUInt32LE(v >>> 0, o); else b.writeUInt32BE(v >>> 0, o); };
  const w16 = (b: Buffer, v: number, o: number): void => { if (opts.le) b.writeUInt16LE(v, o); else b.writeUInt16BE(v, o); };
  w32(h, opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(h, 2, 4); w16(h, 4, 6); w32(h, 0, 8); w32(h, 0, 12);
  w32(h, opts.snaplen, 16); w32(h, opts.linkTypeField, 20);
  parts.push(h);
  for (const p of packets) {
    const r = Buffer.alloc(16);
    w32(r, p.sec, 0); w32(r, p.frac, 4); w32(r, p.data.length, 8); w32(r, p.origLen ?? p.data.length, 12);
    parts.push(r, p.data);
  }
  return Buffer.concat(parts);
}

/** Builds pcapng blocks in one byte order (a section may switch order by starting a new builder). */
export class NgWriter {
  constructor(readonly le: boolean) {}

  private u32(v: number): Buffer { const b = Buffer.alloc(4); if (this.le) b.writeUInt32LE(v >>> 0); else b.writeUInt32BE(v >>> 0); return b; }
  private u16(v: number): Buffer { const b = Buffer.alloc(2); if (this.le) b.writeUInt16LE(v); else b.writeUInt16BE(v); return b; }
  private u64(v: bigint): Buffer { const b = Buffer.alloc(8); if (this.le) b.writeBigUInt64LE(v); else b.writeBigUInt64BE(v); return b; }
  private i64(v: bigint): Buffer { const b = Buffer.alloc(8); if (this.le) b.writeBigInt64LE(v); else b.writeBigInt64BE(v); return b; }
  private pad(b: Buffer): Buffer { return Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]); }

  option(code: number, value: Buffer): Buffer {
    return Buffer.concat([this.u16(code), this.u16(value.length), this.pad(value)]);
  }
  endOfOptions(): Buffer { return Buffer.concat([this.u16(0), this.u16(0)]); }

  block(type: number, body: Buffer): Buffer {
    const b = this.pad(body);
    const len = 12 + b.length;
    return Buffer.concat([this.u32(type), this.u32(len), b, this.u32(len)]);
  }

  shb(): Buffer {
    return this.block(0x0a0d0d0a, Buffer.concat([this.u32(0x1a2b3c4d), this.u16(1), this.u16(0), this.u64(0xffffffffffffffffn)]));
  }

  idb(linkType: number, snaplen: number, o: { name?: string; tsresol?: number; tsoffset?: bigint; fcslen?: number } = {}): Buffer {
    const opts: Buffer[] = [];
    if (o.name !== undefined) opts.push(this.option(2, Buffer.from(o.name, 'utf8')));
    if (o.tsresol !== undefined) opts.push(this.option(9, Buffer.from([o.tsresol])));
    if (o.fcslen !== undefined) opts.push(this.option(13, Buffer.from([o.fcslen])));
    if (o.tsoffset !== undefined) opts.push(this.option(14, this.i64(o.tsoffset)));
    if (opts.length > 0) opts.push(this.endOfOptions());
    return this.block(1, Buffer.concat([this.u16(linkType), this.u16(0), this.u32(snaplen), ...opts]));
  }

  epb(ifId: number, ts: bigint, data: Buffer, origLen = data.length): Buffer {
    return this.block(6, Buffer.concat([this.u32(ifId), this.u32(Number(ts >> 32n)), this.u32(Number(ts & 0xffffffffn)),
      this.u32(data.length), this.u32(origLen), this.pad(data)]));
  }

  pb(ifId: number, ts: bigint, data: Buffer, origLen = data.length): Buffer {
    return this.block(2, Buffer.concat([this.u16(ifId), this.u16(0), this.u32(Number(ts >> 32n)), this.u32(Number(ts & 0xffffffffn)),
      this.u32(data.length), this.u32(origLen), this.pad(data)]));
  }

  spb(data: Buffer, origLen = data.length): Buffer {
    return this.block(3, Buffer.concat([this.u32(origLen), this.pad(data)]));
  }

  isb(ifId: number, ts: bigint, o: { ifrecv?: bigint; ifdrop?: bigint; osdrop?: bigint }): Buffer {
    const opts: Buffer[] = [];
    if (o.ifrecv !== undefined) opts.push(this.option(4, this.u64(o.ifrecv)));
    if (o.ifdrop !== undefined) opts.push(this.option(5, this.u64(o.ifdrop)));
    if (o.osdrop !== undefined) opts.push(this.option(7, this.u64(o.osdrop)));
    opts.push(this.endOfOptions());
    return this.block(5, Buffer.concat([this.u32(ifId), this.u32(Number(ts >> 32n)), this.u32(Number(ts & 0xffffffffn)), ...opts]));
  }
}

/** A plausible Ethernet/IPv4/TCP frame of `size` bytes (contents only need to be dissectable). */
export function ethTcpFrame(size: number, seq: number): Buffer {
  const b = Buffer.alloc(Math.max(size, 54));
  Buffer.from('005056aabbcc000c29ddeeff0800', 'hex').copy(b, 0);
  b[14] = 0x45; b.writeUInt16BE(b.length - 14, 16); b[22] = 64; b[23] = 6;
  Buffer.from([10, 0, 0, 1, 10, 0, 0, 2]).copy(b, 26);
  b.writeUInt16BE(40000 + (seq % 1000), 34); b.writeUInt16BE(8000, 36); b.writeUInt32BE(seq >>> 0, 38);
  b[46] = 0x50; b[47] = 0x10; b.writeUInt16BE(65535, 48);
  return b.subarray(0, size < 54 ? 54 : size);
}
