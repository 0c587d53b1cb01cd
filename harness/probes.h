// Probes: STREAM-style memory-bandwidth measurements, the roofline every case is judged against.
//
// Invariant: a probe runs at the run's thread count over arrays sized beyond the last-level cache
// (probe_array_bytes), first-touched by the same threads and partition that stream them, and
// reports the best of its timed passes. Bytes are counted as STREAM does (read-only sum 4 B per
// element, copy 8 B, triad 12 B): the write-allocate read of ordinary stores is not counted,
// which is why the streaming-store (_nt) kernels are faster and are the one-pass ideal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace bnbench {

struct ProbeKernel {
  std::string name;  // read, copy, triad, copy_nt, triad_nt
  int bytes_per_element = 0;
  double gbps = 0;      // best pass
  double best_s = 0;    // time of the best pass
  double median_s = 0;  // median of the timed passes
};

struct ProbeSet {
  int threads = 1;
  size_t array_bytes = 0;  // per array; three arrays
  int64_t llc_bytes = 0;   // the last-level cache the size was chosen against
  int passes = 0;          // timed passes per kernel (the first touch warms the pages)
  double seconds = 0;      // wall time of the whole probe, allocation included
  std::vector<ProbeKernel> kernels;
  double gbps(const std::string& kernel) const;  // 0 when absent
  // Each array alone at least fills the LLC, so no kernel's footprint fits it (false: the cap of
  // probe_array_bytes bound and cached bandwidth may leak into the figures).
  bool beyond_llc() const { return array_bytes >= static_cast<size_t>(llc_bytes); }
};

// Bytes per probe array: 4 x LLC clamped to [64 MiB, 128 MiB] and to 1/8 of the available memory,
// rounded to 2 MiB; see probes.cpp for why these bounds keep a probe near one second.
size_t probe_array_bytes(int64_t llc_bytes, int64_t available_memory_bytes);

// Runs the five kernels at `threads` OpenMP threads over three arrays of array_bytes each.
ProbeSet run_probes(int threads, size_t array_bytes, int64_t llc_bytes, int passes = 2);

// The probe arrays of one thread count kept alive, so that single passes of a kernel can be
// timed in turns with a case's backends (interleave.h); same first touch and kernels as run_probes.
class ProbeStream {
 public:
  ProbeStream(int threads, size_t array_bytes);
  ~ProbeStream();
  ProbeStream(const ProbeStream&) = delete;
  ProbeStream& operator=(const ProbeStream&) = delete;
  void pass(const std::string& kernel);  // one untimed pass; throws for an unknown kernel name
  double bytes_per_pass(const std::string& kernel) const;  // STREAM's count (see above)
  int threads() const { return threads_; }
  size_t array_bytes() const { return n_ * sizeof(float); }

 private:
  struct Arrays;
  int threads_;
  size_t n_;
  std::unique_ptr<Arrays> arrays_;
};

// Hazards when a kernel's bandwidth changed more than `limit` (relative) between two probes.
std::vector<std::string> probe_drift_hazards(const ProbeSet& start, const ProbeSet& end,
                                             double limit = 0.10);

std::string format_probes(const ProbeSet& p);  // one console line
nlohmann::json to_json(const ProbeSet& p);

}  // namespace bnbench
