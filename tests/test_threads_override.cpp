// --threads over a config with a threads axis: each case runs once, at the given thread count.
//
// Invariant: overriding the threads replaces the axis instead of repeating every case once per
// axis entry (a sweep of configs/perf_cpu.json with --threads 1 once timed each case twice).
#include <gtest/gtest.h>

#include <map>

#include "config.h"
#include "run.h"

namespace bnbench {
namespace {

using namespace nlohmann::literals;

TEST(ThreadsOverride, ReplacesTheConfigsAxis) {
  const Config config = parse_config(
      R"({"shapes": ["n2c3h4w4"], "layouts": ["nchw", "nhwc"], "threads": [1, 2]})"_json, "x.json",
      std::string(BNBENCH_SOURCE_DIR) + "/configs/shapes");
  RunOptions options;
  options.backends = {"naive"};

  std::map<std::string, int> by_axis;
  for (const ListedCase& c : list_cases(config, options))
    ++by_axis[c.id + " t" + std::to_string(c.threads)];
  EXPECT_EQ(by_axis.size(), 4u) << "two layouts at 1 and 2 threads";

  options.threads = 2;
  std::map<std::string, int> overridden;
  for (const ListedCase& c : list_cases(config, options)) {
    EXPECT_EQ(c.threads, 2) << c.id;
    ++overridden[c.id];
  }
  ASSERT_EQ(overridden.size(), 2u);
  for (const auto& [id, count] : overridden)
    EXPECT_EQ(count, 1) << id << " listed " << count << " times";
}

}  // namespace
}  // namespace bnbench
