// Tests for config: expansion counts and order, groups, shape sets (with the network layer counts
// they claim), the "<file>: <JSON pointer>: <what>" form of every error, de-duplication, and that
// every shipped config loads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config.h"

namespace bnbench {
namespace {

using nlohmann::json;
using namespace nlohmann::literals;
namespace fs = std::filesystem;

const std::string kSourceDir = BNBENCH_SOURCE_DIR;
const std::string kShapesDir = kSourceDir + "/configs/shapes";

Config parse(const json& j) { return parse_config(j, "x.json", kShapesDir); }

std::vector<std::string> ids(const Config& c) {
  std::vector<std::string> out;
  for (const auto& spec : c.cases) out.push_back(to_string(spec.problem));
  return out;
}

// The ConfigError message for j ("" if it parses).
std::string error_of(const json& j) {
  try {
    parse(j);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// Expects an error that starts with "x.json: <path>: " and contains every fragment.
void expect_error(const json& j, const std::string& path,
                  const std::vector<std::string>& fragments) {
  std::string message = error_of(j);
  ASSERT_FALSE(message.empty()) << "no error for " << j.dump();
  EXPECT_EQ(message.rfind("x.json: " + path + ": ", 0), 0u) << message;
  for (const auto& fragment : fragments)
    EXPECT_NE(message.find(fragment), std::string::npos) << message << "\nlacks: " << fragment;
}

// A file in a fresh temporary directory (with an empty shapes/ next to it).
std::string write_temp(const std::string& name, const std::string& text) {
  fs::path dir = fs::temp_directory_path() / ("bnbench_test_config_" + std::to_string(::getpid()));
  fs::create_directories(dir / "shapes");
  std::ofstream(dir / name) << text;
  return (dir / name).string();
}

TEST(Config, ProductCountAndOrder) {
  Config c = parse(R"({"shapes": ["n2c3h4w5", "n4c8"], "directions": ["fwd_training", "bwd"],
                       "layouts": ["nchw", "nhwc"], "dtypes": ["f32", "f64"]})"_json);
  ASSERT_EQ(c.cases.size(), 16u);
  auto v = ids(c);
  EXPECT_EQ(v[0], "fwd_training/f32/nchw/n2c3h4w5");
  EXPECT_EQ(v[1], "fwd_training/f64/nchw/n2c3h4w5");  // dtypes inside layouts
  EXPECT_EQ(v[2], "fwd_training/f32/nhwc/n2c3h4w5");
  EXPECT_EQ(v[4], "fwd_training/f32/nchw/n4c8");  // layouts inside shapes
  EXPECT_EQ(v[8], "bwd/f32/nchw/n2c3h4w5");       // directions outermost
  EXPECT_EQ(c.cases[0].threads, 0);
  EXPECT_EQ(c.cases[0].shape_set, "");
  EXPECT_EQ(c.cases[0].layer_count, 1);
  EXPECT_EQ(c.name, "x");
  EXPECT_EQ(c.measure.repetitions, MeasureSettings{}.repetitions);
}

TEST(Config, InnerAxesAndThreadsInnermost) {
  Config c = parse(R"({"shapes": ["n2c3"], "modes": ["spatial", "per_activation"], "eps": [0.001],
                       "momentum": [0.5], "affine": [false], "fills": ["normal"],
                       "threads": [1, 2]})"_json);
  ASSERT_EQ(c.cases.size(), 4u);
  EXPECT_EQ(to_string(c.cases[0].problem),
            "fwd_training/f32/nchw/n2c3/eps=0.001/momentum=0.5/noaffine");
  EXPECT_EQ(c.cases[0].threads, 1);
  EXPECT_EQ(c.cases[1].threads, 2);
  EXPECT_EQ(c.cases[2].problem.mode, Mode::per_activation);
}

TEST(Config, TopLevelFields) {
  Config c = parse(R"({"name": "n", "description": "d", "seed": 7, "backends": ["naive", "eigen"],
                       "shapes": ["n2c3"],
                       "measure": {"warmup_s": 0, "repetitions": 3, "min_time_s": 0.5,
                                   "interleave": true}})"_json);
  EXPECT_EQ(c.name, "n");
  EXPECT_EQ(c.description, "d");
  EXPECT_EQ(c.seed, 7u);
  EXPECT_EQ(c.backends, (std::vector<std::string>{"naive", "eigen"}));
  EXPECT_EQ(c.measure.warmup_s, 0.0);
  EXPECT_EQ(c.measure.repetitions, 3);
  EXPECT_EQ(c.measure.min_time_s, 0.5);
  EXPECT_TRUE(c.measure.interleave);
  EXPECT_EQ(c.raw["seed"], 7);
}

TEST(Config, FlagCombinationsAreSkipped) {
  Config c = parse(R"({"shapes": ["n2c3h4w5"],
                       "directions": ["fwd_training", "fwd_inference", "bwd", "bwd_data"],
                       "running_stats": [true, false], "global_stats": [false, true]})"_json);
  // fwd_training: 2 (no global), fwd_inference: 1 (stats, no global), bwd and bwd_data: 3 each.
  EXPECT_EQ(c.cases.size(), 9u);
  for (const auto& spec : c.cases) EXPECT_EQ(validate(spec.problem), "");
}

