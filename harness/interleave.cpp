// Interleave: warm-up of every contender, then rounds of one sample each in rotating order.
//
// Invariant: a contender's samples are taken exactly as measure() takes them (take_sample), so an
// interleaved timing differs from a sequential one only in what ran between its samples.
#include "interleave.h"

#include <chrono>

namespace bnbench {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

class ProbePass : public Instance {
 public:
  ProbePass(ProbeStream& stream, std::string kernel)
      : stream_(stream), kernel_(std::move(kernel)) {}
  void run() override { stream_.pass(kernel_); }

 private:
  ProbeStream& stream_;
  std::string kernel_;
};

}  // namespace

std::unique_ptr<Instance> probe_pass_instance(ProbeStream& stream, std::string kernel) {
  stream.bytes_per_pass(kernel);  // throws now for an unknown kernel
  return std::make_unique<ProbePass>(stream, std::move(kernel));
}

std::vector<ContenderTiming> measure_interleaved(const std::vector<Contender>& contenders,
                                                 const TimingSettings& settings, bool rewarm) {
  const size_t n = contenders.size();
  std::vector<ContenderTiming> out(n);
  std::vector<bool> active(n, true);
  auto group_start = Clock::now();
  for (size_t i = 0; i < n; ++i) {
    try {
      out[i].timing = warm_up(*contenders[i].instance, settings);
    } catch (const std::exception& e) {
      out[i].error = e.what();
      active[i] = false;
    }
  }
  const double budget = settings.max_time_s * static_cast<double>(n);
  double last_round_wall = 0;
  StopReason stop = StopReason::repetitions;
  for (int round = 0; round < settings.repetitions; ++round) {
    if (round > 0 && !budget_allows(seconds_since(group_start), last_round_wall, budget)) {
      stop = StopReason::time_budget;
      break;
    }
    auto round_start = Clock::now();
    for (size_t k = 0; k < n; ++k) {
      const size_t i = (static_cast<size_t>(round) + k) % n;
      if (!active[i]) continue;
      const Contender& c = contenders[i];
      try {
        if (rewarm) {
          c.instance->run();
          c.instance->sync();
        }
        if (c.between_samples) c.between_samples();
        out[i].timing.samples_s.push_back(take_sample(*c.instance, out[i].timing));
      } catch (const std::exception& e) {
        out[i].error = e.what();
        active[i] = false;
      }
    }
    last_round_wall = seconds_since(round_start);
    bool settled = settings.max_noise > 0;
    for (size_t i = 0; i < n; ++i)
      if (active[i])
        settled = settled && noise_settled(out[i].timing.samples_s, settings.max_noise);
    if (settled && round + 1 < settings.repetitions) {
      stop = StopReason::noise;
      break;
    }
  }
  const double total = seconds_since(group_start);
  for (ContenderTiming& ct : out) {
    ct.timing.stop = stop;
    ct.timing.total_s = total;
    ct.timing.contenders = static_cast<int>(n);
    ct.timing.rewarmed = rewarm;
    ct.timing.stats = summarize(ct.timing.samples_s);
  }
  return out;
}

}  // namespace bnbench
