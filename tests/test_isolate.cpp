// Isolate: a case run in a child process gives the same record as in-process, and a backend that
// segfaults, aborts or hangs becomes that case's CRASHED or TIMEOUT while the sweep goes on.
//
// Invariant checked: the crashing test backends (impls/test_crash) never take the test process
// down; the new verdicts read back, count as failures and fail the run.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>

#include "collecting_reporter.h"
#include "isolate.h"
#include "registry.h"
#include "run.h"

namespace bnbench {
namespace {

using testing_support::CollectingReporter;

CaseSpec spec_of(const std::string& id) { return CaseSpec{parse_problem(id)}; }

CaseSettings small_settings() {
  CaseSettings s;
  s.threads = 2;
  s.default_threads = 2;
  return s;
}

Backend& backend(const std::string& name) {
  Backend* b = registry().find(name);
  if (!b) throw std::runtime_error("backend not registered: " + name);
  return *b;
}

// Built with AddressSanitizer, a SIGSEGV is reported by its handler, which then exits 1.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif
#else
constexpr bool kAsan = false;
#endif

TEST(Isolate, NewVerdictsReadBackAndFail) {
  for (Verdict v : {Verdict::crashed, Verdict::timeout}) {
    EXPECT_EQ(parse_verdict(to_string(v)), v);
    EXPECT_TRUE(is_failure(v));
    EXPECT_GT(v, Verdict::error);
  }
  EXPECT_EQ(to_string(Verdict::crashed), "CRASHED");
  EXPECT_EQ(to_string(Verdict::timeout), "TIMEOUT");
  EXPECT_FALSE(is_failure(Verdict::skipped));
  RunSummary s;
  s.add(Verdict::passed);
  s.add(Verdict::crashed);
  s.add(Verdict::timeout);
  EXPECT_EQ(s.total(), 3);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(to_json(s)["crashed"], 1);
  EXPECT_EQ(to_json(s)["timeouts"], 1);
}

TEST(Isolate, SignalNames) {
  EXPECT_EQ(describe_signal(SIGSEGV).rfind("SIGSEGV (", 0), 0u) << describe_signal(SIGSEGV);
  EXPECT_EQ(describe_signal(SIGABRT).rfind("SIGABRT", 0), 0u);
}

TEST(Isolate, SameRecordAsInProcess) {
  for (const char* id : {"fwd_training/f32/nhwc/n4c3h5w5", "bwd/f64/nchw/n2c17l5/noaffine"}) {
    CaseSpec spec = spec_of(id);
    ProblemData data(spec.problem, 7, 2);
    CaseSettings settings = small_settings();
    settings.seed = 7;
    CaseRecord here = run_case(spec, backend("naive"), data, settings);
    CaseRecord there = run_case_isolated(spec, backend("naive"), data, settings, 60);
    ASSERT_EQ(there.status, Verdict::passed) << there.reason;
    here.check_seconds = there.check_seconds = 0;
    EXPECT_EQ(to_json(here), to_json(there)) << id;
  }
}

TEST(Isolate, SkipsWithoutForking) {
  CaseSpec spec = spec_of("fwd_training/f32/nchw/n64c64h64w64");
  ProblemData data(spec.problem, 1, 1);
  CaseSettings settings = small_settings();
  settings.max_memory_bytes = 1000;
  CaseRecord r = run_case_isolated(spec, backend("naive"), data, settings, 60);
  EXPECT_EQ(r.status, Verdict::skipped);
  EXPECT_NE(r.reason.find("bytes), over the memory limit"), std::string::npos) << r.reason;
}

TEST(Isolate, SegfaultAndAbortAreCrashed) {
  CaseSpec spec = spec_of("fwd_training/f32/nchw/n2c3h4w4");
  ProblemData data(spec.problem, 1, 2);
  CaseRecord segv = run_case_isolated(spec, backend("test_crash_segv"), data, small_settings(), 60);
  EXPECT_EQ(segv.status, Verdict::crashed) << segv.reason;
  if (!kAsan) EXPECT_NE(segv.reason.find("SIGSEGV"), std::string::npos) << segv.reason;
  EXPECT_EQ(segv.backend, "test_crash_segv");
  EXPECT_EQ(segv.id, "fwd_training/f32/nchw/n2c3h4w4");
  CaseRecord abrt =
      run_case_isolated(spec, backend("test_crash_abort"), data, small_settings(), 60);
  EXPECT_EQ(abrt.status, Verdict::crashed);
  EXPECT_NE(abrt.reason.find("SIGABRT"), std::string::npos) << abrt.reason;
}

TEST(Isolate, HangIsKilledAtTheTimeout) {
  CaseSpec spec = spec_of("fwd_inference/f32/nchw/n2c3");
  ProblemData data(spec.problem, 1, 2);
  auto start = std::chrono::steady_clock::now();
  CaseRecord r = run_case_isolated(spec, backend("test_crash_hang"), data, small_settings(), 0.5);
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.status, Verdict::timeout);
  EXPECT_NE(r.reason.find("0.5 s"), std::string::npos) << r.reason;
  EXPECT_LT(elapsed, 10);
}

TEST(Isolate, SweepGoesOnPastCrashes) {
  Config config;
  config.path = config.name = "isolate";
  for (const char* id : {"fwd_training/f32/nchw/n2c3h4w4", "bwd/f32/nhwc/n3c5h2w2"})
    config.cases.push_back(spec_of(id));
  RunOptions options;
  options.backends = {"test_crash_segv", "naive", "test_crash_hang", "test_crash_abort"};
  options.threads = 1;
  options.isolate = true;
  options.case_timeout_s = 3;  // room for a sanitizer build's crash report before the kill
  CollectingReporter collect;
  RunSummary s = run_sweep(config, options, {&collect});
  ASSERT_EQ(collect.records.size(), 8u);
  EXPECT_EQ(s.passed, 2);
  EXPECT_EQ(s.crashed, 4);
  EXPECT_EQ(s.timeouts, 2);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(collect.records[1].backend, "naive");
  EXPECT_EQ(collect.records[1].status, Verdict::passed);
  EXPECT_EQ(collect.records[2].status, Verdict::timeout);
}

}  // namespace
}  // namespace bnbench
