#include "capture.h"

#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>

#include "record-format.h"

namespace vma {

namespace {

Napi::Error CodedError(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

// pcap_activate's result names what went wrong; the TypeScript layer turns the code
// into advice (setcap command, `live --list`...).
const char* ActivateErrorCode(int status) {
  switch (status) {
    case PCAP_ERROR_NO_SUCH_DEVICE: return "NO_DEVICE";
    case PCAP_ERROR_PERM_DENIED: return "PERMISSION";
    case PCAP_ERROR_PROMISC_PERM_DENIED: return "PERMISSION";
    case PCAP_ERROR_IFACE_NOT_UP: return "IFACE_NOT_UP";
    default: return "ACTIVATE";
  }
}

int OptInt(const Napi::Object& o, const char* key, int fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : fallback;
}

bool OptBool(const Napi::Object& o, const char* key, bool fallback) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : fallback;
}

int MillisUntil(std::chrono::steady_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - std::chrono::steady_clock::now()).count();
  return ms < 0 ? 0 : static_cast<int>(ms) + 1;
}

}  // namespace

Napi::Function Capture::Define(Napi::Env env) {
  return DefineClass(env, "Capture", {
    InstanceMethod<&Capture::Start>("start"),
    InstanceMethod<&Capture::Stop>("stop"),
    InstanceMethod<&Capture::Close>("close"),
    InstanceMethod<&Capture::Stats>("stats"),
    InstanceMethod<&Capture::Info>("info"),
  });
}

// new Capture({ device, snaplen, bufferSize, promiscuous, immediate, filter, timeoutMs, flushMs })
Capture::Capture(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Capture>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    throw Napi::TypeError::New(env, "Capture expects an options object");
  }
  Napi::Object opts = info[0].As<Napi::Object>();
  Napi::Value deviceValue = opts.Get("device");
  if (!deviceValue.IsString()) throw Napi::TypeError::New(env, "options.device must be a string");
  std::string device = deviceValue.As<Napi::String>().Utf8Value();
  std::string filter = opts.Get("filter").IsString() ? opts.Get("filter").As<Napi::String>().Utf8Value() : "";
  int snaplen = OptInt(opts, "snaplen", 160);
  int bufferSize = OptInt(opts, "bufferSize", 32 << 20);
  bool promiscuous = OptBool(opts, "promiscuous", true);
  bool immediate = OptBool(opts, "immediate", false);
  int timeoutMs = OptInt(opts, "timeoutMs", 50);
  flushMs_ = OptInt(opts, "flushMs", 50);
  // After stop, keep reading long enough for the kernel to hand over its last partly
  // filled ring block (TPACKET_V3 retires it after timeoutMs).
  drainMs_ = immediate ? 10 : timeoutMs + 50;

  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  handle_ = pcap_create(device.c_str(), errbuf);
  if (handle_ == nullptr) throw CodedError(env, "CREATE", errbuf);

  pcap_set_snaplen(handle_, snaplen);
  pcap_set_promisc(handle_, promiscuous ? 1 : 0);
  pcap_set_timeout(handle_, timeoutMs);
  pcap_set_buffer_size(handle_, bufferSize);
  pcap_set_immediate_mode(handle_, immediate ? 1 : 0);
  // Nanoseconds where the platform offers them; otherwise libpcap stays at microseconds
  // and info() reports which one we got.
  pcap_set_tstamp_precision(handle_, PCAP_TSTAMP_PRECISION_NANO);

  int status = pcap_activate(handle_);
  if (status < 0) {
    std::string detail = pcap_geterr(handle_);
    std::string message = std::string(pcap_statustostr(status));
    if (!detail.empty() && detail != message) message += ": " + detail;
    pcap_close(handle_);
    handle_ = nullptr;
    throw CodedError(env, ActivateErrorCode(status), message);
  }
  if (status > 0) {
    std::string detail = pcap_geterr(handle_);
    warning_ = pcap_statustostr(status);
    if (!detail.empty() && detail != warning_) warning_ += ": " + detail;
  }
  nanoTimestamps_ = pcap_get_tstamp_precision(handle_) == PCAP_TSTAMP_PRECISION_NANO;
  linkType_ = pcap_datalink(handle_);
  snaplen_ = pcap_snapshot(handle_);

  auto fail = [&](const char* code, const std::string& message) {
    pcap_close(handle_);
    handle_ = nullptr;
    if (wakeFd_ >= 0) close(wakeFd_);
    wakeFd_ = -1;
    throw CodedError(env, code, message);
  };

  if (!filter.empty()) {
    struct bpf_program program;
    if (pcap_compile(handle_, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) < 0) {
      fail("BAD_FILTER", pcap_geterr(handle_));
    }
    int rc = pcap_setfilter(handle_, &program);
    pcap_freecode(&program);
    if (rc < 0) fail("BAD_FILTER", pcap_geterr(handle_));
  }
  // Our own poll() loop decides when to wake (packets, flush deadline, stop), so libpcap
  // must never block inside pcap_dispatch.
  if (pcap_setnonblock(handle_, 1, errbuf) < 0) fail("ACTIVATE", errbuf);
  pcapFd_ = pcap_get_selectable_fd(handle_);
  if (pcapFd_ < 0) fail("ACTIVATE", "this capture device offers no selectable file descriptor");
  wakeFd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wakeFd_ < 0) fail("ACTIVATE", std::string("eventfd: ") + strerror(errno));
  endMessage_.index = UINT32_MAX;
}

