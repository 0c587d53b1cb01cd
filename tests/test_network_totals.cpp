// Network totals: the sum of median x layer count over a set's shapes, only for complete groups.
//
// Invariant: a group missing one shape of its set gets no total.
#include <gtest/gtest.h>

#include "network_totals.h"
#include "record.h"

namespace bnbench {
namespace {

CaseRecord timed(const std::string& id, const std::string& backend, int layers, double median,
                 int threads = 2, Verdict status = Verdict::passed) {
  CaseRecord r;
  r.id = id;
  r.problem = parse_problem(id);
  r.backend = backend;
  r.threads = threads;
  r.shape_set = "net";
  r.layer_count = layers;
  r.status = status;
  Timing t;
  t.samples_s = {median};
  t.stats = summarize(t.samples_s);
  r.timing = t;
  return r;
}

TEST(NetworkTotals, VariantReplacesTheShape) {
  EXPECT_EQ(network_variant(parse_problem("fwd_training/f32/nhwc/n32c64h56w56")),
            "fwd_training/f32/nhwc/*");
  EXPECT_EQ(network_variant(parse_problem("bwd/f32/nchw/n2c3h4w5/noaffine")),
            "bwd/f32/nchw/*/noaffine");
}

TEST(NetworkTotals, SumsCompleteGroupsOnly) {
  NetworkTotals totals;
  totals.expect_set("net", 2);
  totals.add(timed("fwd_training/f32/nhwc/n32c64h56w56", "a", 6, 1e-3));
  totals.add(timed("fwd_training/f32/nhwc/n32c256h14w14", "a", 11, 2e-4));
  totals.add(timed("fwd_training/f32/nhwc/n32c256h14w14", "a", 11, 9.0));    // listed twice: once
  totals.add(timed("fwd_training/f32/nhwc/n32c64h56w56", "b", 6, 2e-3));     // b lacks a shape
  totals.add(timed("fwd_training/f32/nhwc/n32c64h56w56", "a", 6, 5e-3, 1));  // other threads
  CaseRecord other = timed("bwd/f32/nhwc/n2c3", "a", 1, 1);
  other.shape_set = "unknown_set";
  totals.add(other);
  CaseRecord untimed = timed("fwd_training/f32/nhwc/n32c64h56w56", "c", 6, 1);
  untimed.timing.reset();
  totals.add(untimed);
  auto out = totals.totals();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].backend, "a");
  EXPECT_EQ(out[0].variant, "fwd_training/f32/nhwc/*");
  EXPECT_EQ(out[0].direction, "fwd_training");
  EXPECT_EQ(out[0].threads, 2);
  EXPECT_EQ(out[0].shapes, 2);
  EXPECT_EQ(out[0].layers, 17);
  EXPECT_NEAR(out[0].seconds, 6 * 1e-3 + 11 * 2e-4, 1e-12);
  EXPECT_TRUE(out[0].all_passed);
  EXPECT_EQ(to_json(out[0])["layers"], 17);
}

TEST(NetworkTotals, FailedCaseMarksTheTotal) {
  NetworkTotals totals;
  totals.expect_set("net", 1);
  totals.add(timed("bwd/f32/nchw/n2c3h4w5", "a", 3, 1e-3, 2, Verdict::failed));
  auto out = totals.totals();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].all_passed);
  EXPECT_NE(format_network_total(out[0]).find("not all PASSED"), std::string::npos);
}

}  // namespace
}  // namespace bnbench
