// Reference: the float64 batch normalization of numerics.md section 2, for every direction, mode
// and layout.
//
// Invariant: every per-feature sum gathers the feature's M values in the fixed logical order
// k = n * S + s (spatial) or k = n (per activation) into a double buffer and adds them with
// pairwise_sum's fixed tree, so the result does not depend on the layout or the thread count.
// Features are spread over threads; when there are fewer features than threads, each step of one
// feature (gather, transform, tree sum) is threaded instead, so C = 1 with M = 2^24 + 1 stays fast.
// Non-finite values follow plain double arithmetic (an Inf in a channel gives mean Inf and
// x - mean NaN), except that invstd is 0 when var + eps == 0.
#include "reference.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

namespace bnbench {

namespace {

constexpr int64_t kLeaf = 8;
constexpr int64_t kWalkChunk = int64_t{1} << 14;
constexpr int64_t kParallelWork = int64_t{1} << 15;  // elements below which one thread works

double pairwise_sum_tasks(const double* values, int64_t count, int depth) {
  if (depth == 0 || count <= kLeaf) return pairwise_sum(values, count);
  const int64_t half = count / 2;
  double left = 0;
#pragma omp task shared(left) firstprivate(values, half, depth)
  left = pairwise_sum_tasks(values, half, depth - 1);
  const double right = pairwise_sum_tasks(values + half, count - half, depth - 1);
#pragma omp taskwait
  return left + right;
}

// The same tree as pairwise_sum, its top levels computed as parallel tasks.
double parallel_pairwise_sum(const double* values, int64_t count) {
  double total = 0;
#pragma omp parallel
#pragma omp single
  {
    int depth = 2;
    while ((1 << (depth - 2)) < omp_get_num_threads()) ++depth;
    total = pairwise_sum_tasks(values, count, depth);
  }
  return total;
}

// The M elements of one feature in their fixed logical order.
class FeatureElements {
 public:
  FeatureElements(const Problem& p, int64_t feature)
      : ix_(p), count_(reduction_size(p)), inner_(p.mode == Mode::spatial ? ix_.spatial() : 1) {
    c_ = p.mode == Mode::spatial ? feature : feature / ix_.spatial();
    s0_ = p.mode == Mode::spatial ? 0 : feature % ix_.spatial();
  }
  int64_t count() const { return count_; }
  // fn(k, offset) for k in [begin, end).
  template <class Fn>
  void walk(int64_t begin, int64_t end, Fn&& fn) const {
    int64_t n = begin / inner_, s = begin % inner_;
    for (int64_t k = begin; k < end; ++k) {
      fn(k, ix_.offset(n, c_, s0_ + s));
      if (++s == inner_) s = 0, ++n;
    }
  }

 private:
  LayoutIndexer ix_;
  int64_t count_, inner_, c_ = 0, s0_ = 0;
};

// One feature's scratch buffer and the threaded-or-not steps that work on it.
struct FeatureScratch {
  double* values;
  bool parallel;  // thread each step (few features) or not (features spread over threads)

