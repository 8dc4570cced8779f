/**
 * A decoded frame as a record of numbers (plus the frame's bytes when needed), so a decode worker
 * can hand its work to the analysis thread through shared memory (see frame-ring.ts) without a
 * message or an object per packet. The one place that knows the layout: RecordPacker.write and
 * FrameUnpacker.unpack mirror each other field by field (test/decode/packed-frame.test.ts checks
 * that every DecodedPacket field survives the trip, on every sample capture).
 *
 * Frames whose decoding stopped (malformed, truncated, unsupported) are not packed: their stop
 * reasons are strings, and they are rare, so the analysis thread decodes them again from the
 * copied bytes. That also keeps the results identical by construction.
 */
import { DecodedPacket, PROTO_TCP } from './packet.js';
import { decodeFrame } from './decode-frame.js';
import type { Frame } from '../source/frame.js';

/** Record flags (word 1). PACKED: the header fields are valid; else decode the bytes. */
const F_PACKED = 1;
const F_TUNNEL = 2;
const F_SACK = 4;
const F_ARP = 8;
const F_ICMP = 16;
/** The frame's captured bytes follow the header and its sections. */
const F_BYTES = 32;
/** IPv6 (or any address word beyond the first): the other three words of each address follow. */
const F_V6 = 64;

/*
 * Layout. The base section is what every frame needs, kept to 192 bytes (three cache lines):
 * the records cross from one core to the other, and each line is a transfer. Small header fields
 * share words (their widths are those of the protocol fields: TTL 8 bits, DSCP 6, ECN 2, TCP
 * flags 8, ports 16, window 16, TCP header length <= 60, SACK blocks <= 4, IP version 4 or 6).
 * Rare sections follow only when present, in flag order, each a whole number of 8-byte units.
 */
// Float64 slots, in 8-byte units from the record start (slot 0 holds words 0 and 1).
export const D_TS_SEC = 1, D_FRAME_NUMBER = 2, D_FILE_OFFSET = 3, D_SRC_MAC = 4, D_DST_MAC = 5;
export const D_IP_TOTAL_LENGTH = 6, D_PAYLOAD_LENGTH = 7;
// 32-bit words from the record start.
export const W_SIZE = 0;
export const W_FLAGS = 1;
// Second cache line: the rest of what the analysis thread reads of a frame of a known stream
// (src/analysis/record-fast-path.ts), so it never touches the third.
export const W_TS_NSEC = 16, W_ORIGINAL = 17, W_LINK_TYPE = 18, W_INTERFACE = 19;
/** Booleans in bits 0-7, TCP flags 8-15, TTL 16-23, ECN 24-25, DSCP 26-31. */
export const W_BITS = 20;
export const W_SEQ = 21, W_ACK = 22;
/** Window in bits 0-15, TCP header length 16-23, SACK block count 24-27, IP version 28-31. */
export const W_TCP = 23;
export const W_MSS = 24, W_WINDOW_SCALE = 25;
/** Connection slot | side << 16 from the native packer's flow table (-1: none), and the table's epoch. */
export const W_FLOW = 26, W_FLOW_EPOCH = 27;
/** Source port in bits 0-15, destination port 16-31. */
const W_PORTS = 28;
const W_CAPTURED = 29, W_FCS = 30, W_SRC0 = 31;
// Third cache line.
const W_DST0 = 32, W_L3_OFFSET = 33, W_L4_OFFSET = 34, W_IP_HEADER_LENGTH = 35, W_IP_ID = 36, W_PAYLOAD_CAPTURED = 37;
const W_TS_VAL = 38, W_TS_ECR = 39, W_L4_PROTOCOL = 40, W_ETHER_TYPE = 41, W_VLAN_COUNT = 42, W_VLAN0 = 43, W_VLAN1 = 44;
const W_SLL_TYPE = 45, W_FLOW_LABEL = 46, W_FRAGMENT_OFFSET = 47;
const BASE_WORDS = 48;
// Sections, word offsets within each.
const V6_WORDS = 6; // src[1..3], dst[1..3]
const TUNNEL_WORDS = 12; // tunnel, session, ip version, src[4], dst[4], pad
const SACK_WORDS = 8;
const ARP_WORDS = 8; // sender MAC, target MAC (f64), isArp, op, sender IP, target IP
const ICMP_WORDS = 22; // MTU, inner seq (f64), type, code, gateway[4], inner version, inner src[4], inner dst[4], inner protocol, ports
export const B_HAS_MACS = 1, B_IP_LENGTH_FROM_FRAME = 2, B_DONT_FRAGMENT = 4, B_IS_FRAGMENT = 8, B_MORE_FRAGMENTS = 16;
export const B_SACK_PERMITTED = 32, B_HAS_TIMESTAMP = 64, B_TCP_OPTIONS_MALFORMED = 128;
/**
 * Word 1 of a cleanly decoded TCP frame's record, as the native packer writes it: PACKED, and no
 * section but IPv6 addresses and SACK edges (NATIVE_OPTIONAL_FLAGS).
 */
