// What the host passes to cuda_welford's kernels, and the launch functions the kernel files define.
//
// Two geometries cover every layout, rank and mode. Rows: R rows of F contiguous columns, the
// statistics running down each column (nhwc spatial, every per-activation problem, rank 0); the
// feature of column j is (j % perm_c) * perm_s + j / perm_c, the identity except for
// per-activation channels-last, whose columns run (s, c) while features run (c, s). Planes: N x C x
// S with S contiguous, the statistics of channel c over its N planes (nchw spatial, S > 1).
// Invariant: per-feature tensors are indexed by feature, workspaces (partials, coefficients) by
// column (rows) or channel (planes), so the elementwise passes never permute.
#pragma once

#include <cuda_runtime_api.h>
#include <vector_types.h>

#include <cstdint>

namespace bnbench::cuda_welford {

enum class Geometry { rows, planes };
enum class Reduction { stats, grads };  // forward statistics of x; backward sums of dy, dy*(x-mean)
enum class Apply { forward, backward };

struct Params {
  const float* x = nullptr;
  const float* dy = nullptr;
  float* out = nullptr;  // y (forward) or dx (backward); may equal x or dy (in place)
  // Per feature, canonical order; null when the problem lacks them.
  const float* gamma = nullptr;
  const float* beta = nullptr;
  const float* mean_in = nullptr;  // statistics a pass reads: running (inference, global) or saved
  const float* var_in = nullptr;
  float* save_mean = nullptr;
  float* save_var = nullptr;
  float* running_mean = nullptr;
  float* running_var = nullptr;
  float* dgamma = nullptr;
  float* dbeta = nullptr;
  // Workspaces, per column: the elementwise coefficients {center, scale, shift, slope}, the
  // per-chunk partial results (chunks x columns) and one arrival counter per column tile (zero
  // between launches: the last block of a tile resets it).
  float4* coef = nullptr;
  void* partials = nullptr;
  unsigned* counters = nullptr;
  // Geometry (see the file comment).
  int64_t rows = 0;     // rows: R; planes: N
  int64_t columns = 0;  // rows: F; planes: C
  int64_t inner = 1;    // planes: S
  int64_t perm_c = 1, perm_s = 1;
  unsigned count = 0;  // M, the reduction size
  int tx = 1;          // rows: column groups per block (a power of two <= 32); planes: 1
  int rounds = 1;      // rounds of kItems per thread (grid-stride over chunks)
  double eps = 0, momentum = 0;
  bool global_stats = false;
};

struct KernelKey {
  Geometry geometry = Geometry::rows;
  int vec = 1;  // 4: float4 accesses (rows: F % 4 == 0; planes: S % 4 == 0)
};

// Blocks of one kernel that fit the device at once (occupancy x SM count), for the fused path.
int fused_capacity(const KernelKey& key, Reduction r, int sm_count);

// Statistics or gradient sums: per-chunk partials, the last block of each tile finalizes
// (save/running statistics, dgamma/dbeta, coefficients). Fused: a cooperative launch that keeps
// its data in registers and writes y or dx after a grid-wide sync.
void launch_reduce(const KernelKey& key, Reduction r, bool fused, dim3 grid, const Params& p,
                   cudaStream_t stream);
// Elementwise y or dx from coefficients; `from_inputs` computes them from running statistics
// (inference, backward with global statistics) instead of reading coef.
void launch_apply(const KernelKey& key, Apply a, bool from_inputs, dim3 grid, const Params& p,
                  cudaStream_t stream);

}  // namespace bnbench::cuda_welford
