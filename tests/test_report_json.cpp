// JSON results: the document is complete after every case (a crash keeps finished cases), carries
// the schema version and round-trips the fields a reader needs.
//
// Invariant: what is on disk always parses, and `run.status` says whether the run finished.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "report_json.h"

namespace bnbench {
namespace {

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

CaseRecord sample_record() {
  CaseRecord r;
  r.problem = parse_problem("bwd/f32/nhwc/n2c3h4w4/eps=0.001");
  r.id = to_string(r.problem);
  r.backend = "naive";
  r.threads = 2;
  r.seed = 42;
  r.status = Verdict::passed;
  r.bytes_moved = minimal_bytes(r.problem);
  Timing t;
  t.samples_s = {1e-3, 2e-3, 3e-3};
  t.stats = summarize(t.samples_s);
  r.timing = t;
  r.command = repro_command(r);
  return r;
}

TEST(ReportJson, FileIsCompleteAfterEveryCase) {
  auto path = (std::filesystem::temp_directory_path() / "bnbench_report_json_test.json").string();
  std::filesystem::remove(path);
  JsonReporter reporter(path);
  RunContext ctx;
  ctx.mode = "run";
  ctx.header = {{"tool", {{"name", "bnbench"}}}};
  reporter.begin(ctx);
  EXPECT_EQ(read_json(path)["run"]["status"], "running");
  reporter.case_done(sample_record());
  auto mid = read_json(path);
  ASSERT_EQ(mid["cases"].size(), 1u);
  EXPECT_EQ(mid["schema_version"]["major"], kSchemaMajor);
  RunSummary s;
  s.add(Verdict::passed);
  reporter.end(s);
  auto done = read_json(path);
  EXPECT_EQ(done["run"]["status"], "complete");
  EXPECT_EQ(done["summary"]["passed"], 1);
  auto c = done["cases"][0];
  EXPECT_EQ(parse_problem(c["id"].get<std::string>()), sample_record().problem);
  EXPECT_EQ(c["problem"]["eps"].get<double>(), 0.001);
  EXPECT_EQ(c["timing"]["samples_s"].size(), 3u);
  EXPECT_DOUBLE_EQ(c["timing"]["median_s"].get<double>(), 2e-3);
  EXPECT_DOUBLE_EQ(c["bytes_moved"].get<double>(), 3.0 * 2 * 3 * 16 * 4);
  EXPECT_NE(c["command"].get<std::string>().find("--case 'bwd/f32/nhwc/n2c3h4w4/eps=0.001'"),
            std::string::npos);
  std::filesystem::remove(path);
}

TEST(ReportJson, UnwritablePathThrowsWithThePath) {
  try {
    write_file_atomically("/proc/bnbench_cannot_write/x.json", "{}");
    FAIL() << "expected an exception";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("bnbench_cannot_write"), std::string::npos) << e.what();
  }
}

TEST(ReportJson, ByteModel) {
  EXPECT_DOUBLE_EQ(minimal_bytes(parse_problem("fwd_training/f32/nchw/n2c3h4w5")), 2 * 120 * 4);
  EXPECT_DOUBLE_EQ(minimal_bytes(parse_problem("fwd_inference/f64/nchw/n2c3h4w5")), 2 * 120 * 8);
  EXPECT_DOUBLE_EQ(minimal_bytes(parse_problem("bwd_data/f32/nhwc/n2c3h4w5")), 3 * 120 * 4);
}

}  // namespace
}  // namespace bnbench
