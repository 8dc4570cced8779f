// Decode + pack fast path for the decode worker (see frame-packer.h). Every check below mirrors
// the TypeScript decoder (src/decode/decode-frame.ts, ethernet.ts, ipv4.ts, ipv6.ts, tcp.ts,
// udp.ts, arp.ts), one function per layer; where that decoder would stop, or take a branch this
// file does not implement, the frame is handed back (FALLBACK) and decoded in TypeScript. The
// record layout is packed-frame.ts's, word for word (RecordPacker.measure and write).
#include "frame-packer.h"

#include <cstdint>
#include <cstring>
#include <string>

namespace vma {
namespace {

// --- the frame descriptors the worker batches (decode-worker.ts, NativeFrameBatch) --------------
constexpr int kDescriptorSlots = 10;
enum Descriptor {
  kOffset = 0, kCaptured, kOriginal, kTsSec, kTsNsec, kFrameNumber, kFileOffset, kLinkType, kFcs, kInterface,
};

// --- packed-frame.ts layout ------------------------------------------------------------------
constexpr uint32_t F_PACKED = 1, F_SACK = 4, F_ARP = 8, F_BYTES = 32, F_V6 = 64;
constexpr int D_TS_SEC = 1, D_FRAME_NUMBER = 2, D_FILE_OFFSET = 3, D_SRC_MAC = 4, D_DST_MAC = 5;
constexpr int D_IP_TOTAL_LENGTH = 6, D_PAYLOAD_LENGTH = 7;
constexpr int W_SIZE = 0, W_FLAGS = 1;
constexpr int W_TS_NSEC = 16, W_ORIGINAL = 17, W_LINK_TYPE = 18, W_INTERFACE = 19, W_BITS = 20, W_SEQ = 21, W_ACK = 22;
constexpr int W_TCP = 23, W_MSS = 24, W_WINDOW_SCALE = 25, W_FLOW = 26, W_FLOW_EPOCH = 27, W_PORTS = 28;
constexpr int W_CAPTURED = 29, W_FCS = 30, W_SRC0 = 31, W_DST0 = 32, W_L3_OFFSET = 33, W_L4_OFFSET = 34;
constexpr int W_IP_HEADER_LENGTH = 35, W_IP_ID = 36, W_PAYLOAD_CAPTURED = 37, W_TS_VAL = 38, W_TS_ECR = 39;
constexpr int W_L4_PROTOCOL = 40, W_ETHER_TYPE = 41, W_VLAN_COUNT = 42, W_VLAN0 = 43, W_VLAN1 = 44, W_SLL_TYPE = 45;
constexpr int W_FLOW_LABEL = 46, W_FRAGMENT_OFFSET = 47;
constexpr int BASE_WORDS = 48, V6_WORDS = 6, SACK_WORDS = 8, ARP_WORDS = 8;
constexpr uint32_t B_HAS_MACS = 1, B_IP_LENGTH_FROM_FRAME = 2, B_DONT_FRAGMENT = 4;
constexpr uint32_t B_SACK_PERMITTED = 32, B_HAS_TIMESTAMP = 64, B_TCP_OPTIONS_MALFORMED = 128;
/** packed-frame.ts NO_OFFSET: a header offset never set (0, as for ARP's IP and transport layers). */
constexpr int32_t NO_OFFSET = INT32_MIN;

/**
 * UDP and ARP records carry the frame's captured bytes (RecordPacker.measure: only a clean TCP
 * decode travels without them). Those frames are taken only up to this many captured bytes and
 * larger ones handed back, so that a record, and so the room a run must be given for one more
 * (native-packer.ts MAX_NATIVE_RECORD_BYTES), stays small. DNS, NTP and ARP frames are far below it.
 */
constexpr int64_t kMaxBytesCaptured = 512;
/** The largest record this file writes: a TCP one with IPv6 words and SACK edges, or the larger of
 *  an ARP record (the ARP section) and an IPv6 UDP record (the IPv6 words) with the most bytes. */
constexpr int kMaxTcpRecordBytes = (BASE_WORDS + V6_WORDS + SACK_WORDS) * 4;
constexpr int kMaxBytesRecordBytes =
  (BASE_WORDS + (ARP_WORDS > V6_WORDS ? ARP_WORDS : V6_WORDS)) * 4 + int(kMaxBytesCaptured);
constexpr int kMaxRecordBytes = kMaxTcpRecordBytes > kMaxBytesRecordBytes ? kMaxTcpRecordBytes : kMaxBytesRecordBytes;
static_assert(kMaxRecordBytes == 736, "native-packer.ts MAX_NATIVE_RECORD_BYTES says 736: change both");
static_assert(kMaxBytesCaptured % 8 == 0, "records stay 8-aligned without rounding the bound up");

constexpr int LINKTYPE_ETHERNET = 1;
constexpr int kMaxVlanTags = 8;
constexpr int kEtherIpv4 = 0x0800, kEtherArp = 0x0806, kEtherIpv6 = 0x86dd;
constexpr int kProtoTcp = 6, kProtoUdp = 17;
/** udp.ts VXLAN_PORT: TypeScript goes on into the mirrored frame; that stays its job. */
constexpr int kVxlanPort = 4789;

enum Status { kDone = 0, kNeedRoom = 1, kFallback = 2 };

// --- the flow table (native-packer.ts FLOW_*): connection -> slot, so the analysis thread finds a
// packet's stream by index instead of hashing and comparing addresses. Open addressing, exact keys;
// at half full it is cleared and its epoch bumped (records carry the epoch, so a slot's old meaning
// can never be confused with its new one). Header words: [0] flows in use, [1] epoch.
constexpr uint32_t kFlowSlots = 65536;
constexpr int kFlowWords = 12;
constexpr int kFlowHeader = 2;
constexpr uint32_t kFlowMaxUsed = kFlowSlots / 2;
constexpr size_t kFlowTableWords = kFlowHeader + size_t(kFlowSlots) * kFlowWords;

/**
 * The decoded fields of one frame: the part of DecodedPacket a clean Ethernet TCP, UDP or ARP
 * decode can set. The initial values are DecodedPacket.reset()'s: a field a layer does not set
 * (a UDP frame's seq, an ARP frame's IP addresses) is written to the record as TypeScript leaves it.
 */
struct Packet {
  double srcMac = 0, dstMac = 0;
  int vlanCount = 0, vlan0 = -1, vlan1 = -1, etherType = 0;
  int ipVersion = 0;
  uint32_t src[4] = {0, 0, 0, 0}, dst[4] = {0, 0, 0, 0};
  int ttl = 0, dscp = 0, ecn = 0;
  uint32_t flowLabel = 0;
  int64_t l3 = 0, l4 = 0;  // absolute offsets into the data; 0: that layer is absent (ARP)
  int ipHeaderLength = 0;
  int64_t ipTotalLength = 0;
  bool ipLengthFromFrame = false, dontFragment = false;
  int ipId = 0;
  int l4Protocol = -1;
  int srcPort = 0, dstPort = 0;
  uint32_t seq = 0, ack = 0;
  int tcpFlags = 0, window = 0, tcpHeaderLength = 0;
  int64_t payloadLength = 0, payloadCaptured = 0;
  int mss = -1, windowScale = -1;
  bool sackPermitted = false, hasTimestamp = false, tcpOptionsMalformed = false;
  int sackCount = 0;
  uint32_t sack[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  uint32_t tsVal = 0, tsEcr = 0;
  bool isArp = false;
  int arpOp = 0;
  double arpSenderMac = 0, arpTargetMac = 0;
  uint32_t arpSenderIp = 0, arpTargetIp = 0;
};

/** decode-frame.ts's Cursor: the current header, the end of its captured bytes, its end on the wire. */
struct Cursor {
  int64_t off, end, wireEnd;
};

inline uint32_t U16(const uint8_t* b, int64_t o) { return (uint32_t(b[o]) << 8) | b[o + 1]; }
inline uint32_t U32(const uint8_t* b, int64_t o) {
  return (uint32_t(b[o]) << 24) | (uint32_t(b[o + 1]) << 16) | (uint32_t(b[o + 2]) << 8) | b[o + 3];
}
inline double Mac48(const uint8_t* b, int64_t o) { return double(U16(b, o)) * 4294967296.0 + double(U32(b, o + 2)); }

/** ethernet.ts decodeEthernet + decodeEtherType: MACs and VLAN tags; false on a stop. */
inline bool DecodeEthernet(const uint8_t* b, Cursor& c, Packet& p) {
  int64_t o = c.off;
  if (c.end - o < 14) return false;
  p.dstMac = Mac48(b, o);
  p.srcMac = Mac48(b, o + 6);
  uint32_t type = U16(b, o + 12);
  o += 14;
  int tags = 0;
  while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
    if (++tags > kMaxVlanTags) return false;
    if (c.end - o < 4) return false;
    const int vid = int(U16(b, o) & 0x0fff);
    if (p.vlanCount == 0) p.vlan0 = vid; else if (p.vlanCount == 1) p.vlan1 = vid;
    p.vlanCount++;
    type = U16(b, o + 2);
    o += 4;
  }
  p.etherType = int(type);
  c.off = o;
  return true;
}

/** ipv4.ts, for unfragmented TCP and UDP (fragments and other protocols are left to TypeScript). */
inline bool DecodeIpv4(const uint8_t* b, Cursor& c, Packet& p) {
  const int64_t o = c.off;
  if (c.end - o < 20) return false;
  const int vihl = b[o];
  if ((vihl >> 4) != 4) return false;
  const int headerLength = (vihl & 15) * 4;
  if (headerLength < 20) return false;
  p.ipVersion = 4;
  p.l3 = o;
  p.ipHeaderLength = headerLength;
  const int tos = b[o + 1];
  p.dscp = tos >> 2;
  p.ecn = tos & 3;
  p.ipId = int(U16(b, o + 4));
  const uint32_t frag = U16(b, o + 6);
  if ((frag & 0x2000) != 0 || (frag & 0x1fff) != 0) return false;
  p.dontFragment = (frag & 0x4000) != 0;
  p.ttl = b[o + 8];
  p.l4Protocol = b[o + 9];
  if (p.l4Protocol != kProtoTcp && p.l4Protocol != kProtoUdp) return false;
  p.src[0] = U32(b, o + 12);
  p.dst[0] = U32(b, o + 16);
  int64_t totalLength = U16(b, o + 2);
  if (totalLength == 0) { totalLength = c.wireEnd - o; p.ipLengthFromFrame = true; }
  p.ipTotalLength = totalLength;
  if (totalLength < headerLength) return false;
  if (c.end - o < headerLength) return false;
  // Bytes past the IP packet are Ethernet padding (or trailers): never part of the payload.
  const int64_t ipEnd = o + totalLength;
  c.wireEnd = ipEnd;
  if (c.end > ipEnd) c.end = ipEnd;
  c.off = o + headerLength;
  return true;
}

/** ipv6.ts, without extension headers: TCP or UDP right after the fixed header. */
inline bool DecodeIpv6(const uint8_t* b, Cursor& c, Packet& p) {
  const int64_t o = c.off;
  if (c.end - o < 40) return false;
  if ((b[o] >> 4) != 6) return false;
  p.l4Protocol = b[o + 6];
  if (p.l4Protocol != kProtoTcp && p.l4Protocol != kProtoUdp) return false;
  p.ipVersion = 6;
  p.l3 = o;
  const int trafficClass = ((b[o] & 15) << 4) | (b[o + 1] >> 4);
  p.dscp = trafficClass >> 2;
  p.ecn = trafficClass & 3;
  p.flowLabel = (uint32_t(b[o + 1] & 15) << 16) | U16(b, o + 2);
  const int64_t payloadLength = U16(b, o + 4);
  p.ttl = b[o + 7];
  for (int i = 0; i < 4; i++) { p.src[i] = U32(b, o + 8 + 4 * i); p.dst[i] = U32(b, o + 24 + 4 * i); }
  int64_t totalLength = 40 + payloadLength;
  if (payloadLength == 0) {
    totalLength = c.wireEnd - o;
    if (totalLength < 40) totalLength = 40;
    p.ipLengthFromFrame = true;
  }
  p.ipTotalLength = totalLength;
  if (c.end > o + totalLength) c.end = o + totalLength;
  p.ipHeaderLength = 40;
  c.wireEnd = o + totalLength;
  c.off = o + 40;
  return true;
}

/** tcp.ts decodeTcpOptions: true when an option was cut by the capture (a stop: fall back). */
bool TcpOptions(const uint8_t* b, int64_t start, int64_t end, int64_t hdrEnd, Packet& p) {
  if (end - start == 12 && b[start] == 1 && b[start + 1] == 1 && b[start + 2] == 8 && b[start + 3] == 10) {
    p.hasTimestamp = true;
    p.tsVal = U32(b, start + 4);
    p.tsEcr = U32(b, start + 8);
    return false;
  }
  int64_t q = start;
  while (q < end) {
    const int kind = b[q];
    if (kind == 0) return false;
    if (kind == 1) { q++; continue; }
    if (q + 1 >= hdrEnd) { p.tcpOptionsMalformed = true; return false; }
    if (q + 1 >= end) return true;
    const int len = b[q + 1];
    if (len < 2 || q + len > hdrEnd) { p.tcpOptionsMalformed = true; return false; }
    if (q + len > end) return true;
    switch (kind) {
      case 2:
        if (len == 4) p.mss = int(U16(b, q + 2)); else p.tcpOptionsMalformed = true;
        break;
      case 3:
        if (len == 3) p.windowScale = b[q + 2]; else p.tcpOptionsMalformed = true;
        break;
      case 4:
        if (len == 2) p.sackPermitted = true; else p.tcpOptionsMalformed = true;
        break;
      case 5: {
        const int blocks = (len - 2) >> 3;
        if ((len - 2) % 8 != 0 || blocks == 0 || blocks > 4) { p.tcpOptionsMalformed = true; break; }
        for (int i = 0; i < blocks; i++) {
          p.sack[2 * i] = U32(b, q + 2 + 8 * i);
          p.sack[2 * i + 1] = U32(b, q + 6 + 8 * i);
        }
        p.sackCount = blocks;
        break;
      }
      case 8:
        if (len == 10) { p.hasTimestamp = true; p.tsVal = U32(b, q + 2); p.tsEcr = U32(b, q + 6); } else p.tcpOptionsMalformed = true;
        break;
      default:
        break;
    }
    q += len;
  }
  return false;
}

/** tcp.ts: the whole header and its options captured (a cut-off header is a stop). */
inline bool DecodeTcp(const uint8_t* b, Cursor& c, Packet& p) {
  const int64_t o = c.off;
  p.l4 = o;
  if (c.end - o < 20) return false;
  p.srcPort = int(U16(b, o));
  p.dstPort = int(U16(b, o + 2));
  p.seq = U32(b, o + 4);
  p.ack = U32(b, o + 8);
  const int headerLength = (b[o + 12] >> 4) * 4;
  if (headerLength < 20) return false;
  const int64_t ipPayload = p.ipTotalLength - p.ipHeaderLength;
  if (headerLength > ipPayload) return false;
  p.tcpHeaderLength = headerLength;
  p.payloadLength = ipPayload - headerLength;
  p.tcpFlags = b[o + 13];
  p.window = int(U16(b, o + 14));
  const int64_t hdrEnd = o + headerLength;
  const int64_t optEnd = hdrEnd < c.end ? hdrEnd : c.end;
  const bool cut = TcpOptions(b, o + 20, optEnd, hdrEnd, p);
  if (hdrEnd > c.end || cut) return false;
  p.payloadCaptured = c.end - hdrEnd;
  return true;
}

/**
 * udp.ts: the ports, once all 8 header bytes are captured (fewer is a stop). UDP sets no payload
 * lengths; its length field only narrows where the datagram ends for a layer after it, and the
 * only one TypeScript decodes is VXLAN, which is handed back.
 */
inline bool DecodeUdp(const uint8_t* b, Cursor& c, Packet& p) {
  const int64_t o = c.off;
  p.l4 = o;
  if (c.end - o < 8) return false;
  p.srcPort = int(U16(b, o));
  p.dstPort = int(U16(b, o + 2));
  return p.dstPort != kVxlanPort;
}

/** arp.ts: Ethernet/IPv4 ARP with all four addresses captured (anything else is a stop). */
inline bool DecodeArp(const uint8_t* b, Cursor& c, Packet& p) {
  const int64_t o = c.off;
  if (c.end - o < 28) return false;
  if (U16(b, o) != 1 || U16(b, o + 2) != 0x0800 || b[o + 4] != 6 || b[o + 5] != 4) return false;
  p.isArp = true;
  p.arpOp = int(U16(b, o + 6));
  p.arpSenderMac = Mac48(b, o + 8);
  p.arpSenderIp = U32(b, o + 14);
  p.arpTargetMac = Mac48(b, o + 18);
  p.arpTargetIp = U32(b, o + 24);
  return true;
}

/**
 * Whether a frame whose record carries its bytes may be taken: RecordPacker copies capturedLength
 * bytes from the frame's offset (a shorter copy when the buffer ends first, leaving the rest of the
 * record as it was: not something to reproduce), and the record must stay within kMaxRecordBytes.
 */
inline bool BytesFit(const double* d, int64_t dataLength) {
  const int64_t captured = int64_t(d[kCaptured]);
  return captured <= kMaxBytesCaptured && int64_t(d[kOffset]) + captured <= dataLength;
}

/** Decode one frame (decode-frame.ts); false: leave it to the TypeScript decoder. */
bool Decode(const uint8_t* b, int64_t dataLength, const double* d, Packet& p) {
  if (int(d[kLinkType]) != LINKTYPE_ETHERNET) return false;
  // decode-frame.ts: lengths clamped the same way.
  const int64_t start = int64_t(d[kOffset]);
  const int64_t captured = int64_t(d[kCaptured]);
  const int64_t original = int64_t(d[kOriginal]);
  const int64_t fcs = d[kFcs] > 0 ? int64_t(d[kFcs]) : 0;
  const int64_t onWire = original > captured ? original : captured;
  int64_t wireEnd = start + onWire - fcs;
  if (wireEnd < start) wireEnd = start;
  int64_t end = start + (captured > 0 ? captured : 0);
  if (end > dataLength) end = dataLength;
  if (end > wireEnd) end = wireEnd;
  if (end < start) end = start;
  Cursor c{start, end, wireEnd};

  p = Packet();
  if (!DecodeEthernet(b, c, p)) return false;
  switch (p.etherType) {
    case kEtherIpv4: if (!DecodeIpv4(b, c, p)) return false; break;
    case kEtherIpv6: if (!DecodeIpv6(b, c, p)) return false; break;
    case kEtherArp: return DecodeArp(b, c, p) && BytesFit(d, dataLength);
    default: return false;
  }
  if (p.l4Protocol == kProtoTcp) return DecodeTcp(b, c, p);
  return DecodeUdp(b, c, p) && BytesFit(d, dataLength);
}

inline uint32_t Mix(uint32_t h, uint32_t v) {
  h ^= v * 0xcc9e2d51u;
  h = (h << 13) | (h >> 19);
  return h * 5 + 0xe6546b64u;
}

/**
 * The slot of this packet's connection (both directions share it) and which side sent it:
 * side 0 when the sender is the smaller endpoint (address words, then port).
 */
uint32_t FlowSlot(int32_t* table, const Packet& p, uint32_t iface, uint32_t* side) {
  bool srcFirst = p.srcPort <= p.dstPort;
  for (int i = 0; i < 4; i++) {
    if (p.src[i] != p.dst[i]) { srcFirst = p.src[i] < p.dst[i]; break; }
  }
  *side = srcFirst ? 0 : 1;
  const uint32_t* a = srcFirst ? p.src : p.dst;
  const uint32_t* b = srcFirst ? p.dst : p.src;
  uint32_t key[kFlowWords - 1];
  key[0] = 1u | (uint32_t(p.ipVersion) << 8);
  key[1] = iface;
  for (int i = 0; i < 4; i++) { key[2 + i] = a[i]; key[6 + i] = b[i]; }
  key[10] = srcFirst ? (uint32_t(p.srcPort) | (uint32_t(p.dstPort) << 16)) : (uint32_t(p.dstPort) | (uint32_t(p.srcPort) << 16));
  uint32_t h = 0x9747b28cu;
  for (int i = 0; i < kFlowWords - 1; i++) h = Mix(h, key[i]);
  h ^= h >> 16; h *= 0x85ebca6bu; h ^= h >> 13;
  uint32_t* slots = reinterpret_cast<uint32_t*>(table + kFlowHeader);
  for (int attempt = 0; attempt < 2; attempt++) {
    for (uint32_t i = h & (kFlowSlots - 1);; i = (i + 1) & (kFlowSlots - 1)) {
      uint32_t* e = slots + size_t(i) * kFlowWords;
      if (e[0] == 0) {
        if (uint32_t(table[0]) >= kFlowMaxUsed) break;  // full enough: start a new epoch
        std::memcpy(e, key, sizeof key);
        table[0]++;
        return i;
      }
      if (std::memcmp(e, key, sizeof key) == 0) return i;
    }
    std::memset(slots, 0, size_t(kFlowSlots) * kFlowWords * 4);
    table[0] = 0;
    table[1]++;
  }
  return 0;  // not reached: an empty table always has room
}

/** ToInt32 of an integral double, as a store into an Int32Array does. */
inline int32_t I32(double v) { return int32_t(uint32_t(int64_t(v))); }

/** RecordPacker.measure: the record's flags and size in bytes (8-aligned). */
struct Layout {
  uint32_t flags;
  int size;
};

Layout Measure(const double* d, const Packet& p) {
  Layout l{F_PACKED, BASE_WORDS * 4};
  // Rare sections travel only when some field differs from its reset value.
  if (p.ipVersion == 6 || (p.src[1] | p.src[2] | p.src[3] | p.dst[1] | p.dst[2] | p.dst[3]) != 0) { l.flags |= F_V6; l.size += V6_WORDS * 4; }
  if (p.sackCount > 0) { l.flags |= F_SACK; l.size += SACK_WORDS * 4; }
  if (p.isArp) { l.flags |= F_ARP; l.size += ARP_WORDS * 4; }
  // Only a TCP record travels without the frame's bytes.
  if (p.l4Protocol != kProtoTcp) { l.flags |= F_BYTES; l.size = (l.size + int(d[kCaptured]) + 7) & ~7; }
  return l;
}

/**
 * RecordPacker.write for a frame Decode took, measured as `l`; `b` holds the frame's bytes (copied
 * when the record carries them). With `flows`, a TCP record gets its connection's slot; every other
 * record keeps -1 and epoch 0, as TypeScript writes them.
 */
void Write(uint8_t* rec, const uint8_t* b, const double* d, const Packet& p, Layout l, int32_t* flows) {
  auto w32 = [rec](int word, uint32_t v) { std::memcpy(rec + word * 4, &v, 4); };
  auto f64 = [rec](int slot, double v) { std::memcpy(rec + slot * 8, &v, 8); };
  w32(W_SIZE, uint32_t(l.size));
  w32(W_FLAGS, l.flags);
  f64(D_TS_SEC, d[kTsSec]); f64(D_FRAME_NUMBER, d[kFrameNumber]); f64(D_FILE_OFFSET, d[kFileOffset]);
  w32(W_TS_NSEC, uint32_t(I32(d[kTsNsec]))); w32(W_CAPTURED, uint32_t(I32(d[kCaptured])));
  w32(W_ORIGINAL, uint32_t(I32(d[kOriginal]))); w32(W_LINK_TYPE, uint32_t(I32(d[kLinkType])));
  w32(W_FCS, uint32_t(I32(d[kFcs]))); w32(W_INTERFACE, uint32_t(I32(d[kInterface])));
  f64(D_SRC_MAC, p.srcMac); f64(D_DST_MAC, p.dstMac);
  f64(D_IP_TOTAL_LENGTH, double(p.ipTotalLength)); f64(D_PAYLOAD_LENGTH, double(p.payloadLength));
  // Ethernet always has MACs; fragments are never taken, so B_IS_FRAGMENT and B_MORE_FRAGMENTS stay clear.
  w32(W_BITS, B_HAS_MACS | (p.ipLengthFromFrame ? B_IP_LENGTH_FROM_FRAME : 0) | (p.dontFragment ? B_DONT_FRAGMENT : 0)
    | (p.sackPermitted ? B_SACK_PERMITTED : 0) | (p.hasTimestamp ? B_HAS_TIMESTAMP : 0)
    | (p.tcpOptionsMalformed ? B_TCP_OPTIONS_MALFORMED : 0)
    | (uint32_t(p.tcpFlags) << 8) | (uint32_t(p.ttl) << 16) | (uint32_t(p.ecn) << 24) | (uint32_t(p.dscp) << 26));
  w32(W_PORTS, uint32_t(p.srcPort) | (uint32_t(p.dstPort) << 16));
  w32(W_SEQ, p.seq); w32(W_ACK, p.ack);
  w32(W_TCP, uint32_t(p.window) | (uint32_t(p.tcpHeaderLength) << 16) | (uint32_t(p.sackCount) << 24) | (uint32_t(p.ipVersion) << 28));
  w32(W_SRC0, p.src[0]); w32(W_DST0, p.dst[0]);
  // Offsets relative to the frame; a layer that is absent (offset 0) is NO_OFFSET.
  const int64_t start = int64_t(d[kOffset]);
  w32(W_L3_OFFSET, uint32_t(p.l3 == 0 ? NO_OFFSET : int32_t(p.l3 - start)));
  w32(W_L4_OFFSET, uint32_t(p.l4 == 0 ? NO_OFFSET : int32_t(p.l4 - start)));
  w32(W_IP_HEADER_LENGTH, uint32_t(p.ipHeaderLength)); w32(W_IP_ID, uint32_t(p.ipId));
  w32(W_PAYLOAD_CAPTURED, uint32_t(int32_t(p.payloadCaptured))); w32(W_MSS, uint32_t(p.mss));
  w32(W_WINDOW_SCALE, uint32_t(p.windowScale)); w32(W_TS_VAL, p.tsVal); w32(W_TS_ECR, p.tsEcr);
  w32(W_L4_PROTOCOL, uint32_t(p.l4Protocol));
  w32(W_ETHER_TYPE, uint32_t(p.etherType)); w32(W_VLAN_COUNT, uint32_t(p.vlanCount)); w32(W_VLAN0, uint32_t(p.vlan0));
  w32(W_VLAN1, uint32_t(p.vlan1)); w32(W_SLL_TYPE, uint32_t(-1)); w32(W_FLOW_LABEL, p.flowLabel); w32(W_FRAGMENT_OFFSET, 0);
  if (flows != nullptr && p.l4Protocol == kProtoTcp) {
    uint32_t side;
    const uint32_t slot = FlowSlot(flows, p, uint32_t(I32(d[kInterface])), &side);
    w32(W_FLOW, slot | (side << 16)); w32(W_FLOW_EPOCH, uint32_t(flows[1]));
  } else {
    w32(W_FLOW, uint32_t(-1)); w32(W_FLOW_EPOCH, 0);
  }
  int w = BASE_WORDS;
  if ((l.flags & F_V6) != 0) {
    w32(w, p.src[1]); w32(w + 1, p.src[2]); w32(w + 2, p.src[3]);
    w32(w + 3, p.dst[1]); w32(w + 4, p.dst[2]); w32(w + 5, p.dst[3]);
    w += V6_WORDS;
  }
  if ((l.flags & F_SACK) != 0) {
    // Only the last SACK option's edges count: a header with two leaves the first one's beyond
    // them, and RecordPacker writes zeros there.
    const int edges = 2 * p.sackCount;
    for (int i = 0; i < 8; i++) w32(w + i, i < edges ? p.sack[i] : 0);
    w += SACK_WORDS;
  }
  if ((l.flags & F_ARP) != 0) {
    f64(w >> 1, p.arpSenderMac); f64((w >> 1) + 1, p.arpTargetMac);
    w32(w + 4, 1); w32(w + 5, uint32_t(p.arpOp)); w32(w + 6, p.arpSenderIp); w32(w + 7, p.arpTargetIp);
    w += ARP_WORDS;
  }
  if ((l.flags & F_BYTES) != 0) {
    // The captured bytes as they are (FCS and Ethernet padding included), then zeros to the
    // 8-byte boundary, as RecordPacker.write leaves the record.
    const int64_t captured = int64_t(d[kCaptured]);
    std::memcpy(rec + w * 4, b + start, size_t(captured));
    std::memset(rec + w * 4 + captured, 0, size_t(l.size - w * 4 - captured));
  }
}

/** Data pointer and length of a typed array (also over a SharedArrayBuffer). */
bool TypedArrayBytes(napi_env env, napi_value v, void** data, size_t* bytes) {
  napi_typedarray_type type;
  size_t length;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, &length, data, &ab, &offset) != napi_ok) return false;
  size_t element = 1;
  if (type == napi_float64_array) element = 8;
  else if (type == napi_int32_array || type == napi_uint32_array) element = 4;
  *bytes = length * element;
  return true;
}

