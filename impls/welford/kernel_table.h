// The strip kernels' interface: how a kernel sees its rows and columns, and the table of entry
// points one instruction set provides.
//
// Invariant: a kernel touches one column group (at most 64 contiguous floats per row, a masked
// tail included) of the rows [q0, q1) of one strip, and keeps per-column results at
// arrays[index + i]. Rows are enumerated (outer, inner) so that a channel plane cut into 64-float
// pieces and a matrix of rows are the same thing to a kernel.
#pragma once

#include <cstdint>
#include <string>

namespace bnbench::welford {

// Row q = (q / inner_count, q % inner_count) starts at base + outer * outer_stride + inner *
// inner_stride elements.
struct Rows {
  int64_t base = 0;
  int64_t outer_count = 0, outer_stride = 0;
  int64_t inner_count = 1, inner_stride = 0;
  int64_t count() const { return outer_count * inner_count; }
};

struct Columns {
  int64_t offset = 0;  // elements from a row's start to the group's first column
  int width = 0;       // 1..64
  int64_t index = 0;   // first entry of the group in the per-column arrays
};

constexpr int kMaxGroupWidth = 64;
constexpr int kBlockRows = 16;  // longest float accumulation (rows) before a merge in double

// Per-column centering: xc = x * scale - center, with scale 1 and center = mean, or, for a mean
// of magnitude >= 2^100, scale 0.5 and center = mean / 2. Both are exact, and the second keeps
// x - mean from overflowing (data near +-3e38).
struct Centering {
  const float* scale;
  const float* center;
};

// Welford over the rows in blocks; each block is merged (Chan) into mean/m2, which already hold
// `count` rows (count == 0: their contents are ignored).
using StatsFn = void (*)(const float* x, const Rows& rows, int64_t q0, int64_t q1, Columns cols,
                         double* mean, double* m2, int64_t count);
// out = xc * scale + shift.
using NormalizeFn = void (*)(const float* in, float* out, const Rows& rows, int64_t q0, int64_t q1,
                             Columns cols, Centering centering, const float* scale,
                             const float* shift);
// sum_dy += sum dy, sum_dy_xhat += sum dy * xc * invstd, float blocks added into double.
using BwdReduceFn = void (*)(const float* x, const float* dy, const Rows& rows, int64_t q0,
                             int64_t q1, Columns cols, Centering centering, const float* invstd,
                             double* sum_dy, double* sum_dy_xhat);
// dx = a * dy + b * xc + c.
using BwdApplyFn = void (*)(const float* x, const float* dy, float* dx, const Rows& rows,
                            int64_t q0, int64_t q1, Columns cols, Centering centering,
                            const float* a, const float* b, const float* c);

// The backward reduction over whole unit rows (any width): per-lane block sums in `lanes`, 2
// arrays of the width rounded up to 16 floats.
constexpr int64_t wide_reduce_lanes(int64_t width) { return 2 * ((width + 15) / 16 * 16); }
using BwdReduceWideFn = void (*)(const float* x, const float* dy, const Rows& rows, int64_t q0,
                                 int64_t q1, Columns cols, Centering centering, const float* invstd,
                                 float* lanes, double* sum_dy, double* sum_dy_xhat);

// nchw planes of fewer floats than this, and not a multiple of 16, are walked in groups of 16
// planes (whole, aligned vectors) by the AVX-512 normalize_planes; see normalize_plane_groups.
constexpr int64_t kPlaneGroupSpatialLimit = 512;
constexpr bool walks_plane_groups(int64_t spatial) {
  return spatial % 16 != 0 && spatial < kPlaneGroupSpatialLimit;
}

// out = xc * scale + shift over the nchw planes [p0, p1) in memory order; per-channel arrays.
// Streaming stores apply to aligned planes (a multiple of 16 floats) and to groups of planes.
using NormalizePlanesFn = void (*)(const float* in, float* out, int64_t p0, int64_t p1,
                                   int64_t channels, int64_t spatial, Centering centering,
                                   const float* scale, const float* shift);

// Entry points indexed by [vectors per row - 1] and, for writers, [streaming stores].
struct KernelTable {
  StatsFn stats[4];
  NormalizeFn normalize[4][2];
  BwdReduceFn bwd_reduce[4];
  BwdApplyFn bwd_apply[4][2];
  // Any width (whole units, row by row), indexed by [some centering scale is not 1][streaming
  // stores]. The unscaled forms ([0]) ignore the centering: the caller folds the center into the
  // constant term (normalize: out = x * scale + shift; bwd_apply: dx = a * dy + b * x + c).
  NormalizeFn normalize_wide[2][2];
  BwdApplyFn bwd_apply_wide[2][2];
  BwdReduceWideFn bwd_reduce_wide[2];     // [some centering scale is not 1]
  NormalizePlanesFn normalize_planes[2];  // [streaming stores]
  bool plane_groups;                      // normalize_planes walks groups where they apply
  void (*store_fence)();
};

const KernelTable& portable_kernels();
const KernelTable& avx512_kernels();
// What the portable kernels were compiled to, e.g. "2 x 32-byte vectors" (bnbench info).
std::string portable_vectors();

}  // namespace bnbench::welford
