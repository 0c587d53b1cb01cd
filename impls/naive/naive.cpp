// Naive backend: batch normalization as the plain loops a typical user writes.
//
// Invariant: arithmetic in the problem's dtype with accumulators of that dtype (float for f32),
// sequential sums, two passes (mean, then the sum of squared deviations); the backward pass uses
// the saved statistics given as inputs (running statistics for global_stats). Every direction,
// mode, layout, rank, affine setting and in-place case is handled. Two loop shapes: "rows" when
// features are contiguous (nhwc, nchw per-activation, rank 0), with per-thread accumulator rows
// merged in thread order; "planes" otherwise, one feature at a time, threaded over features.
// Scratch is allocated in prepare(); run() allocates nothing. invstd = 0 when var + eps == 0.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "backend.h"
#include "layout.h"
#include "registry.h"

namespace bnbench {

namespace {

template <class T>
T* data_of(Tensors& t, TensorId id) {
  return t[id].empty() ? nullptr : t[id].as<T>();
}

template <class T>
class NaiveInstance final : public Instance {
 public:
  NaiveInstance(const Problem& p, Tensors& t)
      : p_(p),
        features_(feature_count(p)),
        m_(static_cast<T>(reduction_size(p))),
        eps_(static_cast<T>(p.eps)),
        momentum_(static_cast<T>(p.momentum)),
        x_(data_of<T>(t, TensorId::x)),
        dy_(data_of<T>(t, TensorId::dy)),
        y_(data_of<T>(t, TensorId::y)),
        dx_(data_of<T>(t, TensorId::dx)),
        gamma_(data_of<T>(t, TensorId::gamma)),
        beta_(data_of<T>(t, TensorId::beta)),
        running_mean_(data_of<T>(t, TensorId::running_mean)),
        running_var_(data_of<T>(t, TensorId::running_var)),
        save_mean_(data_of<T>(t, TensorId::save_mean)),
        save_var_(data_of<T>(t, TensorId::save_var)),
        dgamma_(data_of<T>(t, TensorId::dgamma)),
        dbeta_(data_of<T>(t, TensorId::dbeta)),
        mean_(features_),
        invstd_(features_),
        scale_(features_),
        shift_(features_),
        sums_(2 * features_) {
    const int64_t s_size = spatial_size(p);
    const bool spatial = p.mode == Mode::spatial;
    rows_layout_ = spatial ? (p.layout == Layout::nhwc || (p.layout == Layout::nchw && s_size == 1))
                           : p.layout == Layout::nchw;
    row_count_ = spatial ? p.n * s_size : p.n;
    threads_ = std::max(1, omp_get_max_threads());
    if (rows_layout_) {
      partial_.resize(static_cast<size_t>(threads_) * 2 * features_);
      return;
    }
    const LayoutIndexer index(p);
    plane_base_.resize(features_);
    for (int64_t f = 0; f < features_; ++f)
      plane_base_[f] = spatial ? index.offset(0, f, 0) : index.offset(0, f / s_size, f % s_size);
    outer_stride_ = index.offset(1, 0, 0) - index.offset(0, 0, 0);
    inner_count_ = spatial ? s_size : 1;
    inner_stride_ = spatial && s_size > 1 ? index.offset(0, 0, 1) - index.offset(0, 0, 0) : 1;
  }

  void run() override {
    switch (p_.direction) {
      case Direction::fwd_training:
      case Direction::fwd_inference:
        forward();
        break;
      case Direction::bwd:
      case Direction::bwd_data:
        backward();
        break;
    }
  }

 private:
  T invstd_of(T var) const {
    const T denom = var + eps_;
    return denom == T(0) ? T(0) : T(1) / std::sqrt(denom);
  }

  // Per-feature forward parameters; in training also the saved and running statistics.
  void finish_forward_feature(int64_t f, T mean, T var) {
    const T invstd = invstd_of(var);
    mean_[f] = mean;
    scale_[f] = gamma_ ? gamma_[f] * invstd : invstd;
    shift_[f] = beta_ ? beta_[f] : T(0);
    if (p_.direction != Direction::fwd_training) return;
    save_mean_[f] = mean;
    save_var_[f] = var;
    if (!running_mean_) return;
    running_mean_[f] = (T(1) - momentum_) * running_mean_[f] + momentum_ * mean;
    running_var_[f] = (T(1) - momentum_) * running_var_[f] + momentum_ * var * (m_ / (m_ - T(1)));
  }