export const NATIVE_TCP_FLAGS = F_PACKED, NATIVE_OPTIONAL_FLAGS = F_V6 | F_SACK;
/** Base header bytes: the smallest record (a cleanly decoded TCP frame). */
export const RECORD_HEADER_BYTES = BASE_WORDS * 4;
/** Word 0 value that tells the reader to continue at the ring's start. */
export const RECORD_WRAP = -1;
/** Header offsets are stored relative to the frame; an offset never set (0) is stored as this. */
const NO_OFFSET = -0x80000000;
const NO_BYTES = Buffer.alloc(0);

/** Views of one shared buffer: records are 8-aligned, so every view indexes the same bytes. */
export interface RecordViews {
  u8: Uint8Array;
  i32: Int32Array;
  u32: Uint32Array;
  f64: Float64Array;
}

export function recordViews(buffer: SharedArrayBuffer | ArrayBuffer): RecordViews {
  return { u8: new Uint8Array(buffer), i32: new Int32Array(buffer), u32: new Uint32Array(buffer), f64: new Float64Array(buffer) };
}

/**
 * Writes frames as records. measure() then write(), for the same frame: measure decides which
 * sections the record has (the writer needs the size to find room first).
 *
 * A cleanly decoded TCP frame travels without its bytes: nothing after decoding reads them, and a
 * TypedArray copy costs ~150 ns per call in V8 whatever the length. Every other frame (ARP, ICMP,
 * neighbour discovery, stopped decodes: a few percent) carries its bytes.
 */
export class RecordPacker {
  private flags = 0;
  private size = 0;

  /** Bytes the record of this frame takes (8-aligned). */
  measure(frame: Frame, pkt: DecodedPacket): number {
    let flags: number;
    let words = BASE_WORDS;
    if (pkt.stop !== 0) {
      flags = F_BYTES;
    } else {
      flags = pkt.l4Protocol === PROTO_TCP ? F_PACKED : F_PACKED | F_BYTES;
      // Rare sections travel only when some field differs from its reset value.
      if (pkt.ipVersion === 6 || (pkt.src[1] | pkt.src[2] | pkt.src[3] | pkt.dst[1] | pkt.dst[2] | pkt.dst[3]) !== 0) { flags |= F_V6; words += V6_WORDS; }
      if (pkt.tunnel !== 0 || pkt.tunnelSessionId !== -1 || pkt.tunnelIpVersion !== 0 || !zero4(pkt.tunnelSrc) || !zero4(pkt.tunnelDst)) {
        flags |= F_TUNNEL; words += TUNNEL_WORDS;
      }
      if (pkt.sackCount > 0) { flags |= F_SACK; words += SACK_WORDS; }
      if (pkt.isArp || pkt.arpOp !== 0 || pkt.arpSenderMac !== 0 || pkt.arpSenderIp !== 0 || pkt.arpTargetMac !== 0 || pkt.arpTargetIp !== 0) {
        flags |= F_ARP; words += ARP_WORDS;
      }
      if (pkt.icmpType !== -1 || pkt.icmpCode !== -1 || pkt.icmpMtu !== -1 || !zero4(pkt.icmpGateway) || pkt.icmpInnerIpVersion !== 0
        || !zero4(pkt.icmpInnerSrc) || !zero4(pkt.icmpInnerDst) || pkt.icmpInnerProtocol !== -1 || pkt.icmpInnerSrcPort !== -1
        || pkt.icmpInnerDstPort !== -1 || pkt.icmpInnerSeq !== -1) {
        flags |= F_ICMP; words += ICMP_WORDS;
      }
    }
    this.flags = flags;
    this.size = (flags & F_BYTES) !== 0 ? (words * 4 + frame.capturedLength + 7) & ~7 : words * 4;
    return this.size;
  }

