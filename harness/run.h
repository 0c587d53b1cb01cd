// Run: the one per-case flow of design.md, shared by `list`, `check` and `run`.
//
//   validate -> supports? -> memory limit -> fill (once per problem) -> prepare -> run once ->
//   fetch -> fp64 reference (once per problem) -> compare -> verdict [check stops here]
//   -> measure [run] -> record -> reporters
//
// Invariant: modes only cut this flow short; a backend never sees tolerances, timers or
// reporters, and an exception inside one case becomes that case's ERROR, never the sweep's end.
#pragma once

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "case_flow.h"
#include "config.h"
#include "expectations.h"
#include "measure.h"
#include "pinning.h"
#include "record.h"
#include "registry.h"
#include "reporter.h"
#include "resume.h"

namespace bnbench {

struct RunOptions {
  RunMode mode = RunMode::check;
  std::vector<std::string> backends;     // empty: the config's, else every registered one
  std::optional<std::string> filter;     // regex over the case id
  int threads = 0;                       // 0: the config's axis, else omp_get_max_threads()
  std::optional<uint64_t> seed;          // overrides the config's
  size_t max_memory_bytes = 0;           // 0: a safe fraction of physical memory
  std::optional<TimingSettings> timing;  // overrides the config's measure settings
  PinPlan pin;                           // applied in main (pinning.h); recorded here
  std::string command_line;
  const Expectations* expectations = nullptr;  // judge verdicts against a known list
  bool isolate = false;                        // each case in a child process (isolate.h)
  double case_timeout_s = 0;                   // isolated cases: 0 means no limit
  const ResumeFile* resume = nullptr;          // cases carried over, not run again (resume.h)
  bool determinism = false;                    // --determinism (determinism.h)
  std::string dump_dir;                        // --dump DIR (repro_bundle.h)
  bool dump_all = false;                       // --dump-all: bundles of every case
  std::string inputs_dir;                      // --inputs DIR: the case's inputs from .npy files
};

// Throws std::invalid_argument for an unknown backend name (message lists the known ones).
std::vector<Backend*> select_backends(const Registry& reg, const std::vector<std::string>& names);

// Default memory limit: 60% of physical memory.
size_t default_max_memory();

// Runs the sweep; every finished case goes to every reporter. Returns the summary.
RunSummary run_sweep(const Config& config, const RunOptions& options,
                     const std::vector<Reporter*>& reporters);

// The header every result file carries (tool, build, machine, config, backends).
nlohmann::json run_header(const Config& config, const RunOptions& options,
                          const std::vector<Backend*>& backends);

}  // namespace bnbench

namespace bnbench {
struct ListedCase {
  std::string id, backend;
  int threads = 1;
  bool supported = false;
  std::string reason;  // why not
};
// `bnbench list`: the expanded cases and whether each backend supports them; nothing runs.
std::vector<ListedCase> list_cases(const Config& config, const RunOptions& options);
}  // namespace bnbench
