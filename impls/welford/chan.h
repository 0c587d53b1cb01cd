// Moments and Chan's merge: the one formula that combines two (count, mean, M2) summaries.
//
// Invariant: counts are exact integers and the merge is done in double, so merging blocks, lanes,
// columns and threads in any fixed tree never stalls (as a long float chain does at 2^24) and M2
// cannot overflow where float M2 would (sigma 3e18). Always inlined: the kernels of both ISAs use
// it, and no out-of-line copy compiled for AVX-512 may be shared with the portable code.
#pragma once

#include <cstdint>

#define WELFORD_INLINE inline __attribute__((always_inline))

namespace bnbench::welford {

struct Moments {
  int64_t count = 0;
  double mean = 0;
  double m2 = 0;  // sum of squared deviations from mean
};

// The weights of merging a summary of nb values into one of na values (both > 0): computed once
// when many columns merge blocks of the same counts.
struct ChanStep {
  double weight_b;  // nb / n
  double cross;     // na * nb / n
};

WELFORD_INLINE ChanStep chan_step(int64_t na, int64_t nb) {
  const double weight_b = static_cast<double>(nb) / static_cast<double>(na + nb);
  return {weight_b, static_cast<double>(na) * weight_b};
}

// (mean, m2) <- merge of itself with (mean_b, m2_b). NaN and Inf propagate.
WELFORD_INLINE void chan_apply(const ChanStep& step, double& mean, double& m2, double mean_b,
                               double m2_b) {
  const double delta = mean_b - mean;
  mean += delta * step.weight_b;
  m2 += m2_b + delta * delta * step.cross;
}

// An empty side contributes nothing (its mean may be garbage).
WELFORD_INLINE Moments chan_merge(Moments a, const Moments& b) {
  if (b.count == 0) return a;
  if (a.count == 0) return b;
  chan_apply(chan_step(a.count, b.count), a.mean, a.m2, b.mean, b.m2);
  a.count += b.count;
  return a;
}

// Pairwise (tree) merge of m[0..n) in place; returns the total.
WELFORD_INLINE Moments merge_tree(Moments* m, int64_t n) {
  if (n == 0) return {};
  for (int64_t step = 1; step < n; step *= 2)
    for (int64_t i = 0; i + step < n; i += 2 * step) m[i] = chan_merge(m[i], m[i + step]);
  return m[0];
}

}  // namespace bnbench::welford
