// See tcp-health.h. Each function here mirrors the TypeScript method of the same name in
// src/analysis/health/tcp-health-observer.ts; the state mirrors direction-health.ts. Sequence
// numbers are uint32 compared modulo 2^32 (Gt/Lt/Le), times are run seconds as doubles, computed
// with the same IEEE operations in the same order, so both give the same numbers.
#include "tcp-health.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace vma {
namespace {

// Packet entries (native-health-observer.ts writes them): Int32 words per entry.
constexpr int E_ID = 0, E_BITS = 1, E_SEQ = 2, E_ACK = 3, E_WINDOW = 4, E_PAYLOAD = 5, E_IP_LENGTH = 6,
              E_MSS = 7, E_WINDOW_SCALE = 8, E_INPUT = 9, E_STRIDE = 10;
// E_BITS: direction, an op that resets the id's state instead of a packet, IP DF, SACK permitted,
// the packet is a decode worker's record (E_SEQ holds its byte offset in the ring, the other words
// and the Float64 slots are unused), TCP flags << 8, DSCP << 16.
constexpr uint32_t EB_DIR = 1, EB_RESET = 2, EB_DF = 4, EB_SACK_PERMITTED = 8, EB_RECORD = 16;
constexpr int E_RECORD_AT = E_SEQ;
// Float64 slots per entry: run time, frame number.
constexpr int T_TIME = 0, T_FRAME = 1, T_STRIDE = 2;

// The fields of a packed-frame record (src/decode/packed-frame.ts; frame-packer.cc writes them)
// that the health pass reads: Float64 slots and Int32 words.
constexpr int D_TS_SEC = 1, D_FRAME_NUMBER = 2, D_IP_TOTAL_LENGTH = 6, D_PAYLOAD_LENGTH = 7;
constexpr int W_TS_NSEC = 16, W_BITS = 20, W_SEQ = 21, W_ACK = 22, W_TCP = 23, W_MSS = 24, W_WINDOW_SCALE = 25;
constexpr int kRecordMinBytes = (W_WINDOW_SCALE + 1) * 4;
constexpr uint32_t B_DONT_FRAGMENT = 4, B_SACK_PERMITTED = 32;

constexpr uint32_t TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_ACK = 0x10;
constexpr uint32_t SFR = TCP_SYN | TCP_FIN | TCP_RST;

// Analysis flags: direction-health.ts A_*.
constexpr uint32_t A_RETRANSMISSION = 0x001, A_FAST_RETRANSMISSION = 0x002, A_SPURIOUS_RETRANSMISSION = 0x004,
                   A_OUT_OF_ORDER = 0x008, A_LOST_SEGMENT = 0x010, A_ACK_LOST_SEGMENT = 0x020, A_DUPLICATE_ACK = 0x040,
                   A_ZERO_WINDOW = 0x080, A_WINDOW_FULL = 0x100, A_KEEP_ALIVE = 0x200, A_ZERO_WINDOW_PROBE = 0x400,
                   A_KEEP_ALIVE_ACK = 0x800, A_ZERO_WINDOW_PROBE_ACK = 0x1000;

constexpr int RTT_RING = 64;
constexpr int RING_MASK = RTT_RING - 1;
constexpr double FAST_RETRANS_WINDOW = 0.02;
constexpr double DEFAULT_OOO_THRESHOLD = 0.003;
constexpr int STANDARD_MTU = 1500;
constexpr int BLACKHOLE_RESENDS = 3;

// RttHistogram (rtt-histogram.ts).
constexpr int BINS_PER_DECADE = 20, MIN_EXP = -6, DECADES = 9, NBINS = BINS_PER_DECADE * DECADES;

inline bool Gt(uint32_t a, uint32_t b) { return int32_t(a - b) > 0; }
inline bool Lt(uint32_t a, uint32_t b) { return int32_t(a - b) < 0; }
inline bool Le(uint32_t a, uint32_t b) { return int32_t(a - b) <= 0; }

/** FrameList: the first `Cap` frames of one kind of event; storage at the first (most lists stay empty). */
template <int Cap>
struct FrameList {
  struct Ref { uint32_t input; double frame; };
  int length = 0;
  std::unique_ptr<Ref[]> refs;
  void Add(uint32_t input, double frame) {
    if (length >= Cap) return;
    if (!refs) refs.reset(new Ref[Cap]);
    refs[length] = Ref{input, frame};
    length++;
  }
  static constexpr int kSlots = 1 + 2 * Cap;
  double* Export(double* out) const {
    out[0] = length;
    for (int i = 0; i < Cap; i++) {
      out[1 + 2 * i] = i < length ? refs[i].input : 0;
      out[2 + 2 * i] = i < length ? refs[i].frame : 0;
    }
    return out + kSlots;
  }
};

struct RttHistogram {
  double count = 0, min = INFINITY, max = 0, sum = 0;
  std::unique_ptr<uint32_t[]> bins;
  void Add(double seconds) {
    if (!(seconds >= 0)) return;
    count++;
    sum += seconds;
    if (seconds < min) min = seconds;
    if (seconds > max) max = seconds;
    if (!bins) bins.reset(new uint32_t[NBINS]());
    bins[BinOf(seconds)]++;
  }
  static int BinOf(double seconds) {
    if (seconds <= 0) return 0;
    const double b = std::floor((std::log10(seconds) - MIN_EXP) * BINS_PER_DECADE);
    return b < 0 ? 0 : b >= NBINS ? NBINS - 1 : int(b);
  }
};

/** DirectionHealth: one direction of one stream, this side as the sender. */
struct Direction {
  uint32_t nextSeq = 0, maxSeqToBeAcked = 0, lastAck = 0;
  double nextSeqT = 0, lastAckT = 0;
  int32_t window = -1, winScale = -1, dupAckNum = 0;
  uint32_t lastSegFlags = 0;

