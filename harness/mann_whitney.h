// Mann-Whitney U: whether two sets of timing samples come from the same distribution, without
// assuming they are normal (timings are skewed: a few slow samples, never a fast outlier).
//
// Invariant: two-sided, normal approximation with the tie correction of the variance and a
// continuity correction of 0.5, as scipy.stats.mannwhitneyu(method="asymptotic") computes it; the
// p-value is 1 when every sample ties (nothing tells the sets apart) and is never below 0 or
// above 1. Meant for at least 9 samples per side (kMinSamplesForU), where the approximation holds.
#pragma once

#include <vector>

namespace bnbench {

constexpr int kMinSamplesForU = 9;

struct UTest {
  double u = 0;  // U of the first set: pairs (a_i, b_j) with a_i > b_j, ties counting 1/2
  double z = 0;  // standardized |U - mean|, continuity-corrected
  double p = 1;  // two-sided
};

UTest mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace bnbench