inline uint32_t Le32(const uint8_t* b, int64_t o) {
  return uint32_t(b[o]) | (uint32_t(b[o + 1]) << 8) | (uint32_t(b[o + 2]) << 16) | (uint32_t(b[o + 3]) << 24);
}
inline uint32_t Be32(const uint8_t* b, int64_t o) { return U32(b, o); }

/** The optional flow table argument at `index` (native-packer.ts newFlowTable), or null when absent. */
int32_t* FlowTableArgument(const Napi::CallbackInfo& info, size_t index, const char* fn) {
  if (info.Length() <= index || info[index].IsUndefined()) return nullptr;
  void* flowsPtr; size_t flowsBytes;
  if (!TypedArrayBytes(info.Env(), info[index], &flowsPtr, &flowsBytes) || flowsBytes != kFlowTableWords * 4) {
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": flows must be an Int32Array of the flow table's size");
  }
  return static_cast<int32_t*>(flowsPtr);
}

// --- classic pcap records (src/source/pcap-reader.ts) -----------------------------------------
constexpr int kPcapRecordHeader = 16;
/** pcap-reader.ts MAX_PCAP_RECORD. */
constexpr uint32_t kMaxPcapRecord = 262144;
/** native-packer.ts PCAP_HEADER_* slots. */
enum PcapHeader { kPcapLittleEndian = 0, kPcapNanos, kPcapSnaplen, kPcapLinkType, kPcapFcs, kPcapFrameNumber, kPcapFileOffset, kPcapHeaderSlots };
/** native-packer.ts PCAP_OUT_* slots. */
enum PcapOut { kOutFrames = 0, kOutWritten, kOutConsumed, kOutTruncated, kOutFirstSec, kOutFirstNsec, kOutLastSec, kOutLastNsec, kPcapOutSlots };

}  // namespace

