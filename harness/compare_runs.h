// Compare runs: what changed between two result files, and how backends rank within one.
//
// Invariant: cases are matched by (id, backend, threads) and nothing else. A timing is judged by
// one rule everywhere (judge_timing): ratio = new median / base median; the noise band is the
// larger relative IQR (IQR / median) of the two sample sets, at least kNoiseFloor; FASTER or
// SLOWER needs the ratio outside [1 / (1 + band), 1 + band] and, when both sides have at least 9
// samples, a two-sided Mann-Whitney p below kSignificance; anything else is SAME. Swapping base
// and new swaps FASTER and SLOWER and nothing else. A verdict that got worse outranks any timing.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "record.h"

namespace bnbench {

// Two runs of the same binary on this kind of machine differ by a median of 2-4%
// (perf-anchors.md): a band narrower than that would call ordinary drift a change.
constexpr double kNoiseFloor = 0.03;
constexpr double kSignificance = 0.05;

// A result file as compare reads it: the header (everything but the cases) and the records.
struct RunFile {
  std::string path;
  nlohmann::json header;
  std::vector<CaseRecord> cases;
};

// Throws std::invalid_argument (unreadable, not JSON, not a bnbench result, another schema major,
// a malformed case with its index).
RunFile load_run(const std::string& path);

enum class Change { status_worse, slower, faster, status_better, added, gone, same };
// STATUS-CHANGED (both directions), SLOWER, FASTER, NEW, GONE, SAME
std::string to_string(Change c);

// How bad a verdict is for a comparison: PASSED < WARN < MISTRUSTED < SKIPPED < FAILED < ERROR <
// TIMEOUT < CRASHED (SKIPPED is worse than a pass: a case that stops running loses coverage).
int verdict_severity(Verdict v);

struct TimingJudgement {
  double base_median = 0, new_median = 0;
  double ratio = 1;  // new / base: above 1 is slower
  double band = kNoiseFloor;
  std::optional<double> p;       // Mann-Whitney, when both sides have kMinSamplesForU samples
  Change change = Change::same;  // same, faster or slower
};
TimingJudgement judge_timing(const Timing& base, const Timing& next);

struct CaseChange {
  std::string id, backend;
  int threads = 1;
  Change change = Change::same;
  std::optional<Verdict> base_status, new_status;
  std::optional<TimingJudgement> timing;  // both sides timed
};

struct BackendGeomean {
  std::string backend;
  int timed = 0;     // cases timed on both sides
  double ratio = 1;  // geometric mean of new / base
  int faster = 0, slower = 0;
};

struct RunComparison {
  std::vector<CaseChange>
      cases;  // report order: worse verdicts, SLOWER, FASTER, better, NEW, GONE, SAME
  std::vector<BackendGeomean> geomeans;  // by backend name
  std::vector<std::string> warnings;     // machines, builds, thread counts
};

RunComparison compare_runs(const RunFile& base, const RunFile& next);

// For CI: a worse verdict, or SLOWER (outside the band) by more than percent.
bool is_regression(const CaseChange& c, double percent);

// One run, every backend against a baseline backend on the same case and thread count.
struct SpeedupCell {
  double speedup = 1;  // baseline median / backend median: above 1 is faster than the baseline
  Change change = Change::same;
  Verdict status = Verdict::passed;  // the backend's verdict on the case
};

struct SpeedupRow {
  std::string id;
  int threads = 1;
  double baseline_median = 0;
  Verdict baseline_status = Verdict::passed;
  std::map<std::string, SpeedupCell> cells;  // by backend
};

struct SpeedupTable {
  Direction direction = Direction::fwd_training;
  Layout layout = Layout::nchw;
  std::vector<std::string> backends;       // columns: every backend with a cell in this table
  std::vector<SpeedupRow> rows;            // in the run's case order
  std::map<std::string, double> geomeans;  // per backend, over its cells
};

struct BackendComparison {
  std::string baseline;
  std::vector<SpeedupTable> tables;  // by direction, then layout
  std::vector<std::string> warnings;
};

// Throws std::invalid_argument when the run has no case of the baseline backend.
BackendComparison compare_backends(const RunFile& run, const std::string& baseline);

}  // namespace bnbench
