// Native fast path of the decode worker: decodes the common frames (Ethernet, VLAN tags,
// IPv4/IPv6, TCP; UDP and ARP too, whose records carry the frame's bytes, up to 512 captured
// bytes) and writes them as packed-frame records (src/decode/packed-frame.ts) straight into the
// shared ring. Any frame it does not decode exactly as src/decode/ does (every other protocol,
// every stopped decode, fragments, IPv6 extension headers, tunnels including VXLAN on UDP 4789,
// larger UDP and ARP frames) is left to the TypeScript decoder: the record bytes are identical
// either way (test/decode/native-packer.test.ts).
#pragma once
#include <napi.h>

namespace vma {

Napi::Value PackFrames(const Napi::CallbackInfo& info);
Napi::Value PackPcap(const Napi::CallbackInfo& info);

}  // namespace vma
