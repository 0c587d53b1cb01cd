// Eigen backend: batch normalization as an Eigen user writes it with the Tensor module.
//
// The data buffer is mapped (no copy) as a column-major 4-D TensorMap, two of whose dims are the
// reduction; the other two, the kept dims (k0, k1), index the statistics. Reductions are
// `.mean(dims)` / `.sum(dims)` and the elementwise work broadcasts kept-order statistics with
// `.reshape().broadcast()`, all evaluated on a ThreadPoolDevice. Invariant: statistics are read
// and written in canonical feature order (f = c, or f = c * S + s per activation) through a
// `.shuffle()` that is the identity except for per-activation nhwc, whose kept order is (c, s);
// accumulation is Eigen's own, in the problem's dtype (that accuracy is what is being measured).
#define EIGEN_USE_THREADS
#include <omp.h>

#include <memory>
#include <unsupported/Eigen/CXX11/Tensor>

#include "backend.h"
#include "registry.h"

namespace bnbench {

namespace {

using Eigen::Index;
using Dims2 = Eigen::array<Index, 2>;
using Dims4 = Eigen::array<Index, 4>;

// How one problem's buffers are seen by Eigen: a column-major 4-D tensor, two of whose dims are
// reduced. The kept dims come first where the layout allows (nhwc, per activation), so that Eigen
// takes its inner-dims-preserving, vectorized reduction; nchw spatial reduces dims 0 and 3.
struct View {
  Dims4 data;       // column-major dims of a data buffer
  Dims2 reduced;    // the two reduced dims; the other two, in order, are the kept (k0, k1)
  Dims2 canonical;  // column-major dims of a statistics buffer in canonical feature order
  Dims2 to_kept;    // shuffle from canonical to kept (k0, k1) order; its own inverse
};

View make_view(const Problem& p) {
  const Index n = p.n, c = p.c, s = spatial_size(p);
  const bool nhwc = p.layout == Layout::nhwc;
  if (p.mode == Mode::spatial)
    return nhwc ? View{{c, 1, 1, n * s}, {2, 3}, {c, 1}, {0, 1}}
                : View{{s, c, 1, n}, {0, 3}, {c, 1}, {0, 1}};
  return nhwc ? View{{c, s, 1, n}, {2, 3}, {s, c}, {1, 0}}
              : View{{s, c, 1, n}, {2, 3}, {s, c}, {0, 1}};
}

template <class T>
T* pointer(Tensors& t, TensorId id) {
  return t[id].empty() ? nullptr : t[id].as<T>();
}

template <class T>
class EigenInstance : public Instance {
 public:
  using Kept = Eigen::Tensor<T, 2>;
  using DataMap = Eigen::TensorMap<Eigen::Tensor<T, 4>>;
  using ConstDataMap = Eigen::TensorMap<const Eigen::Tensor<T, 4>>;
  using StatMap = Eigen::TensorMap<Eigen::Tensor<T, 2>>;

  EigenInstance(const Problem& p, Tensors& t)
      : p_(p),
        view_(make_view(p)),
        threads_(omp_get_max_threads()),
        pool_(threads_),
        device_(&pool_, threads_),
        x_(pointer<T>(t, TensorId::x)),
        dy_(pointer<T>(t, TensorId::dy)),
        y_(pointer<T>(t, TensorId::y)),
        dx_(pointer<T>(t, TensorId::dx)),
        gamma_(pointer<T>(t, TensorId::gamma)),
        beta_(pointer<T>(t, TensorId::beta)),
        running_mean_(pointer<T>(t, TensorId::running_mean)),
        running_var_(pointer<T>(t, TensorId::running_var)),
        save_mean_(pointer<T>(t, TensorId::save_mean)),
        save_var_(pointer<T>(t, TensorId::save_var)),
        dgamma_(pointer<T>(t, TensorId::dgamma)),
        dbeta_(pointer<T>(t, TensorId::dbeta)) {
    Index kept[2], next = 0;
    for (int d = 0; d < 4; ++d) {
      const bool reduced = d == view_.reduced[0] || d == view_.reduced[1];
      kept_shape_[d] = reduced ? 1 : view_.data[d];
      stretch_[d] = reduced ? view_.data[d] : 1;
      if (!reduced) kept[next++] = view_.data[d];
    }
    const Index k0 = kept[0], k1 = kept[1];
    for (Kept* k : {&mean_, &var_, &invstd_, &scale_, &shift_, &sum_dy_, &sum_dy_xhat_, &mean_dy_,
                    &mean_dy_xhat_})
      k->resize(k0, k1);
  }

  void run() override {
    switch (p_.direction) {
      case Direction::fwd_training:
        forward_training();
        break;
      case Direction::fwd_inference:
        forward_inference();
        break;
      case Direction::bwd:
      case Direction::bwd_data:
        backward();
        break;
    }
  }

  nlohmann::json details() const override { return {{"eigen_threads", threads_}}; }

 private:
  ConstDataMap in(const T* data) const { return ConstDataMap(data, view_.data); }
  DataMap out(T* data) const { return DataMap(data, view_.data); }
  StatMap stat(T* data) const { return StatMap(data, view_.canonical); }

