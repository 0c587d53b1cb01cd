// Measure: times an Instance's run() and summarizes the samples.
//
// Invariant: every sample is kept; a sample is the mean time of `inner_iterations` back-to-back
// run() calls followed by one sync(), sized from the warm-up so that a sample lasts at least
// min_time_s. Between samples `between_samples` runs (it restores running statistics), outside the
// timed region. With a cold cache every sample is one call preceded by a sweep of a buffer larger
// than the last-level cache, also outside the timed region. When the instance has a device timer
// its per-call times are used instead. Sampling stops after `repetitions` samples, or earlier once
// the noise rule is met (--max-noise) or the per-case time budget would be exceeded.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
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

enum class CacheMode { warm, cold };
std::string to_string(CacheMode m);
std::optional<CacheMode> parse_cache_mode(const std::string& text);

// The noise rule: a timing whose IQR / median exceeds its limit is NOISY; the limit is --max-noise
// when given, else kDefaultNoiseLimit. Early stop needs at least kMinSamplesForNoise samples, so
// that a quartile is more than one sample's luck.
constexpr double kDefaultNoiseLimit = 0.05;
constexpr int kMinSamplesForNoise = 5;

struct TimingSettings {
  double warmup_s = 0.05;
  int repetitions = 10;  // samples at most
  double min_time_s = 0.02;
  int max_inner_iterations = 1000000;
  double max_noise = 0;   // > 0: stop early once noise <= max_noise
  double max_time_s = 0;  // > 0: time budget per case (warm-up and samples)
  CacheMode cache = CacheMode::warm;
  size_t flush_bytes = 0;   // cold: bytes swept before each call (0: default_flush_bytes())
  bool interleave = false;  // a case's backends sampled in turns (interleave.h)
  double noise_limit() const { return max_noise > 0 ? max_noise : kDefaultNoiseLimit; }
};

enum class StopReason { repetitions, noise, time_budget };
std::string to_string(StopReason r);

struct Timing {
  std::vector<double> samples_s;  // seconds per run() call, one per repetition
  int inner_iterations = 1;
  int warmup_iterations = 0;
  double warmup_s = 0;
  bool device_timer = false;
  CacheMode cache = CacheMode::warm;
  size_t flush_bytes = 0;  // cold: the sweep's size
  StopReason stop = StopReason::repetitions;
  double total_s = 0;  // wall time of the whole measurement, warm-up and sweeps included
  double noise_limit = kDefaultNoiseLimit;
  int contenders = 1;  // instances sampled in turns with this one, itself included (interleave.h)
  bool rewarmed = false;  // interleaved: one untimed call before each sample
  SampleStats stats;
  bool noisy() const { return stats.noise > noise_limit; }
};

// Inner iterations so that one sample lasts at least min_time_s, given a per-call estimate.
int inner_iterations_for(double seconds_per_call, double min_time_s, int max_inner);
// Early stop: at least kMinSamplesForNoise samples and IQR / median <= max_noise (> 0).
bool noise_settled(const std::vector<double>& samples, double max_noise);
// Budget: a next sample expected to last next_sample_s still ends within max_time_s (0: no budget).
bool budget_allows(double elapsed_s, double next_sample_s, double max_time_s);

Timing measure(Instance& instance, const TimingSettings& settings,
               const std::function<void()>& between_samples);

// The two halves of measure(), for interleave.h. warm_up runs the instance for warmup_s and
// returns a Timing with its cache mode, warm-up, inner iterations and timer set and no samples;
// take_sample times one sample under that Timing (sweeping the cache first when it is cold).
Timing warm_up(Instance& instance, const TimingSettings& settings);
double take_sample(Instance& instance, const Timing& t);

nlohmann::json to_json(const SampleStats& s);
nlohmann::json to_json(const Timing& t);
// Reads back what to_json(Timing) writes beyond the statistics, samples, iterations and timer
// (cache, flush_bytes, stop_reason, total_s, noise_limit); absent fields keep their defaults, so
// results written before they existed still read. For record_io.cpp.
void read_measure_fields(const nlohmann::json& timing, Timing& t);

}  // namespace bnbench
