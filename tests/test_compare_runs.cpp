// Compare runs: the Mann-Whitney U test against scipy, the timing rule, the labels and their order,
// and golden Markdown of `bnbench compare` on the fixed result files in tests/data.
//
// Invariant: the Markdown in tests/data/*_expected.md is what the code prints, byte for byte. After
// an intended change, the failing test writes the new text beside the build and prints the copy
// command that accepts it (review the diff first).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_compare.h"
#include "compare_markdown.h"
#include "mann_whitney.h"

namespace bnbench {
namespace {

const std::string kData = std::string(BNBENCH_SOURCE_DIR) + "/tests/data/";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Loads a fixture and names it by its path relative to the source tree, as the CLI test does.
RunFile fixture(const std::string& name) {
  RunFile run = load_run(kData + name);
  run.path = "tests/data/" + name;
  return run;
}

void expect_golden(const std::string& actual, const std::string& expected_name) {
  const std::string expected = read_text(kData + expected_name);
  if (actual == expected) return;
  const std::string out = std::string(BNBENCH_BINARY_DIR) + "/" + expected_name;
  std::ofstream(out, std::ios::binary) << actual;
  ADD_FAILURE() << expected_name << " differs from the output; see: diff -u " << kData
                << expected_name << " " << out << "\naccept with: cp " << out << " " << kData
                << expected_name;
}

Timing timing_of(std::vector<double> samples) {
  Timing t;
  t.stats = summarize(samples);
  t.samples_s = std::move(samples);
  return t;
}

TEST(MannWhitney, MatchesScipyAsymptotic) {
  // scipy.stats.mannwhitneyu(a, b, method="asymptotic"): statistic 9.0, p 0.003688267130743782
  std::vector<double> a{1.0, 1.2, 0.9, 1.1, 1.3, 1.05, 0.95, 1.15, 1.25};
  std::vector<double> b{1.4, 1.1, 1.5, 1.35, 1.2, 1.45, 1.6, 1.3, 1.25, 1.55};
  UTest t = mann_whitney_u(a, b);
  EXPECT_DOUBLE_EQ(t.u, 9.0);
  EXPECT_NEAR(t.p, 0.003688267130743782, 1e-12);
  EXPECT_NEAR(mann_whitney_u(b, a).p, t.p, 1e-15);
}

TEST(MannWhitney, TieCorrectionMatchesScipy) {
  // Heavy ties: statistic 18.5, p 0.05263606401676236
  UTest t = mann_whitney_u({1, 1, 2, 2, 2, 3, 3, 4, 5}, {2, 3, 3, 3, 4, 4, 5, 5, 6});
  EXPECT_DOUBLE_EQ(t.u, 18.5);
  EXPECT_NEAR(t.p, 0.05263606401676236, 1e-12);
}

TEST(MannWhitney, AllTiedIsNoEvidence) {
  EXPECT_EQ(mann_whitney_u(std::vector<double>(9, 1.0), std::vector<double>(9, 1.0)).p, 1.0);
  EXPECT_EQ(mann_whitney_u({}, {1.0}).p, 1.0);
}

TEST(JudgeTiming, SwappingRunsSwapsFasterAndSlower) {
  Timing fast = timing_of({1.00, 1.01, 0.99, 1.02, 1.00, 0.98, 1.01, 1.00, 0.99});
  Timing slow = timing_of({1.20, 1.21, 1.19, 1.22, 1.20, 1.18, 1.21, 1.20, 1.19});
  TimingJudgement forward = judge_timing(fast, slow), back = judge_timing(slow, fast);
  EXPECT_EQ(forward.change, Change::slower);
  EXPECT_EQ(back.change, Change::faster);
  EXPECT_NEAR(forward.ratio * back.ratio, 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(forward.band, back.band);
  ASSERT_TRUE(forward.p.has_value());
  EXPECT_LT(*forward.p, kSignificance);
}

TEST(JudgeTiming, InsideTheNoiseFloorIsSame) {
  Timing a = timing_of({1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0});
  Timing b = timing_of({1.02, 1.02, 1.02, 1.02, 1.02, 1.02, 1.02, 1.02, 1.02});
  TimingJudgement j = judge_timing(a, b);
  EXPECT_DOUBLE_EQ(j.band, kNoiseFloor);
  EXPECT_EQ(j.change, Change::same);  // significant (p tiny) but only 2%
}

TEST(JudgeTiming, FewRepetitionsGiveNoPValue) {
  TimingJudgement j = judge_timing(timing_of({1.0, 1.0, 1.0}), timing_of({1.5, 1.5, 1.5}));
  EXPECT_FALSE(j.p.has_value());
  EXPECT_EQ(j.change, Change::slower);
}

TEST(VerdictSeverity, SkippedSitsBetweenMistrustedAndFailed) {
  EXPECT_LT(verdict_severity(Verdict::passed), verdict_severity(Verdict::warn));
  EXPECT_LT(verdict_severity(Verdict::mistrusted), verdict_severity(Verdict::skipped));
  EXPECT_LT(verdict_severity(Verdict::skipped), verdict_severity(Verdict::failed));
  EXPECT_LT(verdict_severity(Verdict::error), verdict_severity(Verdict::crashed));
}

TEST(CompareRuns, LabelsAndOrderOnTheFixtures) {
  RunComparison c = compare_runs(fixture("compare_base.json"), fixture("compare_new.json"));
  ASSERT_EQ(c.cases.size(), 11u);
  EXPECT_EQ(c.cases.front().change, Change::status_worse);  // a worse verdict comes first
  EXPECT_EQ(c.cases.back().change, Change::same);
  int regressions_10 = 0, regressions_20 = 0;
  for (const auto& cc : c.cases) {
    regressions_10 += is_regression(cc, 10);
    regressions_20 += is_regression(cc, 20);
  }
  EXPECT_EQ(regressions_10, 3);  // PASSED -> FAILED, 1.25x, 1.15x
  EXPECT_EQ(regressions_20, 2);
  ASSERT_EQ(c.warnings.size(), 2u);  // build flags, thread counts
}

TEST(CompareRuns, GoldenMarkdown) {
  RunFile base = fixture("compare_base.json"), next = fixture("compare_new.json");
  expect_golden(runs_markdown(base, next, compare_runs(base, next)), "compare_expected.md");
}

TEST(CompareBackends, GoldenMarkdown) {
  RunFile run = fixture("report_run.json");
  expect_golden(backends_markdown(run, compare_backends(run, "onednn")),
                "compare_baseline_expected.md");
}

TEST(CompareBackends, UnknownBaselineNamesTheBackends) {
  try {
    compare_backends(fixture("compare_new.json"), "cudnn");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("backends: naive, onednn"), std::string::npos) << e.what();
  }
}

TEST(LoadRun, OtherSchemaMajorIsRefused) {
  nlohmann::json doc = nlohmann::json::parse(read_text(kData + "compare_base.json"));
  doc["schema_version"]["major"] = 2;
  const std::string path = std::string(BNBENCH_BINARY_DIR) + "/compare_major2.json";
  std::ofstream(path) << doc.dump();
  try {
    load_run(path);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("schema major 2"), std::string::npos) << e.what();
  }
}

TEST(RunCompare, FailOnRegressionExitCode) {
  CompareArgs args;
  args.files = {kData + "compare_base.json", kData + "compare_new.json"};
  std::ostringstream out, err;
  EXPECT_EQ(run_compare(args, out, err), 0);
  args.fail_on_regression = 30;  // the worse verdict still counts
  EXPECT_EQ(run_compare(args, out, err), 1);
  EXPECT_NE(err.str().find("PASSED -> FAILED"), std::string::npos) << err.str();
  args.files.pop_back();
  EXPECT_THROW(run_compare(args, out, err), std::invalid_argument);
}

}  // namespace
}  // namespace bnbench
