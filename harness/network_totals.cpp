// Network totals: grouping timed cases of a shape set and summing median x layer count.
//
// Invariant: a shape counts once per group even if a config lists it twice.
#include "network_totals.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "config.h"
#include "record.h"
#include "report_console.h"

namespace bnbench {

std::string network_variant(const Problem& p) {
  const std::string id = to_string(p);
  const std::string shape = shape_string(p);
  std::string segment = "/";
  segment += shape;
  const auto pos = id.find(segment);
  if (pos == std::string::npos) return id;
  std::string variant = id.substr(0, pos + 1);
  variant += '*';
  variant += id.substr(pos + segment.size());
  return variant;
}

void NetworkTotals::expect_set(const std::string& name, int shape_count) {
  expected_[name] = shape_count;
}

void NetworkTotals::add(const CaseRecord& r) {
  if (r.shape_set.empty() || !expected_.count(r.shape_set)) return;
  if (!r.timing || r.timing->stats.median <= 0) return;
  const std::string variant = network_variant(r.problem);
  Sum& sum = sums_[Key{r.shape_set, variant, r.threads, r.backend}];
  if (!sum.shapes.insert(shape_string(r.problem)).second) return;
  NetworkTotal& t = sum.total;
  t.shape_set = r.shape_set;
  t.backend = r.backend;
  t.variant = variant;
  t.direction = to_string(r.problem.direction);
  t.threads = r.threads;
  t.shapes += 1;
  t.layers += r.layer_count;
  t.seconds += r.timing->stats.median * r.layer_count;
  t.all_passed = t.all_passed && (r.status == Verdict::passed || r.status == Verdict::warn);
}

std::vector<NetworkTotal> NetworkTotals::totals() const {
  std::vector<NetworkTotal> out;
  for (const auto& [key, sum] : sums_)
    if (sum.total.shapes == expected_.at(sum.total.shape_set)) out.push_back(sum.total);
  std::stable_sort(out.begin(), out.end(), [](const NetworkTotal& a, const NetworkTotal& b) {
    return std::tie(a.shape_set, a.variant, a.threads, a.seconds) <
           std::tie(b.shape_set, b.variant, b.threads, b.seconds);
  });
  return out;
}

NetworkTotals network_totals_for(const Config& config) {
  NetworkTotals totals;
  const auto shapes_dir = std::filesystem::path(config.path).parent_path() / "shapes";
  std::set<std::string> names;
  for (const auto& spec : config.cases)
    if (!spec.shape_set.empty()) names.insert(spec.shape_set);
  for (const auto& name : names) {
    try {
      totals.expect_set(name,
                        static_cast<int>(load_shape_set(shapes_dir.string(), name).shapes.size()));
    } catch (const ConfigError&) {
    }
  }
  return totals;
}

nlohmann::json to_json(const NetworkTotal& t) {
  return {{"shape_set", t.shape_set}, {"backend", t.backend}, {"variant", t.variant},
          {"direction", t.direction}, {"threads", t.threads}, {"shapes", t.shapes},
          {"layers", t.layers},       {"seconds", t.seconds}, {"all_passed", t.all_passed}};
}

std::string format_network_total(const NetworkTotal& t) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-12s %-28s t%-2d %-16s %10s  (%d layers, %d shapes)%s",
                t.shape_set.c_str(), t.variant.c_str(), t.threads, t.backend.c_str(),
                format_seconds(t.seconds).c_str(), t.layers, t.shapes,
                t.all_passed ? "" : "  [not all PASSED]");
  return buf;
}

}  // namespace bnbench
