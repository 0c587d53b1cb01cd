// Huge pages: where the suite's large buffers (tensors, bandwidth probe arrays) get their memory.
//
// Invariant: every buffer of at least one huge page is aligned to 2 MiB and advised onto
// transparent huge pages (MADV_HUGEPAGE), so that the bandwidth a kernel or the probe sees does not
// depend on where the kernel happened to place its 4 KiB pages. Measured on the Zen 4 VM, a
// streaming-store copy over six equal 100 MiB buffer pairs: 27-37 GB/s on 4 KiB pages (the
// probe's own arrays read 23 GB/s while kernels on other buffers streamed 34), 38.7-39.3 GB/s on
// huge pages. Where the kernel refuses the advice (THP "never") the buffer stays valid on small
// pages and the machine record says so.
#pragma once

#include <cstddef>
#include <string>

namespace bnbench {

constexpr size_t kHugePageBytes = size_t{2} << 20;

// Contents unspecified, as with aligned_alloc. At least 64-byte aligned; buffers of
// kHugePageBytes or more are 2 MiB aligned and advised onto huge pages. Release with std::free.
// Throws std::bad_alloc when out of memory.
void* allocate_large(size_t bytes);

// The transparent huge page mode the kernel offers: "always", "madvise", "never" or "unknown".
std::string transparent_huge_pages();

}  // namespace bnbench
