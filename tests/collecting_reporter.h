// A reporter for tests: keeps every finished case record in memory, in order.
//
// Invariant: records are copies, so a test may inspect them after the sweep returns.
#pragma once

#include <vector>

#include "reporter.h"

namespace bnbench::testing_support {

class CollectingReporter : public Reporter {
 public:
  void begin(const RunContext&) override {}
  void case_done(const CaseRecord& r) override { records.push_back(r); }
  void end(const RunSummary&) override {}
  std::vector<CaseRecord> records;
};

}  // namespace bnbench::testing_support
