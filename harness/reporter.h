// Reporter: the interface between the per-case flow and every output format.
//
// Invariant (google/benchmark's split): the flow hands a reporter the run context once, then each
// finished case, then the summary; reporters only format, they never measure or judge.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "record.h"

namespace bnbench {

struct RunContext {
  std::string mode;  // list, check, run
  std::string command_line;
  std::string config_path;
  size_t case_count = 0;  // problems x backends
  nlohmann::json header;  // tool, build, machine, config, backends, settings
  std::vector<std::string> hazards;
  std::vector<ProbeSet> probes_start;  // run mode: memory bandwidth before the first case
};

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void begin(const RunContext& context) = 0;
  virtual void case_done(const CaseRecord& record) = 0;
  virtual void end(const RunSummary& summary) = 0;
};

}  // namespace bnbench
