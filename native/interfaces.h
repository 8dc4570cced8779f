#pragma once
#include <napi.h>

namespace vma {
// listInterfaces(): [{ name, description, addresses, up, running, loopback }]
Napi::Value ListInterfaces(const Napi::CallbackInfo& info);
}  // namespace vma