  bool backward_needs_sums() const { return !p_.global_stats || dgamma_ != nullptr; }

  // Per-feature backward: gradients of gamma/beta and dx's coefficient gamma * invstd (/ M).
  void finish_backward_feature(int64_t f, T sum_dy, T sum_dy_xhat) {
    if (dgamma_) {
      dgamma_[f] = sum_dy_xhat;
      dbeta_[f] = sum_dy;
    }
    const T gamma = gamma_ ? gamma_[f] : T(1);
    scale_[f] = p_.global_stats ? gamma * invstd_[f] : gamma * invstd_[f] / m_;
    sums_[f] = sum_dy;
    sums_[features_ + f] = sum_dy_xhat;
  }

  void load_backward_statistics() {
    const T* mean = p_.global_stats ? running_mean_ : save_mean_;
    const T* var = p_.global_stats ? running_var_ : save_var_;
    for (int64_t f = 0; f < features_; ++f) {
      mean_[f] = mean[f];
      invstd_[f] = invstd_of(var[f]);
    }
  }

  T backward_element(int64_t i, int64_t f) const {
    if (p_.global_stats) return scale_[f] * dy_[i];
    const T xhat = (x_[i] - mean_[f]) * invstd_[f];
    return scale_[f] * (m_ * dy_[i] - sums_[f] - xhat * sums_[features_ + f]);
  }

  void forward() { rows_layout_ ? forward_rows() : forward_planes(); }
  void backward() {
    load_backward_statistics();
    rows_layout_ ? backward_rows() : backward_planes();
  }

  // ---- rows: element (r, f) at r * features + f ----

  // out[k * F + f] = sum over rows of what add(partial_row, i, f) accumulates into
  // partial_row[k * F + f]; per-thread partial rows are summed in thread order.
  template <class Add>
  void reduce_rows(int outputs, T* out, const Add& add) {
    const int64_t width = features_;
    int team = 1;
#pragma omp parallel num_threads(threads_)
    {
      T* partial = partial_.data() + static_cast<size_t>(omp_get_thread_num()) * outputs * width;
      std::fill(partial, partial + outputs * width, T(0));
#pragma omp single
      team = omp_get_num_threads();
#pragma omp for schedule(static)
      for (int64_t r = 0; r < row_count_; ++r) {
        const int64_t base = r * width;
        for (int64_t f = 0; f < width; ++f) add(partial, base + f, f);
      }
    }
    for (int64_t k = 0; k < outputs * width; ++k) {
      T sum = 0;
      for (int t = 0; t < team; ++t) sum += partial_[static_cast<size_t>(t) * outputs * width + k];
      out[k] = sum;
    }
  }

  void forward_rows() {
    const int64_t width = features_;
    if (p_.direction == Direction::fwd_training) {
      T* sum = sums_.data();
      reduce_rows(1, sum, [&](T* acc, int64_t i, int64_t f) { acc[f] += x_[i]; });
      for (int64_t f = 0; f < width; ++f) mean_[f] = sum[f] / m_;
      const T* mean = mean_.data();
      reduce_rows(1, sum, [&](T* acc, int64_t i, int64_t f) {
        const T d = x_[i] - mean[f];
        acc[f] += d * d;
      });
      for (int64_t f = 0; f < width; ++f) finish_forward_feature(f, mean_[f], sum[f] / m_);
    } else {
      for (int64_t f = 0; f < width; ++f)
        finish_forward_feature(f, running_mean_[f], running_var_[f]);
    }
    const T *mean = mean_.data(), *scale = scale_.data(), *shift = shift_.data();
#pragma omp parallel for schedule(static) num_threads(threads_)
    for (int64_t r = 0; r < row_count_; ++r) {
      const int64_t base = r * width;
      for (int64_t f = 0; f < width; ++f)
        y_[base + f] = (x_[base + f] - mean[f]) * scale[f] + shift[f];
    }
  }