  /** Write the frame measured last at byte `at` (8-aligned, measure()'s size free). */
  write(frame: Frame, pkt: DecodedPacket, v: RecordViews, at: number): void {
    const flags = this.flags;
    let w = at >> 2;
    const d = at >> 3;
    const { i32, u32, f64 } = v;
    i32[w + W_SIZE] = this.size;
    i32[w + W_FLAGS] = flags;
    f64[d + D_TS_SEC] = frame.tsSec; f64[d + D_FRAME_NUMBER] = frame.frameNumber; f64[d + D_FILE_OFFSET] = frame.fileOffset;
    i32[w + W_TS_NSEC] = frame.tsNsec; i32[w + W_CAPTURED] = frame.capturedLength; i32[w + W_ORIGINAL] = frame.originalLength;
    i32[w + W_LINK_TYPE] = frame.linkType; i32[w + W_FCS] = frame.fcsLength; i32[w + W_INTERFACE] = frame.interfaceId;
    if ((flags & F_PACKED) !== 0) {
      f64[d + D_SRC_MAC] = pkt.srcMac; f64[d + D_DST_MAC] = pkt.dstMac;
      f64[d + D_IP_TOTAL_LENGTH] = pkt.ipTotalLength; f64[d + D_PAYLOAD_LENGTH] = pkt.payloadLength;
      i32[w + W_BITS] = (pkt.hasMacs ? B_HAS_MACS : 0) | (pkt.ipLengthFromFrame ? B_IP_LENGTH_FROM_FRAME : 0)
        | (pkt.dontFragment ? B_DONT_FRAGMENT : 0) | (pkt.isFragment ? B_IS_FRAGMENT : 0) | (pkt.moreFragments ? B_MORE_FRAGMENTS : 0)
        | (pkt.sackPermitted ? B_SACK_PERMITTED : 0) | (pkt.hasTimestamp ? B_HAS_TIMESTAMP : 0)
        | (pkt.tcpOptionsMalformed ? B_TCP_OPTIONS_MALFORMED : 0)
        | (pkt.tcpFlags << 8) | (pkt.ttl << 16) | (pkt.ecn << 24) | (pkt.dscp << 26);
      i32[w + W_PORTS] = pkt.srcPort | (pkt.dstPort << 16);
      u32[w + W_SEQ] = pkt.seq; u32[w + W_ACK] = pkt.ack;
      i32[w + W_TCP] = pkt.window | (pkt.tcpHeaderLength << 16) | (pkt.sackCount << 24) | (pkt.ipVersion << 28);
      u32[w + W_SRC0] = pkt.src[0]; u32[w + W_DST0] = pkt.dst[0];
      i32[w + W_L3_OFFSET] = pkt.l3Offset === 0 ? NO_OFFSET : pkt.l3Offset - frame.offset;
      i32[w + W_L4_OFFSET] = pkt.l4Offset === 0 ? NO_OFFSET : pkt.l4Offset - frame.offset;
      i32[w + W_IP_HEADER_LENGTH] = pkt.ipHeaderLength; i32[w + W_IP_ID] = pkt.ipId;
      i32[w + W_PAYLOAD_CAPTURED] = pkt.payloadCaptured; i32[w + W_MSS] = pkt.mss; i32[w + W_WINDOW_SCALE] = pkt.windowScale;
      u32[w + W_TS_VAL] = pkt.tsVal; u32[w + W_TS_ECR] = pkt.tsEcr; i32[w + W_L4_PROTOCOL] = pkt.l4Protocol;
      i32[w + W_ETHER_TYPE] = pkt.etherType; i32[w + W_VLAN_COUNT] = pkt.vlanCount; i32[w + W_VLAN0] = pkt.vlan0;
      i32[w + W_VLAN1] = pkt.vlan1; i32[w + W_SLL_TYPE] = pkt.sllPacketType; u32[w + W_FLOW_LABEL] = pkt.flowLabel;
      i32[w + W_FRAGMENT_OFFSET] = pkt.fragmentOffset;
      // Flow slots come from the native packer only (native-packer.ts).
      i32[w + W_FLOW] = -1; i32[w + W_FLOW_EPOCH] = 0;
      w += BASE_WORDS;
      if ((flags & F_V6) !== 0) {
        u32[w] = pkt.src[1]; u32[w + 1] = pkt.src[2]; u32[w + 2] = pkt.src[3];
        u32[w + 3] = pkt.dst[1]; u32[w + 4] = pkt.dst[2]; u32[w + 5] = pkt.dst[3];
        w += V6_WORDS;
      }
      if ((flags & F_TUNNEL) !== 0) {
        i32[w] = pkt.tunnel; i32[w + 1] = pkt.tunnelSessionId; i32[w + 2] = pkt.tunnelIpVersion;
        copy4(pkt.tunnelSrc, u32, w + 3); copy4(pkt.tunnelDst, u32, w + 7);
        w += TUNNEL_WORDS;
      }
      if ((flags & F_SACK) !== 0) {
        // Edges past the count are stale (reset() leaves them): zeros keep records deterministic.
        const edges = 2 * pkt.sackCount;
        for (let i = 0; i < 8; i++) u32[w + i] = i < edges ? pkt.sack[i] : 0;
        w += SACK_WORDS;
      }
      if ((flags & F_ARP) !== 0) {
        f64[w >> 1] = pkt.arpSenderMac; f64[(w >> 1) + 1] = pkt.arpTargetMac;
        i32[w + 4] = pkt.isArp ? 1 : 0; i32[w + 5] = pkt.arpOp; u32[w + 6] = pkt.arpSenderIp; u32[w + 7] = pkt.arpTargetIp;
        w += ARP_WORDS;
      }
      if ((flags & F_ICMP) !== 0) {
        f64[w >> 1] = pkt.icmpMtu; f64[(w >> 1) + 1] = pkt.icmpInnerSeq;
        i32[w + 4] = pkt.icmpType; i32[w + 5] = pkt.icmpCode; copy4(pkt.icmpGateway, u32, w + 6);
        i32[w + 10] = pkt.icmpInnerIpVersion; copy4(pkt.icmpInnerSrc, u32, w + 11); copy4(pkt.icmpInnerDst, u32, w + 15);
        i32[w + 19] = pkt.icmpInnerProtocol; i32[w + 20] = pkt.icmpInnerSrcPort; i32[w + 21] = pkt.icmpInnerDstPort;
        w += ICMP_WORDS;
      }
    } else {
      w += BASE_WORDS;
    }
    if ((flags & F_BYTES) !== 0) {
      // Zeros in the padding to the 8-byte boundary, so a record is the same bytes whoever wrote
      // it (the native packer writes them too): the sections end 8-aligned, so when there is
      // padding the record's last 8-byte unit holds only frame bytes and padding.
      if ((frame.capturedLength & 7) !== 0) f64[((at + this.size) >> 3) - 1] = 0;
      v.u8.set(frame.data.subarray(frame.offset, frame.offset + frame.capturedLength), w * 4);
    }
  }
}

