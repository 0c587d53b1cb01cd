// cuda_welford's arithmetic (impls/cuda_welford/welford_math.h), run on the host: the same inline
// functions the kernels use, so this part of the GPU backend is checked on machines without a GPU.
// The scheme under test: float Welford over runs of kItems values, then Chan merges in double
// along a tree, must meet numerics.md's strict variance tolerance on adversarial data.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "../impls/cuda_welford/welford_math.h"

namespace bnbench::cuda_welford {
namespace {

// What a block computes: float Welford per run of kItems, then a pairwise tree of Chan merges.
Moments<double> tree_moments(const std::vector<float>& x) {
  std::vector<Moments<double>> level;
  for (size_t start = 0; start < x.size(); start += kItems) {
    Moments<float> m;
    for (size_t i = start; i < std::min(x.size(), start + kItems); ++i)
      welford_push(m, x[i], 1.0f / static_cast<float>(i - start + 1));
    level.push_back(widen(m));
  }
  while (level.size() > 1) {
    std::vector<Moments<double>> next;
    for (size_t i = 0; i < level.size(); i += 2)
      next.push_back(i + 1 < level.size() ? chan_merge(level[i], level[i + 1]) : level[i]);
    level = next;
  }
  return level.empty() ? Moments<double>{} : level[0];
}

void double_moments(const std::vector<float>& x, double& mean, double& var) {
  mean = 0;
  for (float v : x) mean += v;
  mean /= static_cast<double>(x.size());
  var = 0;
  for (float v : x) var += (v - mean) * (v - mean);
  var /= static_cast<double>(x.size());
}

TEST(CudaWelfordMath, OffsetDataMeetsTheStrictVarianceTolerance) {
  std::mt19937_64 rng(3);
  for (double offset : {1e4, 1e3}) {
    const double sigma = offset == 1e4 ? 1.0 : 0.01;
    std::normal_distribution<double> normal(offset, sigma);
    std::vector<float> x(1 << 16);
    for (float& v : x) v = static_cast<float>(normal(rng));
    double mean, var;
    double_moments(x, mean, var);
    const Moments<double> m = tree_moments(x);
    const double u = std::ldexp(1.0, -24), g = std::ceil(std::log2(x.size())) + 1;
    EXPECT_EQ(m.count, x.size());
    EXPECT_LE(std::abs(m.mean - mean), 2 * u * g * offset + u * offset) << offset;
    EXPECT_LE(std::abs(m.var - var), 2 * u * g * var + std::pow(2 * u * g * offset, 2)) << offset;
  }
}

TEST(CudaWelfordMath, ConstantChannelGivesExactMeanAndZeroVariance) {
  for (float c : {0.7f, 1e4f + 0.1f}) {
    const Moments<double> m = tree_moments(std::vector<float>(1000, c));
    EXPECT_EQ(m.mean, static_cast<double>(c));
    EXPECT_EQ(m.var, 0.0);
  }
  EXPECT_EQ(invstd_of(0.0, 0.0), 0.0);
}

TEST(CudaWelfordMath, CountsStayExactPastFloatPrecision) {
  Moments<double> a, b;
  a.count = 1u << 24;
  a.mean = 0.5;
  b.count = 1;
  b.mean = 0.5;
  EXPECT_EQ(chan_merge(a, b).count, (1u << 24) + 1);
  EXPECT_EQ(chan_merge(a, b).mean, 0.5);
  EXPECT_EQ(chan_merge(a, Moments<double>{}).count, a.count);
}

TEST(CudaWelfordMath, HugeSigmaStaysInFloatRange) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal(0, 3e18);
  std::vector<float> x(4096);
  for (float& v : x) v = static_cast<float>(normal(rng));
  double mean, var;
  double_moments(x, mean, var);
  const Moments<double> m = tree_moments(x);
  ASSERT_TRUE(std::isfinite(m.var));
  EXPECT_NEAR(m.var / var, 1.0, 1e-5);
}

TEST(CudaWelfordMath, NanAndInfPoisonTheStatistics) {
  for (float bad :
       {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()})
    for (size_t where : {size_t{0}, size_t{5}, size_t{7}, size_t{300}}) {
      std::vector<float> x(512, 1.0f);
      x[where] = bad;
      EXPECT_TRUE(std::isnan(tree_moments(x).var)) << bad << " at " << where;
    }
}

TEST(CudaWelfordMath, RunningStatisticsUseTheUnbiasedVariance) {
  float rm = 1.0f, rv = 2.0f;
  update_running(rm, rv, 3.0, 4.0, 0.1, 5.0);
  EXPECT_FLOAT_EQ(rm, static_cast<float>(0.9 * 1.0 + 0.1 * 3.0));
  EXPECT_FLOAT_EQ(rv, static_cast<float>(0.9 * 2.0 + 0.1 * 4.0 * 5.0 / 4.0));
}

}  // namespace
}  // namespace bnbench::cuda_welford
