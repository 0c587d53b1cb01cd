// Tests for the naive backend's own promises (the conformance test checks it against the
// reference): in-place equals out-of-place bit for bit, the channel-plane loops do not depend on
// the thread count, exact-construction data gives bit-exact statistics, and invstd = 0 when
// var + eps == 0.
#include <gtest/gtest.h>
#include <omp.h>

#include <cstring>

#include "fill.h"
#include "reference.h"
#include "registry.h"

namespace bnbench {
namespace {

Backend& naive() {
  Backend* b = registry().find("naive");
  EXPECT_NE(b, nullptr);
  return *b;
}

// Runs naive once on freshly filled tensors and returns them.
Tensors run_naive(const Problem& p, uint64_t seed = 3) {
  Tensors t = allocate_tensors(p);
  fill_inputs(p, seed, t);
  naive().prepare(p, t)->run();
  return t;
}

bool same_bits(const Buffer& a, const Buffer& b) {
  return a.bytes() == b.bytes() && (a.bytes() == 0 || std::memcmp(a.data(), b.data(), a.bytes()) == 0);
}

TEST(NaiveUnit, InPlaceEqualsOutOfPlace) {
  for (const char* text : {"fwd_training/f32/nchw/n3c5h4w4", "fwd_training/f32/nhwc/n3c5h4w4",
                           "fwd_inference/f64/nchw16c/n2c17l5", "bwd/f32/nchw/n3c5h4w4",
                           "bwd_data/f32/nhwc/n3c5l7/per_activation"}) {
    Problem p = parse_problem(text);
    const Tensors out_of_place = run_naive(p);
    p.inplace = true;
    const Tensors in_place = run_naive(p);
    const TensorId output = has_y(p) ? TensorId::y : TensorId::dx;
    EXPECT_TRUE(same_bits(out_of_place[output], in_place[output])) << text;
    if (has_affine_grads(p))
      EXPECT_TRUE(same_bits(out_of_place[TensorId::dgamma], in_place[TensorId::dgamma])) << text;
  }
}

TEST(NaiveUnit, PlaneLoopsIgnoreThreadCount) {
  const int saved = omp_get_max_threads();
  for (const char* text : {"fwd_training/f32/nchw/n4c6h8w8", "bwd/f32/nchw16c/n2c20h3w3"}) {
    const Problem p = parse_problem(text);
    omp_set_num_threads(1);
    const Tensors one = run_naive(p);
    omp_set_num_threads(2);
    const Tensors two = run_naive(p);
    for (int i = 0; i < kTensorCount; ++i)
      EXPECT_TRUE(same_bits(one.buffers[i], two.buffers[i])) << text << " " << i;
  }
  omp_set_num_threads(saved);
}

TEST(NaiveUnit, ExactFillGivesBitExactStatistics) {
  for (const char* text : {"fwd_training/f32/nchw/n4c3h9w7", "fwd_training/f32/nhwc/n5c7h3w3",
                           "fwd_training/f32/nchw16c/n3c18l11/per_activation"}) {
    Problem p = parse_problem(text);
    p.fill = "exact";
    Tensors pristine = allocate_tensors(p);
    fill_inputs(p, 5, pristine);
    const BatchStats stats = batch_stats(p, pristine[TensorId::x]);
    const Tensors t = run_naive(p, 5);
    for (int64_t f = 0; f < feature_count(p); ++f) {
      EXPECT_EQ(t[TensorId::save_mean].get(f), static_cast<float>(stats.mean[f])) << text;
      EXPECT_EQ(t[TensorId::save_var].get(f), static_cast<float>(stats.var[f])) << text;
    }
  }
}

TEST(NaiveUnit, ZeroVarianceAndZeroEpsGiveBeta) {
  Problem p = parse_problem("fwd_training/f32/nhwc/n4c3h2w2/eps=0");
  Tensors t = allocate_tensors(p);
  fill_inputs(p, 1, t);
  for (int64_t i = 0; i < t[TensorId::x].count(); ++i) t[TensorId::x].set(i, 0.5);
  naive().prepare(p, t)->run();
  for (int64_t i = 0; i < t[TensorId::y].count(); ++i)
    EXPECT_EQ(t[TensorId::y].get(i), t[TensorId::beta].get(i % p.c));
  for (int64_t f = 0; f < p.c; ++f) EXPECT_EQ(t[TensorId::save_var].get(f), 0.0);

  p = parse_problem("bwd/f32/nchw/n4c3h2w2/eps=0");
  t = allocate_tensors(p);
  fill_inputs(p, 1, t);
  for (int64_t f = 0; f < p.c; ++f) t[TensorId::save_var].set(f, 0.0);
  naive().prepare(p, t)->run();
  for (int64_t i = 0; i < t[TensorId::dx].count(); ++i) EXPECT_EQ(t[TensorId::dx].get(i), 0.0);
}

}  // namespace
}  // namespace bnbench