  void backward_rows() {
    const int64_t width = features_;
    if (backward_needs_sums()) {
      const T *mean = mean_.data(), *invstd = invstd_.data();
      reduce_rows(2, sums_.data(), [&](T* acc, int64_t i, int64_t f) {
        acc[f] += dy_[i];
        acc[width + f] += dy_[i] * ((x_[i] - mean[f]) * invstd[f]);
      });
    }
    for (int64_t f = 0; f < width; ++f) finish_backward_feature(f, sums_[f], sums_[width + f]);
#pragma omp parallel for schedule(static) num_threads(threads_)
    for (int64_t r = 0; r < row_count_; ++r) {
      const int64_t base = r * width;
      for (int64_t f = 0; f < width; ++f) dx_[base + f] = backward_element(base + f, f);
    }
  }

  // ---- planes: feature f's elements at base[f] + n * outer_stride + i * inner_stride ----

  template <class Visit>
  void visit_plane(int64_t f, const Visit& visit) const {
    const int64_t base = plane_base_[f];
    for (int64_t n = 0; n < p_.n; ++n) {
      const int64_t start = base + n * outer_stride_;
      if (inner_stride_ == 1)
        for (int64_t i = 0; i < inner_count_; ++i) visit(start + i);
      else
        for (int64_t i = 0; i < inner_count_; ++i) visit(start + i * inner_stride_);
    }
  }

  void forward_planes() {
    const bool training = p_.direction == Direction::fwd_training;
#pragma omp parallel for schedule(static) num_threads(threads_)
    for (int64_t f = 0; f < features_; ++f) {
      if (training) {
        T sum = 0;
        visit_plane(f, [&](int64_t i) { sum += x_[i]; });
        const T mean = sum / m_;
        T squares = 0;
        visit_plane(f, [&](int64_t i) {
          const T d = x_[i] - mean;
          squares += d * d;
        });
        finish_forward_feature(f, mean, squares / m_);
      } else {
        finish_forward_feature(f, running_mean_[f], running_var_[f]);
      }
      const T mean = mean_[f], scale = scale_[f], shift = shift_[f];
      visit_plane(f, [&](int64_t i) { y_[i] = (x_[i] - mean) * scale + shift; });
    }
  }

  void backward_planes() {
    const bool needs_sums = backward_needs_sums();
#pragma omp parallel for schedule(static) num_threads(threads_)
    for (int64_t f = 0; f < features_; ++f) {
      T sum_dy = 0, sum_dy_xhat = 0;
      if (needs_sums) {
        const T mean = mean_[f], invstd = invstd_[f];
        visit_plane(f, [&](int64_t i) {
          sum_dy += dy_[i];
          sum_dy_xhat += dy_[i] * ((x_[i] - mean) * invstd);
        });
      }
      finish_backward_feature(f, sum_dy, sum_dy_xhat);
      visit_plane(f, [&](int64_t i) { dx_[i] = backward_element(i, f); });
    }
  }

  Problem p_;
  int64_t features_;
  T m_, eps_, momentum_;
  T *x_, *dy_, *y_, *dx_, *gamma_, *beta_, *running_mean_, *running_var_, *save_mean_, *save_var_,
      *dgamma_, *dbeta_;
  std::vector<T> mean_, invstd_, scale_, shift_;
  std::vector<T> sums_;  // [sum dy | sum dy * xhat] (backward) or the forward pass's sums
  bool rows_layout_ = false;
  int64_t row_count_ = 0;
  int threads_ = 1;
  std::vector<T> partial_;  // rows: per-thread accumulator rows, threads x (2 x features)
  std::vector<int64_t> plane_base_;
  int64_t outer_stride_ = 0, inner_count_ = 0, inner_stride_ = 1;
};

class NaiveBackend final : public Backend {
 public:
  std::string name() const override { return "naive"; }
  BackendInfo info() const override {
    BackendInfo info;
    info.name = name();
    info.description = "textbook loops, float accumulators, two passes";
    info.version = "bnbench";
    info.device = "cpu";
    info.extra = {{"threads", omp_get_max_threads()}};
    return info;
  }
  Support supports(const Problem&) const override { return Support::yes(); }
  std::unique_ptr<Instance> prepare(const Problem& p, Tensors& t) override {
    if (p.dtype == DType::f32) return std::make_unique<NaiveInstance<float>>(p, t);
    return std::make_unique<NaiveInstance<double>>(p, t);
  }
};

}  // namespace

void register_backend_naive(Registry& registry) { registry.add(std::make_unique<NaiveBackend>()); }

}  // namespace bnbench
