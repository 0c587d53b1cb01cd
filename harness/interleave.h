// Interleave: the contenders of one case (its backends, and the bandwidth probe its % of ideal is
// judged by) timed in turns, one sample each per round, instead of one contender after another.
//
// Invariant: on a shared machine the memory bandwidth moves by tens of percent within a minute;
// samples taken in turns see the same conditions, so ratios between contenders hold where
// medians taken minutes apart do not. Round r starts at contender r mod n, so none always follows
// the same one. Each contender keeps its own warm-up, inner iterations and between-samples hook,
// and nothing but take_sample (measure.h) is timed. With `rewarm` (a case whose working set fits
// the last-level cache) one untimed call precedes each sample, so that a sample times the
// contender's own warm data, not the reload of what the previous contender evicted. A contender
// that throws is dropped with its message; the others go on.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backend.h"
#include "measure.h"
#include "probes.h"

namespace bnbench {

struct Contender {
  Instance* instance = nullptr;
  std::function<void()> between_samples;  // outside the timed region, before each sample
};

struct ContenderTiming {
  Timing timing;
  std::string error;  // what the contender threw; its timing is then incomplete
};

// Rounds stop after settings.repetitions, once every contender meets max_noise, or when the
// group's budget (max_time_s per contender) would be exceeded.
std::vector<ContenderTiming> measure_interleaved(const std::vector<Contender>& contenders,
                                                 const TimingSettings& settings, bool rewarm);

// A contender whose run() is one pass of a probe kernel (copy_nt, triad_nt) over `stream`.
std::unique_ptr<Instance> probe_pass_instance(ProbeStream& stream, std::string kernel);

}  // namespace bnbench
