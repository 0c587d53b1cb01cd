// Planted-bug backends: the self-test of the checker. test_planted_correct computes batch
// normalization the right way for float32 storage (double accumulation, two passes, every value
// rounded once to float at the end); each test_planted_<bug> is the same code with one classic bug
// planted, switched on by a single enum, so a bug's backend differs from the correct one in that
// bug alone.
//
// Invariant: the correct path must pass every case of configs/ci_numerics.json at any seed (no
// false alarm), and every planted bug must be FAILED by at least one case of
// configs/ci_planted.json (tests/test_planted.cpp asserts both). These backends are test-only:
// they run only when named explicitly, never in a sweep over "every backend".
//
// Plain single-threaded loops over the logical elements (LayoutIndexer gives each one's offset),
// so the code reads like the definitions of numerics.md; speed is no goal here.
#include <cmath>
#include <memory>
#include <vector>

#include "backend.h"
#include "layout.h"
#include "reference.h"
#include "registry.h"

namespace bnbench {

namespace {

enum class Bug {
  none,
  naive_variance,        // var = E[x^2] - E[x]^2 with float accumulators
  float_sequential_sum,  // two passes, but float accumulators summed in sequence
  unbiased_normalize,    // normalizes (and saves) with the unbiased variance
  eps_outside_sqrt,      // invstd = 1 / (sqrt(var) + eps)
  nan_hidden,            // var = fmax(var, 0): a NaN variance becomes 0
  biased_running_var,    // running variance updated without M / (M - 1)
  momentum_reversed,     // running = m * running + (1 - m) * batch (Keras' convention, unconverted)
  save_var_unwritten,    // save_var never written
  save_invstd,           // save_var holds invstd instead of the variance
  inference_batch_stats,  // inference normalizes with the batch's statistics, not the running ones
  dx_no_mean_dy,          // dx forgets the mean-of-dy term (sum dy)
  dgamma_no_eps,          // dgamma's xhat divides by sqrt(var), without eps
  channels_last_stride,   // channels-last data addressed with channels-first strides
};

struct BugDef {
  Bug bug;
  const char* name;
  const char* description;
};

const BugDef kBugs[] = {
    {Bug::none, "correct", "float32 storage, double accumulation, two passes: must pass"},
    {Bug::naive_variance, "naive_variance", "var = E[x^2] - E[x]^2 with float accumulators"},
    {Bug::float_sequential_sum, "float_sequential_sum",
     "two passes with float accumulators summed in sequence"},
    {Bug::unbiased_normalize, "unbiased_normalize", "normalizes with the unbiased variance"},
    {Bug::eps_outside_sqrt, "eps_outside_sqrt", "invstd = 1 / (sqrt(var) + eps)"},
    {Bug::nan_hidden, "nan_hidden", "var = fmax(var, 0) turns a NaN variance into 0"},
    {Bug::biased_running_var, "biased_running_var", "running variance without M / (M - 1)"},
    {Bug::momentum_reversed, "momentum_reversed", "running = m * running + (1 - m) * batch"},
    {Bug::save_var_unwritten, "save_var_unwritten", "save_var is never written"},
    {Bug::save_invstd, "save_invstd", "save_var holds invstd instead of the variance"},
    {Bug::inference_batch_stats, "inference_batch_stats",
     "inference normalizes with batch statistics"},
    {Bug::dx_no_mean_dy, "dx_no_mean_dy", "dx without the mean-of-dy term"},
    {Bug::dgamma_no_eps, "dgamma_no_eps", "dgamma's xhat uses 1 / sqrt(var), without eps"},
    {Bug::channels_last_stride, "channels_last_stride",
     "channels-last data addressed with channels-first strides"},
};

class PlantedInstance final : public Instance {
 public:
  PlantedInstance(const Problem& p, Tensors& t, Bug bug)
      : p_(p),
        t_(t),
        bug_(bug),
        features_(feature_count(p)),
        m_(reduction_size(p)),
        index_(addressing(p, bug)) {}

  void run() override { is_backward(p_.direction) ? backward() : forward(); }

 private:
  static Problem addressing(const Problem& p, Bug bug) {
    Problem q = p;
    if (bug == Bug::channels_last_stride && p.layout == Layout::nhwc) q.layout = Layout::nchw;
    return q;
  }

  float* data(TensorId id) const { return t_[id].empty() ? nullptr : t_[id].as<float>(); }

