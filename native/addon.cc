// Entry point of the vma_pcap addon: live capture over libpcap for vmotion-analyzer, and the
// decode worker's native fast path (frame-packer.cc), and the TCP health pass (tcp-health.cc).
#include <napi.h>
#include <pcap/pcap.h>

#include "capture.h"
#include "frame-packer.h"
#include "interfaces.h"
#include "tcp-health.h"

namespace {

Napi::Value LibVersion(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), pcap_lib_version());
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Capture", vma::Capture::Define(env));
  exports.Set("listInterfaces", Napi::Function::New(env, vma::ListInterfaces, "listInterfaces"));
  exports.Set("libVersion", Napi::Function::New(env, LibVersion, "libVersion"));
  exports.Set("packFrames", Napi::Function::New(env, vma::PackFrames, "packFrames"));
  exports.Set("packPcap", Napi::Function::New(env, vma::PackPcap, "packPcap"));
  exports.Set("HealthEngine", vma::DefineHealthEngine(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(vma_pcap, Init)
