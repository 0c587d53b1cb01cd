// WelfordInstance: the threaded, pipelined pass over units and the per-feature finalization.
//
// Invariant: every statistic is merged in a fixed order (blocks in row order, then threads
// 0..T-1, then a feature's columns in index order), so results depend only on the problem
// and the thread count. NaN and Inf are never clamped away: a non-finite value in a channel makes
// its statistics NaN in training and flows into y, dx, dgamma and dbeta.
#include "welford_instance.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

namespace bnbench::welford {

namespace {
float* data_of(Tensors& t, TensorId id) { return t[id].empty() ? nullptr : t[id].as<float>(); }

double inverse_std(double var, double eps) {
  return var + eps == 0 ? 0.0 : 1.0 / std::sqrt(var + eps);
}
}  // namespace

void WelfordInstance::ColumnParams::resize(size_t n) {
  for (auto* v : {&center_scale, &center, &a, &b, &c, &offset}) v->resize(n);
}

void WelfordInstance::fill_run(ColumnParams& params, int64_t j0, int64_t run, bool folded,
                               bool with_b) {
  if (run == 1) return;
  const auto copy = [&](std::vector<float>& v) {
    std::fill(v.begin() + j0 + 1, v.begin() + j0 + run, v[j0]);
  };
  copy(params.a);
  if (with_b) copy(params.b);
  if (folded) return copy(params.offset);
  for (auto* v : {&params.center_scale, &params.center, &params.c}) copy(*v);
}

void WelfordInstance::ColumnParams::note_scaling(int64_t columns, int64_t run) {
  scaled = false;
  for (int64_t j = 0; j < columns; j += run) scaled |= center_scale[j] != 1.0f;
}

void WelfordInstance::finish_apply_params(ColumnParams& out, int64_t columns,
                                          const std::vector<float>& xc_factor) const {
  const int64_t run = run_length(plan_);
  out.note_scaling(columns, run);
  const bool backward = is_backward(p_.direction);
  const bool folded = plan_.strips[0].wide && !out.scaled;
  for (int64_t j0 = 0; j0 < columns; j0 += run) {
    if (folded)
      out.offset[j0] =
          static_cast<float>(double(out.c[j0]) - double(out.center[j0]) * double(xc_factor[j0]));
    fill_run(out, j0, run, folded, backward);
  }
}

double WelfordInstance::ColumnParams::center_on(int64_t j, double mean) {
  const float scale = std::fabs(mean) >= 0x1p100 ? 0.5f : 1.0f;
  center_scale[j] = scale;
  center[j] = static_cast<float>(mean) * scale;
  return 1.0 / scale;
}

WelfordInstance::WelfordInstance(const Problem& p, Tensors& t, const KernelTable& kernels,
                                 int threads)
    : p_(p),
      plan_(make_plan(p, threads)),
      kernels_(kernels),
      reduces_(needs_reduction(p)),
      x_(data_of(t, TensorId::x)),
      y_(data_of(t, TensorId::y)),
      dy_(data_of(t, TensorId::dy)),
      dx_(data_of(t, TensorId::dx)),
      gamma_(data_of(t, TensorId::gamma)),
      beta_(data_of(t, TensorId::beta)),
      running_mean_(data_of(t, TensorId::running_mean)),
      running_var_(data_of(t, TensorId::running_var)),
      save_mean_(data_of(t, TensorId::save_mean)),
      save_var_(data_of(t, TensorId::save_var)),
      dgamma_(data_of(t, TensorId::dgamma)),
      dbeta_(data_of(t, TensorId::dbeta)),
      scratch_(threads) {
  const size_t cols = static_cast<size_t>(plan_.unit_columns);
  for (Scratch& s : scratch_) {
    s.acc_a.resize(cols);
    s.acc_b.resize(cols);
    s.reduce.resize(cols);
    s.apply.resize(cols);
    if (plan_.strips[0].wide_reduce) s.lanes.resize(wide_reduce_lanes(plan_.unit_columns));
    if (plan_.row_split) {
      s.merged_mean.resize(cols);
      s.merged_m2.resize(cols);
    }
  }
  if (plan_.plane_walk) channel_params_.resize(static_cast<size_t>(p.c));
}

void WelfordInstance::run() {
#pragma omp parallel num_threads(plan_.threads)
  work(omp_get_thread_num());
}

int64_t WelfordInstance::columns_of(int64_t u) const {
  return plan_.fold == Fold::plane ? plan_.unit_columns : strip_width(plan_, 0, u);
}

// Unit split: thread t pipelines its own units. Row split: all threads walk every unit, each on
// its share of the rows, and meet at finish_reduce.
void WelfordInstance::work(int t) {
  if (plan_.plane_walk) return walk_planes(t);
  Scratch& own = scratch_[t];
  const int64_t units = plan_.units, threads = plan_.threads;
  const int64_t u0 = plan_.row_split ? 0 : units * t / threads;
  const int64_t u1 = plan_.row_split ? units : units * (t + 1) / threads;
  if (u0 >= u1) return;
  if (reduces_) {
    begin_reduce(own, u0);
    for (int s = 0; s < plan_.strip_count; ++s) {
      int64_t begin, end;
      thread_rows(plan_, s, t, begin, end);
      const int64_t chunk = plan_.strips[s].lone_chunk;  // all column groups of a chunk together
      for (int64_t q = begin; q < end; q += chunk)
        reduce_step(own, u0, s, q, std::min(q + chunk, end), q - begin);
    }
    finish_reduce(t, u0);
  } else {
    set_apply_params(u0, own.apply);
  }
  const ColumnParams& params = scratch_[reduces_ ? first_contributor(t) : t].apply;
  for (int64_t u = u0; u < u1; ++u) {
    const bool next = u + 1 < u1;
    if (next && reduces_) begin_reduce(own, u + 1);
    for (int s = 0; s < plan_.strip_count; ++s) {
      int64_t begin, end;
      thread_rows(plan_, s, t, begin, end);
      const int64_t chunk = plan_.strips[s].chunk;
      if (next && reduces_) {
        for (int64_t q = begin; q < end; q += chunk) {
          const int64_t q_end = std::min(q + chunk, end);
          if (plan_.prefetch) prefetch_after(t, u + 1, s, q_end, u1);
          reduce_step(own, u + 1, s, q, q_end, q - begin);
          apply_step(params, u, s, q, q_end);
        }
      } else if (reduces_) {  // alone: backwards, starting with the rows read last (in cache)
        const int64_t step = plan_.strips[s].reverse_chunk;
        for (int64_t q_end = end; q_end > begin; q_end -= std::min(step, q_end - begin))
          apply_step(params, u, s, std::max(begin, q_end - step), q_end);
      } else {  // nothing read before: forwards, the column groups of a chunk together
        const int64_t lone = plan_.strips[s].lone_chunk;
        for (int64_t q = begin; q < end; q += lone)
          apply_step(params, u, s, q, std::min(q + lone, end));
      }
    }
    if (next && reduces_) finish_reduce(t, u + 1);
    if (next && !reduces_) set_apply_params(u + 1, own.apply);
  }
  kernels_.store_fence();
}

void WelfordInstance::begin_reduce(Scratch& own, int64_t u) {
  if (p_.direction == Direction::fwd_training) return;  // the first block overwrites
  const float* mean = p_.global_stats ? running_mean_ : save_mean_;
  const float* var = p_.global_stats ? running_var_ : save_var_;
  const int64_t cols = columns_of(u), run = run_length(plan_);
  std::fill(own.acc_a.begin(), own.acc_a.begin() + cols, 0.0);
  std::fill(own.acc_b.begin(), own.acc_b.begin() + cols, 0.0);
  for (int64_t j0 = 0; j0 < cols; j0 += run) {
    const int64_t f = feature_of(plan_, u, j0);
    const double invstd = inverse_std(var[f], p_.eps);
    own.reduce.a[j0] = static_cast<float>(invstd * own.reduce.center_on(j0, mean[f]));
    fill_run(own.reduce, j0, run, false, false);
  }
  own.reduce.note_scaling(cols, run);
}

void WelfordInstance::reduce_step(Scratch& own, int64_t u, int s, int64_t q0, int64_t q1,
                                  int64_t done) {
  const Strip& strip = plan_.strips[s];
  Rows rows = strip.rows;
  rows.base += u * plan_.unit_offset;
  const int width = strip_width(plan_, s, u);
  if (strip.wide_reduce) {
    kernels_.bwd_reduce_wide[own.reduce.scaled](
        x_, dy_, rows, q0, q1, {0, width, strip.index}, own.reduce.centering(), own.reduce.a.data(),
        own.lanes.data(), own.acc_a.data(), own.acc_b.data());
    return;
  }
  for (int g = 0; g < width; g += kMaxGroupWidth) {
    const Columns cols{g, std::min(kMaxGroupWidth, width - g), strip.index + g};
    const int vectors = (cols.width + 15) / 16 - 1;
    if (p_.direction == Direction::fwd_training)
      kernels_.stats[vectors](x_, rows, q0, q1, cols, own.acc_a.data(), own.acc_b.data(), done);
    else
      kernels_.bwd_reduce[vectors](x_, dy_, rows, q0, q1, cols, own.reduce.centering(),
                                   own.reduce.a.data(), own.acc_a.data(), own.acc_b.data());
  }
}

void WelfordInstance::prefetch_after(int t, int64_t u, int s, int64_t q1, int64_t u_end) const {
  int64_t begin, end;
  thread_rows(plan_, s, t, begin, end);
  if (q1 < end) return prefetch_rows(u, s, q1, std::min(q1 + plan_.strips[s].chunk, end));
  if (s + 1 < plan_.strip_count || u + 1 >= u_end) return;  // a next strip: rows just read
  thread_rows(plan_, 0, t, begin, end);
  prefetch_rows(u + 1, 0, begin, std::min(begin + plan_.strips[0].chunk, end));
}

void WelfordInstance::prefetch_rows(int64_t u, int s, int64_t q0, int64_t q1) const {
  const Strip& strip = plan_.strips[s];
  const Rows& r = strip.rows;
  const int64_t width = strip_width(plan_, s, u);
  for (int64_t q = q0; q < q1; ++q) {
    const int64_t o = r.base + u * plan_.unit_offset + q / r.inner_count * r.outer_stride +
                      q % r.inner_count * r.inner_stride;
    for (int64_t j = 0; j < width; j += 16) {
      __builtin_prefetch(x_ + o + j, 0, 2);
      __builtin_prefetch(dy_ + o + j, 0, 2);
    }
  }
}

void WelfordInstance::apply_step(const ColumnParams& params, int64_t u, int s, int64_t q0,
                                 int64_t q1) {
  const Strip& strip = plan_.strips[s];
  Rows rows = strip.rows;
  rows.base += u * plan_.unit_offset;
  const int width = strip_width(plan_, s, u);
  const bool backward = is_backward(p_.direction);
  const bool dx_from_x_and_dy = backward && !p_.global_stats;
  if (strip.wide) {
    const Columns cols{0, width, strip.index};
    if (dx_from_x_and_dy)
      kernels_.bwd_apply_wide[params.scaled][strip.stream](
          x_, dy_, dx_, rows, q0, q1, cols, params.centering(), params.a.data(), params.b.data(),
          params.scaled ? params.c.data() : params.offset.data());
    else
      kernels_.normalize_wide[params.scaled][strip.stream](
          backward ? dy_ : x_, backward ? dx_ : y_, rows, q0, q1, cols, params.centering(),
          params.a.data(), params.scaled ? params.c.data() : params.offset.data());
    return;
  }
  for (int g = 0; g < width; g += kMaxGroupWidth) {
    const Columns cols{g, std::min(kMaxGroupWidth, width - g), strip.index + g};
    const int vectors = (cols.width + 15) / 16 - 1;
    if (dx_from_x_and_dy)
      kernels_.bwd_apply[vectors][strip.stream](x_, dy_, dx_, rows, q0, q1, cols,
                                                params.centering(), params.a.data(),
                                                params.b.data(), params.c.data());
    else
      kernels_.normalize[vectors][strip.stream](backward ? dy_ : x_, backward ? dx_ : y_, rows, q0,
                                                q1, cols, params.centering(), params.a.data(),
                                                params.c.data());
  }
}

void WelfordInstance::finish_reduce(int t, int64_t u) {
  const bool training = p_.direction == Direction::fwd_training;
  if (!plan_.row_split) {
    training ? finalize_stats(u, scratch_[t]) : finalize_grads(t, u, scratch_[t].apply);
    return;
  }
#pragma omp barrier
  if (t == 0) training ? finalize_stats(u, scratch_[0]) : finalize_grads(t, u, scratch_[0].apply);
#pragma omp barrier
}

// Column summaries (the thread's own, or all threads' merged in order), each over all of its
// strip's rows, then Chan's k-way merge over each feature's columns.
void WelfordInstance::finalize_stats(int64_t u, Scratch& out) {
  const double* col_mean = out.acc_a.data();
  const double* col_m2 = out.acc_b.data();
  if (plan_.row_split) {
    for (int s = 0; s < plan_.strip_count; ++s) {
      const int64_t first = plan_.strips[s].index, width = strip_width(plan_, s, u);
      for (int64_t j = first; j < first + width; ++j) {
        Moments merged;
        for (int c = 0; c < plan_.threads; ++c) {
          int64_t begin, end;
          thread_rows(plan_, s, c, begin, end);
          merged = chan_merge(merged, {end - begin, scratch_[c].acc_a[j], scratch_[c].acc_b[j]});
        }
        out.merged_mean[j] = merged.mean;
        out.merged_m2[j] = merged.m2;
      }
    }
    col_mean = out.merged_mean.data();
    col_m2 = out.merged_m2.data();
  }
  const int64_t cols = columns_of(u), run = run_length(plan_);
  const double m = p_.momentum;
  for (int64_t j0 = 0; j0 < cols; j0 += run) {
    const int64_t f = feature_of(plan_, u, j0);
    EqualCountSpan spans[2];
    for (int s = 0; s < plan_.strip_count; ++s) {
      const int64_t lo = std::max<int64_t>(j0, plan_.strips[s].index);
      const int64_t hi =
          std::min<int64_t>(j0 + run, plan_.strips[s].index + strip_width(plan_, s, u));
      spans[s] = {col_mean + lo, col_m2 + lo, std::max<int64_t>(hi - lo, 0),
                  plan_.strips[s].rows.count()};
    }
    Moments total = merge_spans(spans, plan_.strip_count);
    if (!std::isfinite(total.m2)) total = plain_moments(u, j0, run);
    const double n = static_cast<double>(total.count), mean = total.mean;
    double var = total.m2 / n;
    if (var < 0) var = 0;  // rounding only; NaN stays NaN
    const double invstd = inverse_std(var, p_.eps);
    save_mean_[f] = static_cast<float>(mean);
    save_var_[f] = static_cast<float>(var);
    if (running_mean_) {
      running_mean_[f] = static_cast<float>((1 - m) * running_mean_[f] + m * mean);
      running_var_[f] = static_cast<float>((1 - m) * running_var_[f] + m * var * n / (n - 1));
    }
    const double gamma = gamma_ ? gamma_[f] : 1.0;
    const float shift = beta_ ? beta_[f] : 0.0f;
    const double factor = out.apply.center_on(j0, mean);
    out.apply.a[j0] = static_cast<float>(gamma * invstd * factor);
    out.apply.c[j0] = shift;
  }
  finish_apply_params(out.apply, cols, out.apply.a);
}

// dx = k * dy - k * invstd * dgamma / M * (x - mean) - k * dbeta / M with k = gamma * invstd
// (training statistics), or dx = k * dy with global statistics.
void WelfordInstance::finalize_grads(int t, int64_t u, ColumnParams& out) {
  const int64_t cols = columns_of(u), run = run_length(plan_);
  const double reduction = static_cast<double>(reduction_size(p_));
  const float* mean = p_.global_stats ? running_mean_ : save_mean_;
  const float* var = p_.global_stats ? running_var_ : save_var_;
  for (int64_t j0 = 0; j0 < cols; j0 += run) {
    double sum_dy = 0, dgamma = 0;
    for (int c = first_contributor(t); c <= last_contributor(t); ++c) {
      const double* part_dy = scratch_[c].acc_a.data() + j0;
      const double* part_dgamma = scratch_[c].acc_b.data() + j0;
      sum_dy += fixed_order_sum(run, [&](int64_t j) { return part_dy[j]; });
      dgamma += fixed_order_sum(run, [&](int64_t j) { return part_dgamma[j]; });
    }
    const int64_t f = feature_of(plan_, u, j0);
    const double invstd = inverse_std(var[f], p_.eps);
    if (dgamma_) {
      dgamma_[f] = static_cast<float>(dgamma);
      dbeta_[f] = static_cast<float>(sum_dy);
    }
    const double k = (gamma_ ? gamma_[f] : 1.0) * invstd;
    const double factor = out.center_on(j0, p_.global_stats ? 0.0 : mean[f]);
    out.a[j0] = static_cast<float>(k);
    out.b[j0] = static_cast<float>(-k * invstd * dgamma / reduction * factor);
    out.c[j0] = p_.global_stats ? 0.0f : static_cast<float>(-k * sum_dy / reduction);
  }
  finish_apply_params(out, cols, p_.global_stats ? out.a : out.b);
}

// Inference (y = (x - rm) * gamma * invstd_r + beta) and backward with global statistics and no
// affine gradients (dx = gamma * invstd_r * dy): parameters known before the pass.
void WelfordInstance::set_apply_params(int64_t u, ColumnParams& out) {
  const int64_t cols = columns_of(u), run = run_length(plan_);
  for (int64_t j0 = 0; j0 < cols; j0 += run) {
    set_known_params(j0, feature_of(plan_, u, j0), out);
  }
  finish_apply_params(out, cols, out.a);
}

void WelfordInstance::set_known_params(int64_t j, int64_t f, ColumnParams& out) const {
  const bool forward = p_.direction == Direction::fwd_inference;
  const double scale = (gamma_ ? gamma_[f] : 1.0) * inverse_std(running_var_[f], p_.eps);
  out.a[j] = static_cast<float>(scale * out.center_on(j, forward ? running_mean_[f] : 0.0));
  out.c[j] = forward && beta_ ? beta_[f] : 0.0f;
}

// Each thread sets the parameters of its share of the channels, then walks its share of the
// planes (any channels) in memory order.
void WelfordInstance::walk_planes(int t) {
  const int64_t channels = p_.c, threads = plan_.threads, planes = p_.n * channels;
  for (int64_t f = channels * t / threads; f < channels * (t + 1) / threads; ++f)
    set_known_params(f, f, channel_params_);
#pragma omp barrier
  const bool backward = is_backward(p_.direction);
  const ColumnParams& params = channel_params_;
  kernels_.normalize_planes[plan_.plane_stream](
      backward ? dy_ : x_, backward ? dx_ : y_, planes * t / threads, planes * (t + 1) / threads,
      channels, plan_.spatial, params.centering(), params.a.data(), params.c.data());
  kernels_.store_fence();
}

// Calls f(x) for every element of the columns [j0, j0 + run) of unit u.
template <class F>
void WelfordInstance::for_each_x(int64_t u, int64_t j0, int64_t run, F f) const {
  for (int s = 0; s < plan_.strip_count; ++s) {
    const Strip& strip = plan_.strips[s];
    const int64_t first = std::max<int64_t>(j0, strip.index);
    const int64_t last = std::min<int64_t>(j0 + run, strip.index + strip_width(plan_, s, u));
    const Rows& r = strip.rows;
    for (int64_t i = 0; i < r.outer_count; ++i)
      for (int64_t k = 0; k < r.inner_count; ++k)
        for (int64_t j = first; j < last; ++j)
          f(x_[r.base + u * plan_.unit_offset + i * r.outer_stride + k * r.inner_stride + j -
               strip.index]);
  }
}

// The exceptional path: M2 not finite means NaN, Inf or overflow in the feature's data. The
// statistics are then recomputed in double, two passes, exactly as the reference defines them
// (+Inf data: mean +Inf, variance NaN; finite data whose M2 overflowed float: exact in double).
Moments WelfordInstance::plain_moments(int64_t u, int64_t j0, int64_t run) const {
  Moments m;
  for_each_x(u, j0, run, [&](float v) {
    m.mean += v;
    ++m.count;
  });
  m.mean /= static_cast<double>(m.count);
  for_each_x(u, j0, run, [&](float v) { m.m2 += (v - m.mean) * (v - m.mean); });
  return m;
}

nlohmann::json WelfordInstance::details() const {
  static const char* const kFolds[] = {"plane", "identity", "group", "transpose"};
  return {{"fold", kFolds[static_cast<int>(plan_.fold)]},
          {"units", plan_.units},
          {"unit_columns", plan_.unit_columns},
          {"row_split", plan_.row_split},
          {"streaming_stores", plan_.plane_walk ? plan_.plane_stream : plan_.strips[0].stream},
          {"walk", plan_.plane_walk ? (kernels_.plane_groups && walks_plane_groups(plan_.spatial)
                                           ? "groups of 16 planes"
                                           : "planes")
                   : plan_.strips[0].wide ? "unit rows"
                                          : "column groups"},
          {"threads", plan_.threads}};
}

}  // namespace bnbench::welford