  // Calls fn(feature, offset) for every logical element, in logical order.
  template <class Fn>
  void for_each_element(const Fn& fn) const {
    const int64_t spatial = spatial_size(p_);
    for (int64_t n = 0; n < p_.n; ++n)
      for (int64_t c = 0; c < p_.c; ++c)
        for (int64_t s = 0; s < spatial; ++s) fn(feature_of(p_, c, s), index_.offset(n, c, s));
  }

  double invstd(double var) const {
    if (bug_ != Bug::eps_outside_sqrt) return invstd_of(var, p_.eps);
    const double denominator = std::sqrt(var) + p_.eps;
    return denominator == 0 ? 0.0 : 1.0 / denominator;
  }

  // Per-feature mean and biased variance of x (the planted bugs aside).
  void batch_statistics(std::vector<double>& mean, std::vector<double>& var) const {
    const float* x = data(TensorId::x);
    const float m = static_cast<float>(m_);
    if (bug_ == Bug::naive_variance) {
      std::vector<float> sum(features_), squares(features_);
      for_each_element([&](int64_t f, int64_t i) {
        sum[f] += x[i];
        squares[f] += x[i] * x[i];
      });
      for (int64_t f = 0; f < features_; ++f) {
        const float mu = sum[f] / m;
        mean[f] = mu;
        var[f] = squares[f] / m - mu * mu;
      }
      return;
    }
    if (bug_ == Bug::float_sequential_sum) {
      std::vector<float> sum(features_), squares(features_), mu(features_);
      for_each_element([&](int64_t f, int64_t i) { sum[f] += x[i]; });
      for (int64_t f = 0; f < features_; ++f) mu[f] = sum[f] / m;
      for_each_element([&](int64_t f, int64_t i) {
        const float d = x[i] - mu[f];
        squares[f] += d * d;
      });
      for (int64_t f = 0; f < features_; ++f) {
        mean[f] = mu[f];
        var[f] = squares[f] / m;
      }
      return;
    }
    std::vector<double> sum(features_), squares(features_);
    for_each_element([&](int64_t f, int64_t i) { sum[f] += x[i]; });
    for (int64_t f = 0; f < features_; ++f) mean[f] = sum[f] / static_cast<double>(m_);
    for_each_element([&](int64_t f, int64_t i) {
      const double d = x[i] - mean[f];
      squares[f] += d * d;
    });
    const double divisor = static_cast<double>(bug_ == Bug::unbiased_normalize ? m_ - 1 : m_);
    for (int64_t f = 0; f < features_; ++f) {
      var[f] = squares[f] / divisor;
      if (bug_ == Bug::nan_hidden) var[f] = std::fmax(var[f], 0.0);
    }
  }

  // Saved and running statistics of a training call.
  void write_statistics(const std::vector<double>& mean, const std::vector<double>& var) {
    float *save_mean = data(TensorId::save_mean), *save_var = data(TensorId::save_var);
    float *running_mean = data(TensorId::running_mean), *running_var = data(TensorId::running_var);
    const double m = p_.momentum;
    const double unbias = static_cast<double>(m_) / static_cast<double>(m_ - 1);
    for (int64_t f = 0; f < features_; ++f) {
      save_mean[f] = static_cast<float>(mean[f]);
      if (bug_ == Bug::save_invstd)
        save_var[f] = static_cast<float>(invstd(var[f]));
      else if (bug_ != Bug::save_var_unwritten)
        save_var[f] = static_cast<float>(var[f]);
      if (!running_mean) continue;
      const double batch_var = bug_ == Bug::biased_running_var ? var[f] : var[f] * unbias;
      const double keep = bug_ == Bug::momentum_reversed ? m : 1 - m;
      const double take = 1 - keep;
      running_mean[f] = static_cast<float>(keep * running_mean[f] + take * mean[f]);
      running_var[f] = static_cast<float>(keep * running_var[f] + take * batch_var);
    }
  }

