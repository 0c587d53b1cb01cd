// Interleave: contenders sampled in turns with a rotating start, re-warm calls, the hooks before
// each sample, a throwing contender dropped without stopping the others, early stop, and a case
// group whose records keep the backends' order and whose probe yields the case's ideal.
//
// Invariant checked: an interleaved Timing holds exactly the samples a sequential one would
// (repetitions of inner_iterations calls each), only their order across contenders differs.
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "case_group.h"
#include "collecting_reporter.h"
#include "interleave.h"
#include "registry.h"
#include "run.h"

namespace bnbench {
namespace {

using testing_support::CollectingReporter;

// Logs the contender's name on every call into a shared journal.
class JournalInstance : public Instance {
 public:
  JournalInstance(std::string name, std::vector<std::string>& journal, int throw_at = -1)
      : name_(std::move(name)), journal_(journal), throw_at_(throw_at) {}
  void run() override {
    if (runs++ == throw_at_) throw std::runtime_error(name_ + " broke");
    journal_.push_back(name_);
    const auto start = std::chrono::steady_clock::now();  // a steady 100 us per call
    while (std::chrono::steady_clock::now() - start < std::chrono::microseconds(100)) {
    }
  }
  int runs = 0;

 private:
  std::string name_;
  std::vector<std::string>& journal_;
  int throw_at_;
};

TimingSettings one_call_samples(int repetitions) {
  TimingSettings t;
  t.warmup_s = 0;  // one warm-up call each
  t.repetitions = repetitions;
  t.min_time_s = 0;  // one call per sample
  return t;
}

TEST(Interleave, RoundsRotateTheirStartingContender) {
  std::vector<std::string> journal;
  JournalInstance a("a", journal), b("b", journal), c("c", journal);
  std::vector<std::string> hooks;
  std::vector<Contender> cs = {{&a, [&] { hooks.push_back("a"); }},
                               {&b, [&] { hooks.push_back("b"); }},
                               {&c, [&] { hooks.push_back("c"); }}};
  auto timings = measure_interleaved(cs, one_call_samples(3), false);
  const std::vector<std::string> expected = {"a", "b", "c",   // warm-ups
                                             "a", "b", "c",   // round 0
                                             "b", "c", "a",   // round 1
                                             "c", "a", "b"};  // round 2
  EXPECT_EQ(journal, expected);
  EXPECT_EQ(hooks, std::vector<std::string>(expected.begin() + 3, expected.end()));
  ASSERT_EQ(timings.size(), 3u);
  for (auto& t : timings) {
    EXPECT_TRUE(t.error.empty());
    EXPECT_EQ(t.timing.samples_s.size(), 3u);
    EXPECT_EQ(t.timing.inner_iterations, 1);
    EXPECT_EQ(t.timing.contenders, 3);
    EXPECT_FALSE(t.timing.rewarmed);
    EXPECT_EQ(t.timing.stop, StopReason::repetitions);
    EXPECT_GT(t.timing.stats.median, 0);
  }
}

TEST(Interleave, RewarmCallsPrecedeEverySampleUntimed) {
  std::vector<std::string> journal;
  JournalInstance a("a", journal), b("b", journal);
  auto timings = measure_interleaved({{&a, {}}, {&b, {}}}, one_call_samples(4), true);
  EXPECT_EQ(a.runs, 1 + 4 * 2);  // warm-up, then a re-warm and a timed call per sample
  EXPECT_EQ(b.runs, 1 + 4 * 2);
  EXPECT_EQ(timings[0].timing.samples_s.size(), 4u);
  EXPECT_TRUE(timings[0].timing.rewarmed);
}

TEST(Interleave, ThrowingContenderIsDroppedAndTheOthersGoOn) {
  std::vector<std::string> journal;
  JournalInstance good("good", journal), bad("bad", journal, /*throw_at=*/2);
  auto timings = measure_interleaved({{&good, {}}, {&bad, {}}}, one_call_samples(5), false);
  EXPECT_TRUE(timings[0].error.empty());
  EXPECT_EQ(timings[0].timing.samples_s.size(), 5u);
  EXPECT_EQ(timings[1].error, "bad broke");
  EXPECT_EQ(timings[1].timing.samples_s.size(), 1u);  // warm-up, one sample, then the throw
}

TEST(Interleave, StopsOnceEveryContenderIsSettled) {
  std::vector<std::string> journal;
  JournalInstance a("a", journal), b("b", journal);
  TimingSettings t = one_call_samples(1000);
  t.max_noise = 0.5;  // steady 100 us calls settle at the minimum sample count
  auto timings = measure_interleaved({{&a, {}}, {&b, {}}}, t, false);
  EXPECT_EQ(timings[0].timing.samples_s.size(), static_cast<size_t>(kMinSamplesForNoise));
  EXPECT_EQ(timings[1].timing.samples_s.size(), static_cast<size_t>(kMinSamplesForNoise));
  EXPECT_EQ(timings[0].timing.stop, StopReason::noise);
}

TEST(Interleave, ProbePassRejectsAnUnknownKernelAndCountsStreamBytes) {
  ProbeStream stream(1, 1 << 20);
  EXPECT_THROW(probe_pass_instance(stream, "nosuch"), std::invalid_argument);
  EXPECT_DOUBLE_EQ(stream.bytes_per_pass("copy_nt"), 8.0 * (1 << 18));
  EXPECT_DOUBLE_EQ(stream.bytes_per_pass("triad_nt"), 12.0 * (1 << 18));
  auto pass = probe_pass_instance(stream, "copy_nt");
  pass->run();
}

CaseSettings run_settings() {
  CaseSettings s;
  s.mode = RunMode::run;
  s.threads = 1;
  s.default_threads = 1;
  s.timing = one_call_samples(3);
  return s;
}

std::vector<GroupMember> members_of(const CaseSpec& spec, ProblemData& data,
                                    const std::vector<std::string>& names) {
  std::vector<GroupMember> out;
  for (auto& n : names) out.push_back({&spec, registry().find(n), &data});
  return out;
}

TEST(CaseGroup, KeepsMemberOrderAndTimesTheProbeBeyondTheCache) {
  CaseSpec nchw{parse_problem("fwd_training/f32/nchw/n4c3h8w8")};
  CaseSpec nhwc{parse_problem("fwd_training/f32/nhwc/n4c3h8w8")};
  ProblemData nchw_data(nchw.problem, 1, 1), nhwc_data(nhwc.problem, 1, 1);
  auto members = members_of(nchw, nchw_data, {"welford", "naive"});
  for (auto& m : members_of(nhwc, nhwc_data, {"naive"})) members.push_back(m);
  ProbeStream probe(1, 1 << 20);
  // A pretend 1 KiB last-level cache puts the group beyond it, so the probe takes turns too.
  CaseGroupResult g = run_case_group(members, run_settings(), &probe, 1024);
  ASSERT_EQ(g.records.size(), 3u);
  EXPECT_EQ(g.records[0].backend, "welford");
  EXPECT_EQ(g.records[1].backend, "naive");
  EXPECT_EQ(g.records[2].id, "fwd_training/f32/nhwc/n4c3h8w8");
  for (auto& r : g.records) {
    ASSERT_TRUE(r.timing) << r.reason;
    EXPECT_EQ(r.timing->contenders, 4);
    EXPECT_FALSE(r.timing->rewarmed);
    EXPECT_EQ(r.timing->samples_s.size(), 3u);
  }
  EXPECT_GT(g.ideal_gbps, 0);
}

TEST(CaseGroup, CacheResidentCaseRewarmsWithoutTheProbe) {
  CaseSpec spec{parse_problem("bwd/f32/nhwc/n2c5h3w3")};
  ProblemData data(spec.problem, 1, 1);
  ProbeStream probe(1, 1 << 20);
  CaseGroupResult g = run_case_group(members_of(spec, data, {"naive", "welford"}), run_settings(),
                                     &probe, 32 << 20);
  ASSERT_EQ(g.records.size(), 2u);
  for (auto& r : g.records) {
    ASSERT_TRUE(r.timing) << r.reason;
    EXPECT_EQ(r.timing->contenders, 2);
    EXPECT_TRUE(r.timing->rewarmed);
  }
  EXPECT_EQ(g.ideal_gbps, 0);
}

TEST(CaseGroup, OverTheMemoryLimitTogetherRunsSequentially) {
  CaseSpec spec{parse_problem("fwd_inference/f32/nchw/n2c3h4w4")};
  ProblemData data(spec.problem, 1, 1);
  CaseSettings s = run_settings();
  s.max_memory_bytes = case_bytes(spec.problem) + 1;  // one fits, two do not
  EXPECT_EQ(group_bytes(members_of(spec, data, {"naive", "welford"})),
            case_bytes(spec.problem) + tensor_bytes(spec.problem));
  CaseGroupResult g =
      run_case_group(members_of(spec, data, {"naive", "welford"}), s, nullptr, 32 << 20);
  ASSERT_EQ(g.records.size(), 2u);
  for (auto& r : g.records) {
    ASSERT_TRUE(r.timing) << r.reason;
    EXPECT_EQ(r.timing->contenders, 1);
  }
}

TEST(CaseGroup, LayoutSiblingsAtOneThreadCountFormAGroup) {
  std::vector<CaseSpec> specs;
  for (const char* id :
       {"bwd/f32/nchw/n2c16h3w3", "bwd/f32/nhwc/n2c16h3w3", "bwd/f32/nchw/n2c32h3w3",
        "bwd/f32/nchw16c/n2c16h3w3", "fwd_training/f32/nchw/n2c16h3w3"})
    specs.push_back(CaseSpec{parse_problem(id)});
  std::vector<const CaseSpec*> cases;
  for (auto& s : specs) cases.push_back(&s);
  for (auto& s : specs) cases.push_back(&s);  // the same again: a second thread count
  int calls = 0;
  auto groups = interleave_groups(cases, [&](const CaseSpec&) { return calls++ < 5 ? 1 : 2; });
  ASSERT_EQ(groups.size(), 6u);
  auto repeated = interleave_groups(cases, [](const CaseSpec&) { return 1; });
  ASSERT_EQ(repeated.size(), 6u);  // the second pass repeats every problem: groups of its own
  EXPECT_EQ(repeated[3].specs, (std::vector<const CaseSpec*>{&specs[0], &specs[1], &specs[3]}));
  EXPECT_EQ(groups[0].threads, 1);
  EXPECT_EQ(groups[0].specs, (std::vector<const CaseSpec*>{&specs[0], &specs[1], &specs[3]}));
  EXPECT_EQ(groups[1].specs, (std::vector<const CaseSpec*>{&specs[2]}));
  EXPECT_EQ(groups[2].specs, (std::vector<const CaseSpec*>{&specs[4]}));
  EXPECT_EQ(groups[3].threads, 2);
  EXPECT_EQ(groups[3].specs.size(), 3u);
}

TEST(CaseGroup, SweepWithInterleaveKeepsSkipsAndVerdicts) {
  Config config;
  config.path = config.name = "interleave";
  config.measure.interleave = true;
  config.measure.repetitions = 2;
  config.measure.min_time_s = 0;
  config.measure.warmup_s = 0;
  config.cases.push_back(CaseSpec{parse_problem("fwd_training/f32/nchw16c/n2c16h3w3")});
  config.cases.push_back(CaseSpec{parse_problem("fwd_inference/f32/nhwc/n3c5h2w2")});
  RunOptions options;
  options.mode = RunMode::run;
  options.backends = {"naive", "welford", "test_planted_inference_batch_stats"};
  options.threads = 1;
  CollectingReporter collect;
  run_sweep(config, options, {&collect});
  ASSERT_EQ(collect.records.size(), 6u);
  EXPECT_EQ(collect.records[1].backend, "welford");
  EXPECT_EQ(collect.records[1].status, Verdict::skipped);  // welford has no nchw16c
  // The bandwidth probe takes a turn too where the case is not known to fit the last-level cache
  // (a machine whose /sys says nothing of its caches, such as a bare chroot).
  const auto with_probe = [](const CaseRecord& r, int members) {
    return members + (r.roofline && !r.roofline->cache_resident ? 1 : 0);
  };
  EXPECT_EQ(collect.records[0].timing->contenders,
            with_probe(collect.records[0], 2));  // naive and the planted bug
  for (int i = 3; i < 6; ++i) {
    ASSERT_TRUE(collect.records[i].timing) << collect.records[i].backend;
    EXPECT_EQ(collect.records[i].timing->contenders, with_probe(collect.records[i], 3));
  }
  EXPECT_EQ(collect.records[5].status, Verdict::failed);  // timed, and still judged
}

}  // namespace
}  // namespace bnbench