TEST(Config, PerActivationWithOneSampleSkipsTraining) {
  Config c = parse(R"({"shapes": ["n1c3h4w5"], "modes": ["spatial", "per_activation"]})"_json);
  ASSERT_EQ(c.cases.size(), 1u);
  EXPECT_EQ(c.cases[0].problem.mode, Mode::spatial);
}

TEST(Config, GroupsInheritOverrideAndKeepOrder) {
  // Every axis is inherited, shapes included: the third group expands n2c3 before its cases.
  Config c = parse(R"({"layouts": ["nhwc"], "shapes": ["n2c3"],
                       "groups": [{"directions": ["bwd"]},
                                  {"shapes": ["n4c5l6"], "layouts": ["nchw", "nhwc"], "threads": [3]},
                                  {"description": "d", "cases": ["bwd_data/f64/nchw/n2c2"]}],
                       "cases": ["fwd_inference/f32/nchw/n9c9"]})"_json);
  EXPECT_EQ(ids(c),
            (std::vector<std::string>{"bwd/f32/nhwc/n2c3", "fwd_training/f32/nchw/n4c5l6",
                                      "fwd_training/f32/nhwc/n4c5l6", "fwd_training/f32/nhwc/n2c3",
                                      "bwd_data/f64/nchw/n2c2", "fwd_inference/f32/nchw/n9c9"}));
  EXPECT_EQ(c.cases[1].threads, 3);
  EXPECT_EQ(c.cases[4].threads, 0);
}

TEST(Config, ExplicitCasesCrossThreads) {
  Config c = parse(R"({"threads": [1, 2], "cases": ["bwd/f32/nhwc/n2c3h5w5/noaffine"]})"_json);
  ASSERT_EQ(c.cases.size(), 2u);
  EXPECT_EQ(to_string(c.cases[1].problem), "bwd/f32/nhwc/n2c3h5w5/noaffine");
  EXPECT_EQ(c.cases[1].threads, 2);
}

TEST(Config, DuplicatesRemovedFirstKept) {
  Config c = parse(R"({"groups": [{"shapes": ["n2c3", {"set": "small", "only": ["n4c3"]}]},
                                  {"shapes": ["n4c3", "n2c3", "n4c5"]},
                                  {"shapes": ["n2c3"], "threads": [1]}],
                       "cases": ["fwd_training/f32/nchw/n2c3"]})"_json);
  EXPECT_EQ(ids(c),
            (std::vector<std::string>{"fwd_training/f32/nchw/n2c3", "fwd_training/f32/nchw/n4c3",
                                      "fwd_training/f32/nchw/n4c5", "fwd_training/f32/nchw/n2c3"}));
  EXPECT_EQ(c.cases[1].shape_set, "small");  // the first occurrence, from the set
  EXPECT_EQ(c.cases[3].threads, 1);          // same problem, other thread count: kept
}

int total_layers(const ShapeSet& s) {
  int total = 0;
  for (const auto& e : s.shapes) total += e.count;
  return total;
}

TEST(Config, ShapeSetsLoadWithNetworkLayerCounts) {
  ShapeSet resnet = load_shape_set(kShapesDir, "resnet50");
  EXPECT_EQ(total_layers(resnet), 53);
  EXPECT_EQ(resnet.shapes.size(), 12u);
  EXPECT_EQ(resnet.shapes[0].shape, "n32c64h112w112");
  EXPECT_FALSE(resnet.source.empty());
  EXPECT_EQ(total_layers(load_shape_set(kShapesDir, "mobilenet_v2")), 52);
  EXPECT_EQ(total_layers(load_shape_set(kShapesDir, "densenet121")), 121);
  EXPECT_EQ(total_layers(load_shape_set(kShapesDir, "unet3d")), 14);
  for (const auto& name : list_shape_sets(kShapesDir))
    EXPECT_NO_THROW(load_shape_set(kShapesDir, name)) << name;
}