Capture::~Capture() {
  // Only reached when no thread runs (a running capture holds a reference to itself).
  if (handle_ != nullptr) pcap_close(handle_);
  if (wakeFd_ >= 0) close(wakeFd_);
}

Napi::Value Capture::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("linkType", linkType_);
  o.Set("snaplen", snaplen_);
  o.Set("tsPrecision", nanoTimestamps_ ? "nano" : "micro");
  o.Set("warning", warning_.empty() ? env.Null() : Napi::String::New(env, warning_));
  o.Set("libVersion", pcap_lib_version());
  return o;
}

// start(buffers: Buffer[], onMessage(index, count, bytes, endError?))
Napi::Value Capture::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (started_) throw Napi::Error::New(env, "capture already started");
  if (handle_ == nullptr) throw Napi::Error::New(env, "capture is closed");
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsFunction()) {
    throw Napi::TypeError::New(env, "start(buffers: Buffer[], onMessage: Function)");
  }
  Napi::Array buffers = info[0].As<Napi::Array>();
  if (buffers.Length() < 2) throw Napi::TypeError::New(env, "start needs at least two batch buffers");
  std::vector<uint8_t*> data;
  bufferBytes_ = SIZE_MAX;
  for (uint32_t i = 0; i < buffers.Length(); i++) {
    Napi::Value b = buffers.Get(i);
    if (!b.IsBuffer()) throw Napi::TypeError::New(env, "batch buffers must be Buffers");
    Napi::Buffer<uint8_t> buffer = b.As<Napi::Buffer<uint8_t>>();
    data.push_back(buffer.Data());
    bufferBytes_ = std::min(bufferBytes_, buffer.Length());
    bufferRefs_.push_back(Napi::Persistent(buffer.As<Napi::Object>()));
  }
  if (bufferBytes_ < kRecordHeaderBytes + static_cast<size_t>(snaplen_)) {
    throw Napi::RangeError::New(env, "batch buffers must hold at least one full record (16 + snaplen bytes)");
  }
  pool_.Reset(std::move(data));

  tsfn_ = BatchTsfn::New(env, info[1].As<Napi::Function>(), "vma-live-capture", 0, 1, this,
                         &Capture::OnTsfnFinalize, static_cast<void*>(nullptr));
  Ref();  // keep this object alive until the thread is joined
  started_ = true;
  napi_add_env_cleanup_hook(env, &Capture::OnEnvCleanup, this);
  cleanupHookAdded_ = true;
  thread_ = std::thread([this] { Run(); });
  return env.Undefined();
}

