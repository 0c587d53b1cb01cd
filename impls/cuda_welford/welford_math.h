// The arithmetic of cuda_welford, shared by the device kernels and the host unit test: Welford's
// update inside a thread, Chan's merge of two partial results, and the per-feature finalization
// rules (invstd, running statistics) of numerics.md.
//
// Invariant: no long sequential float chains. A thread runs Welford over at most kItems values in
// float (its count is exact: the value's index + 1); every merge after that, across lanes, warps,
// blocks and chunks, is Chan's pairwise formula in double on exact integer counts, applied along a
// tree. The state keeps the mean and the biased variance (not the sum of squared deviations), so
// data with sigma = 3e18 stays in float range.
#pragma once

#if defined(__CUDACC__)
#define BNB_HD __host__ __device__ __forceinline__
#else
#define BNB_HD inline
#endif

#include <cmath>

namespace bnbench::cuda_welford {

constexpr int kItems = 8;           // values per thread and data lane in one round
constexpr int kBlockThreads = 256;  // every kernel's block size
constexpr int kWarps = kBlockThreads / 32;

template <class T>
struct Moments {
  T mean = 0;
  T var = 0;  // biased: (1/count) * sum (x - mean)^2
  unsigned count = 0;
};

// Welford's update with the value of index `index` (count becomes index + 1, and `reciprocal` is
// 1 / (index + 1), a compile-time constant in the kernels' unrolled loops).
BNB_HD void welford_push(Moments<float>& m, float x, float reciprocal) {
  m.count += 1;
  const float delta = x - m.mean;
  m.mean += delta * reciprocal;
  m.var += (delta * (x - m.mean) - m.var) * reciprocal;
}

// Chan's merge: the moments of the union of two disjoint sets.
BNB_HD Moments<double> chan_merge(const Moments<double>& a, const Moments<double>& b) {
  if (b.count == 0) return a;
  if (a.count == 0) return b;
  Moments<double> r;
  r.count = a.count + b.count;
  const double wb = static_cast<double>(b.count) / static_cast<double>(r.count);
  const double wa = static_cast<double>(a.count) / static_cast<double>(r.count);
  const double delta = b.mean - a.mean;
  r.mean = a.mean + delta * wb;
  r.var = wa * a.var + wb * b.var + wa * wb * delta * delta;
  return r;
}

BNB_HD Moments<double> widen(const Moments<float>& m) {
  Moments<double> r;
  r.mean = m.mean;
  r.var = m.var;
  r.count = m.count;
  return r;
}

// Backward's two per-feature sums: sum dy and sum dy * (x - mean).
template <class T>
struct GradSums {
  T dy = 0;
  T dy_xc = 0;
};

BNB_HD GradSums<double> sum_merge(const GradSums<double>& a, const GradSums<double>& b) {
  GradSums<double> r;
  r.dy = a.dy + b.dy;
  r.dy_xc = a.dy_xc + b.dy_xc;
  return r;
}

BNB_HD GradSums<double> widen(const GradSums<float>& s) {
  GradSums<double> r;
  r.dy = s.dy;
  r.dy_xc = s.dy_xc;
  return r;
}

// 1 / sqrt(var + eps), and 0 when var + eps == 0 (numerics.md); NaN stays NaN.
BNB_HD double invstd_of(double var, double eps) {
  const double v = var + eps;
  return v == 0 ? 0.0 : 1.0 / sqrt(v);
}

// rm <- (1 - m) rm + m mean ; rv <- (1 - m) rv + m var M / (M - 1), in double.
BNB_HD void update_running(float& rm, float& rv, double mean, double var, double momentum,
                           double count) {
  rm = static_cast<float>((1 - momentum) * rm + momentum * mean);
  rv = static_cast<float>((1 - momentum) * rv + momentum * var * count / (count - 1));
}

}  // namespace bnbench::cuda_welford
