// WelfordInstance: one prepared problem for the welford backends; run() is the timed pass.
//
// Invariant: run() allocates nothing and reads x (and dy) from memory once wherever a unit fits
// in cache: each thread gathers the statistics of unit u + 1 in step with normalizing unit u.
// Results are written straight into the harness tensors in canonical conventions (save_var
// biased, running_var with M / (M - 1), features in canonical order).
#pragma once

#include <vector>

#include "backend.h"
#include "chan.h"
#include "kernel_table.h"
#include "plan.h"

namespace bnbench::welford {

class WelfordInstance final : public Instance {
 public:
  WelfordInstance(const Problem& p, Tensors& t, const KernelTable& kernels, int threads);
  void run() override;
  nlohmann::json details() const override;

 private:
  // Per column of one unit: the centering (see Centering) and the multipliers of a kernel.
  // Applying: out = a * dy + b * xc + c (bwd_apply) or xc * a + c (normalize); reducing: a is
  // invstd. offset = c - center * (a or b, whichever multiplies xc): the constant of the same
  // map written on x instead of xc, which the row-major kernels use where no centering is scaled.
  struct ColumnParams {
    std::vector<float> center_scale, center, a, b, c, offset;
    bool scaled = false;  // some center_scale of the unit is not 1
    void resize(size_t n);
    // Records whether any of the first `columns` centerings is scaled, reading the first entry
    // of every run of `run` columns (a feature's columns share their parameters).
    void note_scaling(int64_t columns, int64_t run);
    Centering centering() const { return {center_scale.data(), center.data()}; }
    // Sets column j's centering for `mean`; returns the factor the multipliers of xc need.
    double center_on(int64_t j, double mean);
  };
  // Per thread. acc_a/acc_b per column: mean and M2 (statistics) or sum dy and sum dy * xhat
  // (backward). `reduce` belongs to the unit being reduced, `apply` to the unit being applied.
  // merged_*: the column statistics of all threads (row split, thread 0 only).
  struct Scratch {
    std::vector<double> acc_a, acc_b;
    ColumnParams reduce, apply;
    std::vector<double> merged_mean, merged_m2;
    std::vector<float> lanes;  // per-lane block states of the wide reduction kernels
  };

  void work(int t);
  void walk_planes(int t);
  void begin_reduce(Scratch& own, int64_t u);
  void reduce_step(Scratch& own, int64_t u, int s, int64_t q0, int64_t q1, int64_t done);
  // Requests rows [q0, q1) of strip s of unit u of x and dy into L2 ahead of their (backward)
  // reduction.
  void prefetch_rows(int64_t u, int s, int64_t q0, int64_t q1) const;
  // Requests what thread t reduces after rows [.., q1) of strip s of unit u: the strip's next
  // chunk, or the first chunk of unit u + 1 (if below u_end) after the last strip.
  void prefetch_after(int t, int64_t u, int s, int64_t q1, int64_t u_end) const;
  void apply_step(const ColumnParams& params, int64_t u, int s, int64_t q0, int64_t q1);
  void finish_reduce(int t, int64_t u);
  void finalize_stats(int64_t u, Scratch& out);
  void finalize_grads(int t, int64_t u, ColumnParams& out);
  void set_apply_params(int64_t u, ColumnParams& out);
  // Completes the apply parameters of `columns` columns, whose runs have their first entry set:
  // their scaling, their offsets (xc multiplied by `xc_factor`, a or b) where the row-major
  // kernels will read them, and the rest of every run.
  void finish_apply_params(ColumnParams& out, int64_t columns,
                           const std::vector<float>& xc_factor) const;
  // Copies entry j0 of the per-column parameters a kernel reads to the rest of its feature's run:
  // a, and b where `with_b` (the backward apply), then offset where `folded` (the unscaled
  // row-major kernels read nothing else), else the centering and c. Copying only those keeps the
  // per-unit finalization of nchw 7x7 channel groups (784 columns) from rivalling its kernels.
  static void fill_run(ColumnParams& params, int64_t j0, int64_t run, bool folded, bool with_b);
  // Entry j of out: feature f's parameters in a pass without a reduction.
  void set_known_params(int64_t j, int64_t f, ColumnParams& out) const;
  template <class F>
  void for_each_x(int64_t u, int64_t j0, int64_t run, F f) const;
  Moments plain_moments(int64_t u, int64_t j0, int64_t run) const;
  int64_t columns_of(int64_t u) const;
  // The threads whose accumulators hold a share of unit u: all in a row split, else t.
  int first_contributor(int t) const { return plan_.row_split ? 0 : t; }
  int last_contributor(int t) const { return plan_.row_split ? plan_.threads - 1 : t; }

  Problem p_;
  Plan plan_;
  const KernelTable& kernels_;
  bool reduces_;
  float *x_, *y_, *dy_, *dx_;
  const float *gamma_, *beta_;
  float *running_mean_, *running_var_, *save_mean_, *save_var_, *dgamma_, *dbeta_;
  std::vector<Scratch> scratch_;
  ColumnParams channel_params_;  // per channel, for the plane walk
};

}  // namespace bnbench::welford
