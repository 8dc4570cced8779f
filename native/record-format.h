// Layout of one packet record inside a batch buffer handed to JavaScript.
// Fixed little-endian so the TypeScript reader (readUInt32LE) is right on any host.
#pragma once
#include <cstdint>
#include <cstring>

namespace vma {

// [tsSec u32][tsNsec u32][caplen u32][origlen u32][caplen bytes]
// u32 seconds last until 2106; the 16-byte header keeps records small for headers-only snaplens.
constexpr uint32_t kRecordHeaderBytes = 16;

inline void PutU32LE(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}

inline void WriteRecord(uint8_t* dst, uint32_t tsSec, uint32_t tsNsec, uint32_t caplen,
                        uint32_t origlen, const uint8_t* bytes) {
  PutU32LE(dst, tsSec);
  PutU32LE(dst + 4, tsNsec);
  PutU32LE(dst + 8, caplen);
  PutU32LE(dst + 12, origlen);
  std::memcpy(dst + kRecordHeaderBytes, bytes, caplen);
}

}  // namespace vma
