// The checker's self-test: every planted bug (impls/test_planted) must be FAILED by at least one
// case of configs/ci_planted.json, and the correct path must never fail there, at five seeds.
// Runs the real bnbench executable and reads its JSON result, so the CLI, the registry's
// test-only rule and the whole per-case flow are what is tested.
//
// Invariant: the list of bugs comes from the registry (every test_planted_* but _correct), so a
// newly planted bug is covered without editing this file.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "registry.h"
#include "run.h"

namespace bnbench {
namespace {

const std::string kPrefix = "test_planted_";
const std::string kCorrect = "test_planted_correct";

std::vector<std::string> planted_bugs() {
  std::vector<std::string> bugs;
  for (const std::string& name : registry().names())
    if (name.rfind(kPrefix, 0) == 0 && name != kCorrect) bugs.push_back(name);
  return bugs;
}

// Runs `bnbench check configs/ci_planted.json ARGS --out RESULT`; returns the exit code.
int run_check(const std::string& args, const std::string& result) {
  const std::string command = "cd '" BNBENCH_SOURCE_DIR "' && '" BNBENCH_BINARY_DIR
                              "/bnbench' check configs/ci_planted.json --quiet --no-expect " +
                              args + " --out '" + result + "' > '" + result + ".log' 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

nlohmann::json read_result(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "no result file " << path;
  return in ? nlohmann::json::parse(in) : nlohmann::json();
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("bnbench_" + name)).string();
}

TEST(Planted, BackendsAreTestOnlyAndLeftOutOfDefaultSweeps) {
  const auto bugs = planted_bugs();
  ASSERT_GE(bugs.size(), 8u);
  for (Backend* b : select_backends(registry(), {})) EXPECT_FALSE(b->test_only()) << b->name();
  ASSERT_NE(registry().find(kCorrect), nullptr);
  EXPECT_TRUE(registry().find(kCorrect)->test_only());
  EXPECT_EQ(select_backends(registry(), {kCorrect}).size(), 1u);
}

TEST(Planted, EveryPlantedBugIsCaught) {
  const auto bugs = planted_bugs();
  std::string list;
  for (const auto& b : bugs) list += (list.empty() ? "" : ",") + b;
  const std::string result = temp_path("planted_bugs.json");
  EXPECT_EQ(run_check("--backends " + list, result), 1) << "see " << result << ".log";
  std::map<std::string, int> failed;
  std::set<std::string> ran;
  const nlohmann::json cases = read_result(result)["cases"];
  for (const auto& c : cases) {
    ran.insert(c["backend"].get<std::string>());
    if (c["status"] == "FAILED") ++failed[c["backend"]];
    EXPECT_NE(c["status"], "ERROR") << c["backend"] << " " << c["id"] << ": " << c["reason"];
  }
  for (const auto& bug : bugs) {
    EXPECT_TRUE(ran.count(bug)) << bug << " did not run";
    EXPECT_GT(failed[bug], 0) << bug << ": the planted bug passed every case of ci_planted";
  }
}

TEST(Planted, CorrectPathNeverFailsAtFiveSeeds) {
  for (int seed : {1, 2, 3, 17, 12345}) {
    const std::string result = temp_path("planted_correct_" + std::to_string(seed) + ".json");
    EXPECT_EQ(run_check("--seed " + std::to_string(seed), result), 0)
        << "seed " << seed << ", see " << result << ".log";
    int cases = 0;
    const nlohmann::json records = read_result(result)["cases"];
    for (const auto& c : records) {
      ++cases;
      EXPECT_EQ(c["backend"], kCorrect);
      EXPECT_TRUE(c["status"] == "PASSED" || c["status"] == "WARN")
          << "seed " << seed << " " << c["id"] << ": " << c["status"] << " " << c["reason"];
    }
    EXPECT_GT(cases, 50);
  }
}

}  // namespace
}  // namespace bnbench
