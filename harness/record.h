// Record: what one case (one problem x one backend) produced, the unit every reporter consumes.
//
// Invariant: a record is complete on its own (id, backend, threads, status, reason, metrics,
// timing, the command that reproduces it), so a result file loses nothing if the run stops after
// any case.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "backend.h"
#include "compare.h"
#include "expectations.h"
#include "measure.h"
#include "network_totals.h"
#include "probes.h"
#include "problem.h"
#include "roofline.h"

namespace bnbench {

struct CaseRecord {
  std::string id;  // canonical problem string
  std::string backend;
  Problem problem;
  int threads = 1;
  uint64_t seed = 1;
  std::string shape_set;
  int layer_count = 1;
  Verdict status = Verdict::skipped;
  std::string reason;
  std::optional<CheckResult> check;
  std::optional<Timing> timing;
  double bytes_moved = 0;  // minimal bytes per call on the byte model of perf-anchors.md
  nlohmann::json details = nlohmann::json::object();  // backend's own (e.g. oneDNN impl)
  std::string command;                                 // reproduces this case
  double check_seconds = 0;
  std::optional<Outcome> outcome;  // set when the run has an expectations file
  std::string expectation_why;
  nlohmann::json determinism;  // --determinism: determinism.h's report; null when not asked
  std::string bundle;          // --dump: the repro bundle's folder; empty when none
  std::optional<Roofline> roofline;  // run mode: GB/s against this run's probes
  std::string pin;                   // --pin placement the case ran under
};

// Minimal traffic per call: fwd 2 elements (read x, write y), bwd 3 (read x and dy, write dx).
double minimal_bytes(const Problem& p);
// The command line that re-checks one case.
std::string repro_command(const CaseRecord& r);

nlohmann::json problem_json(const Problem& p);
nlohmann::json to_json(const CaseRecord& r);

struct RunSummary {
  int passed = 0, warned = 0, mistrusted = 0, failed = 0, skipped = 0, errors = 0;
  int crashed = 0, timeouts = 0;  // isolated runs only (isolate.h)
  bool with_expectations = false;
  int expected_failures = 0, unexpected_failures = 0, unexpected_passes = 0;
  // Found after the last case (instruments.h): end probes, their drift, network totals.
  std::vector<ProbeSet> probes_end;
  std::vector<std::string> late_hazards;
  std::vector<NetworkTotal> network_totals;
  void add(Verdict v);
  void add(Outcome o);
  int total() const {
    return passed + warned + mistrusted + failed + skipped + errors + crashed + timeouts;
  }
  // Without expectations any FAILED/ERROR/CRASHED/TIMEOUT fails the run; with them, only
  // unexpected ones do.
  bool ok() const {
    return with_expectations ? unexpected_failures == 0
                             : failed == 0 && errors == 0 && crashed == 0 && timeouts == 0;
  }
};
nlohmann::json to_json(const RunSummary& s);

}  // namespace bnbench
