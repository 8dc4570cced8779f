/**
 * A minimal pcapng writer for the evidence capture: one Section Header Block, Interface
 * Description Blocks with nanosecond timestamps, and Enhanced Packet Blocks with a comment each.
 * Little-endian throughout (the byte-order magic tells readers). Blocks are built in memory: the
 * evidence capture is bounded in packet count and holds headers only, so it stays small.
 */

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 0x00000001;
const BT_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;

export interface PcapngInterface {
  linkType: number;
  /** if_name: we name the source file here so Wireshark shows where a packet came from. */
  name: string;
  description: string;
  snaplen: number;
}

export interface PcapngPacket {
  interfaceId: number;
  tsSec: number;
  tsNsec: number;
  /** Bytes to store (already cut to headers). */
  data: Buffer;
  /** Length the frame had on the wire (kept from the original capture). */
  originalLength: number;
  comment: string;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Encodes one option (code, length, value padded to 32 bits). */
function option(code: number, value: Buffer): Buffer {
  const out = Buffer.alloc(4 + pad4(value.length));
  out.writeUInt16LE(code, 0);
  out.writeUInt16LE(value.length, 2);
  value.copy(out, 4);
  return out;
}

function endOfOptions(): Buffer {
  return Buffer.alloc(4); // opt_endofopt: code 0, length 0
}

/** Wraps a body into a block: type, total length, body, total length. */
function block(type: number, body: Buffer): Buffer {
  const total = 12 + body.length;
  const out = Buffer.alloc(total);
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(total, 4);
  body.copy(out, 8);
  out.writeUInt32LE(total, total - 4);
  return out;
}

export class PcapngWriter {
  private readonly blocks: Buffer[] = [];
  private interfaces = 0;

  constructor(userAppl: string) {
    const head = Buffer.alloc(16);
    head.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
    head.writeUInt16LE(1, 4); // major
    head.writeUInt16LE(0, 6); // minor
    // Section length -1: not given (readers walk the blocks).
    head.writeInt32LE(-1, 8);
    head.writeInt32LE(-1, 12);
    this.blocks.push(block(BT_SHB, Buffer.concat([head, option(SHB_USERAPPL, Buffer.from(userAppl, 'utf8')), endOfOptions()])));
  }

  /** Adds an IDB; returns its interface id for addPacket. */
  addInterface(i: PcapngInterface): number {
    const head = Buffer.alloc(8);
    head.writeUInt16LE(i.linkType, 0);
    head.writeUInt32LE(i.snaplen >>> 0, 4);
    this.blocks.push(block(BT_IDB, Buffer.concat([
      head,
      option(IF_NAME, Buffer.from(i.name, 'utf8')),
      option(IF_DESCRIPTION, Buffer.from(i.description, 'utf8')),
      option(IF_TSRESOL, Buffer.from([9])), // 10^-9: nanoseconds, the precision of our Frame timestamps
      endOfOptions(),
    ])));
    return this.interfaces++;
  }

  addPacket(p: PcapngPacket): void {
    if (p.interfaceId < 0 || p.interfaceId >= this.interfaces) throw new Error(`pcapng writer: unknown interface ${p.interfaceId}`);
    const ts = BigInt(p.tsSec) * 1_000_000_000n + BigInt(p.tsNsec);
    const head = Buffer.alloc(20);
    head.writeUInt32LE(p.interfaceId, 0);
    head.writeUInt32LE(Number(ts >> 32n), 4);
    head.writeUInt32LE(Number(ts & 0xffffffffn), 8);
    head.writeUInt32LE(p.data.length, 12);
    head.writeUInt32LE(Math.max(p.originalLength, p.data.length), 16);
    const data = Buffer.alloc(pad4(p.data.length));
    p.data.copy(data, 0);
    this.blocks.push(block(BT_EPB, Buffer.concat([head, data, option(OPT_COMMENT, Buffer.from(p.comment, 'utf8')), endOfOptions()])));
  }

  get packetCount(): number {
    return this.blocks.length - 1 - this.interfaces;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.blocks);
  }
}
