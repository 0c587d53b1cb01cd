// The welford backends' paths under adversarial inputs: rows wider than one column group
// (the row-major apply and reduction kernels, including the scaled centering that data near
// +-3e38 needs and the folded one that backward cancellation (dy = a * xhat + b) tests) and the
// memory-order walk over nchw planes (aligned planes and planes with a masked tail).
//
// Invariant: every path the planner can choose for a pass without a reduction, and the apply
// half of every reducing pass, is checked against the float64 reference on the inputs that break
// careless arithmetic (offset, overflow-sized, NaN and Inf), so a fast path cannot be chosen that
// the conformance test (normal inputs, narrow rows) would not catch.
#include <gtest/gtest.h>

#include "collecting_reporter.h"
#include "registry.h"
#include "run.h"

namespace bnbench {
namespace {

using testing_support::CollectingReporter;

Config wide_and_plane_config() {
  Config config;
  config.path = "welford_paths";
  config.name = "welford_paths";
  // n6c80: (N,C) rows of 80 columns; n2c80h3w3: nhwc rows of 80, nchw 9-float planes folded as
  // channel groups; n2c5h7w7 and n3c4h4w4: planes walked in memory order (tail, aligned) and, when
  // reducing, folded as channel groups; n9c11h7w7: 99 planes of 49 floats, walked in groups of
  // 16 planes whose channels wrap around, with planes one by one before a thread's first group and
  // after its last (at 2 and 3 threads); n2c3h23w23: nchw planes of 529 floats, one plane per unit
  // (512-float pieces and a 17-float tail).
  for (Direction d :
       {Direction::fwd_training, Direction::fwd_inference, Direction::bwd, Direction::bwd_data})
    for (Layout l : {Layout::nchw, Layout::nhwc})
      for (const char* shape :
           {"n6c80", "n2c80h3w3", "n2c5h7w7", "n3c4h4w4", "n9c11h7w7", "n2c3h23w23"})
        for (const char* fill :
             {"normal", "offset_1e4", "near_max", "sigma_3e18", "nan_one", "dy_affine_xhat"})
          for (bool inplace : {false, true}) {
            Problem p;
            p.direction = d;
            p.layout = l;
            p.fill = fill;
            p.inplace = inplace;
            parse_shape(shape, p);
            if (!validate(p).empty()) continue;
            config.cases.push_back({p});
            if (std::string(shape) == "n9c11h7w7") config.cases.push_back({p, 3});
          }
  // Groups of planes with streaming stores (more bytes than the threshold at one thread).
  for (const char* fill : {"normal", "offset_1e4", "nan_one"}) {
    Problem p;
    p.direction = Direction::fwd_inference;
    p.fill = fill;
    parse_shape("n64c1024h7w7", p);
    config.cases.push_back({p, 1});
  }
  return config;
}

class WelfordPaths : public ::testing::TestWithParam<std::string> {};

TEST_P(WelfordPaths, AdversarialInputsPassOnEveryApplyPath) {
  if (!registry().find(GetParam())) GTEST_SKIP() << GetParam() << " is not built";
  RunOptions options;
  options.mode = RunMode::check;
  options.backends = {GetParam()};
  options.seed = 3;
  CollectingReporter reporter;
  run_sweep(wide_and_plane_config(), options, {&reporter});
  int ran = 0;
  for (auto& r : reporter.records) {
    if (r.status == Verdict::skipped) continue;
    ++ran;
    EXPECT_TRUE(r.status == Verdict::passed || r.status == Verdict::warn)
        << r.backend << " " << r.id << ": " << to_string(r.status) << " " << r.reason;
  }
  if (ran == 0) GTEST_SKIP() << GetParam() << " cannot run here (no AVX-512)";
  EXPECT_EQ(ran, static_cast<int>(reporter.records.size())) << "every case is supported";
}

INSTANTIATE_TEST_SUITE_P(Welford, WelfordPaths, ::testing::Values("welford", "welford_avx512"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bnbench
