// Reference tests: closed-form answers for every direction and mode, identical results across
// layouts and thread counts, the NaN/Inf pattern, and pairwise_sum's accuracy.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <limits>

#include "reference.h"

#include "tensor_builders.h"

namespace bnbench {
namespace {

using namespace testing_support;

// A deterministic, irregular value for (n, c, s).
double wiggle(int64_t n, int64_t c, int64_t s) {
  return 3.0 * c - 1.0 + std::sin(1.7 * n + 0.9 * s + 0.3 * c) * (1.0 + 0.25 * c);
}

// The reference value at logical (n, c, s).
double at(const Problem& p, const std::vector<double>& v, int64_t n, int64_t c, int64_t s) {
  return v[LayoutIndexer(p).offset(n, c, s)];
}

TEST(Reference, PairwiseSumSmallAndAccurate) {
  EXPECT_EQ(pairwise_sum(nullptr, 0), 0.0);
  const double three[] = {1, 2, 4};
  EXPECT_EQ(pairwise_sum(three, 3), 7.0);
  std::vector<double> v(1000003);
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::fabs(std::sin(0.37 * i)) * (1 + i % 3);
  // Neumaier-compensated long double sum: exact far below the bound tested.
  long double sum = 0, carry = 0;
  for (double x : v) {
    const long double t = sum + x;
    carry += std::fabs(sum) >= std::fabs(x) ? (sum - t) + x : (x - t) + sum;
    sum = t;
  }
  const double exact = static_cast<double>(sum + carry);
  const double got = pairwise_sum(v.data(), static_cast<int64_t>(v.size()));
  EXPECT_LE(std::fabs(got - exact), 20 * 0x1p-53 * exact);  // log2(M) * u * sum|v|
}

TEST(Reference, ConstantChannelGivesZeroVarianceAndBeta) {
  for (double eps : {1e-5, 0.0}) {
    Problem p = make(Direction::fwd_training, Layout::nchw, 4, 2, {3, 5});
    p.eps = eps;
    Tensors t = allocate_tensors(p);
    set_data(p, t[TensorId::x], [](int64_t, int64_t c, int64_t) { return c ? 1e4 + 0.1 : 0.7; });
    set_features(t[TensorId::gamma], [](int64_t f) { return 1.5 + f; });
    set_features(t[TensorId::beta], [](int64_t f) { return -0.25 * (f + 1); });
    Reference r = compute_reference(p, t);
    EXPECT_EQ(r.mean[0], static_cast<double>(0.7f));
    EXPECT_EQ(r.mean[1], static_cast<double>(static_cast<float>(1e4 + 0.1)));
    for (int c = 0; c < 2; ++c) {
      EXPECT_EQ(r.var[c], 0.0);
      EXPECT_EQ(r[TensorId::save_var][c], 0.0);
    }
    const auto& y = r[TensorId::y];
    for (int64_t i = 0; i < 4 * 2 * 15; ++i) {
      const int64_t c = i / 15 % 2;
      EXPECT_EQ(y[i], -0.25 * (c + 1)) << "eps " << eps << " element " << i;
    }
  }
}

TEST(Reference, TwoValueChannel) {
  Problem p = make(Direction::fwd_training, Layout::nhwc, 2, 3, {4});
  Tensors t = allocate_tensors(p);
  const double a[] = {1.0, -3.5, 1e4}, b[] = {2.0, 0.5, 1e4 + 0.5};
  set_data(p, t[TensorId::x],
           [&](int64_t n, int64_t c, int64_t s) { return (n + s) % 2 ? b[c] : a[c]; });
  set_features(t[TensorId::gamma], [](int64_t) { return 1.0; });
  Reference r = compute_reference(p, t);
  for (int c = 0; c < 3; ++c) {
    EXPECT_EQ(r.mean[c], (a[c] + b[c]) / 2);
    EXPECT_EQ(r.var[c], (a[c] - b[c]) * (a[c] - b[c]) / 4);
    EXPECT_EQ(r.abs_mean[c], (std::fabs(a[c]) + std::fabs(b[c])) / 2);
  }
  // xhat is +-1 exactly when var >> eps; here y = xhat (gamma 1, beta 0) to double precision.
  EXPECT_NEAR(at(p, r[TensorId::y], 0, 0, 0), -1.0 / std::sqrt(1 + 4 * p.eps), 1e-15);
}

TEST(Reference, RunningStatisticsUseUnbiasedVariance) {
  Problem p = make(Direction::fwd_training, Layout::nchw, 3, 1, {});
  p.momentum = 0.25;
  Tensors t = allocate_tensors(p);
  set_data(p, t[TensorId::x], [](int64_t n, int64_t, int64_t) { return 1.0 + 2.0 * n; });  // 1 3 5
  t[TensorId::gamma].set(0, 1);
  t[TensorId::running_mean].set(0, 2.0);
  t[TensorId::running_var].set(0, 0.5);
  Reference r = compute_reference(p, t);
  EXPECT_EQ(r.mean[0], 3.0);
  EXPECT_DOUBLE_EQ(r.var[0], 8.0 / 3);
  EXPECT_DOUBLE_EQ(r[TensorId::running_mean][0], 0.75 * 2.0 + 0.25 * 3.0);
  EXPECT_DOUBLE_EQ(r[TensorId::running_var][0], 0.75 * 0.5 + 0.25 * 4.0);  // 8/3 * 3/2 = 4
  p.running_stats = false;
  Tensors t2 = allocate_tensors(p);
  t2[TensorId::x].copy_from(t[TensorId::x]);
  t2[TensorId::gamma].set(0, 1);
  EXPECT_TRUE(compute_reference(p, t2)[TensorId::running_mean].empty());
}

TEST(Reference, InferenceIsElementwise) {
  Problem p = make(Direction::fwd_inference, Layout::nhwc, 2, 2, {2});
  Tensors t = allocate_tensors(p);
  set_data(p, t[TensorId::x], wiggle);
  t[TensorId::x].set(LayoutIndexer(p).offset(1, 0, 1), kNaN);
  set_features(t[TensorId::gamma], [](int64_t f) { return 2.0 - f; });
  set_features(t[TensorId::beta], [](int64_t f) { return 0.5 * f; });
  set_features(t[TensorId::running_mean], [](int64_t f) { return 0.25 + f; });
  set_features(t[TensorId::running_var], [](int64_t f) { return 4.0 + f; });
  Reference r = compute_reference(p, t);
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t c = 0; c < 2; ++c)
      for (int64_t s = 0; s < 2; ++s) {
        const double got = at(p, r[TensorId::y], n, c, s);
        if (n == 1 && c == 0 && s == 1) {
          EXPECT_TRUE(std::isnan(got));
          continue;
        }
        const double x = static_cast<float>(wiggle(n, c, s));
        const double want = (2.0 - c) * (x - (0.25 + c)) / std::sqrt(4.0 + c + p.eps) + 0.5 * c;
        EXPECT_NEAR(got, want, 1e-14) << n << c << s;
      }
}

// Backward after training with hand-computed sums: x = 1 2 3 4, saved mean 2.5, var 1.25.
TEST(Reference, BackwardClosedForm) {
  for (Direction d : {Direction::bwd, Direction::bwd_data}) {
    Problem p = make(d, Layout::nchw, 4, 1, {});
    p.eps = 0;
    Tensors t = allocate_tensors(p);
    const double dy[] = {1, 0, 0.5, -1};
    set_data(p, t[TensorId::x], [](int64_t n, int64_t, int64_t) { return 1.0 + n; });
    set_data(p, t[TensorId::dy], [&](int64_t n, int64_t, int64_t) { return dy[n]; });
    t[TensorId::gamma].set(0, 2);
    t[TensorId::save_mean].set(0, 2.5);
    t[TensorId::save_var].set(0, 1.25);
    Reference r = compute_reference(p, t);
    const double invstd = 1 / std::sqrt(1.25);
    double dbeta = 0, dgamma = 0;
    for (int n = 0; n < 4; ++n) dbeta += dy[n], dgamma += dy[n] * (n + 1 - 2.5) * invstd;
    EXPECT_DOUBLE_EQ(r.sum_dy[0], dbeta);
    EXPECT_DOUBLE_EQ(r.sum_dy_xhat[0], dgamma);
    EXPECT_DOUBLE_EQ(r.sum_abs_dy[0], 2.5);
    EXPECT_DOUBLE_EQ(r.max_abs_dy[0], 1.0);
    for (int n = 0; n < 4; ++n) {
      const double xhat = (n + 1 - 2.5) * invstd;
      EXPECT_NEAR(r[TensorId::dx][n], 2 * invstd / 4 * (4 * dy[n] - dbeta - xhat * dgamma), 1e-15);
      EXPECT_EQ(r.dy[n], dy[n]);
    }
    EXPECT_EQ(r[TensorId::dgamma].empty(), d == Direction::bwd_data);
    if (d == Direction::bwd) {
      EXPECT_DOUBLE_EQ(r[TensorId::dgamma][0], dgamma);
      EXPECT_DOUBLE_EQ(r[TensorId::dbeta][0], dbeta);
    }
  }
}

TEST(Reference, BackwardGlobalStatsUsesRunningStatistics) {
  Problem p = make(Direction::bwd, Layout::nhwc, 3, 2, {2});
  p.global_stats = true;
  Tensors t = allocate_tensors(p);
  set_data(p, t[TensorId::x], wiggle);
  set_data(p, t[TensorId::dy],
           [](int64_t n, int64_t c, int64_t s) { return 0.5 * n - c + 0.25 * s; });
  set_features(t[TensorId::gamma], [](int64_t f) { return -1.0 + 3 * f; });
  set_features(t[TensorId::running_mean], [](int64_t f) { return 0.5 * f; });
  set_features(t[TensorId::running_var], [](int64_t f) { return 2.0 + f; });
  Reference r = compute_reference(p, t);
  for (int64_t c = 0; c < 2; ++c) {
    const double invstd = 1 / std::sqrt(2.0 + c + p.eps);
    double dbeta = 0, dgamma = 0;
    for (int64_t n = 0; n < 3; ++n)
      for (int64_t s = 0; s < 2; ++s) {
        const double dy = 0.5 * n - c + 0.25 * s;
        const double xhat = (static_cast<float>(wiggle(n, c, s)) - 0.5 * c) * invstd;
        dbeta += dy;
        dgamma += dy * xhat;
        EXPECT_NEAR(at(p, r[TensorId::dx], n, c, s), (-1.0 + 3 * c) * invstd * dy, 1e-14);
      }
    EXPECT_NEAR(r[TensorId::dbeta][c], dbeta, 1e-14);
    EXPECT_NEAR(r[TensorId::dgamma][c], dgamma, 1e-13);
  }
}

TEST(Reference, PerActivationReducesOverBatchOnly) {
  Problem p = make(Direction::fwd_training, Layout::nhwc, 3, 2, {2, 1});
  p.mode = Mode::per_activation;
  Tensors t = allocate_tensors(p);
  set_data(p, t[TensorId::x], [](int64_t n, int64_t c, int64_t s) { return 10.0 * c + s + n; });
  set_features(t[TensorId::gamma], [](int64_t) { return 1.0; });
  set_features(t[TensorId::running_var], [](int64_t) { return 1.0; });
  Reference r = compute_reference(p, t);
  ASSERT_EQ(r.mean.size(), 4u);
  EXPECT_EQ(r.reduction, 3);
  for (int64_t c = 0; c < 2; ++c)
    for (int64_t s = 0; s < 2; ++s) {
      EXPECT_EQ(r.mean[c * 2 + s], 10.0 * c + s + 1);  // n = 0 1 2
      EXPECT_DOUBLE_EQ(r.var[c * 2 + s], 2.0 / 3);
    }
  EXPECT_DOUBLE_EQ(r[TensorId::running_var][0], 0.9 * 1 + 0.1 * 1.0);  // var * 3/2 = 1
}

// The same logical data in every layout gives bit-identical logical results.
TEST(Reference, LayoutsAgreeBitForBit) {
  for (Direction d : {Direction::fwd_training, Direction::bwd}) {
    std::vector<Reference> refs;
    std::vector<Problem> problems;
    for (Layout l : {Layout::nchw, Layout::nhwc, Layout::nchw16c}) {
      Problem p = make(d, l, 3, 17, {3, 5});
      Tensors t = allocate_tensors(p);
      set_data(p, t[TensorId::x], wiggle);
      set_features(t[TensorId::gamma], [](int64_t f) { return 0.5 + 0.1 * f; });
      if (d == Direction::bwd) {
        set_data(p, t[TensorId::dy],
                 [](int64_t n, int64_t c, int64_t s) { return wiggle(s, n, c); });
        BatchStats st = batch_stats(p, t[TensorId::x]);
        set_features(t[TensorId::save_mean], [&](int64_t f) { return st.mean[f]; });
        set_features(t[TensorId::save_var], [&](int64_t f) { return st.var[f]; });
      } else {
        set_features(t[TensorId::beta], [](int64_t f) { return -0.2 * f; });
        set_features(t[TensorId::running_var], [](int64_t) { return 1.0; });
      }
      refs.push_back(compute_reference(p, t));
      problems.push_back(p);
    }
    const TensorId out = d == Direction::bwd ? TensorId::dx : TensorId::y;
    for (size_t k = 1; k < refs.size(); ++k) {
      EXPECT_EQ(refs[k].mean, refs[0].mean);
      EXPECT_EQ(refs[k].var, refs[0].var);
      EXPECT_EQ(refs[k].sum_dy_xhat, refs[0].sum_dy_xhat);
      for (int64_t n = 0; n < 3; ++n)
        for (int64_t c = 0; c < 17; ++c)
          for (int64_t s = 0; s < 15; ++s)
            ASSERT_EQ(at(problems[k], refs[k][out], n, c, s),
                      at(problems[0], refs[0][out], n, c, s));
    }
  }
}

// One feature with a large M takes the threaded-inside path; the result must not change.
TEST(Reference, ThreadCountDoesNotChangeResults) {
  Problem p = make(Direction::bwd, Layout::nchw, 7, 1, {100003});
  Tensors t = allocate_tensors(p);
  set_data(p, t[TensorId::x], [](int64_t n, int64_t, int64_t s) { return 100 + wiggle(n, 0, s); });
  set_data(p, t[TensorId::dy], [](int64_t n, int64_t, int64_t s) { return wiggle(s, n, 1); });
  t[TensorId::gamma].set(0, 1);
  t[TensorId::save_mean].set(0, 100);
  t[TensorId::save_var].set(0, 1);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  Reference one = compute_reference(p, t);
  BatchStats st1 = batch_stats(p, t[TensorId::x]);
  omp_set_num_threads(3);
  Reference three = compute_reference(p, t);
  BatchStats st3 = batch_stats(p, t[TensorId::x]);
  omp_set_num_threads(threads);
  EXPECT_EQ(one.abs_mean, three.abs_mean);
  EXPECT_EQ(one.sum_dy, three.sum_dy);
  EXPECT_EQ(one.sum_dy_xhat, three.sum_dy_xhat);
  EXPECT_EQ(one[TensorId::dx], three[TensorId::dx]);
  EXPECT_EQ(st1.mean, st3.mean);
  EXPECT_EQ(st1.var, st3.var);
}

TEST(Reference, BackwardWithUnitGradientCountsExactly) {
  Problem p = make(Direction::bwd, Layout::nchw, 1, 1, {(int64_t{1} << 20) + 1});
  Tensors t = allocate_tensors(p);
  set_data(p, t[TensorId::x], [](int64_t, int64_t, int64_t s) { return (s % 7) * 0.125; });
  set_data(p, t[TensorId::dy], [](int64_t, int64_t, int64_t) { return 1.0; });
  t[TensorId::gamma].set(0, 1);
  t[TensorId::save_var].set(0, 1);
  Reference r = compute_reference(p, t);
  EXPECT_EQ(r[TensorId::dbeta][0], static_cast<double>(p.spatial[0]));
}

TEST(Reference, NonFiniteInputsPoisonTheChannelInTraining) {
  Problem p = make(Direction::fwd_training, Layout::nhwc, 2, 3, {4});
  Tensors t = allocate_tensors(p);
  set_data(p, t[TensorId::x], wiggle);
  const LayoutIndexer ix(p);
  t[TensorId::x].set(ix.offset(1, 0, 2), kNaN);
  t[TensorId::x].set(ix.offset(0, 1, 3), kInf);
  set_features(t[TensorId::gamma], [](int64_t) { return 1.0; });
  Reference r = compute_reference(p, t);
  EXPECT_TRUE(std::isnan(r.mean[0]));
  EXPECT_EQ(r.mean[1], kInf);  // plain arithmetic: the sum is Inf, x - mean is NaN
  EXPECT_TRUE(std::isnan(r.var[0]) && std::isnan(r.var[1]));
  EXPECT_TRUE(std::isfinite(r.mean[2]) && std::isfinite(r.var[2]));
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t s = 0; s < 4; ++s) {
      EXPECT_TRUE(std::isnan(at(p, r[TensorId::y], n, 0, s)));
      EXPECT_TRUE(std::isnan(at(p, r[TensorId::y], n, 1, s)));
      EXPECT_TRUE(std::isfinite(at(p, r[TensorId::y], n, 2, s)));
    }
  EXPECT_TRUE(std::isnan(r[TensorId::running_var][1]));
}

