// Probes: the STREAM kernels give plausible positive numbers quickly, the array-size rule and the
// 10% drift rule.
//
// Invariant: tiny arrays keep this test in milliseconds; the figures are only checked for sanity.
#include <gtest/gtest.h>

#include "probes.h"

namespace bnbench {
namespace {

constexpr size_t kMiB = size_t{1} << 20;

TEST(Probes, TinyProbeGivesPositiveBandwidths) {
  ProbeSet p = run_probes(1, 1 * kMiB, 0, 2);
  ASSERT_EQ(p.kernels.size(), 5u);
  for (const char* name : {"read", "copy", "triad", "copy_nt", "triad_nt"}) {
    EXPECT_GT(p.gbps(name), 0.1) << name;
    EXPECT_LT(p.gbps(name), 10000) << name;
  }
  EXPECT_EQ(p.gbps("nosuch"), 0);
  EXPECT_EQ(p.array_bytes, kMiB);
  EXPECT_LT(p.seconds, 2.0);
  nlohmann::json j = to_json(p);
  EXPECT_EQ(j["kernels"]["triad_nt"]["bytes_per_element"], 12);
}

TEST(Probes, OddSizesAndTwoThreads) {
  ProbeSet p = run_probes(2, 100003 * sizeof(float), 0, 1);
  EXPECT_EQ(p.threads, 2);
  EXPECT_GT(p.gbps("copy_nt"), 0);
}

TEST(Probes, ArraySizeRule) {
  EXPECT_EQ(probe_array_bytes(32 * kMiB, 0), 128 * kMiB);          // 4 x LLC
  EXPECT_EQ(probe_array_bytes(8 * kMiB, 0), 64 * kMiB);            // floor
  EXPECT_EQ(probe_array_bytes(480 * kMiB, 0), 128 * kMiB);         // cap
  EXPECT_EQ(probe_array_bytes(32 * kMiB, 400 * kMiB), 50 * kMiB);  // 1/8 of available memory
  ProbeSet p;
  p.array_bytes = 128 * kMiB;
  p.llc_bytes = 480 * kMiB;
  EXPECT_FALSE(p.beyond_llc());
  p.llc_bytes = 32 * kMiB;
  EXPECT_TRUE(p.beyond_llc());
}

TEST(Probes, DriftOverTenPercentIsAHazard) {
  ProbeSet start, end;
  start.kernels = {{"copy_nt", 8, 10.0, 0, 0}, {"triad_nt", 12, 10.0, 0, 0}};
  end.kernels = {{"copy_nt", 8, 10.9, 0, 0}, {"triad_nt", 12, 8.5, 0, 0}};
  auto hazards = probe_drift_hazards(start, end);
  ASSERT_EQ(hazards.size(), 1u);
  EXPECT_NE(hazards[0].find("triad_nt"), std::string::npos);
  EXPECT_NE(hazards[0].find("-15%"), std::string::npos);
}

}  // namespace
}  // namespace bnbench
