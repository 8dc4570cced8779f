// One live capture on one interface: opened and activated synchronously (so errors throw
// at construction), then read on its own thread; packets reach JavaScript in batches.
#pragma once
#include <napi.h>
#include <pcap/pcap.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "batch-pool.h"

namespace vma {

class Capture;
void DeliverBatch(Napi::Env env, Napi::Function callback, Capture* capture, BatchSlot* slot);
using BatchTsfn = Napi::TypedThreadSafeFunction<Capture, BatchSlot, DeliverBatch>;

class Capture : public Napi::ObjectWrap<Capture> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Capture(const Napi::CallbackInfo& info);
  ~Capture() override;

 private:
  friend void DeliverBatch(Napi::Env, Napi::Function, Capture*, BatchSlot*);

  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);

  static void OnPacket(u_char* user, const struct pcap_pkthdr* h, const u_char* bytes);
  static void OnTsfnFinalize(Napi::Env env, void* data, Capture* self);
  static void OnEnvCleanup(void* arg);
  void Run();
  void Flush();
  void RequestStop();
  void JoinAndClose();
  void ReadStats(uint64_t* recv, uint64_t* drop, uint64_t* ifdrop);

  pcap_t* handle_ = nullptr;
  int linkType_ = 0;
  int snaplen_ = 0;
  bool nanoTimestamps_ = false;
  std::string warning_;
  int pcapFd_ = -1;
  int wakeFd_ = -1;
  int flushMs_ = 50;
  int drainMs_ = 100;

  std::mutex pcapMutex_;  // pcap_dispatch (capture thread) vs pcap_stats (JS thread)
  std::thread thread_;
  std::atomic<bool> stopRequested_{false};
  bool started_ = false;
  bool cleanupHookAdded_ = false;

  BatchTsfn tsfn_;
  BatchPool pool_;
  std::vector<Napi::ObjectReference> bufferRefs_;
  size_t bufferBytes_ = 0;

  // Capture thread only.
  BatchSlot* current_ = nullptr;
  std::chrono::steady_clock::time_point flushDeadline_;
  bool outOfBuffers_ = false;

  std::atomic<uint64_t> captured_{0};
  std::atomic<uint64_t> batches_{0};
  // Written by the capture thread before its end message, read by JS after it.
  std::atomic<bool> finished_{false};
  uint64_t finalRecv_ = 0, finalDrop_ = 0, finalIfDrop_ = 0;
  std::string endError_;
  BatchSlot endMessage_;  // sentinel passed through the TSFN queue as "capture ended"
};

}  // namespace vma
