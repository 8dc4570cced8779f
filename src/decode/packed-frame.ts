/**
 * A decoded frame as a fixed-layout record of numbers plus the frame's captured bytes, so a decode
 * worker can hand its work to the analysis thread through shared memory (see frame-ring.ts)
 * without a message or an object per packet. The one place that knows the layout: packFrame and
 * unpackFrame must mirror each other field by field (test/decode/packed-frame.test.ts checks that
 * every DecodedPacket field survives the trip, on every sample capture).
 *
 * Frames whose decoding stopped (malformed, truncated, unsupported) are not packed: their stop
 * reasons are strings, and they are rare, so the analysis thread decodes them again from the
 * copied bytes. That also keeps the results identical by construction.
 */
import { DecodedPacket, PROTO_TCP } from './packet.js';
import { decodeFrame } from './decode-frame.js';
import type { Frame } from '../source/frame.js';

/** Record flags (word 1). PACKED: the header fields below are valid; else decode the bytes. */
const F_PACKED = 1;
const F_TUNNEL = 2;
const F_SACK = 4;
const F_ARP = 8;
const F_ICMP = 16;
/** The frame's captured bytes follow the header. */
const F_BYTES = 32;

// Float64 slots, counted in 8-byte units from the record start (slot 0 holds words 0 and 1).
const D_TS_SEC = 1, D_FRAME_NUMBER = 2, D_FILE_OFFSET = 3, D_SRC_MAC = 4, D_DST_MAC = 5;
const D_ARP_SENDER_MAC = 6, D_ARP_TARGET_MAC = 7, D_IP_TOTAL_LENGTH = 8, D_PAYLOAD_LENGTH = 9;
const D_ICMP_MTU = 10, D_ICMP_INNER_SEQ = 11;
// 32-bit words from the record start. Word 0: record size in bytes (RECORD_WRAP marks a wrap), word 1: flags.
export const W_SIZE = 0;
const W_FLAGS = 1;
const W_LINK_TYPE = 24, W_FCS = 25, W_INTERFACE = 26, W_TS_NSEC = 27, W_CAPTURED = 28, W_ORIGINAL = 29;
const W_HAS_MACS = 30, W_VLAN_COUNT = 31, W_VLAN0 = 32, W_VLAN1 = 33, W_ETHER_TYPE = 34, W_SLL_TYPE = 35;
const W_IP_VERSION = 36, W_SRC = 37, W_DST = 41, W_TTL = 45, W_L3_OFFSET = 46, W_IP_HEADER_LENGTH = 47;
const W_IP_LENGTH_FROM_FRAME = 48, W_IP_ID = 49, W_DONT_FRAGMENT = 50, W_DSCP = 51, W_ECN = 52;
const W_FLOW_LABEL = 53, W_IS_FRAGMENT = 54, W_FRAGMENT_OFFSET = 55, W_MORE_FRAGMENTS = 56;
const W_L4_PROTOCOL = 57, W_L4_OFFSET = 58, W_SRC_PORT = 59, W_DST_PORT = 60, W_SEQ = 61, W_ACK = 62;
const W_TCP_FLAGS = 63, W_WINDOW = 64, W_TCP_HEADER_LENGTH = 65, W_PAYLOAD_CAPTURED = 66, W_MSS = 67;
const W_WINDOW_SCALE = 68, W_SACK_PERMITTED = 69, W_SACK_COUNT = 70, W_HAS_TIMESTAMP = 71, W_TS_VAL = 72;
const W_TS_ECR = 73, W_TCP_OPTIONS_MALFORMED = 74;
const W_TUNNEL = 76, W_TUNNEL_SESSION = 77, W_TUNNEL_IP_VERSION = 78, W_TUNNEL_SRC = 79, W_TUNNEL_DST = 83;
const W_SACK = 87;
const W_IS_ARP = 95, W_ARP_OP = 96, W_ARP_SENDER_IP = 97, W_ARP_TARGET_IP = 98;
const W_ICMP_TYPE = 99, W_ICMP_CODE = 100, W_ICMP_GATEWAY = 101, W_ICMP_INNER_VERSION = 105;
const W_ICMP_INNER_SRC = 106, W_ICMP_INNER_DST = 110, W_ICMP_INNER_PROTOCOL = 114;
const W_ICMP_INNER_SRC_PORT = 115, W_ICMP_INNER_DST_PORT = 116;
/** Header bytes before the frame's captured bytes (8-aligned). */
export const RECORD_HEADER_BYTES = 472;
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
 * Bytes a record of this frame takes (8-aligned). A cleanly decoded TCP frame travels without its
 * bytes: nothing after decoding reads them, and copying ~100 bytes costs more than packing every
 * header field (a TypedArray copy is ~150 ns per call in V8, whatever the length). Every other
 * frame (ARP, ICMP, neighbour discovery, stopped decodes: a few percent) carries its bytes.
 */