  double segments = 0, dataSegments = 0, retransmissions = 0, retransmittedBytes = 0, fastRetransmissions = 0,
         spuriousRetransmissions = 0, outOfOrder = 0, lostSegments = 0, ackedUnseen = 0, duplicateAcks = 0,
         tripleDuplicateAcks = 0, zeroWindows = 0, windowFull = 0, keepAlives = 0, zeroWindowProbes = 0;

  int32_t mss = -1, synWindowScale = -1;
  bool sackPermitted = false, synSeen = false;
  double maxPayload = 0, maxIpLength = 0, segmentsOverMss = 0, dfPackets = 0;
  uint32_t dscpLo = 0, dscpHi = 0;

  double lastDataT = -1, longestGap = 0, longestGapEndInput = 0, longestGapEndFrame = 0, maxInFlight = 0;
  RttHistogram rtt;
  std::unique_ptr<uint32_t[]> ringEnd;
  std::unique_ptr<double[]> ringT;
  int ringHead = 0, ringLen = 0;
  bool acked = false, ackSeen = false;
  uint32_t firstSeq = 0;
  double lastPayload = 0, lastIpLength = 0;

  uint32_t bigRetransSeq = 0;
  int bigRetransCount = 0;
  double bigRetransFirstInput = 0, bigRetransFirstFrame = 0, blackholeEpisodes = 0;
  FrameList<4> blackholeFrames;

