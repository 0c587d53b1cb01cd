// Moments and Chan's merge: the formulas that combine (count, mean, M2) summaries, two at a time
// or k at once.
//
// Invariant: counts are exact integers and the merge is done in double, so merging blocks, lanes,
// columns and threads in any fixed order never stalls (as a long float chain does at 2^24) and M2
// cannot overflow where float M2 would (sigma 3e18). Always inlined: the kernels of both ISAs use
// it, and no out-of-line copy compiled for AVX-512 may be shared with the portable code.
#pragma once

#include <cstdint>

#define WELFORD_INLINE inline __attribute__((always_inline))
// The same for the kernels' lambdas (GCC 12 keeps some of the portable kernels' lambdas out of
// line, passing their vectors through the stack).
#define WELFORD_INLINE_LAMBDA __attribute__((always_inline))

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

// Sums in a fixed order (more than eight terms: eight interleaved partial sums, then a pairwise
// fold of the eight): deterministic, and free of the one long dependency chain of a plain loop.
template <class Term>
WELFORD_INLINE double fixed_order_sum(int64_t n, Term term) {
  if (n <= 8) {  // few terms: one short chain
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += term(i);
    return sum;
  }
  double part[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
#pragma GCC unroll 8
    for (int k = 0; k < 8; ++k) part[k] += term(i + k);
#pragma GCC unroll 8
  for (int k = 0; k < 8; ++k)  // the tail: k a constant, so the partial sums stay in registers
    if (i + k < n) part[k] += term(i + k);
  // The pairwise fold, spelled out: neighbours, then pairs, then halves.
  return ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
}

// Summaries of `count` values each, held as arrays of means and M2s.
struct EqualCountSpan {
  const double* mean;
  const double* m2;
  int64_t columns = 0;
  int64_t count = 0;
};

// All spans at once: Chan's formula for k summaries, mean = sum(n_j mean_j) / n and
// M2 = sum(M2_j) + sum(n_j (mean_j - mean)^2), in double (a two-pass over the summaries' means).
// Equal to merging them pairwise in exact arithmetic and as accurate, with one division per
// feature instead of one per merge: nchw 7x7 merges 49 columns of N rows for every channel.
WELFORD_INLINE Moments merge_spans(const EqualCountSpan* spans, int n) {
  if (n == 1 && spans[0].columns == 1) return {spans[0].count, spans[0].mean[0], spans[0].m2[0]};
  Moments total;
  double weighted = 0;
  for (int s = 0; s < n; ++s) {
    const EqualCountSpan& p = spans[s];
    if (p.count == 0 || p.columns == 0) continue;  // its means may be garbage
    total.count += p.count * p.columns;
    weighted += static_cast<double>(p.count) *
                fixed_order_sum(p.columns, [&](int64_t j) { return p.mean[j]; });
  }
  if (total.count == 0) return {};
  total.mean = weighted / static_cast<double>(total.count);
  for (int s = 0; s < n; ++s) {
    const EqualCountSpan& p = spans[s];
    if (p.count == 0 || p.columns == 0) continue;
    const double m = total.mean;
    total.m2 += fixed_order_sum(p.columns, [&](int64_t j) { return p.m2[j]; }) +
                static_cast<double>(p.count) * fixed_order_sum(p.columns, [&](int64_t j) {
                  return (p.mean[j] - m) * (p.mean[j] - m);
                });
  }
  return total;
}

}  // namespace bnbench::welford
