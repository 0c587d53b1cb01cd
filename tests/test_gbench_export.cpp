// Google Benchmark export: one iteration entry per sample and the four aggregates, in the shape
// compare.py reads.
//
// Invariant: names are bn/<case>/<backend>, with /threads:N only when a case runs at several
// thread counts; aggregates are the statistics of the samples.
#include <gtest/gtest.h>

#include "gbench_export.h"

namespace bnbench {
namespace {

CaseRecord record(const std::string& id, int threads, std::vector<double> samples) {
  CaseRecord r;
  r.id = id;
  r.problem = parse_problem(id);
  r.backend = "naive";
  r.threads = threads;
  r.status = Verdict::passed;
  r.bytes_moved = 1e6;
  if (!samples.empty()) {
    Timing t;
    t.samples_s = samples;
    t.inner_iterations = 7;
    t.stats = summarize(samples);
    r.timing = t;
  }
  return r;
}

TEST(GbenchExport, Names) {
  EXPECT_EQ(gbench_name("bwd/f32/nchw/n2c3", "x", 2, false), "bn/bwd/f32/nchw/n2c3/x");
  EXPECT_EQ(gbench_name("bwd/f32/nchw/n2c3", "x", 2, true), "bn/bwd/f32/nchw/n2c3/x/threads:2");
}

TEST(GbenchExport, SamplesAndAggregates) {
  std::vector<CaseRecord> records = {record("fwd_training/f32/nchw/n2c3", 1, {1e-3, 2e-3, 3e-3}),
                                     record("fwd_training/f32/nchw/n2c3", 2, {1e-3}),
                                     record("bwd/f32/nchw/n2c3", 1, {})};
  MachineInfo m;
  m.hostname = "h";
  nlohmann::json doc = gbench_json(records, m);
  ASSERT_TRUE(doc.contains("context"));
  const auto& b = doc["benchmarks"];
  ASSERT_EQ(b.size(), 3u + 4u + 1u);  // 3 samples, 4 aggregates, 1 sample
  EXPECT_EQ(b[0]["name"], "bn/fwd_training/f32/nchw/n2c3/naive/threads:1");
  EXPECT_EQ(b[0]["run_type"], "iteration");
  EXPECT_EQ(b[0]["iterations"], 7);
  EXPECT_EQ(b[0]["time_unit"], "ns");
  EXPECT_DOUBLE_EQ(b[0]["real_time"].get<double>(), 1e6);
  EXPECT_DOUBLE_EQ(b[0]["cpu_time"].get<double>(), 1e6);
  EXPECT_DOUBLE_EQ(b[0]["bytes_per_second"].get<double>(), 1e9);
  EXPECT_EQ(b[2]["repetition_index"], 2);
  EXPECT_EQ(b[3]["name"], "bn/fwd_training/f32/nchw/n2c3/naive/threads:1_mean");
  EXPECT_EQ(b[3]["run_name"], "bn/fwd_training/f32/nchw/n2c3/naive/threads:1");
  EXPECT_EQ(b[3]["aggregate_name"], "mean");
  EXPECT_DOUBLE_EQ(b[3]["real_time"].get<double>(), 2e6);
  EXPECT_DOUBLE_EQ(b[4]["real_time"].get<double>(), 2e6);   // median
  EXPECT_NEAR(b[5]["real_time"].get<double>(), 1e6, 1e-6);  // stddev
  EXPECT_EQ(b[6]["aggregate_unit"], "percentage");
  EXPECT_NEAR(b[6]["real_time"].get<double>(), 0.5, 1e-12);  // cv
  EXPECT_EQ(b[7]["name"], "bn/fwd_training/f32/nchw/n2c3/naive/threads:2");
  EXPECT_EQ(b[7]["label"], "PASSED");
}

}  // namespace
}  // namespace bnbench