/**
 * Fills the reader's reused Frame and DecodedPacket from the record at byte `at`. A decoded TCP
 * frame comes with an empty frame.data and offset 0; pkt's offsets keep their distance from
 * frame.offset. Rare layers are reset only when the previous record had them (lastFlags
 * remembers): most frames copy the base fields only.
 */
export class FrameUnpacker {
  private lastFlags = 0;
  /** Flow tags of this input: input index * 2^32 + the flow table's epoch. */
  private readonly tagBase: number;

  /**
   * `bytes`: a Buffer over the records' shared memory (frames with bytes point into it).
   * `inputIndex`: flow slots are per input (each input has its own worker and flow table).
   */
  constructor(private readonly bytes: Buffer, inputIndex = 0) {
    this.tagBase = inputIndex * 0x100000000;
  }

  unpack(v: RecordViews, at: number, frame: Frame, pkt: DecodedPacket): void {
    let w = at >> 2;
    const d = at >> 3;
    const { i32, u32, f64 } = v;
    const flags = i32[w + W_FLAGS];
    frame.tsSec = f64[d + D_TS_SEC]; frame.frameNumber = f64[d + D_FRAME_NUMBER]; frame.fileOffset = f64[d + D_FILE_OFFSET];
    frame.tsNsec = i32[w + W_TS_NSEC]; frame.capturedLength = i32[w + W_CAPTURED]; frame.originalLength = i32[w + W_ORIGINAL];
    frame.linkType = i32[w + W_LINK_TYPE]; frame.fcsLength = i32[w + W_FCS]; frame.interfaceId = i32[w + W_INTERFACE];
    if ((flags & F_PACKED) === 0) {
      frame.data = this.bytes;
      frame.offset = at + RECORD_HEADER_BYTES;
      decodeFrame(frame, pkt);
      // A stopped decode may leave rare layers filled: the next packed record must reset them.
      this.lastFlags = F_TUNNEL | F_ARP | F_ICMP;
      return;
    }
    const last = this.lastFlags;
    this.lastFlags = flags;
    pkt.stop = 0; pkt.stopLayer = ''; pkt.stopReason = '';
    pkt.srcMac = f64[d + D_SRC_MAC]; pkt.dstMac = f64[d + D_DST_MAC];
    pkt.ipTotalLength = f64[d + D_IP_TOTAL_LENGTH]; pkt.payloadLength = f64[d + D_PAYLOAD_LENGTH];
    const bits = i32[w + W_BITS];
    pkt.hasMacs = (bits & B_HAS_MACS) !== 0; pkt.ipLengthFromFrame = (bits & B_IP_LENGTH_FROM_FRAME) !== 0;
    pkt.dontFragment = (bits & B_DONT_FRAGMENT) !== 0; pkt.isFragment = (bits & B_IS_FRAGMENT) !== 0;
    pkt.moreFragments = (bits & B_MORE_FRAGMENTS) !== 0; pkt.sackPermitted = (bits & B_SACK_PERMITTED) !== 0;
    pkt.hasTimestamp = (bits & B_HAS_TIMESTAMP) !== 0; pkt.tcpOptionsMalformed = (bits & B_TCP_OPTIONS_MALFORMED) !== 0;
    pkt.tcpFlags = (bits >>> 8) & 0xff; pkt.ttl = (bits >>> 16) & 0xff; pkt.ecn = (bits >>> 24) & 3; pkt.dscp = bits >>> 26;
    const ports = i32[w + W_PORTS];
    pkt.srcPort = ports & 0xffff; pkt.dstPort = ports >>> 16;
    pkt.seq = u32[w + W_SEQ]; pkt.ack = u32[w + W_ACK];
    const tcp = i32[w + W_TCP];
    pkt.window = tcp & 0xffff; pkt.tcpHeaderLength = (tcp >>> 16) & 0xff; pkt.sackCount = (tcp >>> 24) & 0xf; pkt.ipVersion = tcp >>> 28;
    const src = pkt.src; const dst = pkt.dst;
    src[0] = u32[w + W_SRC0]; dst[0] = u32[w + W_DST0];
    pkt.ipHeaderLength = i32[w + W_IP_HEADER_LENGTH]; pkt.ipId = i32[w + W_IP_ID];
    pkt.payloadCaptured = i32[w + W_PAYLOAD_CAPTURED]; pkt.mss = i32[w + W_MSS]; pkt.windowScale = i32[w + W_WINDOW_SCALE];
    pkt.tsVal = u32[w + W_TS_VAL]; pkt.tsEcr = u32[w + W_TS_ECR]; pkt.l4Protocol = i32[w + W_L4_PROTOCOL];
    pkt.etherType = i32[w + W_ETHER_TYPE]; pkt.vlanCount = i32[w + W_VLAN_COUNT]; pkt.vlan0 = i32[w + W_VLAN0];
    pkt.vlan1 = i32[w + W_VLAN1]; pkt.sllPacketType = i32[w + W_SLL_TYPE]; pkt.flowLabel = u32[w + W_FLOW_LABEL];
    pkt.fragmentOffset = i32[w + W_FRAGMENT_OFFSET];
    const flow = i32[w + W_FLOW];
    if (flow >= 0) { pkt.flowSlot = flow & 0xffff; pkt.flowSide = flow >>> 16; pkt.flowTag = this.tagBase + i32[w + W_FLOW_EPOCH]; } else pkt.flowSlot = -1;
    const l3 = i32[w + W_L3_OFFSET];
    const l4 = i32[w + W_L4_OFFSET];
    w += BASE_WORDS;
    if ((flags & F_V6) !== 0) {
      src[1] = u32[w]; src[2] = u32[w + 1]; src[3] = u32[w + 2];
      dst[1] = u32[w + 3]; dst[2] = u32[w + 4]; dst[3] = u32[w + 5];
      w += V6_WORDS;
    } else {
      src[1] = 0; src[2] = 0; src[3] = 0; dst[1] = 0; dst[2] = 0; dst[3] = 0;
    }
    if ((flags & F_TUNNEL) !== 0) {
      pkt.tunnel = i32[w]; pkt.tunnelSessionId = i32[w + 1]; pkt.tunnelIpVersion = i32[w + 2];
      read4(u32, w + 3, pkt.tunnelSrc); read4(u32, w + 7, pkt.tunnelDst);
      w += TUNNEL_WORDS;
    } else if ((last & F_TUNNEL) !== 0) {
      pkt.tunnel = 0; pkt.tunnelSessionId = -1; pkt.tunnelIpVersion = 0; clear4(pkt.tunnelSrc); clear4(pkt.tunnelDst);
    }
    // SACK edges are read only below 2 * sackCount (reset() leaves them too).
    if ((flags & F_SACK) !== 0) {
      for (let i = 0; i < 8; i++) pkt.sack[i] = u32[w + i];
      w += SACK_WORDS;
    }
    if ((flags & F_ARP) !== 0) {
      pkt.arpSenderMac = f64[w >> 1]; pkt.arpTargetMac = f64[(w >> 1) + 1];
      pkt.isArp = i32[w + 4] !== 0; pkt.arpOp = i32[w + 5]; pkt.arpSenderIp = u32[w + 6]; pkt.arpTargetIp = u32[w + 7];
      w += ARP_WORDS;
    } else if ((last & F_ARP) !== 0) {
      pkt.isArp = false; pkt.arpOp = 0; pkt.arpSenderMac = 0; pkt.arpSenderIp = 0; pkt.arpTargetMac = 0; pkt.arpTargetIp = 0;
    }
    if ((flags & F_ICMP) !== 0) {
      pkt.icmpMtu = f64[w >> 1]; pkt.icmpInnerSeq = f64[(w >> 1) + 1];
      pkt.icmpType = i32[w + 4]; pkt.icmpCode = i32[w + 5]; read4(u32, w + 6, pkt.icmpGateway);
      pkt.icmpInnerIpVersion = i32[w + 10]; read4(u32, w + 11, pkt.icmpInnerSrc); read4(u32, w + 15, pkt.icmpInnerDst);
      pkt.icmpInnerProtocol = i32[w + 19]; pkt.icmpInnerSrcPort = i32[w + 20]; pkt.icmpInnerDstPort = i32[w + 21];
      w += ICMP_WORDS;
    } else if ((last & F_ICMP) !== 0) {
      pkt.icmpType = -1; pkt.icmpCode = -1; pkt.icmpMtu = -1; clear4(pkt.icmpGateway); pkt.icmpInnerIpVersion = 0;
      clear4(pkt.icmpInnerSrc); clear4(pkt.icmpInnerDst); pkt.icmpInnerProtocol = -1; pkt.icmpInnerSrcPort = -1;
      pkt.icmpInnerDstPort = -1; pkt.icmpInnerSeq = -1;
    }
    // Header offsets are relative to frame.offset: 0 when the bytes stayed behind.
    const offset = (flags & F_BYTES) !== 0 ? w * 4 : 0;
    frame.data = offset !== 0 ? this.bytes : NO_BYTES;
    frame.offset = offset;
    pkt.l3Offset = l3 === NO_OFFSET ? 0 : offset + l3;
    pkt.l4Offset = l4 === NO_OFFSET ? 0 : offset + l4;
  }
}

function copy4(a: Uint32Array, u32: Uint32Array, w: number): void {
  u32[w] = a[0]; u32[w + 1] = a[1]; u32[w + 2] = a[2]; u32[w + 3] = a[3];
}

function read4(u32: Uint32Array, w: number, a: Uint32Array): void {
  a[0] = u32[w]; a[1] = u32[w + 1]; a[2] = u32[w + 2]; a[3] = u32[w + 3];
}

function clear4(a: Uint32Array): void {
  a[0] = 0; a[1] = 0; a[2] = 0; a[3] = 0;
}

function zero4(a: Uint32Array): boolean {
  return (a[0] | a[1] | a[2] | a[3]) === 0;
}
