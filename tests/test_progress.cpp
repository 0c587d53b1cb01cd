// Progress: the ETA format, the status line's shape and width, the --pin parser and the
// /proc/<pid>/stat parser behind the busy-process hazard.
//
// Invariant: the status line never exceeds the terminal width minus one.
#include <gtest/gtest.h>

#include "busy_processes.h"
#include "pinning.h"
#include "progress.h"

namespace bnbench {
namespace {

TEST(Progress, Eta) {
  EXPECT_EQ(format_eta(0), "0s");
  EXPECT_EQ(format_eta(45.2), "45s");
  EXPECT_EQ(format_eta(72), "1m12s");
  EXPECT_EQ(format_eta(7380), "2h03m");
}

TEST(Progress, StatusLine) {
  CaseRecord r;
  r.id = "fwd_training/f32/nhwc/n32c256h56w56";
  r.backend = "onednn";
  r.status = Verdict::passed;
  r.bytes_moved = 9.8e9;
  Timing t;
  t.samples_s = {1.0};
  t.stats = summarize(t.samples_s);
  r.timing = t;
  std::string line = progress_text(37, 240, r, 37.0, 200);
  EXPECT_EQ(line,
            "[ 37/240] onednn fwd_training/f32/nhwc/n32c256h56w56 9.8 GB/s PASSED  ETA 3m23s");
  std::string cut = progress_text(37, 240, r, 37.0, 50);
  EXPECT_LE(cut.size(), 49u);
  EXPECT_NE(cut.find("..."), std::string::npos);
  EXPECT_NE(cut.find("ETA"), std::string::npos);
  EXPECT_EQ(progress_text(240, 240, r, 37.0, 200).find("ETA"), std::string::npos);
}

TEST(Progress, MeasurementText) {
  CaseRecord r;
  r.bytes_moved = 2e9;
  EXPECT_EQ(measurement_text(r), "");
  Timing t;
  t.samples_s = {1, 1, 1, 1, 2};
  t.stats = summarize(t.samples_s);
  r.timing = t;
  Roofline roof;
  roof.ideal_gbps = 4;
  roof.percent_of_ideal = 50;
  roof.cache_resident = true;
  r.roofline = roof;
  EXPECT_EQ(measurement_text(r), "2.0 GB/s  50% of ideal (cache-resident)  noise 0.0%");
}

TEST(Pinning, ParsesSpecs) {
  EXPECT_EQ(parse_pin("none").places(), "");
  EXPECT_EQ(parse_pin("compact").places(), "cores");
  EXPECT_EQ(parse_pin("compact").proc_bind(), "close");
  PinPlan p = parse_pin("0,2-3,2");
  EXPECT_EQ(p.cpus, (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(p.places(), "{0},{2},{3}");
  EXPECT_THROW(parse_pin("spread"), std::invalid_argument);
  EXPECT_THROW(parse_pin("3-1"), std::invalid_argument);
  EXPECT_THROW(parse_pin("1,,2"), std::invalid_argument);
}

TEST(BusyProcesses, ParsesStatLines) {
  std::string name;
  long long ticks = 0;
  ASSERT_TRUE(parse_proc_stat(
      "123 (my (odd) name) R 1 123 123 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 1 0 5", name, ticks));
  EXPECT_EQ(name, "my (odd) name");
  EXPECT_EQ(ticks, 300);
  EXPECT_FALSE(parse_proc_stat("garbage", name, ticks));
  EXPECT_FALSE(parse_proc_stat("1 (x) R 1 2", name, ticks));
  EXPECT_EQ(busy_hazard({}), "");
  EXPECT_NE(busy_hazard({{42, "cc1plus", 0.9}}).find("cc1plus (pid 42, 90%)"), std::string::npos);
}

}  // namespace
}  // namespace bnbench