  void forward() {
    const bool training = p_.direction == Direction::fwd_training;
    std::vector<double> mean(features_), var(features_);
    if (training || bug_ == Bug::inference_batch_stats) {
      batch_statistics(mean, var);
    } else {
      const float *running_mean = data(TensorId::running_mean),
                  *running_var = data(TensorId::running_var);
      for (int64_t f = 0; f < features_; ++f) mean[f] = running_mean[f], var[f] = running_var[f];
    }
    if (training) write_statistics(mean, var);
    const float *gamma = data(TensorId::gamma), *beta = data(TensorId::beta);
    std::vector<double> scale(features_), shift(features_);
    for (int64_t f = 0; f < features_; ++f) {
      scale[f] = (gamma ? gamma[f] : 1.0) * invstd(var[f]);
      shift[f] = beta ? beta[f] : 0.0;
    }
    const float* x = data(TensorId::x);
    float* y = data(TensorId::y);
    for_each_element([&](int64_t f, int64_t i) {
      y[i] = static_cast<float>((x[i] - mean[f]) * scale[f] + shift[f]);
    });
  }

  void backward() {
    const bool global = p_.global_stats;
    const float* mean_in = data(global ? TensorId::running_mean : TensorId::save_mean);
    const float* var_in = data(global ? TensorId::running_var : TensorId::save_var);
    const float *x = data(TensorId::x), *dy = data(TensorId::dy), *gamma = data(TensorId::gamma);
    std::vector<double> mean(features_), inv(features_), inv_dgamma(features_);
    for (int64_t f = 0; f < features_; ++f) {
      mean[f] = mean_in[f];
      inv[f] = invstd(var_in[f]);
      inv_dgamma[f] = bug_ == Bug::dgamma_no_eps ? 1.0 / std::sqrt(double(var_in[f])) : inv[f];
    }
    std::vector<double> sum_dy(features_), sum_dy_xhat(features_), dgamma(features_);
    if (bug_ == Bug::float_sequential_sum) {
      std::vector<float> s_dy(features_), s_dy_xhat(features_);
      for_each_element([&](int64_t f, int64_t i) {
        s_dy[f] += dy[i];
        s_dy_xhat[f] += dy[i] * static_cast<float>((x[i] - mean[f]) * inv[f]);
      });
      for (int64_t f = 0; f < features_; ++f) sum_dy[f] = s_dy[f], sum_dy_xhat[f] = s_dy_xhat[f];
      dgamma = sum_dy_xhat;
    } else {
      for_each_element([&](int64_t f, int64_t i) {
        sum_dy[f] += dy[i];
        sum_dy_xhat[f] += dy[i] * ((x[i] - mean[f]) * inv[f]);
        dgamma[f] += dy[i] * ((x[i] - mean[f]) * inv_dgamma[f]);
      });
    }
    float *dgamma_out = data(TensorId::dgamma), *dbeta_out = data(TensorId::dbeta);
    if (dgamma_out)
      for (int64_t f = 0; f < features_; ++f) {
        dgamma_out[f] = static_cast<float>(dgamma[f]);
        dbeta_out[f] = static_cast<float>(sum_dy[f]);
      }
    const double m = static_cast<double>(m_);
    float* dx = data(TensorId::dx);
    for_each_element([&](int64_t f, int64_t i) {
      const double g = (gamma ? gamma[f] : 1.0) * inv[f];
      if (global) {
        dx[i] = static_cast<float>(g * dy[i]);
        return;
      }
      const double mean_dy_term = bug_ == Bug::dx_no_mean_dy ? 0.0 : sum_dy[f];
      const double xhat = (x[i] - mean[f]) * inv[f];
      dx[i] = static_cast<float>(g / m * (m * dy[i] - mean_dy_term - xhat * sum_dy_xhat[f]));
    });
  }

  Problem p_;
  Tensors& t_;
  Bug bug_;
  int64_t features_, m_;
  LayoutIndexer index_;
};

class PlantedBackend final : public Backend {
 public:
  explicit PlantedBackend(const BugDef& def) : def_(def) {}
  std::string name() const override { return std::string("test_planted_") + def_.name; }
  BackendInfo info() const override {
    BackendInfo info;
    info.name = name();
    info.description = std::string("checker self-test: ") + def_.description;
    info.version = "bnbench";
    info.device = "cpu";
    return info;
  }
  Support supports(const Problem& p) const override {
    if (p.dtype != DType::f32) return Support::no("the planted-bug backends are float32 only");
    return Support::yes();
  }
  bool test_only() const override { return true; }
  std::unique_ptr<Instance> prepare(const Problem& p, Tensors& t) override {
    return std::make_unique<PlantedInstance>(p, t, def_.bug);
  }

 private:
  BugDef def_;
};

}  // namespace

void register_backend_test_planted(Registry& registry) {
  for (const BugDef& def : kBugs) registry.add(std::make_unique<PlantedBackend>(def));
}

}  // namespace bnbench
