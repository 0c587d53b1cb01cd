// Conformance: every registered backend, through the registry and the real per-case flow, over
// small problems of every direction x mode x layout x rank (plus affine, in-place and odd sizes).
//
// Invariant: no backend-specific code here. A backend either says it does not support a problem
// (SKIPPED, with a reason) or its result passes the tolerance rule (PASSED or WARN).
#include <gtest/gtest.h>

#include <set>

#include "collecting_reporter.h"
#include "registry.h"
#include "run.h"

namespace bnbench {
namespace {

using testing_support::CollectingReporter;

std::vector<std::string> small_shapes() {
  return {"n5c3", "n2c17l9", "n3c5h7w3", "n2c3d3h2w5", "n4c1h5w5", "n2c20h3w3", "n3c5h7w7"};
}

Config conformance_config() {
  Config config;
  config.path = "conformance";
  config.name = "conformance";
  for (Direction d :
       {Direction::fwd_training, Direction::fwd_inference, Direction::bwd, Direction::bwd_data})
    for (Mode m : {Mode::spatial, Mode::per_activation})
      for (Layout l : {Layout::nchw, Layout::nhwc, Layout::nchw16c})
        for (auto& shape : small_shapes())
          for (int variant = 0; variant < 3; ++variant) {
            Problem p;
            p.direction = d;
            p.mode = m;
            p.layout = l;
            parse_shape(shape, p);
            if (variant == 1) p.affine = false;
            if (variant == 2) p.inplace = true;
            if (!validate(p).empty()) continue;
            config.cases.push_back({p});
          }
  Problem global;
  global.direction = Direction::bwd;
  global.global_stats = true;
  parse_shape("n4c6h3w3", global);
  config.cases.push_back({global});
  Problem nostats;
  nostats.running_stats = false;
  parse_shape("n4c6h3w3", nostats);
  config.cases.push_back({nostats});
  return config;
}

class Conformance : public ::testing::TestWithParam<std::string> {};

TEST_P(Conformance, EverySupportedCasePasses) {
  Config config = conformance_config();
  RunOptions options;
  options.mode = RunMode::check;
  options.backends = {GetParam()};
  options.seed = 7;
  CollectingReporter reporter;
  run_sweep(config, options, {&reporter});
  int ran = 0;
  std::set<std::string> skip_reasons;
  for (auto& r : reporter.records) {
    if (r.status == Verdict::skipped) {
      EXPECT_FALSE(r.reason.empty()) << r.id;
      skip_reasons.insert(r.reason);
      continue;
    }
    ++ran;
    EXPECT_TRUE(r.status == Verdict::passed || r.status == Verdict::warn)
        << r.backend << " " << r.id << ": " << to_string(r.status) << " " << r.reason
        << (r.check
                ? " worst " + r.check->worst_tensor + " r=" + std::to_string(r.check->worst_ratio)
                : std::string());
  }
  // One reason for every case means the backend cannot run on this machine (no GPU, no AVX-512).
  if (ran == 0 && skip_reasons.size() == 1) GTEST_SKIP() << *skip_reasons.begin();
  EXPECT_GT(ran, 0) << GetParam() << " supports none of the conformance problems";
}

std::vector<std::string> conformance_backends() {
  std::vector<std::string> names;
  for (auto& n : registry().names())
    if (n.rfind("test_", 0) != 0) names.push_back(n);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Registry, Conformance, ::testing::ValuesIn(conformance_backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bnbench
