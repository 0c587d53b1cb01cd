// Reference: the float64 answer every backend is judged against (numerics.md section 2).
//
// Invariant: computed from the same dtype inputs the backend gets, in double, two passes (mean,
// then sum of squared deviations) with pairwise summation; biased variance to normalize, M/(M-1)
// only for the running variance. It never calls a backend and is computed once per problem. Every
// per-feature sum runs over the feature's elements in one fixed logical order with one fixed tree,
// so the reference is bit-identical for every layout and thread count.
#pragma once

#include <array>
#include <cmath>
#include <vector>

#include "layout.h"
#include "problem.h"
#include "tensor.h"

namespace bnbench {

// Pairwise (tree) sum in double; blocks of 8 summed directly at the leaves. The tree splits a
// range of n > 8 values at n / 2.
double pairwise_sum(const double* values, int64_t count);

// 1 / sqrt(var + eps), and 0 when var + eps == 0 (so that y = beta and dx = 0): the one statement
// of this convention, shared by the reference, the tolerances and the comparator.
inline double invstd_of(double var, double eps) {
  const double v = var + eps;
  return v == 0 ? 0.0 : 1.0 / std::sqrt(v);
}

struct BatchStats {
  std::vector<double> mean, var;  // per feature, var biased
};
// Per-feature batch statistics of x (two passes, pairwise sums), threaded over features.
BatchStats batch_stats(const Problem& p, const Buffer& x);

struct Reference {
  // Per feature: the statistics that normalize (batch stats in training, running stats in
  // inference, saved or running stats in backward) and the quantities tolerances need.
  std::vector<double> mean, var;  // var biased; s = sqrt(var + eps)
  std::vector<double> abs_mean;   // A = mean |x| over the reduction
  std::vector<double> sum_dy, sum_abs_dy, sum_dy_xhat, sum_abs_dy_xhat;  // backward only
  std::vector<double> max_abs_dy;                                        // backward only
  std::vector<double> gamma, beta;  // as given (1 and 0 without affine)
  // Per element, indexed like the data buffers (stored_elements; padding left 0).
  std::vector<double> xhat;
  std::vector<double> dy;  // backward only: the pristine dy (in-place backward overwrites it)
  // Expected outputs, indexed like the backend's buffers; empty for tensors the case lacks.
  std::array<std::vector<double>, kTensorCount> expected;
  int64_t reduction = 0;  // M
  std::vector<double>& operator[](TensorId id) { return expected[static_cast<int>(id)]; }
  const std::vector<double>& operator[](TensorId id) const {
    return expected[static_cast<int>(id)];
  }
};

// `inputs` holds pristine input tensors (before any backend ran). Threaded with OpenMP.
Reference compute_reference(const Problem& p, const Tensors& inputs);

// Bytes the reference needs for a problem (for the memory limit).
size_t reference_bytes(const Problem& p);

// Calls fn(n, c, s, offset) for the logical elements with flat index i = (n * C + c) * S + s in
// [begin, end), in that order; offset is the element's position in a buffer of the layout.
// The one walk over data tensors shared by the reference and the comparator.
template <class Fn>
void walk_elements(const Problem& p, int64_t begin, int64_t end, Fn&& fn) {
  const LayoutIndexer ix(p);
  const int64_t cs = ix.channels() * ix.spatial(), sp = ix.spatial();
  int64_t n = begin / cs, c = begin / sp % ix.channels(), s = begin % sp;
  for (int64_t i = begin; i < end; ++i) {
    fn(n, c, s, ix.offset(n, c, s));
    if (++s == sp) {
      s = 0;
      if (++c == ix.channels()) c = 0, ++n;
    }
  }
}

}  // namespace bnbench
