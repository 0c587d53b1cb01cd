// Plan: see plan.h. The geometry rules are in kernel_params.h's comment.
#include "plan.h"

#include <algorithm>

#include "welford_math.h"

namespace bnbench::cuda_welford {

namespace {

constexpr int64_t kMaxGridY = 65535;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int next_power_of_two(int64_t v) {
  int p = 1;
  while (p < v) p *= 2;
  return p;
}

// Geometry fields of Params, tiles (grid.x) and the chunks one round of kItems per thread needs.
struct Decomposition {
  Params shape;
  KernelKey key;
  int64_t tiles = 0, chunks = 0;
};

Decomposition decompose(const Problem& p) {
  Decomposition l;
  const int64_t s = spatial_size(p);
  l.shape.count = static_cast<unsigned>(reduction_size(p));
  const bool rows = p.mode == Mode::per_activation || p.layout == Layout::nhwc || s == 1;
  if (rows) {
    const int64_t columns = feature_count(p);
    l.key = {Geometry::rows, columns % 4 == 0 ? 4 : 1};
    l.shape.rows = p.mode == Mode::spatial ? p.n * s : p.n;
    l.shape.columns = columns;
    const bool permuted = p.mode == Mode::per_activation && p.layout == Layout::nhwc;
    l.shape.perm_c = permuted ? p.c : columns;
    l.shape.perm_s = permuted ? s : 1;
    l.shape.tx = std::min(32, next_power_of_two(ceil_div(columns, l.key.vec)));
    l.tiles = ceil_div(columns, int64_t{l.shape.tx} * l.key.vec);
    l.chunks = ceil_div(l.shape.rows, int64_t{kBlockThreads / l.shape.tx} * kItems);
  } else {
    l.key = {Geometry::planes, s % 4 == 0 ? 4 : 1};
    l.shape.rows = p.n;
    l.shape.columns = p.c;
    l.shape.inner = s;
    l.shape.tx = 1;
    l.tiles = p.c;
    l.chunks = ceil_div(reduction_size(p), int64_t{kBlockThreads} * kItems * l.key.vec);
  }
  return l;
}

}  // namespace

Plan make_plan(const Problem& p, bool allow_fused, int sm_count, bool cooperative_launch) {
  Plan plan;
  Decomposition l = decompose(p);
  plan.key = l.key;
  const int rounds = static_cast<int>(ceil_div(l.chunks, kMaxGridY));
  l.shape.rounds = rounds;
  plan.grid =
      dim3(static_cast<unsigned>(l.tiles), static_cast<unsigned>(ceil_div(l.chunks, rounds)));

  const bool training = p.direction == Direction::fwd_training;
  const bool backward_sums = is_backward(p.direction) && (!p.global_stats || has_affine_grads(p));
  plan.reduce = training || backward_sums;
  plan.reduction = training ? Reduction::stats : Reduction::grads;
  plan.apply = is_backward(p.direction) ? Apply::backward : Apply::forward;
  plan.apply_from_inputs = !plan.reduce;
  if (plan.reduce && allow_fused && cooperative_launch && rounds == 1) {
    const int64_t blocks = int64_t{plan.grid.x} * plan.grid.y;
    plan.fused = blocks <= fused_capacity(plan.key, plan.reduction, sm_count);
  }
  l.shape.global_stats = p.global_stats;
  plan.shape = l.shape;
  const size_t state_bytes = std::max(sizeof(Moments<double>), sizeof(GradSums<double>));
  plan.partial_bytes = plan.reduce ? state_bytes * plan.grid.y * l.shape.columns : 0;
  plan.coef_count = plan.reduce ? static_cast<size_t>(l.shape.columns) : 0;
  plan.counter_count = plan.reduce ? l.tiles : 0;
  return plan;
}

std::string Plan::describe() const {
  std::string s = key.geometry == Geometry::rows ? "rows" : "planes";
  s += key.vec == 4 ? " float4" : " float";
  s += ", grid " + std::to_string(grid.x) + " x " + std::to_string(grid.y) + " x " +
       std::to_string(kBlockThreads) + " threads, " + std::to_string(shape.rounds) + " round(s)";
  if (!reduce) return s + ", one elementwise kernel";
  return s + (fused ? ", fused single pass (cooperative, data in registers)"
                    : ", two kernels (reduce, then elementwise)");
}

}  // namespace bnbench::cuda_welford