  template <class Fn>  // values[k] = fn(offset of element k)
  void gather(const FeatureElements& fe, Fn&& fn) const {
    auto put = [&](int64_t k, int64_t offset) { values[k] = fn(offset); };
    if (!parallel) return fe.walk(0, fe.count(), put);
#pragma omp parallel
    {
      const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
      fe.walk(fe.count() * t / nt, fe.count() * (t + 1) / nt, put);
    }
  }
  template <class Fn>  // values[k] = fn(values[k])
  void transform(int64_t count, Fn&& fn) const {
    if (!parallel) {
      for (int64_t k = 0; k < count; ++k) values[k] = fn(values[k]);
      return;
    }
#pragma omp parallel for schedule(static)
    for (int64_t k = 0; k < count; ++k) values[k] = fn(values[k]);
  }
  double sum(int64_t count) const {
    return parallel ? parallel_pairwise_sum(values, count) : pairwise_sum(values, count);
  }
  double max(int64_t count) const {  // NaN-ignoring
    double m = 0;
    if (!parallel) {
      for (int64_t k = 0; k < count; ++k) m = std::max(m, values[k]);
      return m;
    }
#pragma omp parallel for reduction(max : m)
    for (int64_t k = 0; k < count; ++k) m = std::max(m, values[k]);
    return m;
  }
};

// Runs kernel(feature, scratch) for every feature with the threading described at the top. Small
// work stays on one thread: a parallel region costs more than it saves there.
template <class Kernel>
void for_each_feature(const Problem& p, Kernel&& kernel) {
  const int64_t features = feature_count(p), m = reduction_size(p);
  if (features >= omp_get_max_threads() || m < kParallelWork) {
#pragma omp parallel if (features > 1 && features * m >= kParallelWork)
    {
      std::vector<double> buffer(static_cast<size_t>(m));
      const FeatureScratch scratch{buffer.data(), false};
#pragma omp for schedule(dynamic, 1)
      for (int64_t f = 0; f < features; ++f) kernel(f, scratch);
    }
  } else {
    std::vector<double> buffer(static_cast<size_t>(m));
    const FeatureScratch scratch{buffer.data(), true};
    for (int64_t f = 0; f < features; ++f) kernel(f, scratch);
  }
}

// fn(n, c, s, offset, feature) for every logical element, threaded over chunks.
template <class Fn>
void for_each_element(const Problem& p, Fn&& fn) {
  const int64_t total = logical_elements(p), s_size = spatial_size(p);
  const bool spatial = p.mode == Mode::spatial;
  const int64_t chunks = (total + kWalkChunk - 1) / kWalkChunk;
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (int64_t b = 0; b < chunks; ++b)
    walk_elements(p, b * kWalkChunk, std::min(total, (b + 1) * kWalkChunk),
                  [&](int64_t n, int64_t c, int64_t s, int64_t offset) {
                    fn(n, c, s, offset, spatial ? c : c * s_size + s);
                  });
}

std::vector<double> invstds(const Problem& p, const Reference& r) {
  std::vector<double> v(r.var.size());
  for (size_t f = 0; f < v.size(); ++f) v[f] = invstd_of(r.var[f], p.eps);
  return v;
}

std::vector<double> read_features(const Buffer& b, int64_t count, double fallback) {
  std::vector<double> v(static_cast<size_t>(count), fallback);
  if (!b.empty())
    for (int64_t f = 0; f < count; ++f) v[f] = b.get(f);
  return v;
}

struct TrainingStats {
  std::vector<double> mean, var, abs_mean;
};

// Two passes per feature: mean, then the squared deviations from it. The deviations' own sum d
// corrects the mean and the variance (mean + d/M, (sum dev^2 - d^2/M)/M), which costs nothing and
// keeps the reference far below float64 tolerances too; d is exactly 0 whenever the first mean is.
template <class T>
TrainingStats training_stats(const Problem& p, const Buffer& x_buffer) {
  const int64_t features = feature_count(p), m = reduction_size(p);
  const T* x = x_buffer.as<T>();
  TrainingStats st{std::vector<double>(features), std::vector<double>(features),
                   std::vector<double>(features)};
  for_each_feature(p, [&](int64_t f, const FeatureScratch& sc) {
    const FeatureElements fe(p, f);
    sc.gather(fe, [&](int64_t o) { return static_cast<double>(x[o]); });
    const double mean0 = sc.sum(m) / static_cast<double>(m);
    sc.transform(m, [](double v) { return std::fabs(v); });
    st.abs_mean[f] = sc.sum(m) / static_cast<double>(m);
    sc.gather(fe, [&](int64_t o) { return static_cast<double>(x[o]) - mean0; });
    const double d = sc.sum(m);
    sc.transform(m, [](double v) { return v * v; });
    const double squares = sc.sum(m);
    const bool correct = std::isfinite(d);
    st.mean[f] = correct ? mean0 + d / static_cast<double>(m) : mean0;
    const double var =
        (correct ? squares - d * d / static_cast<double>(m) : squares) / static_cast<double>(m);
    st.var[f] = var < 0 ? 0.0 : var;
  });
  return st;
}

template <class T>
std::vector<double> abs_means(const Problem& p, const Buffer& x_buffer) {
  const int64_t m = reduction_size(p);
  const T* x = x_buffer.as<T>();
  std::vector<double> a(static_cast<size_t>(feature_count(p)));
  for_each_feature(p, [&](int64_t f, const FeatureScratch& sc) {
    sc.gather(FeatureElements(p, f),
              [&](int64_t o) { return std::fabs(static_cast<double>(x[o])); });
    a[f] = sc.sum(m) / static_cast<double>(m);
  });
  return a;
}

template <class T>
void forward(const Problem& p, const Tensors& in, Reference& r) {
  const T* x = in[TensorId::x].as<T>();
  auto& y = r[TensorId::y];
  y.assign(static_cast<size_t>(stored_elements(p)), 0.0);
  const std::vector<double> invstd = invstds(p, r);
  for_each_element(p, [&](int64_t, int64_t, int64_t, int64_t o, int64_t f) {
    const double xhat = (static_cast<double>(x[o]) - r.mean[f]) * invstd[f];
    r.xhat[o] = xhat;
    y[o] = r.gamma[f] * xhat + r.beta[f];
  });
}

template <class T>
void training(const Problem& p, const Tensors& in, Reference& r) {
  TrainingStats st = training_stats<T>(p, in[TensorId::x]);
  r.mean = std::move(st.mean);
  r.var = std::move(st.var);
  r.abs_mean = std::move(st.abs_mean);
  forward<T>(p, in, r);
  r[TensorId::save_mean] = r.mean;
  r[TensorId::save_var] = r.var;
  if (!writes_running_stats(p)) return;
  const int64_t features = feature_count(p);
  const double mom = p.momentum, m = static_cast<double>(r.reduction);
  const std::vector<double> rm = read_features(in[TensorId::running_mean], features, 0);
  const std::vector<double> rv = read_features(in[TensorId::running_var], features, 0);
  auto& rm_new = r[TensorId::running_mean];
  auto& rv_new = r[TensorId::running_var];
  rm_new.resize(features);
  rv_new.resize(features);
  for (int64_t f = 0; f < features; ++f) {
    rm_new[f] = (1 - mom) * rm[f] + mom * r.mean[f];
    rv_new[f] = (1 - mom) * rv[f] + mom * (r.var[f] * m / (m - 1));
  }
}

template <class T>
void inference(const Problem& p, const Tensors& in, Reference& r) {
  const int64_t features = feature_count(p);
  r.mean = read_features(in[TensorId::running_mean], features, 0);
  r.var = read_features(in[TensorId::running_var], features, 1);
  r.abs_mean = abs_means<T>(p, in[TensorId::x]);
  forward<T>(p, in, r);
}

template <class T>
void backward(const Problem& p, const Tensors& in, Reference& r) {
  const int64_t features = feature_count(p), m = r.reduction;
  const bool global = p.global_stats;
  r.mean = read_features(in[global ? TensorId::running_mean : TensorId::save_mean], features, 0);
  r.var = read_features(in[global ? TensorId::running_var : TensorId::save_var], features, 1);
  r.abs_mean = abs_means<T>(p, in[TensorId::x]);
  for (auto* v : {&r.sum_dy, &r.sum_abs_dy, &r.sum_dy_xhat, &r.sum_abs_dy_xhat, &r.max_abs_dy})
    v->assign(static_cast<size_t>(features), 0.0);
  const T* x = in[TensorId::x].as<T>();
  const T* dy = in[TensorId::dy].as<T>();
  for_each_feature(p, [&](int64_t f, const FeatureScratch& sc) {
    const FeatureElements fe(p, f);
    const double mean = r.mean[f], invstd = invstd_of(r.var[f], p.eps);
    sc.gather(fe, [&](int64_t o) { return static_cast<double>(dy[o]); });
    r.sum_dy[f] = sc.sum(m);
    sc.transform(m, [](double v) { return std::fabs(v); });
    r.sum_abs_dy[f] = sc.sum(m);
    r.max_abs_dy[f] = sc.max(m);
    sc.gather(fe, [&](int64_t o) {
      return static_cast<double>(dy[o]) * ((static_cast<double>(x[o]) - mean) * invstd);
    });
    r.sum_dy_xhat[f] = sc.sum(m);
    sc.transform(m, [](double v) { return std::fabs(v); });
    r.sum_abs_dy_xhat[f] = sc.sum(m);
  });
  auto& dx = r[TensorId::dx];
  dx.assign(static_cast<size_t>(stored_elements(p)), 0.0);
  r.dy.assign(static_cast<size_t>(stored_elements(p)), 0.0);
  const double md = static_cast<double>(m);
  const std::vector<double> invstd = invstds(p, r);
  for_each_element(p, [&](int64_t, int64_t, int64_t, int64_t o, int64_t f) {
    const double dyv = static_cast<double>(dy[o]);
    const double xhat = (static_cast<double>(x[o]) - r.mean[f]) * invstd[f];
    r.xhat[o] = xhat;
    r.dy[o] = dyv;
    dx[o] = global
                ? r.gamma[f] * invstd[f] * dyv
                : r.gamma[f] * invstd[f] / md * (md * dyv - r.sum_dy[f] - xhat * r.sum_dy_xhat[f]);
  });
  if (has_affine_grads(p)) {
    r[TensorId::dgamma] = r.sum_dy_xhat;
    r[TensorId::dbeta] = r.sum_dy;
  }
}

template <class T>
void compute(const Problem& p, const Tensors& in, Reference& r) {
  switch (p.direction) {
    case Direction::fwd_training:
      return training<T>(p, in, r);
    case Direction::fwd_inference:
      return inference<T>(p, in, r);
    case Direction::bwd:
    case Direction::bwd_data:
      return backward<T>(p, in, r);
  }
}

}  // namespace

double pairwise_sum(const double* values, int64_t count) {
  if (count <= kLeaf) {
    double s = 0;
    for (int64_t i = 0; i < count; ++i) s += values[i];
    return s;
  }
  const int64_t half = count / 2;
  return pairwise_sum(values, half) + pairwise_sum(values + half, count - half);
}

BatchStats batch_stats(const Problem& p, const Buffer& x) {
  TrainingStats st =
      p.dtype == DType::f32 ? training_stats<float>(p, x) : training_stats<double>(p, x);
  return {std::move(st.mean), std::move(st.var)};
}

Reference compute_reference(const Problem& p, const Tensors& inputs) {
  Reference r;
  const int64_t features = feature_count(p);
  r.reduction = reduction_size(p);
  r.gamma = read_features(inputs[TensorId::gamma], features, 1);
  r.beta = read_features(inputs[TensorId::beta], features, 0);
  r.xhat.assign(static_cast<size_t>(stored_elements(p)), 0.0);
  if (p.dtype == DType::f32)
    compute<float>(p, inputs, r);
  else
    compute<double>(p, inputs, r);
  return r;
}

size_t reference_bytes(const Problem& p) {
  const size_t stored = static_cast<size_t>(stored_elements(p));
  const size_t features = static_cast<size_t>(feature_count(p));
  const size_t scratch_buffers = std::min<size_t>(features, omp_get_max_threads());
  const size_t per_element = 2 + (has_dy(p) ? 1 : 0);  // xhat, y or dx, pristine dy
  return sizeof(double) *
         (stored * per_element + scratch_buffers * static_cast<size_t>(reduction_size(p)) +
          16 * features);
}

}  // namespace bnbench
