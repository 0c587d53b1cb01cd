// Config: a JSON sweep file expanded into the list of cases to run.
//
// Invariant: every error names the file and the JSON path of the offending value (e.g.
// `configs/x.json: /groups/1/layouts/0: unknown layout 'nwhc' (nchw, nhwc, nchw16c)`) and is
// raised before anything runs; expansion order is deterministic (axes as a Cartesian product in
// the order documented in configs/README.md).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "nearest_name.h"
#include "problem.h"

namespace bnbench {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A named shape with its multiplicity in a network (configs/shapes/<set>.json).
struct ShapeEntry {
  std::string shape;  // n32c256h56w56
  std::string layer;  // layer name(s), informative
  int count = 1;      // how many batch-norm layers of the network have this shape
};
struct ShapeSet {
  std::string name, description;
  std::string source;  // the network (and paper) the shapes were counted from
  std::vector<ShapeEntry> shapes;
};

struct CaseSpec {
  Problem problem;
  int threads = 0;        // 0: the run's default
  std::string shape_set;  // the named set the shape came from, if any
  int layer_count = 1;    // multiplicity in that set's network
};

struct MeasureSettings {
  double warmup_s = 0.05;    // warm-up time per case
  int repetitions = 10;      // samples kept
  double min_time_s = 0.02;  // minimum time per sample; inner iterations sized to reach it
  bool interleave = false;   // a case's backends sampled in turns (interleave.h)
};

struct Config {
  std::string path;
  std::string name;
  std::string description;
  uint64_t seed = 1;
  std::vector<std::string> backends;  // empty: every registered backend
  std::vector<CaseSpec> cases;
  MeasureSettings measure;
  nlohmann::json raw;  // the file as read, recorded in results
};

// Loads configs/shapes/<name>.json relative to the config's directory (shapes_dir).
ShapeSet load_shape_set(const std::string& shapes_dir, const std::string& name);
// The names of the shape sets in shapes_dir (file stems of *.json), sorted; empty if none.
std::vector<std::string> list_shape_sets(const std::string& shapes_dir);

// Throws ConfigError.
Config load_config(const std::string& path);
Config parse_config(const nlohmann::json& j, const std::string& source,
                    const std::string& shapes_dir);

}  // namespace bnbench