/**
 * packPcap(data: Uint8Array, start, end, header: Float64Array, ring: Uint8Array, at, room, out: Float64Array[, flows])
 * Frames and packs the classic pcap records in data[start, end) as pcap-reader.ts and the decoder
 * would, while each is a plain Ethernet record packFrames takes: it stops before one it does not take
 * (incomplete, over the limits or the snaplen, a sub-second field of a second or more, any frame
 * packFrames would hand back) and the TypeScript reader continues there. header: byte order,
 * nanosecond stamps, snaplen, link type, FCS length, the last frame number given, the stream
 * offset of data[start]. out: frames, bytes written, bytes consumed, truncated frames, and the
 * earliest and latest stamps among them. Returns 0, or 1 when the ring had no room for the next
 * record (a run given kMaxRecordBytes of room always has room for one).
 */
Napi::Value PackPcap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 8) throw Napi::TypeError::New(env, "packPcap expects 8 arguments");
  void* dataPtr; size_t dataBytes;
  void* headerPtr; size_t headerBytes;
  void* ringPtr; size_t ringBytes;
  void* outPtr; size_t outBytes;
  if (!TypedArrayBytes(env, info[0], &dataPtr, &dataBytes) || !TypedArrayBytes(env, info[3], &headerPtr, &headerBytes)
      || !TypedArrayBytes(env, info[4], &ringPtr, &ringBytes) || !TypedArrayBytes(env, info[7], &outPtr, &outBytes)
      || headerBytes < kPcapHeaderSlots * 8 || outBytes < kPcapOutSlots * 8) {
    throw Napi::TypeError::New(env, "packPcap: data, header, ring and out must be typed arrays of their sizes");
  }
  const int64_t start = info[1].As<Napi::Number>().Int64Value();
  const int64_t end = info[2].As<Napi::Number>().Int64Value();
  const int64_t at = info[5].As<Napi::Number>().Int64Value();
  const int64_t room = info[6].As<Napi::Number>().Int64Value();
  if (start < 0 || end < start || end > int64_t(dataBytes) || at < 0 || room < 0 || at + room > int64_t(ringBytes) || (at & 7) != 0) {
    throw Napi::RangeError::New(env, "packPcap: arguments out of range");
  }
  int32_t* flows = FlowTableArgument(info, 8, "packPcap");
  const uint8_t* data = static_cast<const uint8_t*>(dataPtr);
  const double* header = static_cast<const double*>(headerPtr);
  uint8_t* ring = static_cast<uint8_t*>(ringPtr);
  double* out = static_cast<double*>(outPtr);
  const bool le = header[kPcapLittleEndian] != 0;
  const bool nanos = header[kPcapNanos] != 0;
  const double snaplen = header[kPcapSnaplen];
  double frameNumber = header[kPcapFrameNumber];
  const double fileOffset = header[kPcapFileOffset];

  double d[kDescriptorSlots];
  d[kLinkType] = header[kPcapLinkType];
  d[kFcs] = header[kPcapFcs];
  d[kInterface] = 0;
  Packet p;
  int64_t pos = start;
  int64_t used = 0;
  double frames = 0, truncated = 0;
  double firstSec = 0, firstNsec = 0, lastSec = 0, lastNsec = 0;
  Status status = kDone;
  while (end - pos >= kPcapRecordHeader) {
    const uint32_t caplen = le ? Le32(data, pos + 8) : Be32(data, pos + 8);
    if (caplen > kMaxPcapRecord || end - pos < kPcapRecordHeader + int64_t(caplen)) break;
    if (snaplen > 0 && double(caplen) > snaplen) break;  // the reader warns about it
    const uint32_t sec = le ? Le32(data, pos) : Be32(data, pos);
    const uint32_t frac = le ? Le32(data, pos + 4) : Be32(data, pos + 4);
    const double nsec = nanos ? double(frac) : double(frac) * 1000;
    if (nsec >= 1e9) break;  // the reader carries it into the seconds
    d[kOffset] = double(pos + kPcapRecordHeader);
    d[kCaptured] = double(caplen);
    d[kOriginal] = double(le ? Le32(data, pos + 12) : Be32(data, pos + 12));
    d[kTsSec] = double(sec);
    d[kTsNsec] = nsec;
    d[kFrameNumber] = frameNumber + 1;
    d[kFileOffset] = fileOffset + double(pos - start);
    if (!Decode(data, int64_t(dataBytes), d, p)) break;
    // Room is checked with the record's own size: a run is given at least kMaxRecordBytes.
    const Layout l = Measure(d, p);
    if (used + l.size > room) { status = kNeedRoom; break; }
    Write(ring + at + used, data, d, p, l, flows);
    used += l.size;
    frameNumber += 1;
    if (d[kCaptured] < d[kOriginal]) truncated += 1;
    if (frames == 0) {
      firstSec = lastSec = d[kTsSec]; firstNsec = lastNsec = nsec;
    } else {
      if (d[kTsSec] < firstSec || (d[kTsSec] == firstSec && nsec < firstNsec)) { firstSec = d[kTsSec]; firstNsec = nsec; }
      if (d[kTsSec] > lastSec || (d[kTsSec] == lastSec && nsec > lastNsec)) { lastSec = d[kTsSec]; lastNsec = nsec; }
    }
    frames += 1;
    pos += kPcapRecordHeader + int64_t(caplen);
  }
  out[kOutFrames] = frames;
  out[kOutWritten] = double(used);
  out[kOutConsumed] = double(pos - start);
  out[kOutTruncated] = truncated;
  out[kOutFirstSec] = firstSec; out[kOutFirstNsec] = firstNsec;
  out[kOutLastSec] = lastSec; out[kOutLastNsec] = lastNsec;
  return Napi::Number::New(env, status);
}

