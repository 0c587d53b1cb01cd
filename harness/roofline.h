// Roofline: a case's bandwidth on the byte model, against the one-pass ideal of this run's probes.
//
// Invariant: the ideal is the streaming-store probe of the same run (copy_nt for the forward
// directions, triad_nt for backward; perf-anchors.md), taken at the start of the run so a record is
// complete when written. A case whose working set (inputs + outputs) fits in the last-level cache
// is cache-resident: its % of ideal is still reported but may exceed 100 and says nothing about
// memory bandwidth; compare such cases between backends only.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "probes.h"
#include "problem.h"

namespace bnbench {

struct Roofline {
  double gbps = 0;  // minimal bytes / median time
  std::string ideal_kernel;
  double ideal_gbps = 0;
  std::string ideal_source = "start_probe";  // or "interleaved_probe" (interleave.h)
  double percent_of_ideal = 0;
  double working_set_bytes = 0;
  bool cache_resident = false;
};

// copy_nt (forward: read x, write y) or triad_nt (backward: read x and dy, write dx).
std::string ideal_kernel_for(const Problem& p);
// Bytes of every tensor the case reads or writes (tensor_bytes: an in-place output shares its
// input's storage and is not counted twice).
double working_set_bytes(const Problem& p);
Roofline roofline_for(const Problem& p, double bytes_moved, double median_s, const ProbeSet& probes,
                      int64_t llc_bytes);

// Judges r against the ideal kernel's median bandwidth measured in turns with the case's backends
// (interleave.h) instead of the start probe: same samples' conditions, same statistic.
void use_interleaved_ideal(Roofline& r, double ideal_gbps);

// Adds gbps, ideal_kernel, ideal_gbps, ideal_source, percent_of_ideal, working_set_bytes and
// cache_resident.
void add_to_json(const Roofline& r, nlohmann::json& j);
// Reads them back from a case's JSON; nullopt when the case has none (no ideal_kernel).
std::optional<Roofline> roofline_from_json(const nlohmann::json& j);

}  // namespace bnbench