TEST(Config, ShapeSetExpandsWithMultiplicity) {
  Config c = parse(R"({"shapes": [{"set": "resnet50"}]})"_json);
  ASSERT_EQ(c.cases.size(), 12u);
  int total = 0;
  for (const auto& spec : c.cases) {
    EXPECT_EQ(spec.shape_set, "resnet50");
    total += spec.layer_count;
  }
  EXPECT_EQ(total, 53);
  Config only = parse(
      R"({"shapes": [{"set": "resnet50", "only": ["n32c2048h7w7", "n32c64h112w112"]}]})"_json);
  ASSERT_EQ(only.cases.size(), 2u);
  EXPECT_EQ(shape_string(only.cases[0].problem), "n32c2048h7w7");
  EXPECT_EQ(only.cases[0].layer_count, 4);
}

TEST(Config, ErrorExampleFromTheHeader) {
  EXPECT_EQ(error_of(R"({"shapes": ["n2c3"], "groups": [{}, {"layouts": ["nwhc"]}]})"_json),
            "x.json: /groups/1/layouts/0: unknown layout 'nwhc' (nchw, nhwc, nchw16c)");
}

TEST(Config, ValueErrors) {
  auto with = [](const std::string& member) {
    return json::parse(R"({"shapes": ["n2c3"], )" + member + "}");
  };
  expect_error(with(R"("layout": ["nchw"])"), "/layout",
               {"unknown key 'layout'", "did you mean 'layouts'?"});
  expect_error(R"({"shapes": ["n2c3"], "groups": [{"drections": ["bwd"]}]})"_json,
               "/groups/0/drections", {"did you mean 'directions'?"});
  expect_error(with(R"("layouts": "nchw")"), "/layouts", {"expected a list"});
  expect_error(with(R"("layouts": [])"), "/layouts", {"axis 'layouts' is empty"});
  expect_error(with(R"("directions": ["fwd"])"), "/directions/0", {"unknown direction 'fwd'"});
  expect_error(with(R"("modes": [1])"), "/modes/0", {"expected a string"});
  expect_error(with(R"("dtypes": ["f16"])"), "/dtypes/0", {"unknown dtype 'f16'", "f32, f64"});
  expect_error(with(R"("affine": ["yes"])"), "/affine/0", {"expected true or false"});
  expect_error(with(R"("fills": ["normal", "no_such_fill"])"), "/fills/1",
               {"unknown fill 'no_such_fill'", "normal"});
  expect_error(with(R"("eps": [-1e-5])"), "/eps/0", {">= 0"});
  json nan_eps = with(R"("eps": [0])");
  nan_eps["eps"][0] = std::nan("");
  expect_error(nan_eps, "/eps/0", {"finite"});
  expect_error(with(R"("momentum": [0.5, 1.5])"), "/momentum/1", {"[0, 1]"});
  expect_error(with(R"("threads": [0])"), "/threads/0", {"in [1,"});
  expect_error(with(R"("threads": [1.5])"), "/threads/0", {"expected an integer"});
  expect_error(with(R"("measure": {"repetitions": 0})"), "/measure/repetitions", {"[1,"});
  expect_error(with(R"("measure": {"min_time": 1})"), "/measure/min_time",
               {"did you mean 'min_time_s'?"});
  expect_error(with(R"("measure": {"warmup_s": -1})"), "/measure/warmup_s", {"in [0, 3600]"});
  expect_error(with(R"("measure": [])"), "/measure", {"expected an object"});
  expect_error(with(R"("measure": {"interleave": 1})"), "/measure/interleave", {"true or false"});
  expect_error(with(R"("seed": -3)"), "/seed", {"integer >= 0"});
  expect_error(with(R"("backends": "naive")"), "/backends", {"expected a list"});
  expect_error(with(R"("backends": ["naive", "naive"])"), "/backends/1", {"listed twice"});
  expect_error(with(R"("groups": [])"), "/groups", {"no groups"});
  expect_error(with(R"("groups": [[]])"), "/groups/0", {"expected an object"});
  expect_error(R"([])"_json, "/", {"expected an object"});
}

TEST(Config, ShapeErrors) {
  expect_error(R"({"shapes": ["n2c3", "n2c0h4w4"]})"_json, "/shapes/1", {"C must be positive"});
  expect_error(R"({"shapes": ["n2x3"]})"_json, "/shapes/0", {"n2x3"});
  expect_error(R"({"shapes": ["n1c3"]})"_json, "/shapes/0", {"n1c3", "M = 1", "fwd_training"});
  expect_error(R"({"shapes": ["n1c3h1w1"], "groups": [{"directions": ["bwd"]}, {}]})"_json,
               "/shapes/0", {"used by /groups/1"});
  expect_error(R"({"shapes": [{"set": "resnet"}]})"_json, "/shapes/0/set",
               {"unknown shape set 'resnet'", "resnet50", "small"});
  expect_error(R"({"shapes": [{"set": "../x"}]})"_json, "/shapes/0/set", {"unknown shape set"});
  expect_error(R"({"shapes": [{"set": "small", "only": ["n2c3"]}]})"_json, "/shapes/0/only/0",
               {"not in set 'small'", "n4c3"});
  expect_error(R"({"shapes": [{"sets": "small"}]})"_json, "/shapes/0/sets",
               {"did you mean 'set'?"});
  expect_error(R"({"shapes": [{"only": ["n4c3"]}]})"_json, "/shapes/0", {"missing key 'set'"});
  expect_error(R"({"shapes": [3]})"_json, "/shapes/0", {"expected a shape string"});
}

