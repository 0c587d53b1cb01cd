// Tests for fill: the same logical values in every layout and at 1 or 2 threads, zero padding,
// seeds that matter, exact-construction statistics that float sums reproduce bit for bit, and
// every named fill producing what its description claims.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "fill.h"
#include "layout.h"

namespace bnbench {
namespace {

Problem problem_of(const std::string& text, const std::string& fill = "normal") {
  Problem p = parse_problem(text);
  p.fill = fill;
  return p;
}

Tensors filled(const Problem& p, uint64_t seed = 1) {
  Tensors t = allocate_tensors(p);
  fill_inputs(p, seed, t);
  return t;
}

// A data tensor in logical (n, c, s) order.
std::vector<double> logical(const Problem& p, const Buffer& b) {
  const LayoutIndexer index(p);
  std::vector<double> out;
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t c = 0; c < p.c; ++c)
      for (int64_t s = 0; s < index.spatial(); ++s) out.push_back(b.get(index.offset(n, c, s)));
  return out;
}

// Per feature: the elements of a data tensor it reduces over, in reduction order.
std::vector<std::vector<double>> by_feature(const Problem& p, const Buffer& b) {
  const LayoutIndexer index(p);
  std::vector<std::vector<double>> out(feature_count(p));
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t c = 0; c < p.c; ++c)
      for (int64_t s = 0; s < index.spatial(); ++s)
        out[feature_of(p, c, s)].push_back(b.get(index.offset(n, c, s)));
  return out;
}

std::vector<double> values(const Buffer& b) {
  std::vector<double> out;
  for (int64_t i = 0; i < b.count(); ++i) out.push_back(b.get(i));
  return out;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

const TensorId kInputs[] = {TensorId::x,         TensorId::dy,           TensorId::gamma,
                            TensorId::beta,      TensorId::running_mean, TensorId::running_var,
                            TensorId::save_mean, TensorId::save_var};

bool is_data(TensorId id) { return id == TensorId::x || id == TensorId::dy; }

TEST(Fill, SameLogicalValuesInEveryLayout) {
  for (const char* fill : {"normal", "exact", "nan_one", "dy_xhat", "tiny_pair"})
    for (const char* base :
         {"bwd/f32/nchw/n3c17h5w3", "fwd_training/f32/nchw/n2c5d2h3w3",
          "bwd/f64/nchw/n4c3l7/per_activation", "fwd_inference/f32/nchw/n5c20"}) {
      Problem p = problem_of(base, fill);
      const Tensors reference = filled(p);
      for (Layout layout : {Layout::nhwc, Layout::nchw16c}) {
        Problem q = p;
        q.layout = layout;
        const Tensors other = filled(q);
        for (TensorId id : kInputs) {
          if (reference[id].empty()) continue;
          const bool same = is_data(id)
                                ? same_bits(logical(p, reference[id]), logical(q, other[id]))
                                : same_bits(values(reference[id]), values(other[id]));
          EXPECT_TRUE(same) << fill << " " << to_string(q) << " " << to_string(id);
        }
      }
    }
}

TEST(Fill, BlockedPaddingIsZero) {
  Problem p = problem_of("bwd/f32/nchw16c/n2c17h3w3", "constant_07");
  Tensors t = allocate_tensors(p);
  t[TensorId::x].fill_nan();
  t[TensorId::dy].fill_nan();
  fill_inputs(p, 3, t);
  const LayoutIndexer index(p);
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t c = p.c; c < 32; ++c)
      for (int64_t s = 0; s < 9; ++s) {
        EXPECT_EQ(t[TensorId::x].get(index.offset(n, c, s)), 0.0);
        EXPECT_EQ(t[TensorId::dy].get(index.offset(n, c, s)), 0.0);
      }
}

TEST(Fill, SameValuesAtOneAndTwoThreads) {
  const int saved = omp_get_max_threads();
  for (const char* text : {"bwd/f32/nhwc/n4c7h9w9", "fwd_training/f64/nchw16c/n3c33l50"}) {
    const Problem p = problem_of(text, "dy_affine_xhat");
    omp_set_num_threads(1);
    const Tensors one = filled(p, 9);
    omp_set_num_threads(2);
    const Tensors two = filled(p, 9);
    for (TensorId id : kInputs)
      EXPECT_TRUE(same_bits(values(one[id]), values(two[id]))) << text << " " << to_string(id);
  }
  omp_set_num_threads(saved);
}