void Capture::RequestStop() {
  if (stopRequested_.exchange(true)) return;
  if (handle_ != nullptr) pcap_breakloop(handle_);
  uint64_t one = 1;
  ssize_t ignored = write(wakeFd_, &one, sizeof one);
  (void)ignored;
}

// Idempotent; the end message (onMessage with index -1) arrives after the last batch.
Napi::Value Capture::Stop(const Napi::CallbackInfo& info) {
  if (started_) RequestStop();
  return info.Env().Undefined();
}

// For a capture that was opened but never started.
Napi::Value Capture::Close(const Napi::CallbackInfo& info) {
  if (!started_ && handle_ != nullptr) {
    pcap_close(handle_);
    handle_ = nullptr;
  }
  return info.Env().Undefined();
}

void Capture::ReadStats(uint64_t* recv, uint64_t* drop, uint64_t* ifdrop) {
  struct pcap_stat ps = {};
  std::lock_guard<std::mutex> lock(pcapMutex_);
  if (handle_ != nullptr && pcap_stats(handle_, &ps) == 0) {
    *recv = ps.ps_recv;
    *drop = ps.ps_drop;
    *ifdrop = ps.ps_ifdrop;
  }
}

Napi::Value Capture::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t recv = finalRecv_, drop = finalDrop_, ifdrop = finalIfDrop_;
  if (!finished_.load()) ReadStats(&recv, &drop, &ifdrop);
  Napi::Object o = Napi::Object::New(env);
  o.Set("received", static_cast<double>(recv));
  o.Set("dropped", static_cast<double>(drop));
  o.Set("ifDropped", static_cast<double>(ifdrop));
  o.Set("captured", static_cast<double>(captured_.load()));
  o.Set("batches", static_cast<double>(batches_.load()));
  return o;
}

void Capture::Flush() {
  if (current_ == nullptr) return;
  if (current_->count == 0) return;  // keep the empty buffer for the next packets
  batches_.fetch_add(1, std::memory_order_relaxed);
  // The queue is unbounded but never holds more than the pool's few buffers.
  tsfn_.NonBlockingCall(current_);
  current_ = nullptr;
}

void Capture::OnPacket(u_char* user, const struct pcap_pkthdr* h, const u_char* bytes) {
  Capture* self = reinterpret_cast<Capture*>(user);
  uint32_t need = kRecordHeaderBytes + h->caplen;
  if (self->current_ != nullptr && self->current_->bytes + need > self->bufferBytes_) self->Flush();
  if (self->current_ == nullptr) {
    self->current_ = self->pool_.Acquire();
    if (self->current_ == nullptr) {  // pool abandoned: the environment is going away
      self->outOfBuffers_ = true;
      return;
    }
  }
  BatchSlot* slot = self->current_;
  if (slot->count == 0) {
    self->flushDeadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(self->flushMs_);
  }
  uint32_t nsec = self->nanoTimestamps_ ? static_cast<uint32_t>(h->ts.tv_usec)
                                        : static_cast<uint32_t>(h->ts.tv_usec) * 1000u;
  WriteRecord(slot->data + slot->bytes, static_cast<uint32_t>(h->ts.tv_sec), nsec, h->caplen, h->len, bytes);
  slot->bytes += need;
  slot->count++;
  self->captured_.fetch_add(1, std::memory_order_relaxed);
}

