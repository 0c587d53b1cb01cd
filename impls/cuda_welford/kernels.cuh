// cuda_welford's two kernel templates. reduce_kernel: each thread loads kItems items (float4 where
// the layout allows), runs Welford (statistics) or short sums (backward) over them, the block
// merges its threads, writes one partial per column and chunk, and the last block of a column tile
// merges the chunks and finalizes the features (saved and running statistics, dgamma and dbeta,
// the elementwise coefficients). Its fused form is launched cooperatively with every block
// resident: it keeps its items in registers, waits at a grid-wide sync for the coefficients and
// writes y or dx, so x (and dy) are read from memory once. apply_kernel: y or dx from coefficients.
//
// Invariant: per column the coefficients are {center, scale, shift, slope}, and
// y = (x - center) * scale + shift; dx = scale * (dy - shift) - (x - center) * slope, or
// dx = scale * dy with global statistics (x is not read, so a NaN in x cannot reach dx).
#pragma once

#include <cooperative_groups.h>

#include "block_reduce.cuh"
#include "tile.cuh"

namespace bnbench::cuda_welford {

// The thread's data lanes as L state lanes: rows keep one per column, planes merge their VEC
// consecutive values (one channel) along a tree.
template <int L, int VEC, class S>
__device__ __forceinline__ void to_lanes(const S (&wide)[VEC], S (&out)[L]) {
  if constexpr (L == VEC) {
#pragma unroll
    for (int v = 0; v < VEC; ++v) out[v] = wide[v];
  } else {
    static_assert(L == 1 && VEC == 4);
    out[0] = merge(merge(wide[0], wide[1]), merge(wide[2], wide[3]));
  }
}

template <Reduction R>
struct ReduceOp;

template <>
struct ReduceOp<Reduction::stats> {
  using State = Moments<double>;
  static constexpr Apply kApply = Apply::forward;

  template <int L, int VEC>
  __device__ static void thread_state(const float (&x)[kItems][VEC], const float (&)[kItems][VEC],
                                      const bool (&valid)[kItems], const float (&)[VEC],
                                      State (&out)[L]) {
    Moments<float> m[VEC];
#pragma unroll
    for (int i = 0; i < kItems; ++i)
      if (valid[i])
#pragma unroll
        for (int v = 0; v < VEC; ++v) welford_push(m[v], x[i][v], 1.0f / (i + 1));
    State wide[VEC];
#pragma unroll
    for (int v = 0; v < VEC; ++v) wide[v] = widen(m[v]);
    to_lanes<L, VEC>(wide, out);
  }

  __device__ static void finish(const Params& p, int64_t f, int64_t column, const State& total) {
    const double mean = total.mean, var = total.var;
    if (p.save_mean) {
      p.save_mean[f] = static_cast<float>(mean);
      p.save_var[f] = static_cast<float>(var);
    }
    if (p.running_mean)
      update_running(p.running_mean[f], p.running_var[f], mean, var, p.momentum, p.count);
    const double scale = (p.gamma ? p.gamma[f] : 1.0f) * invstd_of(var, p.eps);
    p.coef[column] = make_float4(static_cast<float>(mean), static_cast<float>(scale),
                                 p.beta ? p.beta[f] : 0.0f, 0.0f);
  }
};

template <>
struct ReduceOp<Reduction::grads> {
  using State = GradSums<double>;
  static constexpr Apply kApply = Apply::backward;

  template <int L, int VEC>
  __device__ static void thread_state(const float (&x)[kItems][VEC], const float (&dy)[kItems][VEC],
                                      const bool (&valid)[kItems], const float (&mean)[VEC],
                                      State (&out)[L]) {
    GradSums<float> s[VEC];
#pragma unroll
    for (int i = 0; i < kItems; ++i)
      if (valid[i])
#pragma unroll
        for (int v = 0; v < VEC; ++v) {
          s[v].dy += dy[i][v];
          s[v].dy_xc = fmaf(dy[i][v], x[i][v] - mean[v], s[v].dy_xc);
        }
    State wide[VEC];
#pragma unroll
    for (int v = 0; v < VEC; ++v) wide[v] = widen(s[v]);
    to_lanes<L, VEC>(wide, out);
  }

