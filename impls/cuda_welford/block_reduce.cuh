// Merging partial results inside a block (warp shuffles, then a tree over warps in shared memory)
// and across the blocks of a column tile (the last block to arrive merges the per-chunk partials
// along a tree in global memory).
//
// Invariant: every merge follows a fixed binary tree (shuffle offsets tx, 2tx, ..., 16; warps
// 8 -> 4 -> 2 -> 1; chunks pairwise by doubling stride), so results are deterministic for a given
// launch shape and no float or double chain is longer than the tree's depth. Partials written by
// other blocks are read through L2 (__ldcg) after the arrival counter's fence.
#pragma once

#include "welford_math.h"

namespace bnbench::cuda_welford {

__device__ __forceinline__ Moments<double> merge(const Moments<double>& a,
                                                 const Moments<double>& b) {
  return chan_merge(a, b);
}
__device__ __forceinline__ GradSums<double> merge(const GradSums<double>& a,
                                                  const GradSums<double>& b) {
  return sum_merge(a, b);
}

__device__ __forceinline__ Moments<double> shuffle_down(const Moments<double>& m, int offset) {
  Moments<double> r;
  r.mean = __shfl_down_sync(0xffffffffu, m.mean, offset);
  r.var = __shfl_down_sync(0xffffffffu, m.var, offset);
  r.count = __shfl_down_sync(0xffffffffu, m.count, offset);
  return r;
}
__device__ __forceinline__ GradSums<double> shuffle_down(const GradSums<double>& s, int offset) {
  GradSums<double> r;
  r.dy = __shfl_down_sync(0xffffffffu, s.dy, offset);
  r.dy_xc = __shfl_down_sync(0xffffffffu, s.dy_xc, offset);
  return r;
}

__device__ __forceinline__ Moments<double> load_l2(const Moments<double>* m) {
  Moments<double> r;
  r.mean = __ldcg(&m->mean);
  r.var = __ldcg(&m->var);
  r.count = __ldcg(&m->count);
  return r;
}
__device__ __forceinline__ GradSums<double> load_l2(const GradSums<double>* s) {
  GradSums<double> r;
  r.dy = __ldcg(&s->dy);
  r.dy_xc = __ldcg(&s->dy_xc);
  return r;
}

// Merges the L states of every thread with the same column group (threads t with equal t % tx)
// into shared[(g * L) + l] for group g < tx. `shared` holds kWarps * 32 * L states. Every thread
// of the block must call it.
template <class S, int L>
__device__ void block_reduce(S (&state)[L], int tx, S* shared) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  for (int offset = tx; offset < 32; offset *= 2)
#pragma unroll
    for (int l = 0; l < L; ++l) state[l] = merge(state[l], shuffle_down(state[l], offset));
  if (lane < tx)
#pragma unroll
    for (int l = 0; l < L; ++l) shared[(warp * 32 + lane) * L + l] = state[l];
  __syncthreads();
  for (int half = kWarps / 2; half >= 1; half /= 2) {
    if (warp < half && lane < tx)
#pragma unroll
      for (int l = 0; l < L; ++l) {
        S& mine = shared[(warp * 32 + lane) * L + l];
        mine = merge(mine, shared[((warp + half) * 32 + lane) * L + l]);
      }
    __syncthreads();
  }
}

// True in the last block of this column tile to finish (blockIdx.y order is irrelevant); its
// partials and everyone else's are then visible to it.
__device__ __forceinline__ bool arrive_last(unsigned* counter) {
  __shared__ bool last;
  __threadfence();
  __syncthreads();
  if (threadIdx.x == 0) last = atomicAdd(counter, 1u) == gridDim.y - 1;
  __syncthreads();
  if (last) __threadfence();
  return last;
}

// Merges partials[chunk * columns + col] over the gridDim.y chunks for the tile's columns, leaving
// each total in chunk 0's slot.
template <class S>
__device__ void merge_chunks(S* partials, int64_t columns, int64_t first_column, int tile_columns) {
  const int chunks = static_cast<int>(gridDim.y);
  for (int stride = 1; stride < chunks; stride *= 2) {
    const int pairs = (chunks + 2 * stride - 1) / (2 * stride);
    for (int w = threadIdx.x; w < pairs * tile_columns; w += kBlockThreads) {
      const int a = (w / tile_columns) * 2 * stride, b = a + stride;
      const int64_t column = first_column + w % tile_columns;
      if (b < chunks && column < columns) {
        S* into = partials + a * columns + column;
        *into = merge(load_l2(into), load_l2(partials + b * columns + column));
      }
    }
    __syncthreads();
  }
}

}  // namespace bnbench::cuda_welford
