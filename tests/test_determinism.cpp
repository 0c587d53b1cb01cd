// Tests for determinism: the correct planted backend (single-threaded, fixed order) is bitwise
// identical on repeat and across thread counts; the naive backend's per-thread partial sums in
// channels-last make its statistics differ between 1 and 2 threads, and the report says so.
#include <gtest/gtest.h>
#include <omp.h>

#include "case_flow.h"
#include "determinism.h"
#include "fill.h"
#include "fresh_run.h"
#include "registry.h"

namespace bnbench {
namespace {

nlohmann::json determinism_of(const std::string& backend_name, const std::string& id, int threads) {
  Backend* backend = registry().find(backend_name);
  EXPECT_NE(backend, nullptr) << backend_name;
  const Problem p = parse_problem(id);
  Tensors pristine = allocate_tensors(p);
  fill_inputs(p, 3, pristine);
  const Tensors first = run_fresh(*backend, p, pristine, threads, 2);
  return check_determinism(*backend, p, pristine, first, threads, 2);
}

TEST(Determinism, IdenticalRunsAreReportedIdentical) {
  const auto d = determinism_of("test_planted_correct", "fwd_training/f32/nhwc/n8c5h9w7", 2);
  EXPECT_TRUE(d["identical"].get<bool>()) << d.dump();
  ASSERT_EQ(d["runs"].size(), 2u);
  EXPECT_EQ(d["runs"][1]["threads"], 1);
  for (const auto& t : d["runs"][0]["tensors"]) EXPECT_EQ(t["differing"], 0);
  EXPECT_NE(determinism_summary(d).find("bitwise identical"), std::string::npos);
}

TEST(Determinism, ThreadDependentSumsAreReported) {
  if (omp_get_max_threads() < 2) GTEST_SKIP() << "needs 2 threads";
  const auto d = determinism_of("naive", "fwd_training/f32/nhwc/n64c3h9w7/fill=offset_1e4", 2);
  EXPECT_FALSE(d["identical"].get<bool>()) << d.dump();
  EXPECT_TRUE(d["runs"][0]["identical"].get<bool>()) << "repeat at the same thread count";
  bool save_mean_differs = false;
  for (const auto& t : d["runs"][1]["tensors"])
    if (t["tensor"] == "save_mean") save_mean_differs = t["differing"].get<int64_t>() > 0;
  EXPECT_TRUE(save_mean_differs) << d.dump();
  EXPECT_NE(determinism_summary(d).find("NOT deterministic"), std::string::npos);
}

}  // namespace
}  // namespace bnbench
