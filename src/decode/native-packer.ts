/**
 * The decode worker's native fast path (native/frame-packer.cc, in the vma_pcap addon): decodes
 * Ethernet / VLAN / IPv4 / IPv6 / TCP frames in C++, and UDP and ARP ones (the DNS, NTP and ARP
 * noise of a capture; their records carry the frame's bytes), and writes their records
 * (packed-frame.ts) straight into the ring, a batch of frames per call. Frames it does not decode
 * exactly as the TypeScript decoder does are handed back one at a time (FALLBACK) and packed in
 * TypeScript, so the records are byte-identical either way (test/decode/native-packer.test.ts).
 *
 * Optional: without the addon (no libpcap headers at install) or with VMA_NATIVE_DECODE=0, the
 * worker decodes everything in TypeScript.
 */
import { optionalAddonExport } from '../source/live-addon.js';
import type { Frame } from '../source/frame.js';
import { LINKTYPE_ETHERNET } from '../source/link-types.js';
import { PROTO_TCP, PROTO_UDP, STOP_NONE, TUNNEL_NONE, type DecodedPacket } from './packet.js';
import { VXLAN_PORT } from './udp.js';

/** Descriptor slots per frame in a batch (native/frame-packer.cc reads the same order). */
export const DESCRIPTOR_SLOTS = 10;
export const D_OFFSET = 0, D_CAPTURED = 1, D_ORIGINAL = 2, D_TS_SEC = 3, D_TS_NSEC = 4, D_FRAME_NUMBER = 5;
export const D_FILE_OFFSET = 6, D_LINK_TYPE = 7, D_FCS = 8, D_INTERFACE = 9;

/** Write frame's descriptor at desc[k, k + DESCRIPTOR_SLOTS) (what the native packer reads of a frame). */
export function describeFrame(frame: Frame, desc: Float64Array, k: number): void {
  desc[k + D_OFFSET] = frame.offset; desc[k + D_CAPTURED] = frame.capturedLength; desc[k + D_ORIGINAL] = frame.originalLength;
  desc[k + D_TS_SEC] = frame.tsSec; desc[k + D_TS_NSEC] = frame.tsNsec; desc[k + D_FRAME_NUMBER] = frame.frameNumber;
  desc[k + D_FILE_OFFSET] = frame.fileOffset; desc[k + D_LINK_TYPE] = frame.linkType; desc[k + D_FCS] = frame.fcsLength;
  desc[k + D_INTERFACE] = frame.interfaceId;
}

/** Fill `frame` (bytes in `data`) from the descriptor at desc[k]: the inverse of describeFrame. */
export function frameOfDescriptor(desc: Float64Array, k: number, data: Buffer, frame: Frame): Frame {
  frame.data = data; frame.offset = desc[k + D_OFFSET]; frame.capturedLength = desc[k + D_CAPTURED];
  frame.originalLength = desc[k + D_ORIGINAL]; frame.tsSec = desc[k + D_TS_SEC]; frame.tsNsec = desc[k + D_TS_NSEC];
  frame.frameNumber = desc[k + D_FRAME_NUMBER]; frame.fileOffset = desc[k + D_FILE_OFFSET]; frame.linkType = desc[k + D_LINK_TYPE];
  frame.fcsLength = desc[k + D_FCS]; frame.interfaceId = desc[k + D_INTERFACE];
  return frame;
}

/**
 * Frames whose records carry their bytes (UDP, ARP) are taken up to this many captured bytes
 * (native/frame-packer.cc kMaxBytesCaptured), so a native record stays within MAX_NATIVE_RECORD_BYTES.
 */
export const MAX_NATIVE_BYTES_CAPTURED = 512;

/**
 * The frames the native packer takes, by what the TypeScript decoder made of them: clean Ethernet
 * (any VLAN tags), no tunnel, and either
 * - TCP or UDP over IPv4 or IPv6, no fragment, no IPv6 extension header (UDP to the VXLAN port
 *   always has a tunnel or a stop: TypeScript decodes the frame inside), or
 * - ARP for Ethernet/IPv4 with all four addresses.
 * A UDP or ARP record carries the frame's bytes: at most MAX_NATIVE_BYTES_CAPTURED of them, all
 * within the frame's buffer. It hands every other frame back.
 */
