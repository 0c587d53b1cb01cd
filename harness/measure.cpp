// Measure: warm-up by time, sized inner iterations, kept samples, early stop and their statistics.
//
// Invariant: nothing but run() (and sync() at a sample's end, or after each call with a device
// timer or a cold cache) happens inside the timed region.
#include "measure.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "cache_flush.h"

namespace bnbench {

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

double quantile_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  double pos = q * static_cast<double>(sorted.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(lo + 1, sorted.size() - 1);
  double frac = pos - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

SampleStats summarize(std::vector<double> samples) {
  SampleStats s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  const double n = static_cast<double>(samples.size());
  s.min = samples.front();
  s.max = samples.back();
  s.median = quantile_sorted(samples, 0.5);
  s.q1 = quantile_sorted(samples, 0.25);
  s.q3 = quantile_sorted(samples, 0.75);
  s.iqr = s.q3 - s.q1;
  s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / n;
  double ss = 0;
  for (double v : samples) ss += (v - s.mean) * (v - s.mean);
  s.stddev = samples.size() > 1 ? std::sqrt(ss / (n - 1)) : 0;
  s.noise = s.median > 0 ? s.iqr / s.median : 0;
  return s;
}

std::string to_string(CacheMode m) { return m == CacheMode::cold ? "cold" : "warm"; }

std::optional<CacheMode> parse_cache_mode(const std::string& text) {
  if (text == "warm") return CacheMode::warm;
  if (text == "cold") return CacheMode::cold;
  return std::nullopt;
}

std::string to_string(StopReason r) {
  switch (r) {
    case StopReason::repetitions:
      return "repetitions";
    case StopReason::noise:
      return "max_noise";
    case StopReason::time_budget:
      return "time_budget";
  }
  return "?";
}

int inner_iterations_for(double seconds_per_call, double min_time_s, int max_inner) {
  if (seconds_per_call <= 0) return max_inner;
  double n = std::ceil(min_time_s / seconds_per_call);
  return static_cast<int>(std::clamp(n, 1.0, static_cast<double>(max_inner)));
}

bool noise_settled(const std::vector<double>& samples, double max_noise) {
  if (max_noise <= 0 || static_cast<int>(samples.size()) < kMinSamplesForNoise) return false;
  return summarize(samples).noise <= max_noise;
}

bool budget_allows(double elapsed_s, double next_sample_s, double max_time_s) {
  return max_time_s <= 0 || elapsed_s + next_sample_s <= max_time_s;
}

Timing warm_up(Instance& instance, const TimingSettings& settings) {
  Timing t;
  t.cache = settings.cache;
  t.noise_limit = settings.noise_limit();
  CacheFlusher* flusher =
      settings.cache == CacheMode::cold ? &shared_cache_flusher(settings.flush_bytes) : nullptr;
  if (flusher) t.flush_bytes = flusher->bytes();
  auto start = Clock::now();
  double call_seconds = 0;
  do {
    if (flusher) flusher->flush();
    auto call_start = Clock::now();
    instance.run();
    instance.sync();
    call_seconds += seconds_since(call_start);
    ++t.warmup_iterations;
  } while (seconds_since(start) < settings.warmup_s);
  t.warmup_s = seconds_since(start);
  t.inner_iterations =
      flusher ? 1
              : inner_iterations_for(call_seconds / t.warmup_iterations, settings.min_time_s,
                                     settings.max_inner_iterations);
  t.device_timer = instance.device_seconds().has_value();
  return t;
}

// One sample: `calls` back-to-back calls (warm) or one call after a sweep (cold), per call.
double take_sample(Instance& instance, const Timing& t) {
  if (t.cache == CacheMode::cold) shared_cache_flusher(t.flush_bytes).flush();
  double device_total = 0;
  auto start = Clock::now();
  for (int i = 0; i < t.inner_iterations; ++i) {
    instance.run();
    if (t.device_timer) {
      instance.sync();
      device_total += instance.device_seconds().value_or(0);
    }
  }
  instance.sync();
  double host = seconds_since(start);
  return (t.device_timer ? device_total : host) / t.inner_iterations;
}

Timing measure(Instance& instance, const TimingSettings& settings,
               const std::function<void()>& between_samples) {
  auto case_start = Clock::now();
  Timing t = warm_up(instance, settings);
  double last_sample_wall = 0;
  for (int rep = 0; rep < settings.repetitions; ++rep) {
    if (rep > 0 &&
        !budget_allows(seconds_since(case_start), last_sample_wall, settings.max_time_s)) {
      t.stop = StopReason::time_budget;
      break;
    }
    auto sample_start = Clock::now();
    if (between_samples) between_samples();
    t.samples_s.push_back(take_sample(instance, t));
    last_sample_wall = seconds_since(sample_start);
    if (noise_settled(t.samples_s, settings.max_noise) && rep + 1 < settings.repetitions) {
      t.stop = StopReason::noise;
      break;
    }
  }
  t.total_s = seconds_since(case_start);
  t.stats = summarize(t.samples_s);
  return t;
}

nlohmann::json to_json(const SampleStats& s) {
  return {{"median_s", s.median}, {"min_s", s.min},       {"max_s", s.max},
          {"mean_s", s.mean},     {"stddev_s", s.stddev}, {"q1_s", s.q1},
          {"q3_s", s.q3},         {"iqr_s", s.iqr},       {"noise", s.noise}};
}

nlohmann::json to_json(const Timing& t) {
  nlohmann::json j = to_json(t.stats);
  j["samples_s"] = t.samples_s;
  j["inner_iterations"] = t.inner_iterations;
  j["warmup_iterations"] = t.warmup_iterations;
  j["warmup_s"] = t.warmup_s;
  j["repetitions"] = t.samples_s.size();
  j["timer"] = t.device_timer ? "device" : "host_steady_clock";
  j["cache"] = to_string(t.cache);
  if (t.cache == CacheMode::cold) j["flush_bytes"] = t.flush_bytes;
  j["stop_reason"] = to_string(t.stop);
  j["total_s"] = t.total_s;
  j["noise_limit"] = t.noise_limit;
  j["noisy"] = t.noisy();
  j["schedule"] = t.contenders > 1 ? "interleaved" : "sequential";
  if (t.contenders > 1) {
    j["contenders"] = t.contenders;
    j["rewarmed"] = t.rewarmed;
  }
  return j;
}

void read_measure_fields(const nlohmann::json& j, Timing& t) {
  if (j.contains("cache"))
    t.cache = parse_cache_mode(j["cache"].get<std::string>()).value_or(CacheMode::warm);
  t.flush_bytes = j.value("flush_bytes", size_t{0});
  const std::string stop = j.value("stop_reason", "repetitions");
  for (StopReason r : {StopReason::repetitions, StopReason::noise, StopReason::time_budget})
    if (to_string(r) == stop) t.stop = r;
  t.total_s = j.value("total_s", 0.0);
  t.noise_limit = j.value("noise_limit", kDefaultNoiseLimit);
  t.contenders = j.value("contenders", 1);
  t.rewarmed = j.value("rewarmed", false);
}

}  // namespace bnbench