  // A kept-order statistic stretched over the data tensor.
  auto spread(const Kept& k) const { return k.reshape(kept_shape_).broadcast(stretch_); }
  void load(Kept& k, T* canonical) const { k = stat(canonical).shuffle(view_.to_kept); }
  void store(T* canonical, const Kept& k) const { stat(canonical) = k.shuffle(view_.to_kept); }

  // invstd = 1 / sqrt(var + eps), and 0 where var + eps == 0 (numerics.md).
  void compute_invstd() {
    invstd_ = var_ + static_cast<T>(p_.eps);
    invstd_ = (invstd_ == T(0)).select(invstd_.constant(T(0)), invstd_.rsqrt());
  }
  // scale = gamma * invstd; shift = beta (0 without affine parameters).
  void compute_scale_shift(bool with_shift) {
    if (gamma_) {
      load(scale_, gamma_);
      scale_ = scale_ * invstd_;
    } else {
      scale_ = invstd_;
    }
    if (with_shift) {
      if (beta_)
        load(shift_, beta_);
      else
        shift_.setZero();
    }
  }

  void forward_training() {
    auto x = in(x_);
    mean_.device(device_) = x.mean(view_.reduced);
    var_.device(device_) = (x - spread(mean_)).square().mean(view_.reduced);
    compute_invstd();
    compute_scale_shift(true);
    out(y_).device(device_) = (x - spread(mean_)) * spread(scale_) + spread(shift_);
    store(save_mean_, mean_);
    store(save_var_, var_);
    if (running_mean_) {
      const T m = static_cast<T>(p_.momentum);
      const double count = static_cast<double>(reduction_size(p_));
      const T unbias = static_cast<T>(count / (count - 1));
      stat(running_mean_) = stat(running_mean_) * (T(1) - m) + mean_.shuffle(view_.to_kept) * m;
      stat(running_var_) =
          stat(running_var_) * (T(1) - m) + var_.shuffle(view_.to_kept) * (m * unbias);
    }
  }

  void forward_inference() {
    load(mean_, running_mean_);
    load(var_, running_var_);
    compute_invstd();
    compute_scale_shift(true);
    out(y_).device(device_) = (in(x_)-spread(mean_)) * spread(scale_) + spread(shift_);
  }

  void backward() {
    load(mean_, p_.global_stats ? running_mean_ : save_mean_);
    load(var_, p_.global_stats ? running_var_ : save_var_);
    compute_invstd();
    compute_scale_shift(false);
    auto x = in(x_);
    auto dy = in(dy_);
    auto xhat = (x - spread(mean_)) * spread(invstd_);
    const bool affine_grads = dgamma_ != nullptr;
    if (affine_grads || !p_.global_stats) {
      sum_dy_.device(device_) = dy.sum(view_.reduced);
      sum_dy_xhat_.device(device_) = (dy * xhat).sum(view_.reduced);
    }
    if (affine_grads) {
      store(dbeta_, sum_dy_);
      store(dgamma_, sum_dy_xhat_);
    }
    if (p_.global_stats) {
      out(dx_).device(device_) = dy * spread(scale_);
    } else {
      const T count = static_cast<T>(reduction_size(p_));
      mean_dy_ = sum_dy_ / count;
      mean_dy_xhat_ = sum_dy_xhat_ / count;
      out(dx_).device(device_) =
          spread(scale_) * (dy - spread(mean_dy_) - xhat * spread(mean_dy_xhat_));
    }
  }

  Problem p_;
  View view_;
  Dims4 kept_shape_, stretch_;  // a kept statistic reshaped to 4-D, and its broadcast
  int threads_;
  Eigen::ThreadPool pool_;
  Eigen::ThreadPoolDevice device_;
  T *x_, *dy_, *y_, *dx_, *gamma_, *beta_;
  T *running_mean_, *running_var_, *save_mean_, *save_var_, *dgamma_, *dbeta_;
  Kept mean_, var_, invstd_, scale_, shift_, sum_dy_, sum_dy_xhat_, mean_dy_, mean_dy_xhat_;
};

class EigenBackend : public Backend {
 public:
  std::string name() const override { return "eigen"; }

  BackendInfo info() const override {
    BackendInfo i;
    i.name = name();
    i.description =
        "Eigen Tensor expressions (mean/sum reductions, broadcasting) on a ThreadPoolDevice";
    i.version = std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) +
                "." + std::to_string(EIGEN_MINOR_VERSION);
    i.device = "cpu";
    i.extra = {{"threads", "Eigen::ThreadPoolDevice with omp_get_max_threads() threads"},
               {"accumulation", "Eigen's reducers in the problem's dtype"}};
    return i;
  }

  Support supports(const Problem& p) const override {
    if (p.layout == Layout::nchw16c)
      return Support::no(
          "the channel-padded blocked layout nchw16c is oneDNN's own; Eigen tensors are plain nchw "
          "or nhwc");
    return Support::yes();
  }

  std::unique_ptr<Instance> prepare(const Problem& p, Tensors& t) override {
    if (p.dtype == DType::f64) return std::make_unique<EigenInstance<double>>(p, t);
    return std::make_unique<EigenInstance<float>>(p, t);
  }
};

}  // namespace

void register_backend_eigen(Registry& r) { r.add(std::make_unique<EigenBackend>()); }

}  // namespace bnbench
