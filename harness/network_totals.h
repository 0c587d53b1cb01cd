// Network totals: the time of one pass over every batch-norm layer of a network, per backend.
//
// Invariant: a total is the sum over the shapes of a named set (configs/shapes/<set>.json) of
// median x layer count, reported only when every shape of the set was timed for that backend,
// variant (direction, dtype, layout and flags: the case id with its shape as '*') and thread count;
// a partial sum would understate the network and is never shown.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace bnbench {

struct CaseRecord;
struct Config;
struct Problem;

struct NetworkTotal {
  std::string shape_set, backend, variant;  // variant: fwd_training/f32/nhwc/*
  std::string direction;
  int threads = 1;
  int shapes = 0;  // distinct shapes summed (= the set's)
  int layers = 0;  // batch-norm layers of the network (sum of counts)
  double seconds = 0;
  bool all_passed = true;  // every summed case PASSED or WARN
};

// The case id with the shape segment replaced by '*'.
std::string network_variant(const Problem& p);

class NetworkTotals {
 public:
  // Declares that set `name` has `shape_count` distinct shapes.
  void expect_set(const std::string& name, int shape_count);
  // Counts a timed case of a declared set; other records are ignored.
  void add(const CaseRecord& r);
  // The complete groups, ordered by set, variant, threads, then time.
  std::vector<NetworkTotal> totals() const;

 private:
  using Key =
      std::tuple<std::string, std::string, int, std::string>;  // set, variant, threads, backend
  struct Sum {
    NetworkTotal total;
    std::set<std::string> shapes;
  };
  std::map<std::string, int> expected_;
  std::map<Key, Sum> sums_;
};

// NetworkTotals expecting every shape set the config's cases come from (read from the
// configs/shapes folder beside the config; a set that cannot be read gets no total).
NetworkTotals network_totals_for(const Config& config);

nlohmann::json to_json(const NetworkTotal& t);
std::string format_network_total(const NetworkTotal& t);  // one console line

}  // namespace bnbench
