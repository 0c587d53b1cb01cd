// Roofline: the byte model of perf-anchors.md and the % of ideal arithmetic.
//
// Invariant: forward moves 2 elements per logical element, backward 3; the ideal is copy_nt for
// forward and triad_nt for backward; a working set within the LLC is flagged cache-resident.
#include <gtest/gtest.h>

#include "record.h"
#include "roofline.h"

namespace bnbench {
namespace {

ProbeSet probe(double copy_nt, double triad_nt) {
  ProbeSet p;
  p.kernels = {{"copy_nt", 8, copy_nt, 0, 0}, {"triad_nt", 12, triad_nt, 0, 0}};
  return p;
}

TEST(Roofline, ByteModel) {
  Problem f = parse_problem("fwd_training/f32/nchw/n32c256h56w56");
  EXPECT_DOUBLE_EQ(minimal_bytes(f), 8.0 * 32 * 256 * 56 * 56);
  EXPECT_DOUBLE_EQ(minimal_bytes(parse_problem("fwd_inference/f64/nhwc/n2c3h4w5")), 16.0 * 120);
  EXPECT_DOUBLE_EQ(minimal_bytes(parse_problem("bwd/f32/nhwc/n2c3h4w5")), 12.0 * 120);
  EXPECT_DOUBLE_EQ(minimal_bytes(parse_problem("bwd_data/f32/nchw16c/n2c3h4w5")), 12.0 * 120);
  EXPECT_EQ(ideal_kernel_for(f), "copy_nt");
  EXPECT_EQ(ideal_kernel_for(parse_problem("fwd_inference/f32/nchw/n2c3")), "copy_nt");
  EXPECT_EQ(ideal_kernel_for(parse_problem("bwd_data/f32/nchw/n2c3")), "triad_nt");
}

TEST(Roofline, PercentOfIdeal) {
  Problem f = parse_problem("fwd_training/f32/nchw/n32c256h56w56");
  const double bytes = minimal_bytes(f);
  Roofline r = roofline_for(f, bytes, bytes / 20e9, probe(40, 30), 32 << 20);
  EXPECT_NEAR(r.gbps, 20, 1e-9);
  EXPECT_EQ(r.ideal_kernel, "copy_nt");
  EXPECT_DOUBLE_EQ(r.ideal_gbps, 40);
  EXPECT_NEAR(r.percent_of_ideal, 50, 1e-9);
  EXPECT_FALSE(r.cache_resident);  // 2 x 103 MB
  Problem b = parse_problem("bwd/f32/nchw/n32c256h56w56");
  Roofline rb = roofline_for(b, minimal_bytes(b), minimal_bytes(b) / 15e9, probe(40, 30), 32 << 20);
  EXPECT_NEAR(rb.percent_of_ideal, 50, 1e-9);
  Roofline none = roofline_for(b, minimal_bytes(b), 1, ProbeSet{}, 0);
  EXPECT_EQ(none.percent_of_ideal, 0);
}

TEST(Roofline, InterleavedIdealReplacesTheStartProbe) {
  Problem f = parse_problem("fwd_inference/f32/nhwc/n32c256h56w56");
  const double bytes = minimal_bytes(f);
  Roofline r = roofline_for(f, bytes, bytes / 20e9, probe(40, 30), 32 << 20);
  EXPECT_EQ(r.ideal_source, "start_probe");
  use_interleaved_ideal(r, 25);
  EXPECT_EQ(r.ideal_source, "interleaved_probe");
  EXPECT_DOUBLE_EQ(r.ideal_gbps, 25);
  EXPECT_NEAR(r.percent_of_ideal, 80, 1e-9);
  nlohmann::json j;
  add_to_json(r, j);
  EXPECT_EQ(roofline_from_json(j)->ideal_source, "interleaved_probe");
}

TEST(Roofline, CacheResidentWorkingSet) {
  Problem small = parse_problem("fwd_training/f32/nchw/n32c2048h7w7");  // 12.8 MB per tensor
  Roofline r = roofline_for(small, minimal_bytes(small), 1e-3, probe(40, 30), 32 << 20);
  EXPECT_TRUE(r.cache_resident);
  EXPECT_GE(r.working_set_bytes, 2.0 * 32 * 2048 * 49 * 4);
  Problem inplace = parse_problem("fwd_training/f32/nchw/n32c2048h7w7/inplace");
  EXPECT_NEAR(working_set_bytes(small) - working_set_bytes(inplace), 32.0 * 2048 * 49 * 4, 1);
  nlohmann::json j;
  add_to_json(r, j);
  auto back = roofline_from_json(j);
  ASSERT_TRUE(back.has_value());
  nlohmann::json again;
  add_to_json(*back, again);
  EXPECT_EQ(j, again);
  EXPECT_FALSE(roofline_from_json(nlohmann::json::object()).has_value());
}

}  // namespace
}  // namespace bnbench
