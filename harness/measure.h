// Measure: times an Instance's run() and summarizes the samples.
//
// Invariant: every sample is kept; a sample is the mean time of `inner_iterations` back-to-back
// run() calls followed by one sync(), sized from the warm-up so that a sample lasts at least
// min_time_s. Between samples `between_samples` runs (it restores running statistics), outside the
// timed region. When the instance has a device timer its per-call times are used instead.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

#include "backend.h"

namespace bnbench {

struct SampleStats {
  double median = 0, min = 0, max = 0, mean = 0, stddev = 0, q1 = 0, q3 = 0, iqr = 0;
  double noise = 0;  // IQR / median: the relative spread used to judge a timing
};

// Statistics of a sample set (linear-interpolated quantiles, as numpy's default).
SampleStats summarize(std::vector<double> samples);
double quantile_sorted(const std::vector<double>& sorted, double q);

struct TimingSettings {
  double warmup_s = 0.05;
  int repetitions = 10;
  double min_time_s = 0.02;
  int max_inner_iterations = 1000000;
};

struct Timing {
  std::vector<double> samples_s;  // seconds per run() call, one per repetition
  int inner_iterations = 1;
  int warmup_iterations = 0;
  double warmup_s = 0;
  bool device_timer = false;
  SampleStats stats;
};

// Inner iterations so that one sample lasts at least min_time_s, given a per-call estimate.
int inner_iterations_for(double seconds_per_call, double min_time_s, int max_inner);

Timing measure(Instance& instance, const TimingSettings& settings,
               const std::function<void()>& between_samples);

nlohmann::json to_json(const SampleStats& s);
nlohmann::json to_json(const Timing& t);

}  // namespace bnbench
