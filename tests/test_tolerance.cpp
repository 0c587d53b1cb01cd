// Tolerance tests: the growth factors and every formula of numerics.md section 3 on known numbers.
#include <gtest/gtest.h>

#include <cmath>

#include "tolerance.h"

namespace bnbench {
namespace {

constexpr double u = 0x1p-24;

// mu 1.5, var 0.25, eps 0 (invstd 2, s 0.5, kappa 3), A 2, gamma -2, beta 0.5, M 100.
FeatureScale example() {
  FeatureScale f;
  f.set_statistics(1.5, 0.25, 0);
  f.abs_mean = 2;
  f.gamma = -2;
  f.beta = 0.5;
  f.reduction = 100;
  f.sum_dy = 3;
  f.sum_abs_dy = 50;
  f.sum_abs_dy_xhat = 40;
  f.dgamma = -7;
  return f;
}

const ToleranceRule kRule{10, u, u};

TEST(Tolerance, GrowthFactors) {
  EXPECT_EQ(strict_growth(1), 1);
  EXPECT_EQ(strict_growth(2), 2);
  EXPECT_EQ(strict_growth(3), 3);
  EXPECT_EQ(strict_growth(4), 3);
  EXPECT_EQ(strict_growth(5), 4);
  EXPECT_EQ(strict_growth(1024), 11);
  EXPECT_EQ(strict_growth(1025), 12);
  EXPECT_EQ(strict_growth((int64_t{1} << 24) + 1), 26);
  EXPECT_EQ(warn_growth(1000000), 1000);
  EXPECT_EQ(warn_growth(4), 3);  // never below the strict G
  EXPECT_EQ(unit_roundoff(DType::f32), u);
  EXPECT_EQ(unit_roundoff(DType::f64), 0x1p-53);
  const ToleranceRule s = strict_rule(DType::f32, 4096), w = warn_rule(DType::f32, 4096);
  EXPECT_EQ(s.g, 13);
  EXPECT_EQ(w.g, 64);
  EXPECT_EQ(s.u_elementwise, u);
  EXPECT_EQ(w.u_accumulation, u);
}

TEST(Tolerance, ScaleDerivedQuantities) {
  const FeatureScale f = example();
  EXPECT_EQ(f.invstd(), 2);
  EXPECT_EQ(f.s(), 0.5);
  EXPECT_EQ(f.kappa(), 3);
}

TEST(Tolerance, StatisticsFormulas) {
  const FeatureScale f = example();
  const double tv = 6 * u + 1600 * u * u;
  EXPECT_DOUBLE_EQ(tau_mean(kRule, f), 42 * u);
  EXPECT_DOUBLE_EQ(tau_var(kRule, f), tv);
  // Update terms: |(1 - m) * old| = |new - m * batch| and |m * batch|.
  EXPECT_DOUBLE_EQ(tau_running_mean(kRule, f, 0.1, 4), 0.1 * 42 * u + 4 * u * (3.85 + 0.15));
  const double batch_var = 0.1 * 0.25 * 100 / 99;
  EXPECT_DOUBLE_EQ(tau_running_var(kRule, f, 0.1, -2),
                   0.1 * tv * 100 / 99 + 4 * u * ((2 + batch_var) + batch_var));
}

TEST(Tolerance, ElementwiseFormulas) {
  const FeatureScale f = example();
  EXPECT_DOUBLE_EQ(tau_y_training(kRule, f, -1.5, 3.5), 228 * u);
  EXPECT_DOUBLE_EQ(tau_y_inference(kRule, f, -1.5), 38 * u);
  EXPECT_DOUBLE_EQ(tau_dx_global(kRule, f, 0.5), 16 * u);
}

TEST(Tolerance, BackwardFormulas) {
  const FeatureScale f = example();
  const double tv = 6 * u + 1600 * u * u;
  EXPECT_DOUBLE_EQ(tau_dbeta(kRule, f), 1000 * u);
  EXPECT_DOUBLE_EQ(tau_dgamma(kRule, f), 800 * u + 42 * u * 2 * 3 + 0.5 * tv * 4 * 7);
  // sums 0.5 + 50/100 + 1.5 * 40/100 = 1.6; statistics 42u*2 + 1.5*0.5*tv*4.
  const double want = 2 * 2 * (2 * u * 10 * 1.6 + (84 * u + 3 * tv) * 7 / 100) + 4 * u * 0.25;
  EXPECT_DOUBLE_EQ(tau_dx(kRule, f, 0.5, -1.5, -0.25), want);
}

// Zero variance with eps = 0: invstd = 0 by convention, so the tolerances stay finite and y must
// equal beta to within a few roundings.
TEST(Tolerance, ZeroVarianceKeepsFiniteTolerances) {
  FeatureScale f = example();
  f.set_statistics(0.7, 0, 0);
  EXPECT_EQ(f.invstd(), 0);
  EXPECT_EQ(f.kappa(), 0);
  EXPECT_DOUBLE_EQ(tau_y_training(kRule, f, 0, 0.5), 2 * u * 10 * 2 + 2 * u * 1.0);
  EXPECT_TRUE(std::isfinite(tau_dgamma(kRule, f)));
  EXPECT_EQ(tau_dx(kRule, f, 1, 0, 0), 0);
}

// A bf16-style rule changes only the elementwise terms.
TEST(Tolerance, ElementwiseRoundoffIsSeparate) {
  const FeatureScale f = example();
  const ToleranceRule bf16{10, 0x1p-8, u};
  EXPECT_EQ(tau_dbeta(bf16, f), tau_dbeta(kRule, f));
  EXPECT_DOUBLE_EQ(tau_y_inference(bf16, f, -1.5), 38 * 0x1p-8);
  EXPECT_DOUBLE_EQ(tau_mean(bf16, f), 40 * u + 2 * 0x1p-8);
}

TEST(Tolerance, FeatureScaleFromReference) {
  Problem p;
  p.c = 2;
  p.eps = 0.5;
  Reference r;
  r.mean = {1, -2};
  r.var = {3.5, 1.5};
  r.abs_mean = {4, 5};
  r.gamma = {1, 2};
  r.beta = {0, 3};
  r.reduction = 9;
  FeatureScale f = feature_scale(p, r, 1);
  EXPECT_EQ(f.mean(), -2);
  EXPECT_EQ(f.s(), std::sqrt(2.0));
  EXPECT_EQ(f.abs_mean, 5);
  EXPECT_EQ(f.beta, 3);
  EXPECT_EQ(f.reduction, 9);
  EXPECT_EQ(f.sum_abs_dy, 0);  // forward: no gradient sums
  r.sum_dy = {1, 2};
  r.sum_abs_dy = {3, 4};
  r.sum_dy_xhat = {5, 6};
  r.sum_abs_dy_xhat = {7, 8};
  f = feature_scale(p, r, 1);
  EXPECT_EQ(f.sum_dy, 2);
  EXPECT_EQ(f.sum_abs_dy, 4);
  EXPECT_EQ(f.dgamma, 6);
  EXPECT_EQ(f.sum_abs_dy_xhat, 8);
}

}  // namespace
}  // namespace bnbench