export function recordSize(frame: Frame, pkt: DecodedPacket): number {
  return carriesBytes(pkt) ? (RECORD_HEADER_BYTES + frame.capturedLength + 7) & ~7 : RECORD_HEADER_BYTES;
}

function carriesBytes(pkt: DecodedPacket): boolean {
  return pkt.stop !== 0 || pkt.l4Protocol !== PROTO_TCP;
}

/**
 * Write frame + its decoded headers as a record at byte `at` (8-aligned; recordSize(frame) bytes
 * must be free). Returns the record size.
 */
export function packFrame(frame: Frame, pkt: DecodedPacket, v: RecordViews, at: number): number {
  const size = recordSize(frame, pkt);
  const w = at >> 2;
  const d = at >> 3;
  const { i32, u32, f64 } = v;
  i32[w + W_SIZE] = size;
  f64[d + D_TS_SEC] = frame.tsSec; f64[d + D_FRAME_NUMBER] = frame.frameNumber; f64[d + D_FILE_OFFSET] = frame.fileOffset;
  i32[w + W_LINK_TYPE] = frame.linkType; i32[w + W_FCS] = frame.fcsLength; i32[w + W_INTERFACE] = frame.interfaceId;
  i32[w + W_TS_NSEC] = frame.tsNsec; i32[w + W_CAPTURED] = frame.capturedLength; i32[w + W_ORIGINAL] = frame.originalLength;
  if (size > RECORD_HEADER_BYTES) v.u8.set(frame.data.subarray(frame.offset, frame.offset + frame.capturedLength), at + RECORD_HEADER_BYTES);
  if (pkt.stop !== 0) { i32[w + W_FLAGS] = F_BYTES; return size; }

  let flags = size > RECORD_HEADER_BYTES ? F_PACKED | F_BYTES : F_PACKED;
  f64[d + D_SRC_MAC] = pkt.srcMac; f64[d + D_DST_MAC] = pkt.dstMac;
  f64[d + D_IP_TOTAL_LENGTH] = pkt.ipTotalLength; f64[d + D_PAYLOAD_LENGTH] = pkt.payloadLength;
  i32[w + W_HAS_MACS] = pkt.hasMacs ? 1 : 0; i32[w + W_VLAN_COUNT] = pkt.vlanCount;
  i32[w + W_VLAN0] = pkt.vlan0; i32[w + W_VLAN1] = pkt.vlan1; i32[w + W_ETHER_TYPE] = pkt.etherType;
  i32[w + W_SLL_TYPE] = pkt.sllPacketType; i32[w + W_IP_VERSION] = pkt.ipVersion;
  copy4(pkt.src, u32, w + W_SRC); copy4(pkt.dst, u32, w + W_DST);
  i32[w + W_TTL] = pkt.ttl;
  i32[w + W_L3_OFFSET] = pkt.l3Offset === 0 ? NO_OFFSET : pkt.l3Offset - frame.offset;
  i32[w + W_IP_HEADER_LENGTH] = pkt.ipHeaderLength; i32[w + W_IP_LENGTH_FROM_FRAME] = pkt.ipLengthFromFrame ? 1 : 0;
  i32[w + W_IP_ID] = pkt.ipId; i32[w + W_DONT_FRAGMENT] = pkt.dontFragment ? 1 : 0; i32[w + W_DSCP] = pkt.dscp;
  i32[w + W_ECN] = pkt.ecn; u32[w + W_FLOW_LABEL] = pkt.flowLabel; i32[w + W_IS_FRAGMENT] = pkt.isFragment ? 1 : 0;
  i32[w + W_FRAGMENT_OFFSET] = pkt.fragmentOffset; i32[w + W_MORE_FRAGMENTS] = pkt.moreFragments ? 1 : 0;
  i32[w + W_L4_PROTOCOL] = pkt.l4Protocol;
  i32[w + W_L4_OFFSET] = pkt.l4Offset === 0 ? NO_OFFSET : pkt.l4Offset - frame.offset;
  i32[w + W_SRC_PORT] = pkt.srcPort; i32[w + W_DST_PORT] = pkt.dstPort; u32[w + W_SEQ] = pkt.seq; u32[w + W_ACK] = pkt.ack;
  i32[w + W_TCP_FLAGS] = pkt.tcpFlags; i32[w + W_WINDOW] = pkt.window; i32[w + W_TCP_HEADER_LENGTH] = pkt.tcpHeaderLength;
  i32[w + W_PAYLOAD_CAPTURED] = pkt.payloadCaptured; i32[w + W_MSS] = pkt.mss; i32[w + W_WINDOW_SCALE] = pkt.windowScale;
  i32[w + W_SACK_PERMITTED] = pkt.sackPermitted ? 1 : 0; i32[w + W_SACK_COUNT] = pkt.sackCount;
  i32[w + W_HAS_TIMESTAMP] = pkt.hasTimestamp ? 1 : 0; u32[w + W_TS_VAL] = pkt.tsVal; u32[w + W_TS_ECR] = pkt.tsEcr;
  i32[w + W_TCP_OPTIONS_MALFORMED] = pkt.tcpOptionsMalformed ? 1 : 0;

  // Rare layers travel only when some field differs from its reset value.
  if (pkt.tunnel !== 0 || pkt.tunnelSessionId !== -1 || pkt.tunnelIpVersion !== 0 || !zero4(pkt.tunnelSrc) || !zero4(pkt.tunnelDst)) {
    flags |= F_TUNNEL;
    i32[w + W_TUNNEL] = pkt.tunnel; i32[w + W_TUNNEL_SESSION] = pkt.tunnelSessionId; i32[w + W_TUNNEL_IP_VERSION] = pkt.tunnelIpVersion;
    copy4(pkt.tunnelSrc, u32, w + W_TUNNEL_SRC); copy4(pkt.tunnelDst, u32, w + W_TUNNEL_DST);
  }
  if (pkt.sackCount > 0) {
    flags |= F_SACK;
    for (let i = 0; i < 8; i++) u32[w + W_SACK + i] = pkt.sack[i];
  }
  if (pkt.isArp || pkt.arpOp !== 0 || pkt.arpSenderMac !== 0 || pkt.arpSenderIp !== 0 || pkt.arpTargetMac !== 0 || pkt.arpTargetIp !== 0) {
    flags |= F_ARP;
    i32[w + W_IS_ARP] = pkt.isArp ? 1 : 0; i32[w + W_ARP_OP] = pkt.arpOp;
    f64[d + D_ARP_SENDER_MAC] = pkt.arpSenderMac; u32[w + W_ARP_SENDER_IP] = pkt.arpSenderIp;
    f64[d + D_ARP_TARGET_MAC] = pkt.arpTargetMac; u32[w + W_ARP_TARGET_IP] = pkt.arpTargetIp;
  }
  if (pkt.icmpType !== -1 || pkt.icmpCode !== -1 || pkt.icmpMtu !== -1 || !zero4(pkt.icmpGateway) || pkt.icmpInnerIpVersion !== 0
    || !zero4(pkt.icmpInnerSrc) || !zero4(pkt.icmpInnerDst) || pkt.icmpInnerProtocol !== -1 || pkt.icmpInnerSrcPort !== -1
    || pkt.icmpInnerDstPort !== -1 || pkt.icmpInnerSeq !== -1) {
    flags |= F_ICMP;
    i32[w + W_ICMP_TYPE] = pkt.icmpType; i32[w + W_ICMP_CODE] = pkt.icmpCode; f64[d + D_ICMP_MTU] = pkt.icmpMtu;
    copy4(pkt.icmpGateway, u32, w + W_ICMP_GATEWAY); i32[w + W_ICMP_INNER_VERSION] = pkt.icmpInnerIpVersion;
    copy4(pkt.icmpInnerSrc, u32, w + W_ICMP_INNER_SRC); copy4(pkt.icmpInnerDst, u32, w + W_ICMP_INNER_DST);
    i32[w + W_ICMP_INNER_PROTOCOL] = pkt.icmpInnerProtocol; i32[w + W_ICMP_INNER_SRC_PORT] = pkt.icmpInnerSrcPort;
    i32[w + W_ICMP_INNER_DST_PORT] = pkt.icmpInnerDstPort; f64[d + D_ICMP_INNER_SEQ] = pkt.icmpInnerSeq;
  }
  i32[w + W_FLAGS] = flags;
  return size;
}