TEST(Config, CaseAndGroupErrors) {
  expect_error(R"({"cases": ["fwd_training/f32/nchw/n2c3", "fwd/f32/nchw/n2c3"]})"_json, "/cases/1",
               {"unknown direction 'fwd'"});
  expect_error(R"({"cases": ["fwd_inference/f32/nchw/n2c3/nostats"]})"_json, "/cases/0",
               {"running statistics"});
  expect_error(R"({"cases": ["bwd/f32/nchw/n2c3/fill=nope"]})"_json, "/cases/0",
               {"unknown fill 'nope'"});
  expect_error(R"({"shapes": ["n2c3"], "groups": [{"directions": ["fwd_inference"],
                                                   "running_stats": [false]}]})"_json,
               "/groups/0", {"every combination", "nostats"});
  expect_error(R"({"groups": [{"directions": ["bwd"]}]})"_json, "/groups/0", {"no 'shapes'"});
  expect_error(R"({"directions": ["bwd"]})"_json, "/", {"nothing to run"});
}

TEST(Config, MalformedJsonGivesLineAndColumn) {
  std::string path = write_temp("bad.json", "{\n  \"shapes\": [\"n2c3\",\n    ]\n}\n");
  try {
    load_config(path);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    std::string message = e.what();
    EXPECT_EQ(message.rfind(path + ": line 3, column 5: malformed JSON", 0), 0u) << message;
  }
  std::string missing = path + ".absent";
  EXPECT_THROW(load_config(missing), ConfigError);
}

TEST(Config, LoadConfigUsesShapesNextToTheFile) {
  std::string path = write_temp("uses_set.json", R"({"shapes": [{"set": "resnet50"}]})");
  try {
    load_config(path);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": /shapes/0/set: unknown shape set 'resnet50'"),
              std::string::npos)
        << e.what();
  }
}

TEST(Config, ShapeSetFileErrorsNameTheSetFile) {
  std::string config = write_temp("uses_bad.json", R"({"shapes": [{"set": "bad"}]})");
  std::string set_file = (fs::path(config).parent_path() / "shapes" / "bad.json").string();
  auto error_for = [&](const std::string& set_text) {
    std::ofstream(set_file) << set_text;
    try {
      load_config(config);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error_for(R"({"name": "good", "shapes": [{"shape": "n2c3"}]})"),
            set_file + ": /name: name 'good' differs from the file name 'bad'");
  EXPECT_EQ(error_for(R"({"name": "bad", "shapes": [{"shape": "n2c3", "count": 0}]})"),
            set_file + ": /shapes/0/count: must be an integer >= 1 (got 0)");
  EXPECT_NE(error_for(R"({"name": "bad", "shapes": [{"shape": "n2c3"}, {"shape": "n2c3"}]})")
                .find(set_file + ": /shapes/1/shape: shape n2c3 is already listed at /shapes/0"),
            std::string::npos);
  EXPECT_NE(error_for(R"({"name": "bad", "shapes": [{"shape": "n2c3", "layers": "x"}]})")
                .find("did you mean 'layer'?"),
            std::string::npos);
  EXPECT_EQ(error_for(R"({"name": "bad", "shapes": [{"shape": "n2c3", "count": 2}]})"), "");
}

TEST(Config, ShippedConfigsLoad) {
  int loaded = 0;
  for (const auto& entry : fs::directory_iterator(kSourceDir + "/configs")) {
    std::string file = entry.path().filename().string();
    bool expectations = file.ends_with(".expect.json");  // verdicts for the CLI, not a config
    if (entry.path().extension() != ".json" || expectations) continue;
    SCOPED_TRACE(entry.path().string());
    Config c = load_config(entry.path().string());
    EXPECT_FALSE(c.cases.empty());
    EXPECT_FALSE(c.description.empty());
    ++loaded;
  }
  EXPECT_GE(loaded, 2);
  Config def = load_config(kSourceDir + "/configs/default.json");
  EXPECT_EQ(def.cases.size(), 12u * 3 * 2);
  EXPECT_TRUE(def.backends.empty());
}

}  // namespace
}  // namespace bnbench