TEST(Fill, SeedsChangeTheValues) {
  const Problem p = problem_of("bwd/f32/nchw/n2c4h3w3");
  const Tensors a = filled(p, 1), b = filled(p, 2), a_again = filled(p, 1);
  for (TensorId id : {TensorId::x, TensorId::dy, TensorId::gamma}) {
    EXPECT_FALSE(same_bits(values(a[id]), values(b[id]))) << to_string(id);
    EXPECT_TRUE(same_bits(values(a[id]), values(a_again[id]))) << to_string(id);
  }
}

TEST(Fill, CounterBasedGenerators) {
  EXPECT_EQ(mix_bits(1, 2, 3), mix_bits(1, 2, 3));
  EXPECT_NE(mix_bits(1, 2, 3), mix_bits(1, 3, 3));
  EXPECT_NE(mix_bits(1, 2, 3), mix_bits(2, 2, 3));
  double sum = 0, squares = 0, lowest = 1, highest = 0;
  const int count = 200000;
  for (int i = 0; i < count; ++i) {
    const double u = uniform01(5, 1, i), z = standard_normal(5, 2, i);
    lowest = std::min(lowest, u);
    highest = std::max(highest, u);
    sum += z;
    squares += z * z;
  }
  EXPECT_GT(lowest, 0.0);
  EXPECT_LT(highest, 1.0);
  EXPECT_NEAR(sum / count, 0.0, 0.01);
  EXPECT_NEAR(squares / count, 1.0, 0.02);
}

// Float statistics of one feature the way a backend might sum: forward, backward or by halves.
struct FloatStats {
  float mean, var;
};
template <class Order>
FloatStats float_stats(const std::vector<double>& v, Order order) {
  const float m = static_cast<float>(v.size());
  const float mean = order(v, [](double x) { return static_cast<float>(x); }) / m;
  const float var = order(v,
                          [&](double x) {
                            const float d = static_cast<float>(x) - mean;
                            return d * d;
                          }) /
                    m;
  return {mean, var};
}

TEST(Fill, ExactStatisticsAreBitExactInEveryOrder) {
  auto forward = [](const std::vector<double>& v, auto term) {
    float s = 0;
    for (double x : v) s += term(x);
    return s;
  };
  auto backward = [](const std::vector<double>& v, auto term) {
    float s = 0;
    for (size_t i = v.size(); i-- > 0;) s += term(v[i]);
    return s;
  };
  auto strided = [](const std::vector<double>& v, auto term) {  // 16 lanes, then the lanes
    float lanes[16] = {};
    for (size_t i = 0; i < v.size(); ++i) lanes[i % 16] += term(v[i]);
    float s = 0;
    for (float lane : lanes) s += lane;
    return s;
  };
  for (const char* text :
       {"fwd_training/f32/nchw/n2c5h7w9", "fwd_training/f32/nhwc/n3c4h5w5",
        "fwd_training/f32/nchw/n7c3l5/per_activation", "fwd_training/f32/nchw/n2c2",
        "fwd_training/f32/nchw/n1c3l3001", "fwd_training/f32/nchw16c/n32c2h129w129",
        "fwd_training/f32/nchw/n1c1l2097153"}) {
    const Problem p = problem_of(text, "exact");
    const Tensors t = filled(p);
    for (const auto& v : by_feature(p, t[TensorId::x])) {
      double sum = 0;
      for (double x : v) sum += x;
      const double mean = sum / v.size();
      double squares = 0;
      for (double x : v) squares += (x - mean) * (x - mean);
      const double var = squares / v.size();
      for (const FloatStats& got :
           {float_stats(v, forward), float_stats(v, backward), float_stats(v, strided)}) {
        ASSERT_EQ(got.mean, static_cast<float>(mean)) << text;
        ASSERT_EQ(got.var, static_cast<float>(var)) << text;
      }
      ASSERT_GT(var, 0.0) << text;
    }
  }
}

TEST(Fill, ListedFillsExistAndUnknownThrows) {
  ASSERT_GE(list_fills().size(), 20u);
  for (const FillInfo& info : list_fills()) {
    EXPECT_TRUE(fill_exists(info.name));
    EXPECT_FALSE(info.description.empty()) << info.name;
  }
  EXPECT_FALSE(fill_exists("nosuch"));
  const Problem p = problem_of("bwd/f32/nchw/n2c3", "nosuch");
  Tensors t = allocate_tensors(p);
  EXPECT_THROW(fill_inputs(p, 1, t), std::invalid_argument);
}