  FrameList<8> retransFrames;
  FrameList<8> zeroWindowFrames;
  FrameList<4> lostFrames;
  FrameList<4> ackedUnseenFrames;
  FrameList<4> synFrames;
  FrameList<2> rstFrames;
};

/** StreamHealth. */
struct Stream {
  Direction dirs[2];
  double synT = -1, synAckT = -1, handshakeAckT = -1, firstRtt = 0;
  int32_t rstDir = -1;
  bool rstRefusedSyn = false;
};

/** One packet's fields, as the observer reads them from ObservedPacket and ObservedFrame. */
struct Pkt {
  uint32_t flags, seq, ack;
  int32_t window, seglen, ipLength, mss, windowScale, dscp;
  bool df, sackPermitted;
  uint32_t input;
  double frame;
};

// Exported per direction: the scalars in this order (native-health-observer.ts DIRECTION_FIELDS),
// then the RTT histogram (count, min, max, sum, bins), then the frame lists.
constexpr int kDirScalars = 51;
constexpr int kDirSlots = kDirScalars + 4 + NBINS + FrameList<8>::kSlots * 2 + FrameList<4>::kSlots * 4 + FrameList<2>::kSlots;
constexpr int kStreamScalars = 6;
constexpr int kStateSlots = 2 * kDirSlots + kStreamScalars;

double* ExportDirection(const Direction& d, double* o) {
  const double v[kDirScalars] = {
    double(d.nextSeq), double(d.maxSeqToBeAcked), double(d.lastAck), d.nextSeqT, d.lastAckT, double(d.window),
    double(d.winScale), double(d.dupAckNum), double(d.lastSegFlags),
    d.segments, d.dataSegments, d.retransmissions, d.retransmittedBytes, d.fastRetransmissions, d.spuriousRetransmissions,
    d.outOfOrder, d.lostSegments, d.ackedUnseen, d.duplicateAcks, d.tripleDuplicateAcks, d.zeroWindows, d.windowFull,
    d.keepAlives, d.zeroWindowProbes,
    double(d.mss), double(d.synWindowScale), d.sackPermitted ? 1.0 : 0.0, d.synSeen ? 1.0 : 0.0, d.maxPayload,
    d.maxIpLength, d.segmentsOverMss, d.dfPackets, double(int32_t(d.dscpLo)), double(int32_t(d.dscpHi)),
    d.lastDataT, d.longestGap, d.longestGapEndInput, d.longestGapEndFrame, d.maxInFlight, double(d.ringHead),
    double(d.ringLen), d.acked ? 1.0 : 0.0, d.ackSeen ? 1.0 : 0.0, double(d.firstSeq), d.lastPayload, d.lastIpLength,
    double(d.bigRetransSeq), double(d.bigRetransCount), d.bigRetransFirstInput, d.bigRetransFirstFrame,
    d.blackholeEpisodes,
  };
  for (int i = 0; i < kDirScalars; i++) *o++ = v[i];
  *o++ = d.rtt.count; *o++ = d.rtt.min; *o++ = d.rtt.max; *o++ = d.rtt.sum;
  for (int i = 0; i < NBINS; i++) *o++ = d.rtt.bins ? d.rtt.bins[i] : 0;
  o = d.retransFrames.Export(o);
  o = d.zeroWindowFrames.Export(o);
  o = d.lostFrames.Export(o);
  o = d.ackedUnseenFrames.Export(o);
  o = d.synFrames.Export(o);
  o = d.rstFrames.Export(o);
  o = d.blackholeFrames.Export(o);
  return o;
}

void Blackhole(Direction& fwd, const Direction& rev, uint32_t seq, const Pkt& p) {
  const bool full = fwd.lastIpLength > STANDARD_MTU || (rev.mss > 0 && fwd.lastPayload >= rev.mss * 0.9);
  if (!full) return;
  if (fwd.bigRetransCount > 0 && seq == fwd.bigRetransSeq) {
    fwd.bigRetransCount++;
  } else {
    fwd.bigRetransSeq = seq; fwd.bigRetransCount = 1; fwd.bigRetransFirstInput = p.input; fwd.bigRetransFirstFrame = p.frame;
  }
  if (fwd.bigRetransCount == BLACKHOLE_RESENDS) {
    fwd.blackholeEpisodes++;
    fwd.blackholeFrames.Add(uint32_t(fwd.bigRetransFirstInput), fwd.bigRetransFirstFrame);
    fwd.blackholeFrames.Add(p.input, p.frame);
  }
}

void Count(Direction& fwd, uint32_t a, const Pkt& p, Direction& rev) {
  if ((a & A_RETRANSMISSION) != 0) {
    fwd.retransmissions++;
    fwd.retransmittedBytes += p.seglen;
    fwd.retransFrames.Add(p.input, p.frame);
    // The retransmission series per time bucket are kept by the TypeScript side (it sees `a`).
    fwd.ringLen = 0;  // Karn's rule
    if (p.seglen > 0) Blackhole(fwd, rev, p.seq, p);
  }
  if ((a & A_FAST_RETRANSMISSION) != 0) fwd.fastRetransmissions++;
  if ((a & A_SPURIOUS_RETRANSMISSION) != 0) fwd.spuriousRetransmissions++;
  if ((a & A_OUT_OF_ORDER) != 0) fwd.outOfOrder++;
  if ((a & A_LOST_SEGMENT) != 0) { fwd.lostSegments++; fwd.lostFrames.Add(p.input, p.frame); }
  if ((a & A_ACK_LOST_SEGMENT) != 0) { rev.ackedUnseen++; rev.ackedUnseenFrames.Add(p.input, p.frame); }
  if ((a & A_DUPLICATE_ACK) != 0) { fwd.duplicateAcks++; if (fwd.dupAckNum == 3) fwd.tripleDuplicateAcks++; }
  if ((a & A_ZERO_WINDOW) != 0) { fwd.zeroWindows++; fwd.zeroWindowFrames.Add(p.input, p.frame); }
  if ((a & A_WINDOW_FULL) != 0) fwd.windowFull++;
  if ((a & A_KEEP_ALIVE) != 0) fwd.keepAlives++;
  if ((a & A_ZERO_WINDOW_PROBE) != 0) fwd.zeroWindowProbes++;
}

void OnAck(Direction& d, uint32_t ack, double t) {
  if (!d.acked && (!d.synSeen || Gt(ack, d.firstSeq + 1))) d.acked = true;
  if (d.bigRetransCount > 0 && Gt(ack, d.bigRetransSeq)) d.bigRetransCount = 0;
  double sampleT = -1;
  while (d.ringLen > 0) {
    const int i = d.ringHead;
    if (!Le(d.ringEnd[i], ack)) break;
    sampleT = d.ringT[i];
    d.ringHead = (i + 1) & RING_MASK;
    d.ringLen--;
  }
  if (sampleT >= 0) d.rtt.Add(t - sampleT);
}

void TimeSegment(Direction& fwd, uint32_t end, double t) {
  if (fwd.ringLen == 0 || Gt(end, fwd.ringEnd[(fwd.ringHead + fwd.ringLen - 1) & RING_MASK])) {
    if (!fwd.ringEnd) { fwd.ringEnd.reset(new uint32_t[RTT_RING]()); fwd.ringT.reset(new double[RTT_RING]()); }
    const int i = (fwd.ringHead + fwd.ringLen) & RING_MASK;
    fwd.ringEnd[i] = end;
    fwd.ringT[i] = t;
    fwd.ringLen++;
  }
}

void Syn(Stream& sh, Direction& fwd, Direction& rev, const Pkt& p, double t) {
  if (!fwd.synSeen) fwd.firstSeq = p.seq;
  fwd.synSeen = true;
  if (p.mss >= 0) fwd.mss = p.mss;
  fwd.sackPermitted = fwd.sackPermitted || p.sackPermitted;
  fwd.synFrames.Add(p.input, p.frame);
  if (p.windowScale >= 0) { fwd.synWindowScale = p.windowScale; fwd.winScale = p.windowScale < 14 ? p.windowScale : 14; }
  if (p.windowScale < 0) { fwd.winScale = -2; rev.winScale = -2; }
  else if ((p.flags & TCP_ACK) != 0 && rev.winScale == -2) fwd.winScale = -2;
  if ((p.flags & TCP_ACK) == 0) sh.synT = t;
  else if (sh.synAckT < 0 && sh.synT >= 0) sh.synAckT = t;
}

void Rst(Stream& sh, Direction& fwd, int dir, const Pkt& p) {
  fwd.rstFrames.Add(p.input, p.frame);
  if (sh.rstDir < 0) {
    sh.rstDir = dir;
    sh.rstRefusedSyn = dir == 1 && sh.synT >= 0 && sh.synAckT < 0;
  }
}

/** TcpHealthObserver.onStreamPacket; returns the packet's analysis flags. */
uint32_t OnStreamPacket(Stream& sh, int dir, const Pkt& p, double t) {
  Direction& fwd = sh.dirs[dir];
  Direction& rev = sh.dirs[1 - dir];
  const uint32_t flags = p.flags, seq = p.seq, ack = p.ack;
  const int32_t seglen = p.seglen, window = p.window;
  uint32_t a = 0;

  fwd.segments++;
  fwd.lastPayload = seglen;
  fwd.lastIpLength = p.ipLength;
  if (seglen > fwd.maxPayload) fwd.maxPayload = seglen;
  if (p.ipLength > fwd.maxIpLength) fwd.maxIpLength = p.ipLength;
  if (rev.mss > 0 && seglen > rev.mss) fwd.segmentsOverMss++;
  if (p.df) fwd.dfPackets++;
  if (p.dscp < 32) fwd.dscpLo |= 1u << p.dscp; else fwd.dscpHi |= 1u << (p.dscp - 32);
  if ((flags & TCP_ACK) != 0) fwd.ackSeen = true;

  if ((flags & TCP_SYN) != 0) {
    Syn(sh, fwd, rev, p, t);
  } else if ((flags & TCP_ACK) != 0) {
    if (sh.synT >= 0 && sh.firstRtt == 0) sh.firstRtt = t - sh.synT;
    if (dir == 0 && sh.synAckT >= 0 && sh.handshakeAckT < 0) sh.handshakeAckT = t;
  }
  if ((flags & TCP_RST) != 0) Rst(sh, fwd, dir, p);

  if (seglen == 1 && seq == fwd.nextSeq && rev.window == 0) {
    a |= A_ZERO_WINDOW_PROBE;
  } else {
    if (window == 0 && (flags & SFR) == 0) a |= A_ZERO_WINDOW;
    if (fwd.nextSeq != 0 && Gt(seq, fwd.nextSeq) && (flags & TCP_RST) == 0) a |= A_LOST_SEGMENT;
    if (seglen <= 1 && seq == fwd.nextSeq - 1 && (flags & SFR) == 0) a |= A_KEEP_ALIVE;
    if (seglen > 0 && rev.winScale != -1 && (flags & SFR) == 0 && rev.window >= 0
        && seq + uint32_t(seglen) == rev.lastAck + (uint32_t(rev.window) << (rev.winScale == -2 ? 0 : rev.winScale))) {
      a |= A_WINDOW_FULL;
    }
    const bool sameAck = seglen == 0 && seq == fwd.nextSeq && ack == fwd.lastAck && window == fwd.window && (flags & SFR) == 0;
    if (sameAck && window != 0 && (rev.lastSegFlags & A_KEEP_ALIVE) != 0) {
      a |= A_KEEP_ALIVE_ACK;
    } else if (sameAck && window == 0 && (rev.lastSegFlags & A_ZERO_WINDOW_PROBE) != 0) {
      a |= A_ZERO_WINDOW_PROBE_ACK;
    } else if (sameAck && window != 0) {
      fwd.dupAckNum = fwd.dupAckNum < 0 ? 1 : fwd.dupAckNum + 1;
      a |= A_DUPLICATE_ACK;
    }
  }
  if (ack != fwd.lastAck) fwd.dupAckNum = 0;

  if (rev.maxSeqToBeAcked != 0 && Gt(ack, rev.maxSeqToBeAcked) && (flags & TCP_ACK) != 0) {
    a |= A_ACK_LOST_SEGMENT;
    rev.maxSeqToBeAcked = rev.nextSeq;
  }

  if ((seglen > 0 || (flags & (TCP_SYN | TCP_FIN)) != 0) && fwd.nextSeq != 0 && Lt(seq, fwd.nextSeq)
      && (a & A_KEEP_ALIVE) == 0 && !(seglen > 1 && fwd.nextSeq - 1 == seq)) {
    const double ooo = sh.firstRtt > 0 ? sh.firstRtt : DEFAULT_OOO_THRESHOLD;
    if (seglen > 0 && rev.dupAckNum >= 2 && rev.lastAck == seq && t - rev.lastAckT < FAST_RETRANS_WINDOW) {
      a |= A_FAST_RETRANSMISSION | A_RETRANSMISSION;
    } else if (t - fwd.nextSeqT < ooo && fwd.nextSeq != seq + uint32_t(seglen)) {
      a |= A_OUT_OF_ORDER;
    } else if (seglen > 0 && rev.lastAck != 0 && Le(seq + uint32_t(seglen), rev.lastAck)) {
      a |= A_SPURIOUS_RETRANSMISSION | A_RETRANSMISSION;
    } else {
      a |= A_RETRANSMISSION;
    }
  }

  uint32_t next = seq + uint32_t(seglen);
  if ((flags & (TCP_SYN | TCP_FIN)) != 0) next++;
  if ((a & A_ZERO_WINDOW_PROBE) == 0) {
    if (fwd.nextSeq == 0 || Gt(next, fwd.nextSeq)) { fwd.nextSeq = next; fwd.nextSeqT = t; }
    if (fwd.maxSeqToBeAcked == 0 || seq == fwd.maxSeqToBeAcked) fwd.maxSeqToBeAcked = fwd.nextSeq;
  }
  fwd.window = window;
  fwd.lastAck = ack;
  fwd.lastAckT = t;
  fwd.lastSegFlags = a;

  if (a != 0) Count(fwd, a, p, rev);
  if ((flags & TCP_ACK) != 0) OnAck(rev, ack, t);
  if (seglen > 0) {
    fwd.dataSegments++;
    if (fwd.lastDataT >= 0 && t - fwd.lastDataT > fwd.longestGap) {
      fwd.longestGap = t - fwd.lastDataT;
      fwd.longestGapEndInput = p.input;
      fwd.longestGapEndFrame = p.frame;
    }
    fwd.lastDataT = t;
    if ((a & (A_RETRANSMISSION | A_OUT_OF_ORDER | A_ZERO_WINDOW_PROBE | A_KEEP_ALIVE)) == 0 && fwd.ringLen < RTT_RING) {
      TimeSegment(fwd, seq + uint32_t(seglen), t);
    }
    if (rev.ackSeen) {
      const int32_t inFlight = int32_t(fwd.nextSeq - rev.lastAck);
      if (inFlight > 0 && inFlight > fwd.maxInFlight) fwd.maxInFlight = inFlight;
    }
  }
  return a;
}

/**
 * A packet's fields from its packed-frame record, as RecordFastPath.take reads them into the
 * observers' packet; returns its run time as RunClock.toT computes it.
 */
double FromRecord(const uint8_t* rec, Pkt& p, double epochSec) {
  auto w32 = [rec](int word) { uint32_t v; std::memcpy(&v, rec + word * 4, 4); return v; };
  auto f64 = [rec](int slot) { double v; std::memcpy(&v, rec + slot * 8, 8); return v; };
  const uint32_t bits = w32(W_BITS);
  p.flags = (bits >> 8) & 0xff;
  p.dscp = int32_t(bits >> 26);
  p.df = (bits & B_DONT_FRAGMENT) != 0;
  p.sackPermitted = (bits & B_SACK_PERMITTED) != 0;
  p.seq = w32(W_SEQ);
  p.ack = w32(W_ACK);
  p.window = int32_t(w32(W_TCP) & 0xffff);
  p.seglen = int32_t(f64(D_PAYLOAD_LENGTH));
  p.ipLength = int32_t(f64(D_IP_TOTAL_LENGTH));
  p.mss = int32_t(w32(W_MSS));
  p.windowScale = int32_t(w32(W_WINDOW_SCALE));
  p.frame = f64(D_FRAME_NUMBER);
  return (f64(D_TS_SEC) - epochSec) + double(int32_t(w32(W_TS_NSEC))) * 1e-9;
}

/** Bounds every id: a stream table never holds this many streams at once (StreamBudget). */
constexpr int64_t kMaxIds = int64_t(1) << 24;

class HealthEngine : public Napi::ObjectWrap<HealthEngine> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "HealthEngine", {
      InstanceMethod<&HealthEngine::Run>("run"),
      InstanceMethod<&HealthEngine::Read>("read"),
      InstanceMethod<&HealthEngine::Layout>("layout"),
    });
  }

  explicit HealthEngine(const Napi::CallbackInfo& info) : Napi::ObjectWrap<HealthEngine>(info) {}

 private:
  std::vector<std::unique_ptr<Stream>> streams_;

  static bool Typed(const Napi::Value& v, napi_typedarray_type want, void** data, size_t* length) {
    if (!v.IsTypedArray()) return false;
    napi_typedarray_type type;
    napi_value ab;
    size_t offset;
    if (napi_get_typedarray_info(v.Env(), v, &type, length, data, &ab, &offset) != napi_ok) return false;
    return type == want;
  }

  /**
   * run(entries: Int32Array, times: Float64Array, count, out: Int32Array, ring: Uint8Array | null,
   * input, epochSec): each entry's analysis flags into out. Record entries read their packet from
   * `ring` (input `input`; run time from the record's timestamp and the run clock's epochSec).
   */
  Napi::Value Run(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    void *ep, *tp, *op, *rp = nullptr;
    size_t en, tn, on, rn = 0;
    if (info.Length() < 7 || !Typed(info[0], napi_int32_array, &ep, &en) || !Typed(info[1], napi_float64_array, &tp, &tn)
        || !info[2].IsNumber() || !Typed(info[3], napi_int32_array, &op, &on)
        || !(info[4].IsNull() || Typed(info[4], napi_uint8_array, &rp, &rn)) || !info[5].IsNumber() || !info[6].IsNumber()) {
      throw Napi::TypeError::New(env, "HealthEngine.run(entries: Int32Array, times: Float64Array, count, out: Int32Array, ring: Uint8Array | null, input, epochSec)");
    }
    const int64_t count = info[2].As<Napi::Number>().Int64Value();
    if (count < 0 || size_t(count) * E_STRIDE > en || size_t(count) * T_STRIDE > tn || size_t(count) > on) {
      throw Napi::RangeError::New(env, "HealthEngine.run: count exceeds the arrays");
    }
    const uint8_t* ring = static_cast<const uint8_t*>(rp);
    const uint32_t ringInput = uint32_t(info[5].As<Napi::Number>().Int64Value());
    const double epochSec = info[6].As<Napi::Number>().DoubleValue();
    const int32_t* e = static_cast<const int32_t*>(ep);
    const double* times = static_cast<const double*>(tp);
    int32_t* out = static_cast<int32_t*>(op);
    for (int64_t k = 0; k < count; k++, e += E_STRIDE, times += T_STRIDE) {
      const int64_t id = e[E_ID];
      if (id < 0 || id >= kMaxIds) throw Napi::RangeError::New(env, "HealthEngine.run: stream id out of range");
      if (size_t(id) >= streams_.size()) streams_.resize(size_t(id) + 1);
      const uint32_t bits = uint32_t(e[E_BITS]);
      if ((bits & EB_RESET) != 0 || !streams_[id]) {
        streams_[id].reset(new Stream());
        if ((bits & EB_RESET) != 0) { out[k] = 0; continue; }
      }
      Pkt p;
      double t;
      if ((bits & EB_RECORD) != 0) {
        const int64_t at = e[E_RECORD_AT];
        if (ring == nullptr || at < 0 || (at & 7) != 0 || size_t(at) + kRecordMinBytes > rn) {
          throw Napi::RangeError::New(env, "HealthEngine.run: a record entry outside the ring");
        }
        t = FromRecord(ring + at, p, epochSec);
        p.input = ringInput;
      } else {
        p.flags = (bits >> 8) & 0xff;
        p.dscp = int32_t((bits >> 16) & 0x3f);
        p.df = (bits & EB_DF) != 0;
        p.sackPermitted = (bits & EB_SACK_PERMITTED) != 0;
        p.seq = uint32_t(e[E_SEQ]);
        p.ack = uint32_t(e[E_ACK]);
        p.window = e[E_WINDOW];
        p.seglen = e[E_PAYLOAD];
        p.ipLength = e[E_IP_LENGTH];
        p.mss = e[E_MSS];
        p.windowScale = e[E_WINDOW_SCALE];
        p.input = uint32_t(e[E_INPUT]);
        p.frame = times[T_FRAME];
        t = times[T_TIME];
      }
      out[k] = int32_t(OnStreamPacket(*streams_[id], int(bits & EB_DIR), p, t));
    }
    return env.Undefined();
  }

  /** read(id, into: Float64Array): the stream's state (layout()[2] slots); false if the id has none. */
  Napi::Value Read(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    void* dp;
    size_t dn;
    if (info.Length() < 2 || !info[0].IsNumber() || !Typed(info[1], napi_float64_array, &dp, &dn) || dn < size_t(kStateSlots)) {
      throw Napi::TypeError::New(env, "HealthEngine.read(id, into: Float64Array of layout()[2] slots)");
    }
    const int64_t id = info[0].As<Napi::Number>().Int64Value();
    if (id < 0 || size_t(id) >= streams_.size() || !streams_[id]) return Napi::Boolean::New(env, false);
    const Stream& s = *streams_[id];
    double* o = static_cast<double*>(dp);
    o = ExportDirection(s.dirs[0], o);
    o = ExportDirection(s.dirs[1], o);
    *o++ = s.synT; *o++ = s.synAckT; *o++ = s.handshakeAckT; *o++ = s.firstRtt; *o++ = s.rstDir; *o++ = s.rstRefusedSyn ? 1 : 0;
    return Napi::Boolean::New(env, true);
  }

  /** [scalars per direction, slots per direction, slots per stream, RTT bins]: checked against the TypeScript side. */
  Napi::Value Layout(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Array a = Napi::Array::New(env, 4);
    a.Set(uint32_t(0), Napi::Number::New(env, kDirScalars));
    a.Set(uint32_t(1), Napi::Number::New(env, kDirSlots));
    a.Set(uint32_t(2), Napi::Number::New(env, kStateSlots));
    a.Set(uint32_t(3), Napi::Number::New(env, NBINS));
    return a;
  }
};

}  // namespace

Napi::Function DefineHealthEngine(Napi::Env env) { return HealthEngine::Define(env); }

}  // namespace vma
