// Tile: which elements one thread of a cuda_welford block touches, for the two geometries of
// kernel_params.h, and the vector loads and stores that move them.
//
// Invariant: a thread's items are visited in increasing reduction order, so the valid ones form a
// prefix (item i valid means items 0..i-1 are too) and a thread's Welford count after item i is
// exactly i + 1. Every data lane of a valid item is valid (rows: VEC = 4 only when F % 4 == 0;
// planes: only when S % 4 == 0, so a float4 never crosses a plane).
#pragma once

#include "kernel_params.h"
#include "welford_math.h"

namespace bnbench::cuda_welford {

template <Geometry G, int VEC>
struct Tile;

// Rows: a block is p.tx column groups (VEC columns each) x (256 / p.tx) rows; blockIdx.x picks the
// column tile, blockIdx.y the chunk of rows. Each data lane is its own column, so state lanes =
// data lanes.
template <int VEC>
struct Tile<Geometry::rows, VEC> {
  static constexpr int kLanes = VEC;
  const Params& p;
  int group, row_in_step, rows_per_step;
  int64_t first_column;

  __device__ explicit Tile(const Params& params) : p(params) {
    group = threadIdx.x % p.tx;
    row_in_step = threadIdx.x / p.tx;
    rows_per_step = kBlockThreads / p.tx;
    first_column = (static_cast<int64_t>(blockIdx.x) * p.tx + group) * VEC;
  }
  // Offset of item i's first element in `round`, and whether the item exists.
  __device__ bool item(int round, int i, int64_t& offset) const {
    const int64_t chunk = static_cast<int64_t>(round) * gridDim.y + blockIdx.y;
    const int64_t row = (chunk * kItems + i) * rows_per_step + row_in_step;
    offset = row * p.columns + first_column;
    return row < p.rows && first_column < p.columns;
  }
  __device__ int64_t data_column(int v) const { return first_column + v; }
  // Column of state lane l of column group g (the block-reduced results).
  __device__ int64_t group_column(int g, int l) const {
    return (static_cast<int64_t>(blockIdx.x) * p.tx + g) * VEC + l;
  }
  __device__ int64_t tile_first_column() const {
    return static_cast<int64_t>(blockIdx.x) * p.tx * VEC;
  }
  __device__ int tile_columns() const { return p.tx * VEC; }
  __device__ int64_t feature(int64_t column) const {
    return (column % p.perm_c) * p.perm_s + column / p.perm_c;
  }
};

// Planes: a block is 256 threads over one channel's N x S values (blockIdx.x = channel c), each
// thread VEC consecutive values per item; its data lanes merge into one state lane.
template <int VEC>
struct Tile<Geometry::planes, VEC> {
  static constexpr int kLanes = 1;
  const Params& p;

  __device__ explicit Tile(const Params& params) : p(params) {}
  __device__ bool item(int round, int i, int64_t& offset) const {
    const int64_t chunk = static_cast<int64_t>(round) * gridDim.y + blockIdx.y;
    const int64_t k = ((chunk * kItems + i) * kBlockThreads + threadIdx.x) * VEC;
    if (k >= p.count) return false;
    const unsigned n = static_cast<unsigned>(k) / static_cast<unsigned>(p.inner);
    const int64_t s = k - static_cast<int64_t>(n) * p.inner;
    offset = (static_cast<int64_t>(n) * p.columns + blockIdx.x) * p.inner + s;
    return true;
  }
  __device__ int64_t data_column(int) const { return blockIdx.x; }
  __device__ int64_t group_column(int, int) const { return blockIdx.x; }
  __device__ int64_t tile_first_column() const { return blockIdx.x; }
  __device__ int tile_columns() const { return 1; }
  __device__ int64_t feature(int64_t column) const { return column; }
};

template <int VEC>
__device__ __forceinline__ void load(const float* base, int64_t offset, float (&v)[VEC]) {
  if constexpr (VEC == 4) {
    const float4 t = *reinterpret_cast<const float4*>(base + offset);
    v[0] = t.x, v[1] = t.y, v[2] = t.z, v[3] = t.w;
  } else {
    v[0] = base[offset];
  }
}

template <int VEC>
__device__ __forceinline__ void store(float* base, int64_t offset, const float (&v)[VEC]) {
  if constexpr (VEC == 4)
    *reinterpret_cast<float4*>(base + offset) = make_float4(v[0], v[1], v[2], v[3]);
  else
    base[offset] = v[0];
}

}  // namespace bnbench::cuda_welford
