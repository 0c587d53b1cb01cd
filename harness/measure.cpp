// Measure: warm-up by time, sized inner iterations, kept samples and their statistics.
//
// Invariant: nothing but run() (and sync() at a sample's end) happens inside the timed region.
#include "measure.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

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

int inner_iterations_for(double seconds_per_call, double min_time_s, int max_inner) {
  if (seconds_per_call <= 0) return max_inner;
  double n = std::ceil(min_time_s / seconds_per_call);
  return static_cast<int>(std::clamp(n, 1.0, static_cast<double>(max_inner)));
}

Timing measure(Instance& instance, const TimingSettings& settings,
               const std::function<void()>& between_samples) {
  Timing t;
  auto warm_start = Clock::now();
  do {
    instance.run();
    instance.sync();
    ++t.warmup_iterations;
  } while (seconds_since(warm_start) < settings.warmup_s);
  t.warmup_s = seconds_since(warm_start);
  t.inner_iterations = inner_iterations_for(t.warmup_s / t.warmup_iterations, settings.min_time_s,
                                            settings.max_inner_iterations);
  t.device_timer = instance.device_seconds().has_value();
  for (int rep = 0; rep < settings.repetitions; ++rep) {
    if (between_samples) between_samples();
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
    t.samples_s.push_back((t.device_timer ? device_total : host) / t.inner_iterations);
  }
  t.stats = summarize(t.samples_s);
  return t;
}

nlohmann::json to_json(const SampleStats& s) {
  return {{"median_s", s.median}, {"min_s", s.min},   {"max_s", s.max},
          {"mean_s", s.mean},     {"stddev_s", s.stddev}, {"q1_s", s.q1},
          {"q3_s", s.q3},         {"iqr_s", s.iqr},   {"noise", s.noise}};
}

nlohmann::json to_json(const Timing& t) {
  nlohmann::json j = to_json(t.stats);
  j["samples_s"] = t.samples_s;
  j["inner_iterations"] = t.inner_iterations;
  j["warmup_iterations"] = t.warmup_iterations;
  j["warmup_s"] = t.warmup_s;
  j["repetitions"] = t.samples_s.size();
  j["timer"] = t.device_timer ? "device" : "host_steady_clock";
  return j;
}

}  // namespace bnbench
