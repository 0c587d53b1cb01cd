// Plan: how cuda_welford runs one problem — geometry, vector width, grid, whether the single-pass
// fused kernel fits, which kernels run, and the workspace sizes.
//
// Invariant: the plan depends only on the problem and the device (SM count, occupancy), never on
// the data, and a fused plan always has one round per thread and a grid the device can hold at
// once (cooperative launch).
#pragma once

#include <cstddef>
#include <string>

#include "kernel_params.h"
#include "problem.h"

namespace bnbench::cuda_welford {

struct Plan {
  KernelKey key;
  dim3 grid;            // x: column tiles (rows) or channels (planes); y: chunks
  bool reduce = false;  // a reduction runs (training statistics or backward sums)
  Reduction reduction = Reduction::stats;
  bool fused = false;  // the reduction also writes the output (no apply launch)
  Apply apply = Apply::forward;
  bool apply_from_inputs = false;  // inference, or backward with global statistics and no sums
  Params shape;              // geometry fields only (rows, columns, inner, perm, count, tx, rounds)
  size_t partial_bytes = 0;  // chunks x columns partial states
  size_t coef_count = 0;     // columns
  size_t counter_count = 0;  // column tiles
  std::string describe() const;
};

// `allow_fused`: false for the cuda_welford_unfused variant (always two kernels).
Plan make_plan(const Problem& p, bool allow_fused, int sm_count, bool cooperative_launch);

}  // namespace bnbench::cuda_welford
