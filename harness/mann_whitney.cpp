// Mann-Whitney U: ranks with ties averaged, U from the rank sum, the normal approximation.
//
// Invariant: the variance is n1 n2 / 12 * ((n + 1) - sum(t^3 - t) / (n (n - 1))) over the tie
// groups t of the pooled samples, so heavily tied (quantized) timings are not over-confident.
#include "mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace bnbench {

UTest mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b) {
  UTest t;
  const double n1 = static_cast<double>(a.size()), n2 = static_cast<double>(b.size());
  if (a.empty() || b.empty()) return t;
  std::vector<std::pair<double, int>> pooled;  // value, 0 for a and 1 for b
  for (double v : a) pooled.push_back({v, 0});
  for (double v : b) pooled.push_back({v, 1});
  std::sort(pooled.begin(), pooled.end());
  const double n = n1 + n2;
  double rank_sum_a = 0, tie_term = 0;
  for (size_t i = 0; i < pooled.size();) {
    size_t j = i;
    while (j < pooled.size() && pooled[j].first == pooled[i].first) ++j;
    const double group = static_cast<double>(j - i);
    const double mean_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (size_t k = i; k < j; ++k)
      if (pooled[k].second == 0) rank_sum_a += mean_rank;
    tie_term += group * group * group - group;
    i = j;
  }
  t.u = rank_sum_a - n1 * (n1 + 1) / 2;
  const double mean = n1 * n2 / 2;
  const double variance = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)));
  if (!(variance > 0)) return t;
  t.z = std::max(0.0, std::abs(t.u - mean) - 0.5) / std::sqrt(variance);
  t.p = std::min(1.0, std::erfc(t.z / std::sqrt(2.0)));
  return t;
}

}  // namespace bnbench
