// Tests for sequence: the per-call problems carry the momentum schedule, a correct backend passes
// a whole sequence (every call and the final inference), and a reversed momentum convention is
// charged to the first call's running statistics.
#include <gtest/gtest.h>

#include "fill.h"
#include "registry.h"
#include "sequence.h"

namespace bnbench {
namespace {

CheckResult run_sequence(const std::string& backend, const std::string& id) {
  const Problem p = parse_problem(id);
  EXPECT_EQ(validate(p), "");
  Tensors pristine = allocate_tensors(p);
  fill_inputs(p, 5, pristine);
  return check_sequence(*registry().find(backend), p, pristine, 5, 1, 1);
}

TEST(Sequence, CallProblemsFollowTheSchedule) {
  const Problem p =
      parse_problem("fwd_training/f32/nchw/n4c3/sequence=300/momentum_schedule=1:0.01");
  EXPECT_EQ(sequence_call_problem(p, 0).momentum, 1.0);
  EXPECT_EQ(sequence_call_problem(p, 4).momentum, 0.2);
  EXPECT_EQ(sequence_call_problem(p, 299).momentum, 0.01);
  EXPECT_EQ(sequence_call_problem(p, 7).sequence, 1);
  EXPECT_FALSE(sequence_call_problem(p, 7).momentum_schedule);
  EXPECT_EQ(validate(sequence_call_problem(p, 7)), "");
}

TEST(Sequence, CorrectBackendPassesEveryCallAndInference) {
  for (const char* id : {"fwd_training/f32/nhwc/n4c3h5w5/sequence=5",
                         "fwd_training/f32/nchw/n4c3h5w5/sequence=5/momentum_schedule=1:0.01"}) {
    const CheckResult r = run_sequence("naive", id);
    EXPECT_TRUE(r.verdict == Verdict::passed || r.verdict == Verdict::warn)
        << id << ": " << r.reason;
    bool saw_last_call = false, saw_inference = false;
    for (const auto& m : r.tensors) {
      saw_last_call = saw_last_call || m.tensor == "call4/running_var";
      saw_inference = saw_inference || m.tensor == "inference/y";
    }
    EXPECT_TRUE(saw_last_call && saw_inference) << id;
  }
}

TEST(Sequence, ReversedMomentumFails) {
  const CheckResult r =
      run_sequence("test_planted_momentum_reversed",
                   "fwd_training/f32/nchw/n4c3h5w5/sequence=3/momentum_schedule=1:0.1");
  EXPECT_EQ(r.verdict, Verdict::failed);
  bool call0_running_failed = false;
  for (const auto& m : r.tensors)
    if (m.tensor == "call0/running_mean") call0_running_failed = m.verdict == Verdict::failed;
  EXPECT_TRUE(call0_running_failed);
}

}  // namespace
}  // namespace bnbench