  __device__ static void finish(const Params& p, int64_t f, int64_t column, const State& total) {
    const double invstd = invstd_of(p.var_in[f], p.eps);
    const double dbeta = total.dy, dgamma = total.dy_xc * invstd;
    if (p.dgamma) {
      p.dgamma[f] = static_cast<float>(dgamma);
      p.dbeta[f] = static_cast<float>(dbeta);
    }
    const double scale = (p.gamma ? p.gamma[f] : 1.0f) * invstd;
    const double shift = p.global_stats ? 0.0 : dbeta / p.count;
    const double slope = p.global_stats ? 0.0 : scale * invstd * dgamma / p.count;
    p.coef[column] = make_float4(p.mean_in[f], static_cast<float>(scale), static_cast<float>(shift),
                                 static_cast<float>(slope));
  }
};

template <Apply A>
__device__ __forceinline__ float element(const float4& k, float x, float dy, bool dy_only) {
  if constexpr (A == Apply::forward)
    return fmaf(x - k.x, k.y, k.z);
  else
    return dy_only ? k.y * dy : fmaf(k.x - x, k.w, k.y * (dy - k.z));
}

// Coefficients straight from the inputs: inference y, or dx with global statistics.
template <Apply A>
__device__ __forceinline__ float4 coefficients_from_inputs(const Params& p, int64_t f) {
  const double scale = (p.gamma ? p.gamma[f] : 1.0f) * invstd_of(p.var_in[f], p.eps);
  const float shift = A == Apply::forward && p.beta ? p.beta[f] : 0.0f;
  return make_float4(p.mean_in[f], static_cast<float>(scale), shift, 0.0f);
}

template <Geometry G, int VEC, Reduction R, bool FUSED>
__global__ void __launch_bounds__(kBlockThreads) reduce_kernel(const __grid_constant__ Params p) {
  using Op = ReduceOp<R>;
  using S = typename Op::State;
  using T = Tile<G, VEC>;
  constexpr int L = T::kLanes;
  constexpr bool kDy = R == Reduction::grads;
  const T tile(p);

  float mean[VEC] = {};
  if constexpr (kDy)
#pragma unroll
    for (int v = 0; v < VEC; ++v)
      if (tile.data_column(v) < p.columns) mean[v] = p.mean_in[tile.feature(tile.data_column(v))];

  float x[kItems][VEC] = {}, dy[kItems][VEC] = {};
  bool valid[kItems];
  S acc[L];
  for (int round = 0; round < p.rounds; ++round) {
#pragma unroll
    for (int i = 0; i < kItems; ++i) {
      int64_t offset = 0;
      valid[i] = tile.item(round, i, offset);
      if (valid[i]) {
        load(p.x, offset, x[i]);
        if constexpr (kDy) load(p.dy, offset, dy[i]);
      }
    }
    S state[L];
    Op::template thread_state<L, VEC>(x, dy, valid, mean, state);
#pragma unroll
    for (int l = 0; l < L; ++l) acc[l] = merge(acc[l], state[l]);
  }

  __shared__ alignas(16) unsigned char raw[kWarps * 32 * L * sizeof(S)];
  S* shared = reinterpret_cast<S*>(raw);
  block_reduce<S, L>(acc, p.tx, shared);
  S* partials = static_cast<S*>(p.partials);
  if (threadIdx.x < p.tx * L) {
    const int64_t column = tile.group_column(threadIdx.x / L, threadIdx.x % L);
    if (column < p.columns) partials[blockIdx.y * p.columns + column] = shared[threadIdx.x];
  }
  if (arrive_last(p.counters + blockIdx.x)) {
    merge_chunks(partials, p.columns, tile.tile_first_column(), tile.tile_columns());
    for (int c = threadIdx.x; c < tile.tile_columns(); c += kBlockThreads) {
      const int64_t column = tile.tile_first_column() + c;
      if (column < p.columns)
        Op::finish(p, tile.feature(column), column, load_l2(partials + column));
    }
    if (threadIdx.x == 0) p.counters[blockIdx.x] = 0;
  }

  if constexpr (FUSED) {
    cooperative_groups::this_grid().sync();
    float4 k[VEC];
#pragma unroll
    for (int v = 0; v < VEC; ++v)
      k[v] = tile.data_column(v) < p.columns ? __ldcg(p.coef + tile.data_column(v)) : float4{};
#pragma unroll
    for (int i = 0; i < kItems; ++i) {
      int64_t offset = 0;
      if (!tile.item(0, i, offset)) continue;
      float out[VEC];
#pragma unroll
      for (int v = 0; v < VEC; ++v)
        out[v] = element<Op::kApply>(k[v], x[i][v], dy[i][v], p.global_stats);
      store(p.out, offset, out);
    }
  }
}

template <Geometry G, int VEC, Apply A, bool FROM_INPUTS>
__global__ void __launch_bounds__(kBlockThreads) apply_kernel(const __grid_constant__ Params p) {
  const Tile<G, VEC> tile(p);
  const bool dy_only = A == Apply::backward && p.global_stats;
  float4 k[VEC];
#pragma unroll
  for (int v = 0; v < VEC; ++v) {
    const int64_t column = tile.data_column(v);
    if (column >= p.columns)
      k[v] = float4{};
    else if constexpr (FROM_INPUTS)
      k[v] = coefficients_from_inputs<A>(p, tile.feature(column));
    else
      k[v] = p.coef[column];
  }
  for (int round = 0; round < p.rounds; ++round) {
    float x[kItems][VEC] = {}, dy[kItems][VEC] = {};
    int64_t offset[kItems];
    bool valid[kItems];
#pragma unroll
    for (int i = 0; i < kItems; ++i) {
      valid[i] = tile.item(round, i, offset[i]);
      if (!valid[i]) continue;
      if (!dy_only) load(p.x, offset[i], x[i]);
      if constexpr (A == Apply::backward) load(p.dy, offset[i], dy[i]);
    }
#pragma unroll
    for (int i = 0; i < kItems; ++i) {
      if (!valid[i]) continue;
      float out[VEC];
#pragma unroll
      for (int v = 0; v < VEC; ++v) out[v] = element<A>(k[v], x[i][v], dy[i][v], dy_only);
      store(p.out, offset[i], out);
    }
  }
}

}  // namespace bnbench::cuda_welford