TEST(Fill, EveryFillRunsForEveryDirection) {
  for (const FillInfo& info : list_fills())
    for (const char* text :
         {"fwd_training/f32/nchw16c/n3c5h4w3", "fwd_inference/f64/nhwc/n2c3l4",
          "bwd/f32/nchw/n2c3h2w2/per_activation", "bwd_data/f32/nhwc/n2c3/global_stats/inplace"}) {
      const Problem p = problem_of(text, info.name);
      Tensors t = allocate_tensors(p);
      EXPECT_NO_THROW(fill_inputs(p, 4, t)) << info.name << " " << text;
    }
}

// Counts over one tensor's values.
int64_t count_where(const std::vector<double>& v, bool (*pred)(double)) {
  return std::count_if(v.begin(), v.end(), pred);
}

TEST(Fill, NormalDefaults) {
  const Problem p = problem_of("fwd_training/f32/nchw/n8c6h16w16");
  const Tensors t = filled(p);
  for (const auto& v : by_feature(p, t[TensorId::x])) {
    double sum = 0, squares = 0;
    for (double x : v) sum += x;
    const double mean = sum / v.size();
    for (double x : v) squares += (x - mean) * (x - mean);
    EXPECT_LT(std::abs(mean), 1.2);
    EXPECT_GT(std::sqrt(squares / v.size()), 0.4);
    EXPECT_LT(std::sqrt(squares / v.size()), 2.2);
  }
  for (double g : values(t[TensorId::gamma])) EXPECT_TRUE(g >= 0.5 && g <= 1.5) << g;
  for (double b : values(t[TensorId::beta])) EXPECT_TRUE(b >= -0.5 && b <= 0.5) << b;
  for (double v : values(t[TensorId::running_var])) EXPECT_GT(v, 0.0);
}

TEST(Fill, SavedStatisticsAreTheBatchStatistics) {
  const Problem p = problem_of("bwd/f32/nhwc/n4c5h3w3");
  const Tensors t = filled(p);
  const auto features = by_feature(p, t[TensorId::x]);
  for (size_t f = 0; f < features.size(); ++f) {
    double sum = 0, squares = 0;
    for (double x : features[f]) sum += x;
    const double mean = sum / features[f].size();
    for (double x : features[f]) squares += (x - mean) * (x - mean);
    EXPECT_FLOAT_EQ(t[TensorId::save_mean].get(f), mean);
    EXPECT_FLOAT_EQ(t[TensorId::save_var].get(f), squares / features[f].size());
  }
}

TEST(Fill, ConstantsAndOffsets) {
  const std::string shape = "bwd/f32/nchw/n4c3h8w8";
  for (double x : values(filled(problem_of(shape, "constant_07"))[TensorId::x]))
    ASSERT_EQ(x, static_cast<double>(0.7f));
  for (double x : values(filled(problem_of(shape, "constant_1e4"))[TensorId::x]))
    ASSERT_EQ(x, static_cast<double>(static_cast<float>(1e4 + 0.1)));
  for (double dy : values(filled(problem_of(shape, "dy_ones"))[TensorId::dy])) ASSERT_EQ(dy, 1.0);
  auto mean_of = [&](const std::string& fill) {
    double sum = 0;
    const auto v = values(filled(problem_of(shape, fill))[TensorId::x]);
    for (double x : v) sum += x;
    return sum / v.size();
  };
  EXPECT_NEAR(mean_of("offset_1e4"), 1e4, 0.2);
  EXPECT_NEAR(mean_of("offset_1e3_small"), 1e3, 0.01);
  EXPECT_NEAR(mean_of("huge_normal100"), 100, 0.2);
  EXPECT_NEAR(mean_of("huge_uniform"), 0.5, 0.05);
  for (double x : values(filled(problem_of(shape, "huge_uniform"))[TensorId::x]))
    ASSERT_TRUE(x >= 0 && x <= 1);
}

TEST(Fill, Magnitudes) {
  for (double x :
       values(filled(problem_of("fwd_training/f32/nchw/n4c3h8w8", "near_max"))[TensorId::x]))
    ASSERT_TRUE(std::isfinite(x) && std::abs(x) >= 2.8e38 && std::abs(x) <= 3.2e38) << x;
  const auto sub =
      values(filled(problem_of("fwd_training/f32/nchw/n4c3h8w8", "subnormal"))[TensorId::x]);
  EXPECT_GT(count_where(sub, [](double x) { return x != 0; }), 700);
  for (double x : sub) ASSERT_LT(std::abs(x), std::numeric_limits<float>::min());
  double squares = 0;
  const auto big =
      values(filled(problem_of("fwd_training/f32/nchw/n4c3h8w8", "sigma_3e18"))[TensorId::x]);
  for (double x : big) squares += x * x;
  EXPECT_NEAR(std::sqrt(squares / big.size()), 3e18, 0.3e18);
}