/**
 * packFrames(data: Uint8Array, desc: Float64Array, from, count, ring: Uint8Array, at, room, out: Int32Array[, flows: Int32Array])
 * Packs frames desc[from .. from+count) (their bytes in `data`) as records into ring[at, at+room).
 * With `flows` (the worker's flow table), records carry their connection's slot; without, -1.
 * Returns 0 (all packed), 1 (no room for the next record; kMaxRecordBytes of room always holds one) or 2 (frame from+out[0] needs the
 * TypeScript decoder); out[0] = frames packed, out[1] = bytes written.
 */
Napi::Value PackFrames(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 8) throw Napi::TypeError::New(env, "packFrames expects 8 arguments");
  void* dataPtr; size_t dataBytes;
  void* descPtr; size_t descBytes;
  void* ringPtr; size_t ringBytes;
  void* outPtr; size_t outBytes;
  if (!TypedArrayBytes(env, info[0], &dataPtr, &dataBytes) || !TypedArrayBytes(env, info[1], &descPtr, &descBytes)
      || !TypedArrayBytes(env, info[4], &ringPtr, &ringBytes) || !TypedArrayBytes(env, info[7], &outPtr, &outBytes)
      || outBytes < 8) {
    throw Napi::TypeError::New(env, "packFrames: data, desc, ring and out must be typed arrays");
  }
  const int64_t from = info[2].As<Napi::Number>().Int64Value();
  const int64_t count = info[3].As<Napi::Number>().Int64Value();
  const int64_t at = info[5].As<Napi::Number>().Int64Value();
  const int64_t room = info[6].As<Napi::Number>().Int64Value();
  const int64_t frames = int64_t(descBytes / 8 / kDescriptorSlots);
  if (from < 0 || count < 0 || from + count > frames || at < 0 || room < 0 || at + room > int64_t(ringBytes) || (at & 7) != 0) {
    throw Napi::RangeError::New(env, "packFrames: arguments out of range");
  }
  const uint8_t* data = static_cast<const uint8_t*>(dataPtr);
  const double* desc = static_cast<const double*>(descPtr);
  uint8_t* ring = static_cast<uint8_t*>(ringPtr);
  int32_t* out = static_cast<int32_t*>(outPtr);
  int32_t* flows = FlowTableArgument(info, 8, "packFrames");
  Packet p;
  int64_t used = 0;
  int64_t i = 0;
  Status status = kDone;
  for (; i < count; i++) {
    const double* d = desc + (from + i) * kDescriptorSlots;
    // A descriptor pointing outside the data would be a bug upstream: let TypeScript handle it.
    if (d[kOffset] < 0 || d[kOffset] > double(dataBytes) || !Decode(data, int64_t(dataBytes), d, p)) { status = kFallback; break; }
    // Room is checked with the record's own size: a run is given at least kMaxRecordBytes.
    const Layout l = Measure(d, p);
    if (used + l.size > room) { status = kNeedRoom; break; }
    Write(ring + at + used, data, d, p, l, flows);
    used += l.size;
  }
  out[0] = int32_t(i);
  out[1] = int32_t(used);
  return Napi::Number::New(env, status);
}

}  // namespace vma
