// A small fixed pool of batch buffers shared by the capture thread (fills them) and the
// JavaScript thread (reads them, then gives them back). The buffers themselves are Node
// Buffers allocated once by the wrapper, so steady-state capture allocates nothing.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

namespace vma {

struct BatchSlot {
  uint32_t index = 0;   // which pool buffer
  uint32_t count = 0;   // records in it
  uint32_t bytes = 0;   // bytes used
  uint8_t* data = nullptr;
};

class BatchPool {
 public:
  void Reset(std::vector<uint8_t*> buffers) {
    std::lock_guard<std::mutex> lock(mutex_);
    slots_.assign(buffers.size(), BatchSlot{});
    free_.clear();
    free_.reserve(buffers.size());
    for (uint32_t i = 0; i < buffers.size(); i++) {
      slots_[i].index = i;
      slots_[i].data = buffers[i];
      free_.push_back(i);
    }
    abandoned_ = false;
  }

  // Blocks while JavaScript still holds every buffer: back-pressure then builds up in the
  // kernel ring, whose overflow pcap_stats reports as drops (honest, unlike silent loss here).
  BatchSlot* Acquire() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [this] { return !free_.empty() || abandoned_; });
    if (free_.empty()) return nullptr;
    uint32_t i = free_.back();
    free_.pop_back();
    slots_[i].count = 0;
    slots_[i].bytes = 0;
    return &slots_[i];
  }

  void Release(uint32_t index) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      free_.push_back(index);
    }
    cv_.notify_one();
  }

  // Wakes a capture thread stuck in Acquire when JavaScript will never return buffers
  // (environment teardown).
  void Abandon() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      abandoned_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<BatchSlot> slots_;
  std::vector<uint32_t> free_;  // a stack: reserved up front, so no allocation after Reset
  bool abandoned_ = false;
};

}  // namespace vma