TEST(Fill, TinyPairAlternates) {
  const Problem p = problem_of("fwd_training/f32/nchw/n2c3", "tiny_pair");
  const auto features = by_feature(p, filled(p)[TensorId::x]);
  for (const auto& v : features) {
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[0], 1e4);
    EXPECT_EQ(v[1], 1e4 + 0x1p-10);
  }
}

TEST(Fill, OneNonFiniteInChannelZero) {
  for (const char* fill : {"nan_one", "inf_one"}) {
    const Problem p = problem_of("fwd_training/f32/nhwc/n3c4h5w5", fill);
    const auto features = by_feature(p, filled(p)[TensorId::x]);
    for (size_t c = 0; c < features.size(); ++c) {
      const int64_t nan = count_where(features[c], [](double x) { return std::isnan(x); });
      const int64_t inf = count_where(features[c], [](double x) { return x == INFINITY; });
      const int64_t expected = c == 0 ? 1 : 0;
      EXPECT_EQ(std::string(fill) == "nan_one" ? nan : inf, expected) << fill << " c=" << c;
      EXPECT_EQ(std::string(fill) == "nan_one" ? inf : nan, 0) << fill << " c=" << c;
    }
  }
}

TEST(Fill, ParameterFills) {
  const std::string text = "fwd_training/f32/nchw/n2c6h2w2";
  auto param = [&](const std::string& fill, TensorId id) {
    return values(filled(problem_of(text, fill))[id]);
  };
  for (auto [fill, id] :
       {std::pair{"nan_gamma", TensorId::gamma}, std::pair{"nan_beta", TensorId::beta},
        std::pair{"nan_running", TensorId::running_mean}}) {
    const auto v = param(fill, id);
    EXPECT_TRUE(std::isnan(v[0])) << fill;
    EXPECT_EQ(count_where(v, [](double x) { return std::isnan(x); }), 1) << fill;
  }
  for (double g : param("gamma_zero", TensorId::gamma)) EXPECT_EQ(g, 0.0);
  for (double g : param("gamma_negative", TensorId::gamma)) EXPECT_TRUE(g <= -0.5 && g >= -1.5);
  for (double b : param("beta_large", TensorId::beta)) EXPECT_TRUE(std::abs(b) >= 999);
}

// dx of the float64 formula with eps = 0, relative to M * max |dy|: zero for dy affine in xhat.
double relative_dx(const std::vector<double>& x, const std::vector<double>& dy) {
  const double m = x.size();
  double mean = 0, var = 0, sum_dy = 0, sum_dy_xhat = 0, largest = 0;
  for (double v : x) mean += v / m;
  for (double v : x) var += (v - mean) * (v - mean) / m;
  const double invstd = 1 / std::sqrt(var);
  for (size_t i = 0; i < x.size(); ++i) {
    sum_dy += dy[i];
    sum_dy_xhat += dy[i] * (x[i] - mean) * invstd;
  }
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double xhat = (x[i] - mean) * invstd;
    worst = std::max(worst, std::abs(m * dy[i] - sum_dy - xhat * sum_dy_xhat));
    largest = std::max(largest, std::abs(dy[i]));
  }
  return worst / (m * largest);
}

TEST(Fill, GradientFills) {
  for (const char* fill : {"dy_xhat", "dy_affine_xhat", "dy_constant"}) {
    const Problem p = problem_of("bwd/f32/nchw16c/n4c5h6w6/eps=0", fill);
    const Tensors t = filled(p);
    const auto x = by_feature(p, t[TensorId::x]), dy = by_feature(p, t[TensorId::dy]);
    for (size_t f = 0; f < x.size(); ++f) EXPECT_LT(relative_dx(x[f], dy[f]), 1e-6) << fill;
  }
  const Problem p = problem_of("bwd/f32/nhwc/n4c5h6w6", "dy_constant");
  for (const auto& dy : by_feature(p, filled(p)[TensorId::dy])) {
    EXPECT_NE(dy[0], 0.0);
    EXPECT_EQ(dy[0] * 8, std::round(dy[0] * 8));
    for (double v : dy) EXPECT_EQ(v, dy[0]);
  }
}

}  // namespace
}  // namespace bnbench
