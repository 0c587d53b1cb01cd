// Compare tests: a correct float32 computation passes in every layer, perturbations fail at the
// right place, the NaN/Inf pattern and NaN hiding are caught, the WARN band and MISTRUSTED work,
// padding is ignored and the JSON has no bare non-finite numbers.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <limits>

#include "compare.h"

#include "tensor_builders.h"

namespace bnbench {
namespace {

using namespace testing_support;

double wiggle(int64_t n, int64_t c, int64_t s) {
  return 2.0 * c - 1.0 + std::sin(1.3 * n + 0.7 * s + 0.4 * c) * (1.0 + 0.5 * c);
}

// Pristine inputs: wiggle data, per-feature affine and running statistics, saved statistics.
Tensors make_inputs(const Problem& p) {
  Tensors t = allocate_tensors(p);
  set_data(p, t[TensorId::x], wiggle);
  if (has_dy(p))
    set_data(p, t[TensorId::dy], [](int64_t n, int64_t c, int64_t s) { return wiggle(s, n, c); });
  if (!t[TensorId::gamma].empty())
    set_features(t[TensorId::gamma], [](int64_t f) { return 0.5 + 0.25 * f; });
  if (!t[TensorId::beta].empty())
    set_features(t[TensorId::beta], [](int64_t f) { return 0.1 * f - 0.3; });
  if (!t[TensorId::running_mean].empty()) {
    set_features(t[TensorId::running_mean], [](int64_t f) { return 0.2 * f; });
    set_features(t[TensorId::running_var], [](int64_t f) { return 1.0 + 0.1 * f; });
  }
  if (reads_saved_stats(p)) {
    BatchStats st = batch_stats(p, t[TensorId::x]);
    set_features(t[TensorId::save_mean], [&](int64_t f) { return st.mean[f]; });
    set_features(t[TensorId::save_var], [&](int64_t f) { return st.var[f]; });
  }
  return t;
}

// A correct float32 batch normalization: double-accumulated statistics rounded to float, the
// elementwise work in float.
Tensors float_backend(const Problem& p, const Tensors& in) {
  Tensors out = allocate_tensors(p);
  for (int i = 0; i < kTensorCount; ++i)
    if (!in.buffers[i].empty()) out.buffers[i].copy_from(in.buffers[i]);
  const int64_t features = feature_count(p), sp = spatial_size(p);
  std::vector<float> mean(features), var(features), invstd(features);
  if (p.direction == Direction::fwd_training) {
    BatchStats st = batch_stats(p, in[TensorId::x]);
    for (int64_t f = 0; f < features; ++f) {
      mean[f] = static_cast<float>(st.mean[f]);
      var[f] = static_cast<float>(st.var[f]);
      out[TensorId::save_mean].set(f, mean[f]);
      out[TensorId::save_var].set(f, var[f]);
      if (p.running_stats) {
        const double m = p.momentum, M = static_cast<double>(reduction_size(p));
        out[TensorId::running_mean].set(
            f, (1 - m) * in[TensorId::running_mean].get(f) + m * st.mean[f]);
        out[TensorId::running_var].set(
            f, (1 - m) * in[TensorId::running_var].get(f) + m * st.var[f] * M / (M - 1));
      }
    }
  } else {
    const bool running = p.direction == Direction::fwd_inference || p.global_stats;
    for (int64_t f = 0; f < features; ++f) {
      mean[f] =
          static_cast<float>(in[running ? TensorId::running_mean : TensorId::save_mean].get(f));
      var[f] = static_cast<float>(in[running ? TensorId::running_var : TensorId::save_var].get(f));
    }
  }
  for (int64_t f = 0; f < features; ++f)
    invstd[f] = static_cast<float>(invstd_of(var[f], static_cast<float>(p.eps)));
  auto feature = [&](int64_t c, int64_t s) { return p.mode == Mode::spatial ? c : c * sp + s; };
  auto gamma = [&](int64_t f) {
    return p.affine ? static_cast<float>(in[TensorId::gamma].get(f)) : 1.0f;
  };
  auto beta = [&](int64_t f) {
    return in[TensorId::beta].empty() ? 0.0f : static_cast<float>(in[TensorId::beta].get(f));
  };
  auto xhat = [&](int64_t o, int64_t f) {
    return (static_cast<float>(in[TensorId::x].get(o)) - mean[f]) * invstd[f];
  };
  if (has_y(p)) {
    set_data(p, out[TensorId::y], [&](int64_t n, int64_t c, int64_t s) {
      const int64_t f = feature(c, s);
      return gamma(f) * xhat(LayoutIndexer(p).offset(n, c, s), f) + beta(f);
    });
    return out;
  }
  std::vector<double> dbeta(features), dgamma(features);
  walk_elements(p, 0, logical_elements(p), [&](int64_t, int64_t c, int64_t s, int64_t o) {
    const int64_t f = feature(c, s);
    dbeta[f] += in[TensorId::dy].get(o);
    dgamma[f] += in[TensorId::dy].get(o) * xhat(o, f);
  });
  const float m = static_cast<float>(reduction_size(p));
  Buffer dx(stored_elements(p), p.dtype);
  walk_elements(p, 0, logical_elements(p), [&](int64_t, int64_t c, int64_t s, int64_t o) {
    const int64_t f = feature(c, s);
    const float dy = static_cast<float>(in[TensorId::dy].get(o));
    dx.set(o, p.global_stats ? gamma(f) * invstd[f] * dy
                             : gamma(f) * invstd[f] / m *
                                   (m * dy - static_cast<float>(dbeta[f]) -
                                    xhat(o, f) * static_cast<float>(dgamma[f])));
  });
  out[TensorId::dx].copy_from(dx);
  if (has_affine_grads(p))
    for (int64_t f = 0; f < features; ++f) {
      out[TensorId::dgamma].set(f, dgamma[f]);
      out[TensorId::dbeta].set(f, dbeta[f]);
    }
  return out;
}

const TensorMetrics& tensor(const CheckResult& r, const std::string& name) {
  for (const TensorMetrics& t : r.tensors)
    if (t.tensor == name) return t;
  throw std::runtime_error("no tensor " + name);
}

TEST(Compare, CorrectFloatComputationPassesEverywhere) {
  for (Direction d :
       {Direction::fwd_training, Direction::fwd_inference, Direction::bwd, Direction::bwd_data})
    for (Layout l : {Layout::nchw, Layout::nhwc, Layout::nchw16c})
      for (Mode mode : {Mode::spatial, Mode::per_activation})
        for (bool global : {false, true}) {
          if (global && !is_backward(d)) continue;
          Problem p = make(d, l, 6, 5, {3, 7});
          p.mode = mode;
          p.global_stats = global;
          Tensors in = make_inputs(p);
          CheckResult r = compare_outputs(p, in, float_backend(p, in), compute_reference(p, in));
          EXPECT_EQ(r.verdict, Verdict::passed) << to_string(p) << ": " << r.reason;
          EXPECT_FALSE(r.worst_tensor.empty());
          for (const TensorMetrics& t : r.tensors) EXPECT_LE(t.ratio, 1) << t.tensor;
        }
}

TEST(Compare, TensorsAndLayersOfATrainingCase) {
  Problem p = make(Direction::fwd_training, Layout::nchw, 4, 3, {5});
  Tensors in = make_inputs(p);
  CheckResult r = compare_outputs(p, in, float_backend(p, in), compute_reference(p, in));
  ASSERT_EQ(r.tensors.size(), 6u);
  EXPECT_EQ(tensor(r, "y").layer, "end_to_end");
  EXPECT_EQ(tensor(r, "y_transform").layer, "transform");
  EXPECT_EQ(tensor(r, "save_var").layer, "statistics");
  EXPECT_EQ(tensor(r, "running_mean").layer, "statistics");
  EXPECT_EQ(tensor(r, "y").count, 60);
  EXPECT_GT(tensor(r, "y").max_ulps, 0);
  EXPECT_EQ(tensor(r, "save_mean").max_ulps, 0);  // ULPs only for elementwise outputs
}

TEST(Compare, PerturbedElementFailsAtItsPosition) {
  Problem p = make(Direction::fwd_training, Layout::nhwc, 4, 5, {3, 4});
  Tensors in = make_inputs(p);
  Tensors out = float_backend(p, in);
  const int64_t o = LayoutIndexer(p).offset(2, 3, 11);
  const double before = out[TensorId::y].get(o);
  out[TensorId::y].set(o, before + 1e-2);
  Reference ref = compute_reference(p, in);
  CheckResult r = compare_outputs(p, in, out, ref);
  EXPECT_EQ(r.verdict, Verdict::failed);
  const TensorMetrics& y = tensor(r, "y");
  EXPECT_EQ(y.verdict, Verdict::failed);
  EXPECT_EQ(y.peak_index, o);
  EXPECT_EQ(y.peak_n, 2);
  EXPECT_EQ(y.peak_c, 3);
  EXPECT_EQ(y.peak_s, 11);
  EXPECT_EQ(y.expected, ref[TensorId::y][o]);
  EXPECT_EQ(y.got, static_cast<double>(static_cast<float>(before + 1e-2)));
  EXPECT_NEAR(y.max_abs_error, 1e-2, 1e-6);
  EXPECT_GT(y.ratio_warn, 1);
  EXPECT_EQ(tensor(r, "y_transform").peak_index, o);
  EXPECT_EQ(tensor(r, "save_mean").verdict, Verdict::passed);
  EXPECT_NE(r.reason.find("n=2 c=3 s=11"), std::string::npos) << r.reason;
}

TEST(Compare, StatisticPeakIsAFeature) {
  Problem p = make(Direction::fwd_training, Layout::nchw, 8, 3, {4});
  p.mode = Mode::per_activation;
  Tensors in = make_inputs(p);
  Tensors out = float_backend(p, in);
  const int64_t f = 1 * 4 + 2;
  out[TensorId::save_mean].set(f, out[TensorId::save_mean].get(f) * 1.001 + 1e-3);
  CheckResult r = compare_outputs(p, in, out, compute_reference(p, in));
  const TensorMetrics& m = tensor(r, "save_mean");
  EXPECT_EQ(m.verdict, Verdict::failed);
  EXPECT_EQ(m.peak_index, f);
  EXPECT_EQ(m.peak_n, -1);
  EXPECT_EQ(m.peak_c, 1);
  EXPECT_EQ(m.peak_s, 2);
}

// dbeta off by 30 uG sum|dy|: beyond the strict G = 13 of M = 4096, inside the band G = 64.
TEST(Compare, WarnBand) {
  Problem p = make(Direction::bwd, Layout::nchw, 64, 2, {64});
  Tensors in = make_inputs(p);
  Tensors out = float_backend(p, in);
  Reference ref = compute_reference(p, in);
  out[TensorId::dbeta].set(1, ref[TensorId::dbeta][1] + 2 * 0x1p-24 * 30 * ref.sum_abs_dy[1]);
  CheckResult r = compare_outputs(p, in, out, ref);
  const TensorMetrics& db = tensor(r, "dbeta");
  EXPECT_EQ(db.verdict, Verdict::warn);
  EXPECT_GT(db.ratio, 1);
  EXPECT_LE(db.ratio_warn, 1);
  EXPECT_EQ(r.verdict, Verdict::warn);
  EXPECT_EQ(r.worst_tensor, "dbeta");
  EXPECT_EQ(r.worst_ratio, db.ratio);
}

TEST(Compare, SameNonFiniteValuesAreEqual) {
  Problem p = make(Direction::fwd_training, Layout::nhwc, 3, 3, {4});
  Tensors in = make_inputs(p);
  in[TensorId::x].set(LayoutIndexer(p).offset(1, 0, 2), kNaN);
  in[TensorId::x].set(LayoutIndexer(p).offset(2, 1, 3), kInf);
  CheckResult r = compare_outputs(p, in, float_backend(p, in), compute_reference(p, in));
  EXPECT_EQ(r.verdict, Verdict::passed) << r.reason;
  EXPECT_EQ(tensor(r, "y").nan_expected, 24);
  EXPECT_EQ(tensor(r, "save_mean").inf_expected, 1);
  EXPECT_EQ(tensor(r, "save_mean").inf_got, 1);
}

TEST(Compare, HiddenNaNFails) {
  Problem p = make(Direction::fwd_training, Layout::nchw, 3, 2, {4});
  Tensors in = make_inputs(p);
  in[TensorId::x].set(LayoutIndexer(p).offset(1, 0, 2), kNaN);
  Tensors out = float_backend(p, in);
  out[TensorId::save_var].set(0, 0);  // as fmaxf(var, 0) would
  set_data(p, out[TensorId::y], [&](int64_t n, int64_t c, int64_t s) {
    return c == 0 ? 0.0 : out[TensorId::y].get(LayoutIndexer(p).offset(n, c, s));
  });
  CheckResult r = compare_outputs(p, in, out, compute_reference(p, in));
  EXPECT_EQ(r.verdict, Verdict::failed);
  EXPECT_EQ(tensor(r, "save_var").nan_hidden, 1);
  EXPECT_EQ(tensor(r, "y").nan_hidden, 12);
  EXPECT_EQ(tensor(r, "y").pattern_mismatches, 12);
  EXPECT_NE(r.reason.find("NaN hidden"), std::string::npos) << r.reason;
}

TEST(Compare, InfSignIsPartOfThePattern) {
  Problem p = make(Direction::fwd_inference, Layout::nchw, 2, 2, {3});
  Tensors in = make_inputs(p);
  const int64_t o = LayoutIndexer(p).offset(1, 1, 0);
  in[TensorId::x].set(o, kInf);  // gamma > 0: y = +Inf
  Tensors out = float_backend(p, in);
  EXPECT_EQ(compare_outputs(p, in, out, compute_reference(p, in)).verdict, Verdict::passed);
  out[TensorId::y].set(o, -kInf);
  CheckResult r = compare_outputs(p, in, out, compute_reference(p, in));
  EXPECT_EQ(r.verdict, Verdict::failed);
  EXPECT_EQ(tensor(r, "y").pattern_mismatches, 1);
  EXPECT_EQ(tensor(r, "y").nan_hidden, 0);
  EXPECT_EQ(tensor(r, "y").peak_index, o);
  out[TensorId::y].set(o, kNaN);  // NaN where Inf is expected is a mismatch too
  EXPECT_EQ(compare_outputs(p, in, out, compute_reference(p, in)).verdict, Verdict::failed);
}

TEST(Compare, ZeroToleranceDemandsExactZeros) {
  Problem p = make(Direction::bwd, Layout::nchw, 3, 2, {4});
  Tensors in = make_inputs(p);
  set_features(in[TensorId::gamma], [](int64_t) { return 0.0; });
  Tensors out = float_backend(p, in);
  Reference ref = compute_reference(p, in);
  EXPECT_EQ(compare_outputs(p, in, out, ref).verdict, Verdict::passed);
  out[TensorId::dx].set(5, 1e-30);
  CheckResult r = compare_outputs(p, in, out, ref);
  EXPECT_EQ(r.verdict, Verdict::failed);
  EXPECT_EQ(tensor(r, "dx").ratio, kInf);
  EXPECT_EQ(tensor(r, "dx").peak_index, 5);
}

// Constant channels with eps = 0: y = beta exactly; garbage must fail, zeros are judged.
TEST(Compare, ConstantChannelIsJudged) {
  for (bool affine : {true, false}) {
    Problem p = make(Direction::fwd_training, Layout::nhwc, 4, 2, {5});
    p.eps = 0;
    p.affine = affine;
    Tensors in = make_inputs(p);
    set_data(p, in[TensorId::x], [](int64_t, int64_t c, int64_t) { return c ? 1e4 + 0.1 : 0.7; });
    Tensors out = float_backend(p, in);
    Reference ref = compute_reference(p, in);
    CheckResult good = compare_outputs(p, in, out, ref);
    EXPECT_EQ(good.verdict, Verdict::passed) << good.reason;
    set_data(p, out[TensorId::y], [&](int64_t n, int64_t c, int64_t s) {
      return out[TensorId::y].get(LayoutIndexer(p).offset(n, c, s)) + ((n + s) % 2 ? 0.5 : -0.5);
    });
    CheckResult bad = compare_outputs(p, in, out, ref);
    EXPECT_EQ(bad.verdict, Verdict::failed);
    EXPECT_EQ(tensor(bad, "y").verdict, Verdict::failed);
    EXPECT_EQ(tensor(bad, "y_transform").verdict, Verdict::failed);
  }
}

TEST(Compare, BlockedPaddingIsIgnored) {
  Problem p = make(Direction::fwd_training, Layout::nchw16c, 2, 3, {5});
  Tensors in = make_inputs(p);
  Tensors out = float_backend(p, in);
  const LayoutIndexer ix(p);
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t s = 0; s < 5; ++s) out[TensorId::y].set(ix.offset(n, 9, s), kNaN);
  CheckResult r = compare_outputs(p, in, out, compute_reference(p, in));
  EXPECT_EQ(r.verdict, Verdict::passed) << r.reason;
  EXPECT_EQ(tensor(r, "y").count, 30);
}

TEST(Compare, TransformLayerSeparatesElementwiseFromStatistics) {
  Problem p = make(Direction::fwd_training, Layout::nchw, 8, 2, {6});
  Tensors in = make_inputs(p);
  Reference ref = compute_reference(p, in);
  Tensors scaled = float_backend(p, in);  // right statistics, wrong transform
  set_data(p, scaled[TensorId::y], [&](int64_t n, int64_t c, int64_t s) {
    return scaled[TensorId::y].get(LayoutIndexer(p).offset(n, c, s)) * (1 + 1e-4);
  });
  CheckResult a = compare_outputs(p, in, scaled, ref);
  EXPECT_EQ(tensor(a, "y_transform").verdict, Verdict::failed);
  EXPECT_EQ(tensor(a, "save_mean").verdict, Verdict::passed);
  Tensors shifted_in = make_inputs(p);  // wrong statistics, transform consistent with them
  Tensors shifted = float_backend(p, shifted_in);
  for (int64_t f = 0; f < 2; ++f) shifted_in[TensorId::running_mean].set(f, ref.mean[f] + 0.1);
  set_features(shifted_in[TensorId::running_var], [&](int64_t f) { return ref.var[f]; });
  Problem inference = p;
  inference.direction = Direction::fwd_inference;
  Tensors y_from_shifted = float_backend(inference, shifted_in);
  shifted[TensorId::y].copy_from(y_from_shifted[TensorId::y]);
  for (int64_t f = 0; f < 2; ++f) shifted[TensorId::save_mean].set(f, ref.mean[f] + 0.1);
  CheckResult b = compare_outputs(p, in, shifted, ref);
  EXPECT_EQ(tensor(b, "save_mean").verdict, Verdict::failed);
  EXPECT_EQ(tensor(b, "y").verdict, Verdict::failed);
  EXPECT_EQ(tensor(b, "y_transform").verdict, Verdict::passed);
}

// Values 1e4 and 1e4 + one float ulp with eps = 0: kappa ~ 2e7, the tolerance dwarfs y = +-1.
TEST(Compare, UnresolvableOffsetIsMistrusted) {
  Problem p = make(Direction::fwd_training, Layout::nchw, 4, 2, {8});
  p.eps = 0;
  Tensors in = make_inputs(p);
  set_data(p, in[TensorId::x],
           [](int64_t n, int64_t, int64_t s) { return 1e4 + ((n + s) % 2) * 0x1p-10; });
  CheckResult r = compare_outputs(p, in, float_backend(p, in), compute_reference(p, in));
  EXPECT_EQ(r.verdict, Verdict::mistrusted);
  EXPECT_NE(r.reason.find("y:"), std::string::npos) << r.reason;
}

TEST(Compare, MetricsDoNotDependOnThreads) {
  Problem p = make(Direction::bwd, Layout::nhwc, 40, 3, {33, 17});
  Tensors in = make_inputs(p);
  Tensors out = float_backend(p, in);
  Reference ref = compute_reference(p, in);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const std::string one = to_json(compare_outputs(p, in, out, ref)).dump();
  omp_set_num_threads(3);
  const std::string three = to_json(compare_outputs(p, in, out, ref)).dump();
  omp_set_num_threads(threads);
  EXPECT_EQ(one, three);
}

TEST(Compare, JsonWritesNonFiniteAsStrings) {
  TensorMetrics m;
  m.tensor = "y";
  m.ratio = kInf;
  m.expected = kNaN;
  m.got = -kInf;
  nlohmann::json j = to_json(m);
  EXPECT_EQ(j["ratio"], "inf");
  EXPECT_EQ(j["peak"]["expected"], "nan");
  EXPECT_EQ(j["peak"]["got"], "-inf");
  EXPECT_EQ(j["verdict"], "PASSED");
  CheckResult r;
  r.verdict = Verdict::failed;
  r.tensors.push_back(m);
  nlohmann::json jr = to_json(r);
  EXPECT_EQ(jr["verdict"], "FAILED");
  EXPECT_EQ(jr["tensors"].size(), 1u);
  for (Verdict v : {Verdict::passed, Verdict::warn, Verdict::mistrusted, Verdict::failed,
                    Verdict::error, Verdict::skipped})
    EXPECT_EQ(parse_verdict(to_string(v)), v);
  EXPECT_FALSE(parse_verdict("passed").has_value());
}

}  // namespace
}  // namespace bnbench