/**
 * Fills the reader's reused Frame and DecodedPacket from the record at byte `at`. A decoded TCP
 * frame comes with an empty frame.data and offset 0 (see recordSize); pkt's offsets keep their
 * distance from frame.offset. Rare layers are reset only when the previous record had them
 * (lastFlags remembers): most frames copy the base fields only.
 */
export class FrameUnpacker {
  private lastFlags = 0;

  /** `bytes`: a Buffer over the records' shared memory (frames with bytes point into it). */
  constructor(private readonly bytes: Buffer) {}

  unpack(v: RecordViews, at: number, frame: Frame, pkt: DecodedPacket): void {
    const w = at >> 2;
    const d = at >> 3;
    const { i32, u32, f64 } = v;
    frame.tsSec = f64[d + D_TS_SEC]; frame.frameNumber = f64[d + D_FRAME_NUMBER]; frame.fileOffset = f64[d + D_FILE_OFFSET];
    frame.linkType = i32[w + W_LINK_TYPE]; frame.fcsLength = i32[w + W_FCS]; frame.interfaceId = i32[w + W_INTERFACE];
    frame.tsNsec = i32[w + W_TS_NSEC]; frame.capturedLength = i32[w + W_CAPTURED]; frame.originalLength = i32[w + W_ORIGINAL];
    const flags = i32[w + W_FLAGS];
    // Header offsets are relative to frame.offset: 0 when the bytes stayed behind.
    const offset = (flags & F_BYTES) !== 0 ? at + RECORD_HEADER_BYTES : 0;
    frame.data = offset !== 0 ? this.bytes : NO_BYTES;
    frame.offset = offset;
    if ((flags & F_PACKED) === 0) {
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
    pkt.hasMacs = i32[w + W_HAS_MACS] !== 0; pkt.vlanCount = i32[w + W_VLAN_COUNT];
    pkt.vlan0 = i32[w + W_VLAN0]; pkt.vlan1 = i32[w + W_VLAN1]; pkt.etherType = i32[w + W_ETHER_TYPE];
    pkt.sllPacketType = i32[w + W_SLL_TYPE]; pkt.ipVersion = i32[w + W_IP_VERSION];
    read4(u32, w + W_SRC, pkt.src); read4(u32, w + W_DST, pkt.dst);
    pkt.ttl = i32[w + W_TTL];
    const l3 = i32[w + W_L3_OFFSET];
    pkt.l3Offset = l3 === NO_OFFSET ? 0 : offset + l3;
    pkt.ipHeaderLength = i32[w + W_IP_HEADER_LENGTH]; pkt.ipLengthFromFrame = i32[w + W_IP_LENGTH_FROM_FRAME] !== 0;
    pkt.ipId = i32[w + W_IP_ID]; pkt.dontFragment = i32[w + W_DONT_FRAGMENT] !== 0; pkt.dscp = i32[w + W_DSCP];
    pkt.ecn = i32[w + W_ECN]; pkt.flowLabel = u32[w + W_FLOW_LABEL]; pkt.isFragment = i32[w + W_IS_FRAGMENT] !== 0;
    pkt.fragmentOffset = i32[w + W_FRAGMENT_OFFSET]; pkt.moreFragments = i32[w + W_MORE_FRAGMENTS] !== 0;
    pkt.l4Protocol = i32[w + W_L4_PROTOCOL];
    const l4 = i32[w + W_L4_OFFSET];
    pkt.l4Offset = l4 === NO_OFFSET ? 0 : offset + l4;
    pkt.srcPort = i32[w + W_SRC_PORT]; pkt.dstPort = i32[w + W_DST_PORT]; pkt.seq = u32[w + W_SEQ]; pkt.ack = u32[w + W_ACK];
    pkt.tcpFlags = i32[w + W_TCP_FLAGS]; pkt.window = i32[w + W_WINDOW]; pkt.tcpHeaderLength = i32[w + W_TCP_HEADER_LENGTH];
    pkt.payloadCaptured = i32[w + W_PAYLOAD_CAPTURED]; pkt.mss = i32[w + W_MSS]; pkt.windowScale = i32[w + W_WINDOW_SCALE];
    pkt.sackPermitted = i32[w + W_SACK_PERMITTED] !== 0; pkt.sackCount = i32[w + W_SACK_COUNT];
    pkt.hasTimestamp = i32[w + W_HAS_TIMESTAMP] !== 0; pkt.tsVal = u32[w + W_TS_VAL]; pkt.tsEcr = u32[w + W_TS_ECR];
    pkt.tcpOptionsMalformed = i32[w + W_TCP_OPTIONS_MALFORMED] !== 0;

    if ((flags & F_TUNNEL) !== 0) {
      pkt.tunnel = i32[w + W_TUNNEL]; pkt.tunnelSessionId = i32[w + W_TUNNEL_SESSION]; pkt.tunnelIpVersion = i32[w + W_TUNNEL_IP_VERSION];
      read4(u32, w + W_TUNNEL_SRC, pkt.tunnelSrc); read4(u32, w + W_TUNNEL_DST, pkt.tunnelDst);
    } else if ((last & F_TUNNEL) !== 0) {
      pkt.tunnel = 0; pkt.tunnelSessionId = -1; pkt.tunnelIpVersion = 0; clear4(pkt.tunnelSrc); clear4(pkt.tunnelDst);
    }
    // SACK edges are read only below 2 * sackCount (reset() leaves them too).
    if ((flags & F_SACK) !== 0) for (let i = 0; i < 8; i++) pkt.sack[i] = u32[w + W_SACK + i];
    if ((flags & F_ARP) !== 0) {
      pkt.isArp = i32[w + W_IS_ARP] !== 0; pkt.arpOp = i32[w + W_ARP_OP];
      pkt.arpSenderMac = f64[d + D_ARP_SENDER_MAC]; pkt.arpSenderIp = u32[w + W_ARP_SENDER_IP];
      pkt.arpTargetMac = f64[d + D_ARP_TARGET_MAC]; pkt.arpTargetIp = u32[w + W_ARP_TARGET_IP];
    } else if ((last & F_ARP) !== 0) {
      pkt.isArp = false; pkt.arpOp = 0; pkt.arpSenderMac = 0; pkt.arpSenderIp = 0; pkt.arpTargetMac = 0; pkt.arpTargetIp = 0;
    }
    if ((flags & F_ICMP) !== 0) {
      pkt.icmpType = i32[w + W_ICMP_TYPE]; pkt.icmpCode = i32[w + W_ICMP_CODE]; pkt.icmpMtu = f64[d + D_ICMP_MTU];
      read4(u32, w + W_ICMP_GATEWAY, pkt.icmpGateway); pkt.icmpInnerIpVersion = i32[w + W_ICMP_INNER_VERSION];
      read4(u32, w + W_ICMP_INNER_SRC, pkt.icmpInnerSrc); read4(u32, w + W_ICMP_INNER_DST, pkt.icmpInnerDst);
      pkt.icmpInnerProtocol = i32[w + W_ICMP_INNER_PROTOCOL]; pkt.icmpInnerSrcPort = i32[w + W_ICMP_INNER_SRC_PORT];
      pkt.icmpInnerDstPort = i32[w + W_ICMP_INNER_DST_PORT]; pkt.icmpInnerSeq = f64[d + D_ICMP_INNER_SEQ];
    } else if ((last & F_ICMP) !== 0) {
      pkt.icmpType = -1; pkt.icmpCode = -1; pkt.icmpMtu = -1; clear4(pkt.icmpGateway); pkt.icmpInnerIpVersion = 0;
      clear4(pkt.icmpInnerSrc); clear4(pkt.icmpInnerDst); pkt.icmpInnerProtocol = -1; pkt.icmpInnerSrcPort = -1;
      pkt.icmpInnerDstPort = -1; pkt.icmpInnerSeq = -1;
    }
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
