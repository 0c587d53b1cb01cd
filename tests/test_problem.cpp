// Tests for problem: the canonical case string round-trips through the parser for many random
// problems, every validation rule answers with a message that names what is wrong, and malformed
// case strings are rejected with a message that names the offending part.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include "fill.h"
#include "problem.h"

namespace bnbench {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// A double that is awkward to print: a hand-picked one or a random bit pattern in [lo, hi].
double awkward_double(std::mt19937_64& rng, double lo, double hi) {
  static const double kPicked[] = {1e-5, 0.1, 3e-7, 1e-3, 0.0, 0.01, 0.9, 1.0 / 3, 2.5e-6, 0.99};
  std::uniform_int_distribution<int> pick(0, 2 * std::size(kPicked) - 1);
  const int k = pick(rng);
  if (k < static_cast<int>(std::size(kPicked)) && kPicked[k] >= lo && kPicked[k] <= hi)
    return kPicked[k];
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

Problem random_problem(std::mt19937_64& rng) {
  auto below = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  Problem p;
  p.direction = static_cast<Direction>(below(4));
  p.mode = static_cast<Mode>(below(2));
  p.dtype = static_cast<DType>(below(2));
  p.layout = static_cast<Layout>(below(3));
  p.n = 1 + below(64);
  p.c = 1 + below(2048);
  const int rank = below(4);
  for (int i = 0; i < rank; ++i) p.spatial.push_back(1 + below(300));
  p.eps = awkward_double(rng, 0.0, 1e-2);
  p.momentum = awkward_double(rng, 0.0, 1.0);
  p.affine = below(2);
  p.running_stats = below(2);
  p.global_stats = below(2);
  p.inplace = below(2);
  const auto& fills = list_fills();
  p.fill = fills[below(static_cast<int>(fills.size()))].name;
  if (below(4) == 0) p.sequence = 2 + below(30);
  if (below(4) == 0)
    p.momentum_schedule =
        MomentumSchedule{awkward_double(rng, 0.0, 1.0), awkward_double(rng, 0.0, 1.0)};
  return p;
}

TEST(Problem, RoundTripsRandomProblems) {
  std::mt19937_64 rng(12345);
  for (int i = 0; i < 5000; ++i) {
    const Problem p = random_problem(rng);
    const std::string text = to_string(p);
    Problem back;
    ASSERT_NO_THROW(back = parse_problem(text)) << text;
    EXPECT_EQ(back, p) << text;
    EXPECT_EQ(to_string(back), text);
  }
}

TEST(Problem, DefaultsAreNotPrinted) {
  Problem p;
  p.n = 32;
  p.c = 256;
  p.spatial = {56, 56};
  p.layout = Layout::nhwc;
  EXPECT_EQ(to_string(p), "fwd_training/f32/nhwc/n32c256h56w56");
  p.eps = 1e-3;
  p.affine = false;
  p.fill = "exact";
  EXPECT_EQ(to_string(p), "fwd_training/f32/nhwc/n32c256h56w56/eps=0.001/noaffine/fill=exact");
}

TEST(Problem, ShapeStringsForEveryRank) {
  Problem p;
  p.n = 2;
  p.c = 3;
  EXPECT_EQ(shape_string(p), "n2c3");
  p.spatial = {5};
  EXPECT_EQ(shape_string(p), "n2c3l5");
  p.spatial = {4, 5};
  EXPECT_EQ(shape_string(p), "n2c3h4w5");
  p.spatial = {3, 4, 5};
  EXPECT_EQ(shape_string(p), "n2c3d3h4w5");
}

TEST(Problem, DerivedSizes) {
  Problem p = parse_problem("fwd_training/f32/nchw16c/n2c17h3w5");
  EXPECT_EQ(spatial_size(p), 15);
  EXPECT_EQ(reduction_size(p), 30);
  EXPECT_EQ(feature_count(p), 17);
  EXPECT_EQ(logical_elements(p), 2 * 17 * 15);
  EXPECT_EQ(stored_elements(p), 2 * 32 * 15);
  p.mode = Mode::per_activation;
  EXPECT_EQ(reduction_size(p), 2);
  EXPECT_EQ(feature_count(p), 17 * 15);
}

// The validation message of p, which must not be empty.
std::string invalid(const Problem& p) {
  std::string message = validate(p);
  EXPECT_FALSE(message.empty()) << to_string(p) << " should be invalid";
  return message;
}

Problem valid_problem() { return parse_problem("fwd_training/f32/nchw/n4c3h5w5"); }

TEST(ProblemValidate, AcceptsOrdinaryProblems) {
  EXPECT_EQ(validate(valid_problem()), "");
  EXPECT_EQ(validate(parse_problem("bwd/f64/nchw16c/n1c3/global_stats/inplace")), "");
  EXPECT_EQ(validate(parse_problem("fwd_inference/f32/nhwc/n1c1")), "");
  EXPECT_EQ(validate(parse_problem("fwd_training/f32/nchw/n2c1/eps=0/momentum=1")), "");
}

TEST(ProblemValidate, RejectsNonPositiveN) {
  Problem p = valid_problem();
  p.n = 0;
  EXPECT_NE(invalid(p).find("N must be positive"), std::string::npos);
  p.n = -3;
  EXPECT_NE(invalid(p).find("-3"), std::string::npos);
}

TEST(ProblemValidate, RejectsNonPositiveC) {
  Problem p = valid_problem();
  p.c = 0;
  EXPECT_NE(invalid(p).find("C must be positive"), std::string::npos);
  p.c = -1;
  EXPECT_NE(invalid(p).find("C must be positive"), std::string::npos);
}

TEST(ProblemValidate, RejectsNonPositiveSpatialDim) {
  Problem p = valid_problem();
  p.spatial = {5, 0};
  const std::string message = invalid(p);
  EXPECT_NE(message.find("spatial dim 1"), std::string::npos) << message;
  p.spatial = {-2};
  EXPECT_NE(invalid(p).find("spatial dim 0"), std::string::npos);
}

TEST(ProblemValidate, RejectsMoreThanThreeSpatialDims) {
  Problem p = valid_problem();
  p.spatial = {2, 2, 2, 2};
  EXPECT_NE(invalid(p).find("at most 3 spatial dims"), std::string::npos);
}

TEST(ProblemValidate, RejectsElementCountOverflow) {
  Problem p = valid_problem();
  p.n = int64_t{1} << 40;
  p.c = int64_t{1} << 30;
  EXPECT_NE(invalid(p).find("overflows"), std::string::npos);
  p = valid_problem();
  p.n = 1 << 20;
  p.c = 1 << 20;
  p.spatial = {1 << 10};  // 2^50 elements: no int64 overflow, but over the 2^48 limit
  EXPECT_NE(invalid(p).find("overflows"), std::string::npos);
}

TEST(ProblemValidate, RejectsBadEps) {
  for (double eps : {-1e-5, kNaN, kInf, -kInf}) {
    Problem p = valid_problem();
    p.eps = eps;
    EXPECT_NE(invalid(p).find("eps"), std::string::npos) << eps;
  }
}

TEST(ProblemValidate, RejectsMomentumOutsideUnitInterval) {
  for (double momentum : {-0.1, 1.5, kNaN, kInf}) {
    Problem p = valid_problem();
    p.momentum = momentum;
    EXPECT_NE(invalid(p).find("momentum"), std::string::npos) << momentum;
  }
}

TEST(ProblemValidate, RejectsTrainingOnOneElement) {
  Problem p = parse_problem("fwd_training/f32/nchw/n1c8");
  EXPECT_NE(invalid(p).find("M = 1"), std::string::npos);
  p = parse_problem("fwd_training/f32/nchw/n1c8h4w4/per_activation");
  EXPECT_NE(invalid(p).find("M = 1"), std::string::npos);
  p.mode = Mode::spatial;
  EXPECT_EQ(validate(p), "");
}

TEST(ProblemValidate, RejectsInferenceWithoutRunningStats) {
  Problem p = parse_problem("fwd_inference/f32/nchw/n2c8/nostats");
  const std::string message = invalid(p);
  EXPECT_NE(message.find("running statistics"), std::string::npos) << message;
}

TEST(ProblemValidate, RejectsGlobalStatsOutsideBackward) {
  Problem p = parse_problem("fwd_training/f32/nchw/n2c8/global_stats");
  EXPECT_NE(invalid(p).find("backward"), std::string::npos);
  p.direction = Direction::fwd_inference;
  EXPECT_NE(invalid(p).find("backward"), std::string::npos);
}

TEST(ProblemValidate, SequenceAndMomentumSchedule) {
  Problem p = parse_problem("fwd_training/f32/nchw/n4c3h5w5/sequence=5/momentum_schedule=1:0.01");
  EXPECT_EQ(p.sequence, 5);
  ASSERT_TRUE(p.momentum_schedule);
  EXPECT_EQ(validate(p), "");
  EXPECT_EQ(momentum_at(p, 0), 1.0);
  EXPECT_EQ(momentum_at(p, 3), 0.25);
  EXPECT_EQ(
      momentum_at(parse_problem("fwd_training/f32/nchw/n4c3/sequence=200/momentum_schedule=1:0.01"),
                  199),
      0.01);
  EXPECT_NE(invalid(parse_problem("fwd_inference/f32/nchw/n4c3/sequence=3")).find("fwd_training"),
            std::string::npos);
  EXPECT_NE(invalid(parse_problem("fwd_training/f32/nchw/n4c3/sequence=3/nostats")).find("running"),
            std::string::npos);
  EXPECT_NE(invalid(parse_problem("fwd_training/f32/nchw/n4c3/sequence=0")).find(">= 1"),
            std::string::npos);
  EXPECT_NE(
      invalid(parse_problem("fwd_training/f32/nchw/n4c3/momentum_schedule=1:0")).find("K >= 2"),
      std::string::npos);
  EXPECT_NE(invalid(parse_problem("fwd_training/f32/nchw/n4c3/sequence=3/momentum_schedule=2:0"))
                .find("[0, 1]"),
            std::string::npos);
  EXPECT_NE(invalid(parse_problem(
                        "fwd_training/f32/nchw/n4c3/sequence=3/momentum=0.2/momentum_schedule=1:0"))
                .find("replaces"),
            std::string::npos);
  EXPECT_THROW(parse_problem("fwd_training/f32/nchw/n4c3/sequence=x"), std::invalid_argument);
  EXPECT_THROW(parse_problem("fwd_training/f32/nchw/n4c3/momentum_schedule=1"),
               std::invalid_argument);
}

TEST(ProblemValidate, RejectsGlobalStatsWithoutRunningStats) {
  Problem p = parse_problem("bwd/f32/nchw/n2c8/nostats/global_stats");
  EXPECT_NE(invalid(p).find("global_stats needs running statistics"), std::string::npos);
}

TEST(ProblemValidate, RejectsEmptyFill) {
  Problem p = valid_problem();
  p.fill = "";
  EXPECT_NE(invalid(p).find("fill"), std::string::npos);
}

// The std::invalid_argument message of parse_problem(text), which must throw.
std::string parse_error(const std::string& text) {
  try {
    parse_problem(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "'" << text << "' parsed";
  return "";
}

TEST(ProblemParse, RejectsTooFewParts) {
  EXPECT_NE(parse_error("fwd_training/f32/nchw").find("DIRECTION/DTYPE/LAYOUT/SHAPE"),
            std::string::npos);
}

TEST(ProblemParse, RejectsUnknownDirection) {
  EXPECT_NE(parse_error("forward/f32/nchw/n2c3").find("unknown direction 'forward'"),
            std::string::npos);
}

TEST(ProblemParse, RejectsUnknownDtype) {
  EXPECT_NE(parse_error("bwd/f16/nchw/n2c3").find("unknown dtype 'f16'"), std::string::npos);
}

TEST(ProblemParse, RejectsUnknownLayout) {
  EXPECT_NE(parse_error("bwd/f32/nwhc/n2c3").find("unknown layout 'nwhc'"), std::string::npos);
}

TEST(ProblemParse, RejectsUnknownExtra) {
  EXPECT_NE(parse_error("bwd/f32/nchw/n2c3/fast").find("unknown case extra 'fast'"),
            std::string::npos);
  EXPECT_NE(parse_error("bwd/f32/nchw/n2c3/eps").find("unknown case extra 'eps'"),
            std::string::npos);
  EXPECT_NE(parse_error("bwd/f32/nchw/n2c3/fill=").find("unknown case extra 'fill='"),
            std::string::npos);
}

TEST(ProblemParse, RejectsMalformedNumbers) {
  EXPECT_NE(parse_error("bwd/f32/nchw/n2c3/eps=abc").find("eps 'abc'"), std::string::npos);
  EXPECT_NE(parse_error("bwd/f32/nchw/n2c3/momentum=0.1x").find("momentum '0.1x'"),
            std::string::npos);
}

TEST(ProblemParse, RejectsMalformedShapes) {
  for (const char* shape : {"n2", "c3n2", "n2c3h4", "n2c3x4", "n2c3w4h5", "n2c3l4h5", "n2c",
                            "n2c3d1h2w3l4", "", "nc3"}) {
    const std::string message = parse_error(std::string("bwd/f32/nchw/") + shape);
    EXPECT_NE(message.find("shape"), std::string::npos) << shape << ": " << message;
  }
  EXPECT_NE(parse_error("bwd/f32/nchw/n99999999999999999999c3").find("too large"),
            std::string::npos);
}

TEST(ProblemParse, EnumNamesRoundTrip) {
  for (Direction d :
       {Direction::fwd_training, Direction::fwd_inference, Direction::bwd, Direction::bwd_data})
    EXPECT_EQ(parse_direction(to_string(d)), d);
  for (Layout l : {Layout::nchw, Layout::nhwc, Layout::nchw16c})
    EXPECT_EQ(parse_layout(to_string(l)), l);
  EXPECT_EQ(parse_mode("per_activation"), Mode::per_activation);
  EXPECT_EQ(parse_dtype("f64"), DType::f64);
  EXPECT_FALSE(parse_layout("NCHW").has_value());
}

TEST(Problem, FormatDoubleIsShortestRoundTrip) {
  EXPECT_EQ(format_double(1e-5), "1e-05");
  EXPECT_EQ(format_double(0.1), "0.1");
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    const double v = awkward_double(rng, 0.0, 1.0);
    EXPECT_EQ(std::stod(format_double(v)), v);
  }
}

}  // namespace
}  // namespace bnbench
