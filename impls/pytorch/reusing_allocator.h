// Reusing allocator: a size-keyed cache installed as ATen's CPU allocator for the pytorch backend.
//
// ATen's CPU batch norm allocates its outputs on every call; with the stock allocator each large
// output is a fresh mmap whose pages fault in during the timed call, which measures the kernel's
// page faults, not batch norm (perf-anchors.md). Invariant: a freed block is kept and handed back
// to the next request of the same size, so after the first call a run() allocates without
// touching new pages; release_cached() returns the cached blocks to the system between cases.
#pragma once

#include <c10/core/Allocator.h>

namespace bnbench {

class ReusingCpuAllocator : public c10::Allocator {
 public:
  c10::DataPtr allocate(size_t bytes) const override;
  c10::DeleterFnPtr raw_deleter() const override { return &give_back; }
  void release_cached();

 private:
  static void give_back(void* block);
};

// The process-wide instance, installed as ATen's CPU allocator on first use.
ReusingCpuAllocator& install_reusing_cpu_allocator();

}  // namespace bnbench