void Capture::Run() {
  struct pollfd fds[2];
  fds[0].fd = pcapFd_;
  fds[0].events = POLLIN;
  fds[1].fd = wakeFd_;
  fds[1].events = POLLIN;
  bool draining = false;
  std::chrono::steady_clock::time_point drainEnd;

  while (!outOfBuffers_) {
    int timeout = -1;
    if (current_ != nullptr && current_->count > 0) timeout = MillisUntil(flushDeadline_);
    if (draining) {
      int left = MillisUntil(drainEnd);
      timeout = timeout < 0 ? left : std::min(timeout, left);
    }
    int ready = poll(fds, 2, timeout);
    if (ready < 0 && errno != EINTR) {
      endError_ = std::string("poll: ") + strerror(errno);
      break;
    }
    if (ready > 0 && (fds[1].revents & POLLIN)) {
      uint64_t value;
      ssize_t ignored = read(wakeFd_, &value, sizeof value);
      (void)ignored;
    }
    if (!draining && stopRequested_.load()) {
      draining = true;
      drainEnd = std::chrono::steady_clock::now() + std::chrono::milliseconds(drainMs_);
    }
    if (ready > 0 && (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL))) {
      // e.g. the interface went away; pcap_dispatch below reports the reason.
    }
    int n;
    {
      std::lock_guard<std::mutex> lock(pcapMutex_);
      // Bounded count so pcap_stats on the JS thread never waits long for the lock.
      n = pcap_dispatch(handle_, 4096, &Capture::OnPacket, reinterpret_cast<u_char*>(this));
    }
    if (n == PCAP_ERROR) {
      endError_ = pcap_geterr(handle_);
      break;
    }
    if (current_ != nullptr && current_->count > 0 && std::chrono::steady_clock::now() >= flushDeadline_) Flush();
    if (draining && std::chrono::steady_clock::now() >= drainEnd) break;
  }
  Flush();
  if (current_ != nullptr) {  // an acquired but empty buffer goes back to the pool
    pool_.Release(current_->index);
    current_ = nullptr;
  }
  ReadStats(&finalRecv_, &finalDrop_, &finalIfDrop_);
  finished_.store(true);
  tsfn_.NonBlockingCall(&endMessage_);
  tsfn_.Release();
}

void DeliverBatch(Napi::Env env, Napi::Function callback, Capture* self, BatchSlot* slot) {
  bool isEnd = slot == &self->endMessage_;
  if (env == nullptr) {  // teardown: nobody will read it
    if (!isEnd) self->pool_.Release(slot->index);
    return;
  }
  if (isEnd) {
    Napi::Value error = self->endError_.empty() ? env.Null() : Napi::String::New(env, self->endError_);
    callback.Call({Napi::Number::New(env, -1), Napi::Number::New(env, 0), Napi::Number::New(env, 0), error});
    return;
  }
  try {
    callback.Call({Napi::Number::New(env, slot->index), Napi::Number::New(env, slot->count),
                   Napi::Number::New(env, slot->bytes)});
  } catch (...) {
    self->pool_.Release(slot->index);
    throw;
  }
  self->pool_.Release(slot->index);
}

void Capture::JoinAndClose() {
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(pcapMutex_);
  if (handle_ != nullptr) {
    pcap_close(handle_);
    handle_ = nullptr;
  }
}

// Runs on the JS thread once the capture thread released the TSFN and every queued
// batch was delivered.
void Capture::OnTsfnFinalize(Napi::Env env, void*, Capture* self) {
  self->JoinAndClose();
  if (self->cleanupHookAdded_) {
    napi_remove_env_cleanup_hook(env, &Capture::OnEnvCleanup, self);
    self->cleanupHookAdded_ = false;
  }
  self->bufferRefs_.clear();
  self->Unref();
}

// process.exit() during a capture: stop the thread before the environment disappears.
void Capture::OnEnvCleanup(void* arg) {
  Capture* self = static_cast<Capture*>(arg);
  self->cleanupHookAdded_ = false;
  self->RequestStop();
  self->pool_.Abandon();
  self->JoinAndClose();
}

}  // namespace vma
