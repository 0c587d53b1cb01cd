// Reference: the float64 answer every backend is judged against (numerics.md section 2).
//
// Invariant: computed from the same dtype inputs the backend gets, in double, two passes (mean,
// then sum of squared deviations) with pairwise summation; biased variance to normalize, M/(M-1)
// only for the running variance. It never calls a backend and is computed once per problem.
#pragma once

#include <array>
#include <vector>

#include "problem.h"
#include "tensor.h"

namespace bnbench {

// Pairwise (tree) sum in double; blocks of 8 summed directly at the leaves.
double pairwise_sum(const double* values, int64_t count);

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

}  // namespace bnbench
