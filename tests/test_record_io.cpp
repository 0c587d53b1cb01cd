// Record I/O and resume: a record read back from its JSON writes the same JSON again, and a sweep
// resumed from a partial result file runs only the missing cases and lists every case in order.
//
// Invariant checked: to_json(record_from_json(to_json(r))) == to_json(r) for checked, timed,
// skipped and non-finite records; --resume refuses files of another mode or seed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>

#include "collecting_reporter.h"
#include "record_io.h"
#include "registry.h"
#include "report_json.h"
#include "resume.h"
#include "run.h"

namespace bnbench {
namespace {

using nlohmann::json;

using testing_support::CollectingReporter;

Config small_config(const std::vector<std::string>& ids) {
  Config config;
  config.path = config.name = "resume";
  config.seed = 5;
  for (auto& id : ids) config.cases.push_back(CaseSpec{parse_problem(id)});
  return config;
}

std::string temp_path(const std::string& name) {
  auto dir =
      std::filesystem::temp_directory_path() / ("bnbench_record_io_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

void expect_round_trip(const CaseRecord& r) {
  json once = to_json(r);
  json twice = to_json(record_from_json(json::parse(once.dump())));
  EXPECT_EQ(once, twice) << once.dump(1);
}

TEST(RecordIo, RoundTripOfCheckedAndTimedRecords) {
  Config config = small_config({"fwd_training/f32/nhwc/n4c3h5w5", "bwd/f64/nchw/n2c17l5/noaffine",
                                "fwd_inference/f32/nchw16c/n2c3h2w2/fill=exact"});
  config.cases[0].shape_set = "small";
  config.cases[0].layer_count = 3;
  for (int pass = 0; pass < 3; ++pass) {
    RunOptions options;
    options.mode = pass == 0 ? RunMode::check : RunMode::run;
    options.backends = {"naive"};
    options.threads = 1;
    options.timing = TimingSettings{0, 2, 0};
    options.timing->interleave = pass == 2;  // schedule, contenders and rewarmed read back too
    CollectingReporter collect;
    run_sweep(config, options, {&collect});
    ASSERT_EQ(collect.records.size(), 3u);
    for (auto& r : collect.records) expect_round_trip(r);
    EXPECT_EQ(collect.records[0].shape_set, "small");
  }
}

TEST(RecordIo, RoundTripOfNonFiniteAndSkipped) {
  CaseRecord r;
  r.id = "bwd/f32/nchw/n2c3";
  r.backend = "x";
  r.problem = parse_problem(r.id);
  r.status = Verdict::crashed;
  r.reason = "the case's process was killed by SIGSEGV";
  r.details = {{"impl", "jit"}};
  CheckResult check;
  TensorMetrics m;
  m.tensor = "dx";
  m.layer = "end_to_end";
  m.verdict = Verdict::failed;
  m.ratio = std::numeric_limits<double>::infinity();
  m.expected = -std::numeric_limits<double>::infinity();
  m.got = std::numeric_limits<double>::quiet_NaN();
  m.note = "pattern";
  check.tensors.push_back(m);
  check.worst_ratio = m.ratio;
  r.check = check;
  expect_round_trip(r);
  CaseRecord back = record_from_json(to_json(r));
  EXPECT_TRUE(std::isnan(back.check->tensors[0].got));
  EXPECT_EQ(back.status, Verdict::crashed);
  r.check.reset();
  r.status = Verdict::skipped;
  expect_round_trip(r);
}

TEST(RecordIo, MalformedRecordsNameTheField) {
  CaseRecord r;
  r.id = "bwd/f32/nchw/n2c3";
  r.problem = parse_problem(r.id);
  json j = to_json(r);
  j.erase("status");
  try {
    record_from_json(j);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'status'"), std::string::npos) << e.what();
  }
  j = to_json(r);
  j["status"] = "GREAT";
  EXPECT_THROW(record_from_json(j), std::invalid_argument);
  j = to_json(r);
  j["threads"] = "2";
  EXPECT_THROW(record_from_json(j), std::invalid_argument);
  EXPECT_THROW(record_from_json(json::array()), std::invalid_argument);
}

TEST(Resume, RunsOnlyTheMissingCasesInOrder) {
  const std::vector<std::string> ids = {"fwd_training/f32/nchw/n2c3h4w4", "bwd/f32/nhwc/n3c5h2w2",
                                        "fwd_inference/f64/nchw/n2c17"};
  RunOptions options;
  options.backends = {"naive"};
  options.threads = 1;
  std::string path = temp_path("partial.json");
  {
    JsonReporter json_out(path);
    run_sweep(small_config({ids[0], ids[2]}), options, {&json_out});
  }
  ResumeFile resume = ResumeFile::load(path, "check", 5);
  EXPECT_EQ(resume.size(), 2u);
  EXPECT_NE(resume.find(ids[2], "naive", 1), nullptr);
  EXPECT_EQ(resume.find(ids[2], "naive", 2), nullptr);
  EXPECT_EQ(resume.find(ids[1], "naive", 1), nullptr);
  options.resume = &resume;
  CollectingReporter collect;
  RunSummary s = run_sweep(small_config(ids), options, {&collect});
  ASSERT_EQ(collect.records.size(), 3u);
  EXPECT_EQ(s.passed, 3);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(collect.records[i].id, ids[i]);
  EXPECT_EQ(to_json(collect.records[2]), to_json(*resume.find(ids[2], "naive", 1)));
}

TEST(Resume, RefusesAnotherModeSeedOrAGarbageFile) {
  RunOptions options;
  options.backends = {"naive"};
  options.threads = 1;
  std::string path = temp_path("modes.json");
  {
    JsonReporter json_out(path);
    run_sweep(small_config({"fwd_training/f32/nchw/n2c3h4w4"}), options, {&json_out});
  }
  auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([&] { ResumeFile::load(path, "run", 5); }).find("same subcommand"),
            std::string::npos);
  EXPECT_NE(message([&] { ResumeFile::load(path, "check", 6); }).find("seed 5"), std::string::npos);
  EXPECT_NE(message([&] { ResumeFile::load(path + ".absent", "check", 5); }).find("cannot open"),
            std::string::npos);
  std::string garbage = temp_path("garbage.json");
  std::ofstream(garbage) << "{\"run\": {\"mode\": \"check\"}, \"config\": {\"seed\": 5}, "
                            "\"cases\": [{\"id\": 3}]}";
  EXPECT_NE(message([&] { ResumeFile::load(garbage, "check", 5); }).find("/cases/0"),
            std::string::npos);
  std::ofstream(garbage) << "{\"cases\": [";
  EXPECT_NE(message([&] { ResumeFile::load(garbage, "check", 5); }).find("not a result file"),
            std::string::npos);
}

}  // namespace
}  // namespace bnbench
