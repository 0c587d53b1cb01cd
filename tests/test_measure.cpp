// Measure: the sample statistics, the inner-iteration sizing, the noise rule, early stop, the time
// budget, the cold cache and that samples are all kept.
//
// Invariant: quantiles interpolate linearly (numpy's default), noise = IQR / median.
#include <gtest/gtest.h>

#include <chrono>

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

// Busy-waits a fixed time per call, so samples are steady (low noise).
class SpinInstance : public Instance {
 public:
  explicit SpinInstance(double seconds) : seconds_(seconds) {}
  void run() override {
    auto start = std::chrono::steady_clock::now();
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
           seconds_) {
    }
    ++runs;
  }
  int runs = 0;

 private:
  double seconds_;
};

TEST(Measure, NoiseRuleNeedsFiveSamplesAndTheLimit) {
  EXPECT_FALSE(noise_settled({1, 1, 1, 1}, 0.5));     // too few samples
  EXPECT_TRUE(noise_settled({1, 1, 1, 1, 1}, 0.01));  // no spread at all
  EXPECT_FALSE(noise_settled({1, 1, 1, 1, 1}, 0));    // early stop off
  EXPECT_FALSE(noise_settled({1, 2, 3, 4, 5}, 0.5));  // IQR 2 / median 3 = 0.67
  EXPECT_TRUE(noise_settled({1, 2, 3, 4, 5}, 0.7));
  EXPECT_EQ(kMinSamplesForNoise, 5);
}

TEST(Measure, NoisyAboveTheLimit) {
  TimingSettings s;
  EXPECT_DOUBLE_EQ(s.noise_limit(), kDefaultNoiseLimit);
  s.max_noise = 0.02;
  EXPECT_DOUBLE_EQ(s.noise_limit(), 0.02);
  Timing t;
  t.noise_limit = 0.05;
  t.stats = summarize({10, 10, 10, 11, 12});  // IQR 1 / median 10
  EXPECT_TRUE(t.noisy());
  t.stats = summarize({10, 10, 10, 10, 10.2});
  EXPECT_FALSE(t.noisy());
}

TEST(Measure, BudgetRule) {
  EXPECT_TRUE(budget_allows(100, 100, 0));  // no budget
  EXPECT_TRUE(budget_allows(0.5, 0.4, 1.0));
  EXPECT_FALSE(budget_allows(0.7, 0.4, 1.0));
}

TEST(Measure, EarlyStopOnceNoiseIsLow) {
  SpinInstance inst(1e-4);
  TimingSettings t;
  t.warmup_s = 0;
  t.repetitions = 100;
  t.min_time_s = 0;
  t.max_noise = 1e9;  // any spread passes: stops as soon as the rule may apply
  Timing timing = measure(inst, t, {});
  EXPECT_EQ(timing.samples_s.size(), static_cast<size_t>(kMinSamplesForNoise));
  EXPECT_EQ(timing.stop, StopReason::noise);
}

TEST(Measure, TimeBudgetStopsSampling) {
  SpinInstance inst(2e-3);
  TimingSettings t;
  t.warmup_s = 0;
  t.repetitions = 1000;
  t.min_time_s = 0;
  t.max_time_s = 0.03;
  Timing timing = measure(inst, t, {});
  EXPECT_EQ(timing.stop, StopReason::time_budget);
  EXPECT_GE(timing.samples_s.size(), 1u);
  EXPECT_LT(timing.samples_s.size(), 16u);
  EXPECT_GE(timing.total_s, 0.0);
}

TEST(Measure, ColdCacheTimesSingleCallsAfterASweep) {
  CountingInstance inst;
  TimingSettings t;
  t.warmup_s = 0;
  t.repetitions = 4;
  t.min_time_s = 0.01;
  t.cache = CacheMode::cold;
  t.flush_bytes = 1 << 20;
  Timing timing = measure(inst, t, {});
  EXPECT_EQ(timing.inner_iterations, 1);
  EXPECT_EQ(timing.samples_s.size(), 4u);
  EXPECT_EQ(timing.cache, CacheMode::cold);
  EXPECT_EQ(timing.flush_bytes, size_t{1} << 20);
  EXPECT_EQ(inst.runs, timing.warmup_iterations + 4);
}

TEST(Measure, JsonRoundTripOfTheMeasureFields) {
  Timing t;
  t.cache = CacheMode::cold;
  t.flush_bytes = 123;
  t.stop = StopReason::time_budget;
  t.total_s = 1.5;
  t.noise_limit = 0.02;
  Timing back;
  read_measure_fields(to_json(t), back);
  EXPECT_EQ(to_json(back), to_json(t));
  EXPECT_EQ(parse_cache_mode("cold"), CacheMode::cold);
  EXPECT_FALSE(parse_cache_mode("lukewarm").has_value());
}

}  // namespace
}  // namespace bnbench
