// Cache flush: a buffer larger than the last-level cache, swept between timed calls so that a
// cold-cache measurement starts every call with the case's data out of the caches.
//
// Invariant: a sweep writes one float in every 64-byte line of the buffer (so the case's dirty
// lines are written back and its clean lines evicted) using the current OpenMP thread count; it
// never runs inside a timed region (measure.cpp calls it before starting the clock).
#pragma once

#include <cstddef>
#include <memory>

namespace bnbench {

class CacheFlusher {
 public:
  explicit CacheFlusher(size_t bytes);
  void flush();
  size_t bytes() const { return bytes_; }

 private:
  size_t bytes_;
  std::unique_ptr<float[]> buffer_;
};

// Bytes a cold-cache sweep covers by default: twice the last-level cache (at least 8 MiB).
size_t default_flush_bytes();

// One process-wide flusher of `bytes` (0: default_flush_bytes()), reallocated when the size
// changes, so a sweep over many cases pays for the buffer once.
CacheFlusher& shared_cache_flusher(size_t bytes);

}  // namespace bnbench
