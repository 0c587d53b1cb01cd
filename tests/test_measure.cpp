// Measure: the sample statistics, the inner-iteration sizing and that samples are all kept.
//
// Invariant: quantiles interpolate linearly (numpy's default), noise = IQR / median.
#include <gtest/gtest.h>

#include "measure.h"

namespace bnbench {
namespace {

TEST(Measure, SummaryOfKnownSamples) {
  SampleStats s = summarize({5, 1, 4, 2, 3});
  EXPECT_DOUBLE_EQ(s.median, 3);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 5);
  EXPECT_DOUBLE_EQ(s.mean, 3);
  EXPECT_DOUBLE_EQ(s.q1, 2);
  EXPECT_DOUBLE_EQ(s.q3, 4);
  EXPECT_DOUBLE_EQ(s.iqr, 2);
  EXPECT_DOUBLE_EQ(s.noise, 2.0 / 3.0);
  EXPECT_NEAR(s.stddev, 1.5811388300841898, 1e-12);
}

TEST(Measure, EvenCountMedianInterpolates) {
  SampleStats s = summarize({1, 2, 3, 10});
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.q1, 1.75);
}

TEST(Measure, SingleSampleHasNoSpread) {
  SampleStats s = summarize({0.5});
  EXPECT_DOUBLE_EQ(s.median, 0.5);
  EXPECT_DOUBLE_EQ(s.stddev, 0);
  EXPECT_DOUBLE_EQ(s.noise, 0);
}

TEST(Measure, InnerIterationsReachMinimumTime) {
  EXPECT_EQ(inner_iterations_for(1e-3, 0.01, 1000), 10);
  EXPECT_EQ(inner_iterations_for(0.5, 0.01, 1000), 1);
  EXPECT_EQ(inner_iterations_for(1e-9, 1.0, 1000), 1000);
  EXPECT_EQ(inner_iterations_for(0, 1.0, 77), 77);
}

class CountingInstance : public Instance {
 public:
  void run() override { ++runs; }
  int runs = 0;
};

TEST(Measure, KeepsEverySampleAndCallsBetween) {
  CountingInstance inst;
  TimingSettings t;
  t.warmup_s = 0.001;
  t.repetitions = 7;
  t.min_time_s = 0.0001;
  t.max_inner_iterations = 50;
  int between = 0;
  Timing timing = measure(inst, t, [&] { ++between; });
  EXPECT_EQ(timing.samples_s.size(), 7u);
  EXPECT_EQ(between, 7);
  EXPECT_EQ(inst.runs, timing.warmup_iterations + 7 * timing.inner_iterations);
  EXPECT_GE(timing.inner_iterations, 1);
  EXPECT_LE(timing.inner_iterations, 50);
}

}  // namespace
}  // namespace bnbench