TEST(Reference, BackwardNaNInGradientPoisonsTheChannel) {
  Problem p = make(Direction::bwd, Layout::nchw, 2, 2, {3});
  Tensors t = allocate_tensors(p);
  set_data(p, t[TensorId::x], wiggle);
  set_data(p, t[TensorId::dy], [](int64_t n, int64_t c, int64_t s) {
    return n == 1 && c == 1 && s == 0 ? kNaN : 0.5 * s - n;
  });
  set_features(t[TensorId::gamma], [](int64_t) { return 1.0; });
  set_features(t[TensorId::save_var], [](int64_t) { return 1.0; });
  Reference r = compute_reference(p, t);
  EXPECT_TRUE(std::isnan(r[TensorId::dbeta][1]) && std::isnan(r[TensorId::dgamma][1]));
  EXPECT_TRUE(std::isfinite(r[TensorId::dbeta][0]));
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t s = 0; s < 3; ++s) {
      EXPECT_TRUE(std::isnan(at(p, r[TensorId::dx], n, 1, s)));
      EXPECT_TRUE(std::isfinite(at(p, r[TensorId::dx], n, 0, s)));
    }
}

TEST(Reference, InPlaceInputsGiveTheSameAnswer) {
  Problem p = make(Direction::fwd_training, Layout::nchw, 2, 3, {5});
  Problem q = p;
  q.inplace = true;
  Tensors a = allocate_tensors(p), b = allocate_tensors(q);
  for (auto [pr, t] : {std::pair{&p, &a}, std::pair{&q, &b}}) {
    set_data(*pr, (*t)[TensorId::x], wiggle);
    set_features((*t)[TensorId::gamma], [](int64_t f) { return 1.0 + f; });
  }
  EXPECT_EQ(compute_reference(p, a)[TensorId::y], compute_reference(q, b)[TensorId::y]);
}

TEST(Reference, BytesEstimateCoversThePerElementArrays) {
  Problem p = make(Direction::bwd, Layout::nchw, 2, 3, {5, 7});
  EXPECT_GE(reference_bytes(p), 3 * sizeof(double) * static_cast<size_t>(stored_elements(p)));
}

}  // namespace
}  // namespace bnbench
