// Layout: where the logical element (n, c, s) lives in a buffer stored in a problem's layout.
//
// Invariant: every part of bnbench that walks a data tensor in logical order (fills, reference,
// comparison, file export) goes through LayoutIndexer, so all of them agree on every layout and
// rank. Statistics tensors are always in canonical feature order: f = c (spatial mode) or
// f = c * S + s (per-activation mode), whatever the data layout.
#pragma once

#include <cstdint>

#include "problem.h"

namespace bnbench {

class LayoutIndexer {
 public:
  explicit LayoutIndexer(const Problem& p)
      : layout_(p.layout), c_(p.c), s_(spatial_size(p)), c_padded_((p.c + 15) / 16 * 16) {}

  // Offset (in elements) of logical element (n, c, s), s the flattened spatial index.
  int64_t offset(int64_t n, int64_t c, int64_t s) const {
    switch (layout_) {
      case Layout::nchw: return (n * c_ + c) * s_ + s;
      case Layout::nhwc: return (n * s_ + s) * c_ + c;
      case Layout::nchw16c: return ((n * (c_padded_ / 16) + c / 16) * s_ + s) * 16 + c % 16;
    }
    return 0;
  }
  int64_t channels() const { return c_; }
  int64_t spatial() const { return s_; }

 private:
  Layout layout_;
  int64_t c_, s_, c_padded_;
};

// The feature (statistics entry) of logical element (c, s).
inline int64_t feature_of(const Problem& p, int64_t c, int64_t s) {
  return p.mode == Mode::spatial ? c : c * spatial_size(p) + s;
}

}  // namespace bnbench
