// Google Benchmark export: bnbench's own samples written in Google Benchmark's JSON shape, so
// its tools (compare.py of libbenchmark-tools) can compare two bnbench runs.
//
// Invariant: one "iteration" entry per kept sample (repetition_index in order) and, with more
// than one sample, the aggregates Google Benchmark writes for --benchmark_repetitions (mean,
// median, stddev, cv) computed over those same samples. A benchmark is named
// bn/<case id>/<backend>, with /threads:<N> appended only when the run times that case and backend
// at several thread counts (bnbench_gbench names its benchmarks by the same rule). bnbench measures
// wall time only, so cpu_time repeats real_time.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "record.h"
#include "reporter.h"
#include "sysinfo.h"

namespace bnbench {

// bn/<case id>/<backend>[/threads:<N>].
std::string gbench_name(const std::string& case_id, const std::string& backend, int threads,
                        bool several_thread_counts);

// Google Benchmark's "context" object for this machine.
nlohmann::json gbench_context(const MachineInfo& m);

// The whole document for the timed records (untimed ones are left out).
nlohmann::json gbench_json(const std::vector<CaseRecord>& records, const MachineInfo& m);

class GbenchExportReporter : public Reporter {
 public:
  explicit GbenchExportReporter(std::string path) : path_(std::move(path)) {}
  void begin(const RunContext&) override {}
  void case_done(const CaseRecord& record) override;
  void end(const RunSummary& summary) override;

 private:
  std::string path_;
  std::vector<CaseRecord> records_;
};

}  // namespace bnbench
