// Reusing allocator: a size-keyed free list behind ATen's CPU allocator (see the header).
//
// Invariant: every block handed out is 64-byte aligned and recorded with its size until it comes
// back; a mutex guards both maps because ATen may free from its worker threads.
#include "reusing_allocator.h"

#include <c10/core/CPUAllocator.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <unordered_map>

namespace bnbench {

namespace {
struct Blocks {
  std::mutex mutex;
  std::unordered_map<void*, size_t> in_use;  // block -> size
  std::multimap<size_t, void*> cached;       // size -> free block
};
Blocks& blocks() {
  static Blocks b;
  return b;
}
}  // namespace

c10::DataPtr ReusingCpuAllocator::allocate(size_t bytes) const {
  Blocks& b = blocks();
  const size_t size = bytes == 0 ? 64 : (bytes + 63) / 64 * 64;
  void* block = nullptr;
  {
    std::lock_guard<std::mutex> lock(b.mutex);
    auto it = b.cached.find(size);
    if (it != b.cached.end()) {
      block = it->second;
      b.cached.erase(it);
    }
  }
  if (!block) {
    block = std::aligned_alloc(64, size);
    if (!block) throw std::bad_alloc();
  }
  {
    std::lock_guard<std::mutex> lock(b.mutex);
    b.in_use[block] = size;
  }
  return {block, block, &give_back, c10::Device(c10::DeviceType::CPU)};
}

void ReusingCpuAllocator::give_back(void* block) {
  if (!block) return;
  Blocks& b = blocks();
  std::lock_guard<std::mutex> lock(b.mutex);
  auto it = b.in_use.find(block);
  b.cached.emplace(it->second, block);
  b.in_use.erase(it);
}

void ReusingCpuAllocator::release_cached() {
  Blocks& b = blocks();
  std::lock_guard<std::mutex> lock(b.mutex);
  for (auto& entry : b.cached) std::free(entry.second);
  b.cached.clear();
}

ReusingCpuAllocator& install_reusing_cpu_allocator() {
  static ReusingCpuAllocator* instance = [] {
    auto* a = new ReusingCpuAllocator;
    c10::SetCPUAllocator(a, /*priority=*/1);
    return a;
  }();
  return *instance;
}

}  // namespace bnbench
