// Test helpers that build tensors by hand: a problem from its parts, data tensors set per logical
// element and statistics tensors set per feature.
//
// Invariant: values are placed through walk_elements (the layout-aware walk the reference and
// the comparator use), so a test's tensors mean the same logical values in every layout.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "reference.h"

namespace bnbench::testing_support {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

inline Problem make(Direction d, Layout l, int64_t n, int64_t c, std::vector<int64_t> spatial) {
  Problem p;
  p.direction = d;
  p.layout = l;
  p.n = n;
  p.c = c;
  p.spatial = std::move(spatial);
  return p;
}

// Sets every logical element (n, c, s) of a data tensor to fn(n, c, s).
template <class Fn>
void set_data(const Problem& p, Buffer& b, Fn&& fn) {
  walk_elements(p, 0, logical_elements(p),
                [&](int64_t n, int64_t c, int64_t s, int64_t o) { b.set(o, fn(n, c, s)); });
}

template <class Fn>
void set_features(Buffer& b, Fn&& fn) {
  for (int64_t f = 0; f < b.count(); ++f) b.set(f, fn(f));
}

}  // namespace bnbench::testing_support