export function nativeTakes(frame: Frame, pkt: DecodedPacket): boolean {
  if (frame.linkType !== LINKTYPE_ETHERNET || pkt.stop !== STOP_NONE || pkt.tunnel !== TUNNEL_NONE) return false;
  if (pkt.isArp) return bytesFit(frame);
  if (pkt.isFragment || !(pkt.ipVersion === 4 || pkt.ipHeaderLength === 40)) return false;
  if (pkt.l4Protocol === PROTO_TCP) return true;
  return pkt.l4Protocol === PROTO_UDP && pkt.dstPort !== VXLAN_PORT && bytesFit(frame);
}

/** A record with the frame's bytes: RecordPacker copies capturedLength bytes from frame.offset. */
function bytesFit(frame: Frame): boolean {
  return frame.capturedLength <= MAX_NATIVE_BYTES_CAPTURED && frame.offset + frame.capturedLength <= frame.data.length;
}

/** packFrames results. */
export const PACK_DONE = 0;
export const PACK_NEED_ROOM = 1;
export const PACK_FALLBACK = 2;

/**
 * The largest record the native packer writes: an ARP record (base + ARP section) with the most
 * bytes it takes (larger than a TCP one with IPv6 words and SACK edges, or an IPv6 UDP one). A run
 * is given at least this much room, so it always has room for its next record.
 */
export const MAX_NATIVE_RECORD_BYTES = (48 + 8) * 4 + MAX_NATIVE_BYTES_CAPTURED;

/**
 * The worker's flow table (native/frame-packer.cc): two header words (flows in use, epoch), then
 * 65,536 slots of 12 words, 3 MiB. Records of natively packed frames carry their connection's
 * slot, so the analysis thread finds the stream by index (StreamTable.find).
 */
export const FLOW_TABLE_WORDS = 2 + 65536 * 12;

export function newFlowTable(): Int32Array {
  return new Int32Array(FLOW_TABLE_WORDS);
}

/**
 * Packs frames desc[from, from + count) (bytes in `data`) into ring[at, at + room). out[0]: frames
 * packed, out[1]: bytes written. Returns PACK_DONE, PACK_NEED_ROOM, or PACK_FALLBACK (frame
 * from + out[0] is for the TypeScript decoder). With `flows` (newFlowTable) records carry flow slots.
 */
export type PackFrames = (data: Uint8Array, desc: Float64Array, from: number, count: number,
  ring: Uint8Array, at: number, room: number, out: Int32Array, flows?: Int32Array) => number;

/** The native packer, or null when the addon is not built (or VMA_NATIVE_DECODE=0 turns it off): the TypeScript decoder then does all the work (slower, same records). */
export function nativePacker(): PackFrames | null {
  return optionalAddonExport<PackFrames>('packFrames', 'VMA_NATIVE_DECODE');
}

/** packPcap's header slots: what the file header says, and where the run starts. */
export const PCAP_LITTLE_ENDIAN = 0, PCAP_NANOS = 1, PCAP_SNAPLEN = 2, PCAP_LINK_TYPE = 3, PCAP_FCS = 4;
export const PCAP_FRAME_NUMBER = 5, PCAP_FILE_OFFSET = 6, PCAP_HEADER_SLOTS = 7;
/** packPcap's out slots. */
export const PCAP_OUT_FRAMES = 0, PCAP_OUT_WRITTEN = 1, PCAP_OUT_CONSUMED = 2, PCAP_OUT_TRUNCATED = 3;
export const PCAP_OUT_FIRST_SEC = 4, PCAP_OUT_FIRST_NSEC = 5, PCAP_OUT_LAST_SEC = 6, PCAP_OUT_LAST_NSEC = 7, PCAP_OUT_SLOTS = 8;

/**
 * Frames and packs the classic pcap records in data[start, end) while each is one packFrames
 * takes and passes the reader's checks (src/source/pcap-reader.ts): it stops before the first
 * that is not, for the TypeScript reader. header: PCAP_* slots (the frame number is the last one
 * given; the file offset is data[start]'s). out: PCAP_OUT_* slots. Returns PACK_DONE, or
 * PACK_NEED_ROOM when ring[at, at + room) is full.
 */
export type PackPcap = (data: Uint8Array, start: number, end: number, header: Float64Array,
  ring: Uint8Array, at: number, room: number, out: Float64Array, flows?: Int32Array) => number;

/** The native pcap framer and packer, under the same conditions as nativePacker. */
export function nativePcapPacker(): PackPcap | null {
  return nativePacker() === null ? null : optionalAddonExport<PackPcap>('packPcap', 'VMA_NATIVE_DECODE');
}
