// Cache flush: the sweep buffer behind `--cache cold`.
//
// Invariant: the buffer is first touched by the same parallel loop that sweeps it, and the sweep's
// result is kept alive (the buffer is written), so the compiler cannot drop it.
#include "cache_flush.h"

#include <algorithm>

#include "sysinfo.h"

namespace bnbench {

namespace {
constexpr size_t kLineFloats = 64 / sizeof(float);
}

CacheFlusher::CacheFlusher(size_t bytes)
    : bytes_(std::max(bytes, size_t{64})), buffer_(new float[bytes_ / sizeof(float)]) {
  const auto n = static_cast<long long>(bytes_ / sizeof(float));
  float* b = buffer_.get();
#pragma omp parallel for schedule(static)
  for (long long i = 0; i < n; ++i) b[i] = 0.0f;
}

void CacheFlusher::flush() {
  const auto lines = static_cast<long long>(bytes_ / sizeof(float) / kLineFloats);
  float* b = buffer_.get();
#pragma omp parallel for schedule(static)
  for (long long i = 0; i < lines; ++i) b[i * kLineFloats] += 1.0f;
}

size_t default_flush_bytes() {
  const int64_t llc = read_machine_info().last_level_cache_bytes();
  return std::max<size_t>(2 * static_cast<size_t>(std::max<int64_t>(llc, 0)), size_t{8} << 20);
}

CacheFlusher& shared_cache_flusher(size_t bytes) {
  static std::unique_ptr<CacheFlusher> flusher;
  if (bytes == 0) bytes = default_flush_bytes();
  if (!flusher || flusher->bytes() != bytes) {
    flusher.reset();
    flusher = std::make_unique<CacheFlusher>(bytes);
  }
  return *flusher;
}

}  // namespace bnbench
