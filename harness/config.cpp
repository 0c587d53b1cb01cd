// Config: reads a JSON sweep file and its shape sets and expands them into the ordered,
// de-duplicated list of cases (the format is documented in configs/README.md).
//
// Invariant: every value is checked where it is written, and every error reads
// "<file>: <JSON pointer>: <what is wrong>" before anything runs. Expansion is a fixed Cartesian
// product (directions outermost, threads innermost); a combination that validate() rejects only
// because of how flags combine is skipped, but a shape, number or name that is wrong by itself is
// an error, and so is a group in which nothing survives.
#include "config.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "fill.h"

namespace bnbench {

namespace {
using nlohmann::json;

const std::vector<std::string> kAxisKeys = {
    "directions", "modes",         "dtypes",       "layouts", "shapes", "eps",    "momentum",
    "affine",     "running_stats", "global_stats", "inplace", "fills",  "threads"};
const std::vector<std::string> kMeasureKeys = {"warmup_s", "repetitions", "min_time_s",
                                               "interleave"};
const std::vector<std::string> kSetItemKeys = {"set", "only"};
const std::vector<std::string> kShapeSetKeys = {"name", "description", "source", "shapes"};
const std::vector<std::string> kShapeEntryKeys = {"shape", "layer", "count"};
const int kMaxThreads = 65536;
// Axis combinations one group may expand to: beyond it a small file (an axis pasted many times)
// would exhaust memory and time before anything runs.
const size_t kMaxCombinations = 1000000;

std::vector<std::string> with_keys(std::vector<std::string> keys,
                                   const std::vector<std::string>& more) {
  keys.insert(keys.end(), more.begin(), more.end());
  return keys;
}
const std::vector<std::string> kTopKeys =
    with_keys({"name", "description", "seed", "backends", "measure", "cases", "groups"}, kAxisKeys);
const std::vector<std::string> kGroupKeys = with_keys({"description", "cases"}, kAxisKeys);

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& item : items) s += (s.empty() ? "" : ", ") + item;
  return s;
}

// JSON pointer (RFC 6901) of a member or element below path.
std::string child(const std::string& path, const std::string& key) {
  std::string escaped;
  for (char ch : key) escaped += ch == '~' ? "~0" : ch == '/' ? "~1" : std::string(1, ch);
  return path + "/" + escaped;
}
std::string child(const std::string& path, size_t index) {
  return path + "/" + std::to_string(index);
}

// A scalar as written, a container by its type: "expected a list (got \"nchw\")".
std::string describe(const json& j) { return j.is_primitive() ? j.dump() : j.type_name(); }

// The file errors are reported against.
class Source {
 public:
  explicit Source(std::string file) : file_(std::move(file)) {}
  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw ConfigError(file_ + ": " + (path.empty() ? "/" : path) + ": " + what);
  }
  void check_object(const json& j, const std::string& path) const {
    if (!j.is_object()) fail(path, "expected an object (got " + describe(j) + ")");
  }
  void check_keys(const json& j, const std::string& path,
                  const std::vector<std::string>& allowed) const {
    for (const auto& [key, value] : j.items())
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        fail(child(path, key),
             "unknown key '" + key + "' (did you mean '" + nearest_name(key, allowed) + "'?)");
  }
  std::string string_at(const json& j, const std::string& path) const {
    if (!j.is_string()) fail(path, "expected a string (got " + describe(j) + ")");
    return j.get<std::string>();
  }
  // j as a list; an empty one is an error when empty_error is given.
  const json& list_at(const json& j, const std::string& path,
                      const std::string& empty_error = "") const {
    if (!j.is_array()) fail(path, "expected a list (got " + describe(j) + ")");
    if (j.empty() && !empty_error.empty()) fail(path, empty_error);
    return j;
  }
  bool bool_at(const json& j, const std::string& path) const {
    if (!j.is_boolean()) fail(path, "expected true or false (got " + describe(j) + ")");
    return j.get<bool>();
  }
  double number_at(const json& j, const std::string& path, double lo, double hi,
                   const std::string& range) const {
    if (!j.is_number()) fail(path, "expected a number (got " + describe(j) + ")");
    double v = j.get<double>();
    if (!(v >= lo && v <= hi)) fail(path, "must be " + range + " (got " + format_double(v) + ")");
    return v;
  }
  int64_t integer_at(const json& j, const std::string& path, int64_t lo, int64_t hi,
                     const std::string& range) const {
    if (!j.is_number_integer()) fail(path, "expected an integer (got " + describe(j) + ")");
    bool in_range = j.is_number_unsigned() ? j.get<uint64_t>() <= static_cast<uint64_t>(hi)
                                           : j.get<int64_t>() <= hi;
    if (!in_range || j.get<int64_t>() < lo)
      fail(path, "must be " + range + " (got " + j.dump() + ")");
    return j.get<int64_t>();
  }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

// Line and column (1-based) of the byte nlohmann reports as the last one read.
std::pair<size_t, size_t> line_column(const std::string& text, size_t byte) {
  size_t offset = std::min(byte == 0 ? 0 : byte - 1, text.size());
  size_t line = 1 + std::count(text.begin(), text.begin() + offset, '\n');
  size_t line_start = offset == 0 ? std::string::npos : text.rfind('\n', offset - 1);
  size_t column = line_start == std::string::npos ? offset + 1 : offset - line_start;
  return {line, column};
}

json read_json_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file + ": cannot open file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    size_t at = what.find("parse error");
    size_t colon = at == std::string::npos ? std::string::npos : what.find(": ", at);
    if (colon != std::string::npos) what = what.substr(colon + 2);
    auto [line, column] = line_column(text, e.byte);
    throw ConfigError(file + ": line " + std::to_string(line) + ", column " +
                      std::to_string(column) + ": malformed JSON: " + what);
  } catch (const json::out_of_range& e) {
    // A number beyond a double (1e999): nlohmann names the token but not its position.
    std::string what = e.what();
    size_t open = what.find('\'');
    std::string token =
        open == std::string::npos ? "" : what.substr(open + 1, what.rfind('\'') - open - 1);
    size_t at = token.empty() ? std::string::npos : text.find(token);
    auto [line, column] = line_column(text, at == std::string::npos ? 0 : at + 1);
    throw ConfigError(file + ": line " + std::to_string(line) + ", column " +
                      std::to_string(column) + ": number out of range: " + token);
  }
}

// Parses a shape string and checks it on its own (as a backward problem, which has no
// restriction on M): sizes, rank, overflow. Returns an error message or "".
std::string parse_shape_alone(const std::string& text, Problem& dims) {
  dims = Problem{};
  dims.direction = Direction::bwd;
  try {
    parse_shape(text, dims);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  std::string error = validate(dims);
  return error.empty() ? "" : "shape '" + text + "': " + error;
}

ShapeSet parse_shape_set(const json& j, const Source& src, const std::string& name) {
  src.check_object(j, "");
  src.check_keys(j, "", kShapeSetKeys);
  ShapeSet set;
  if (!j.contains("name")) src.fail("", "missing key 'name'");
  set.name = src.string_at(j["name"], "/name");
  if (set.name != name)
    src.fail("/name", "name '" + set.name + "' differs from the file name '" + name + "'");
  if (j.contains("description")) set.description = src.string_at(j["description"], "/description");
  if (j.contains("source")) set.source = src.string_at(j["source"], "/source");
  if (!j.contains("shapes")) src.fail("", "missing key 'shapes'");
  const json& shapes = src.list_at(j["shapes"], "/shapes", "the set has no shapes");
  std::map<std::string, std::string> seen;  // canonical shape -> path
  for (size_t i = 0; i < shapes.size(); ++i) {
    std::string path = child("/shapes", i);
    src.check_object(shapes[i], path);
    src.check_keys(shapes[i], path, kShapeEntryKeys);
    if (!shapes[i].contains("shape")) src.fail(path, "missing key 'shape'");
    ShapeEntry entry;
    std::string text = src.string_at(shapes[i]["shape"], path + "/shape");
    Problem dims;
    std::string error = parse_shape_alone(text, dims);
    if (!error.empty()) src.fail(path + "/shape", error);
    entry.shape = shape_string(dims);
    if (auto [it, fresh] = seen.emplace(entry.shape, path); !fresh)
      src.fail(path + "/shape", "shape " + entry.shape + " is already listed at " + it->second +
                                    " (list it once and add up the counts)");
    if (shapes[i].contains("layer"))
      entry.layer = src.string_at(shapes[i]["layer"], path + "/layer");
    if (shapes[i].contains("count"))
      entry.count = static_cast<int>(
          src.integer_at(shapes[i]["count"], path + "/count", 1, 1 << 20, "an integer >= 1"));
    set.shapes.push_back(entry);
  }
  return set;
}

// One value of the shapes axis: a shape with where it came from.
struct ShapeChoice {
  Problem dims;
  std::string set;
  int count = 1;
  std::string path;
};
struct ExplicitCase {
  Problem problem;
  std::string path;
};
template <class T>
using Axis = std::optional<std::vector<T>>;

// The axes of one level (top or group), each absent unless written there.
struct Axes {
  Axis<Direction> directions;
  Axis<Mode> modes;
  Axis<DType> dtypes;
  Axis<Layout> layouts;
  Axis<ShapeChoice> shapes;
  Axis<double> eps, momentum;
  Axis<bool> affine, running_stats, global_stats, inplace;
  Axis<std::string> fills;
  Axis<int> threads;
  std::vector<ExplicitCase> cases;  // never inherited
};

template <class T>
std::vector<T> pick(const Axis<T>& own, const Axis<T>& top, const std::vector<T>& fallback) {
  return own ? *own : top ? *top : fallback;
}

std::string unknown_fill(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& f : list_fills()) names.push_back(f.name);
  return "unknown fill '" + name + "' (" + join(names) + ")";
}

class Parser {
 public:
  Parser(const std::string& file, const std::string& shapes_dir)
      : src_(file), shapes_dir_(shapes_dir) {}

  Config parse(const json& j) {
    src_.check_object(j, "");
    src_.check_keys(j, "", kTopKeys);
    Config config;
    config.path = src_.file();
    config.raw = j;
    config.name = std::filesystem::path(src_.file()).stem().string();
    if (j.contains("name")) config.name = src_.string_at(j["name"], "/name");
    if (j.contains("description"))
      config.description = src_.string_at(j["description"], "/description");
    if (j.contains("seed")) {
      const json& seed = j["seed"];
      if (!seed.is_number_unsigned() && !(seed.is_number_integer() && seed.get<int64_t>() >= 0))
        src_.fail("/seed", "expected an integer >= 0 (got " + describe(seed) + ")");
      config.seed = seed.get<uint64_t>();
    }
    if (j.contains("backends")) config.backends = parse_backends(j["backends"]);
    if (j.contains("measure")) config.measure = parse_measure(j["measure"]);
    Axes top = parse_axes(j, "");
    if (j.contains("groups")) {
      const json& groups =
          src_.list_at(j["groups"], "/groups", "no groups (leave the key out instead)");
      for (size_t g = 0; g < groups.size(); ++g) {
        std::string path = child("/groups", g);
        src_.check_object(groups[g], path);
        src_.check_keys(groups[g], path, kGroupKeys);
        if (groups[g].contains("description"))
          src_.string_at(groups[g]["description"], path + "/description");
        expand(parse_axes(groups[g], path), top, path, config.cases);
      }
      expand_explicit(top.cases, pick(top.threads, {}, {0}), config.cases);
    } else {
      expand(top, Axes{}, "", config.cases);
    }
    if (config.cases.empty()) src_.fail("", "the config expands to no cases");
    return config;
  }

 private:
  std::vector<std::string> parse_backends(const json& j) {
    src_.list_at(j, "/backends");
    std::vector<std::string> names;
    for (size_t i = 0; i < j.size(); ++i) {
      std::string name = src_.string_at(j[i], child("/backends", i));
      if (std::find(names.begin(), names.end(), name) != names.end())
        src_.fail(child("/backends", i), "backend '" + name + "' is listed twice");
      names.push_back(name);
    }
    return names;
  }

  MeasureSettings parse_measure(const json& j) {
    src_.check_object(j, "/measure");
    src_.check_keys(j, "/measure", kMeasureKeys);
    MeasureSettings m;
    const double kMaxSeconds = 3600;
    if (j.contains("warmup_s"))
      m.warmup_s =
          src_.number_at(j["warmup_s"], "/measure/warmup_s", 0, kMaxSeconds, "in [0, 3600] s");
    if (j.contains("repetitions"))
      m.repetitions = static_cast<int>(src_.integer_at(j["repetitions"], "/measure/repetitions", 1,
                                                       1000000, "an integer in [1, 1000000]"));
    if (j.contains("min_time_s"))
      m.min_time_s =
          src_.number_at(j["min_time_s"], "/measure/min_time_s", 0, kMaxSeconds, "in [0, 3600] s");
    if (j.contains("interleave"))
      m.interleave = src_.bool_at(j["interleave"], "/measure/interleave");
    return m;
  }

  template <class T, class ParseItem>
  Axis<T> axis(const json& obj, const std::string& path, const std::string& key,
               ParseItem parse_item) {
    if (!obj.contains(key)) return std::nullopt;
    std::string list_path = child(path, key);
    const json& list = src_.list_at(obj[key], list_path, "axis '" + key + "' is empty");
    std::vector<T> values;
    for (size_t i = 0; i < list.size(); ++i) parse_item(list[i], child(list_path, i), values);
    return values;
  }

  // An axis of enum values named by strings.
  template <class E>
  Axis<E> enum_axis(const json& obj, const std::string& path, const std::string& key,
                    const std::string& what, std::optional<E> (*parse)(const std::string&),
                    const std::string& valid) {
    return axis<E>(obj, path, key, [&](const json& item, const std::string& p, auto& out) {
      std::string text = src_.string_at(item, p);
      auto value = parse(text);
      if (!value) src_.fail(p, "unknown " + what + " '" + text + "' (" + valid + ")");
      out.push_back(*value);
    });
  }

  Axis<bool> bool_axis(const json& obj, const std::string& path, const std::string& key) {
    return axis<bool>(obj, path, key, [&](const json& item, const std::string& p, auto& out) {
      out.push_back(src_.bool_at(item, p));
    });
  }

  Axes parse_axes(const json& obj, const std::string& path) {
    Axes a;
    a.directions = enum_axis(obj, path, "directions", "direction", parse_direction,
                             "fwd_training, fwd_inference, bwd, bwd_data");
    a.modes = enum_axis(obj, path, "modes", "mode", parse_mode, "spatial, per_activation");
    a.dtypes = enum_axis(obj, path, "dtypes", "dtype", parse_dtype, "f32, f64");
    a.layouts = enum_axis(obj, path, "layouts", "layout", parse_layout, "nchw, nhwc, nchw16c");
    a.shapes = axis<ShapeChoice>(
        obj, path, "shapes",
        [&](const json& item, const std::string& p, auto& out) { parse_shape_item(item, p, out); });
    a.eps = axis<double>(obj, path, "eps", [&](const json& item, const std::string& p, auto& out) {
      out.push_back(
          src_.number_at(item, p, 0, std::numeric_limits<double>::max(), "finite and >= 0"));
    });
    a.momentum =
        axis<double>(obj, path, "momentum", [&](const json& item, const std::string& p, auto& out) {
          out.push_back(src_.number_at(item, p, 0, 1, "in [0, 1]"));
        });
    a.affine = bool_axis(obj, path, "affine");
    a.running_stats = bool_axis(obj, path, "running_stats");
    a.global_stats = bool_axis(obj, path, "global_stats");
    a.inplace = bool_axis(obj, path, "inplace");
    a.fills = axis<std::string>(obj, path, "fills",
                                [&](const json& item, const std::string& p, auto& out) {
                                  std::string name = src_.string_at(item, p);
                                  if (!fill_exists(name)) src_.fail(p, unknown_fill(name));
                                  out.push_back(name);
                                });
    a.threads =
        axis<int>(obj, path, "threads", [&](const json& item, const std::string& p, auto& out) {
          out.push_back(static_cast<int>(src_.integer_at(
              item, p, 1, kMaxThreads, "in [1, " + std::to_string(kMaxThreads) + "]")));
        });
    if (obj.contains("cases")) a.cases = parse_cases(obj["cases"], child(path, "cases"));
    return a;
  }

  std::vector<ExplicitCase> parse_cases(const json& list, const std::string& path) {
    src_.list_at(list, path, "no cases (leave the key out instead)");
    std::vector<ExplicitCase> cases;
    for (size_t i = 0; i < list.size(); ++i) {
      ExplicitCase c{Problem{}, child(path, i)};
      std::string text = src_.string_at(list[i], c.path);
      try {
        c.problem = parse_problem(text);
      } catch (const std::invalid_argument& e) {
        src_.fail(c.path, e.what());
      }
      if (std::string error = validate(c.problem); !error.empty())
        src_.fail(c.path, "case '" + text + "': " + error);
      if (!fill_exists(c.problem.fill)) src_.fail(c.path, unknown_fill(c.problem.fill));
      cases.push_back(c);
    }
    return cases;
  }

  void parse_shape_item(const json& item, const std::string& path, std::vector<ShapeChoice>& out) {
    if (item.is_string()) {
      ShapeChoice choice;
      std::string error = parse_shape_alone(item.get<std::string>(), choice.dims);
      if (!error.empty()) src_.fail(path, error);
      choice.path = path;
      out.push_back(choice);
      return;
    }
    if (!item.is_object())
      src_.fail(path, "expected a shape string or {\"set\": NAME} (got " + describe(item) + ")");
    src_.check_keys(item, path, kSetItemKeys);
    if (!item.contains("set")) src_.fail(path, "missing key 'set'");
    const ShapeSet& set = shape_set(src_.string_at(item["set"], path + "/set"), path + "/set");
    std::vector<const ShapeEntry*> chosen;
    if (!item.contains("only")) {
      for (const auto& entry : set.shapes) chosen.push_back(&entry);
    } else {
      std::string only_path = path + "/only";
      const json& only = src_.list_at(item["only"], only_path, "'only' is empty");
      for (size_t i = 0; i < only.size(); ++i) {
        std::string text = src_.string_at(only[i], child(only_path, i));
        Problem dims;
        std::string error = parse_shape_alone(text, dims);
        if (!error.empty()) src_.fail(child(only_path, i), error);
        auto it = std::find_if(set.shapes.begin(), set.shapes.end(),
                               [&](const ShapeEntry& e) { return e.shape == shape_string(dims); });
        if (it == set.shapes.end()) {
          std::vector<std::string> names;
          for (const auto& e : set.shapes) names.push_back(e.shape);
          src_.fail(child(only_path, i),
                    "shape '" + text + "' is not in set '" + set.name + "' (" + join(names) + ")");
        }
        chosen.push_back(&*it);
      }
    }
    for (const ShapeEntry* entry : chosen) {
      ShapeChoice choice{Problem{}, set.name, entry->count, path};
      parse_shape(entry->shape, choice.dims);
      out.push_back(choice);
    }
  }

  const ShapeSet& shape_set(const std::string& name, const std::string& path) {
    if (auto it = sets_.find(name); it != sets_.end()) return it->second;
    auto available = list_shape_sets(shapes_dir_);
    if (std::find(available.begin(), available.end(), name) == available.end())
      src_.fail(path, "unknown shape set '" + name + "' (available in " + shapes_dir_ + ": " +
                          (available.empty() ? "none" : join(available)) + ")");
    return sets_.emplace(name, load_shape_set(shapes_dir_, name)).first->second;
  }

  // The Cartesian product of one group (its own axes, else the top level's, else the defaults),
  // then the group's explicit cases.
  void expand(const Axes& own, const Axes& top, const std::string& group_path,
              std::vector<CaseSpec>& out) {
    const Problem d{};
    const auto directions = pick(own.directions, top.directions, {d.direction});
    const auto shapes = pick(own.shapes, top.shapes, {});
    const auto layouts = pick(own.layouts, top.layouts, {d.layout});
    const auto modes = pick(own.modes, top.modes, {d.mode});
    const auto dtypes = pick(own.dtypes, top.dtypes, {d.dtype});
    const auto eps = pick(own.eps, top.eps, {d.eps});
    const auto momentum = pick(own.momentum, top.momentum, {d.momentum});
    const auto affine = pick(own.affine, top.affine, {d.affine});
    const auto running_stats = pick(own.running_stats, top.running_stats, {d.running_stats});
    const auto global_stats = pick(own.global_stats, top.global_stats, {d.global_stats});
    const auto inplace = pick(own.inplace, top.inplace, {d.inplace});
    const auto fills = pick(own.fills, top.fills, {d.fill});
    const auto threads = pick(own.threads, top.threads, {0});
    if (shapes.empty() && own.cases.empty())
      src_.fail(group_path,
                group_path.empty()
                    ? "nothing to run: give 'shapes', 'cases' or 'groups'"
                    : "the group has no 'shapes' (here or at the top level) and no 'cases'");
    const std::array<size_t, 13> sizes = {directions.size(),   shapes.size(),  layouts.size(),
                                          modes.size(),        dtypes.size(),  eps.size(),
                                          momentum.size(),     affine.size(),  running_stats.size(),
                                          global_stats.size(), inplace.size(), fills.size(),
                                          threads.size()};
    size_t combinations = 1;  // saturates just above the limit
    for (size_t size : sizes)
      combinations = size == 0 || combinations <= kMaxCombinations / size ? combinations * size
                                                                          : kMaxCombinations + 1;
    if (combinations > kMaxCombinations)
      src_.fail(group_path, "the axes multiply to more than " + std::to_string(kMaxCombinations) +
                                " combinations; split the sweep into smaller groups or configs");
    std::array<size_t, 13> i{};
    size_t kept = 0;
    std::string skipped_example;
    while (!shapes.empty()) {
      const ShapeChoice& shape = shapes[i[1]];
      Problem p = shape.dims;
      p.direction = directions[i[0]];
      p.layout = layouts[i[2]];
      p.mode = modes[i[3]];
      p.dtype = dtypes[i[4]];
      p.eps = eps[i[5]];
      p.momentum = momentum[i[6]];
      p.affine = affine[i[7]];
      p.running_stats = running_stats[i[8]];
      p.global_stats = global_stats[i[9]];
      p.inplace = inplace[i[10]];
      p.fill = fills[i[11]];
      if (std::string error = validate(p); error.empty()) {
        add(CaseSpec{p, threads[i[12]], shape.set, shape.count}, out);
        ++kept;
      } else if (p.direction == Direction::fwd_training && p.mode == Mode::spatial &&
                 reduction_size(p) == 1) {
        src_.fail(shape.path, "shape " + shape_string(p) + " has one element per channel, and " +
                                  error +
                                  "; list it only where 'directions' leaves out fwd_training" +
                                  (group_path.empty() ? "" : " (used by " + group_path + ")"));
      } else if (skipped_example.empty()) {
        skipped_example = to_string(p) + ": " + error;
      }
      int k = 12;
      while (k >= 0 && ++i[k] == sizes[k]) i[k--] = 0;
      if (k < 0) break;
    }
    if (!shapes.empty() && kept == 0)
      src_.fail(group_path, "every combination of the axes is invalid, e.g. " + skipped_example);
    expand_explicit(own.cases, threads, out);
  }

  void expand_explicit(const std::vector<ExplicitCase>& cases, const std::vector<int>& threads,
                       std::vector<CaseSpec>& out) {
    for (const auto& c : cases)
      for (int t : threads) add(CaseSpec{c.problem, t, "", 1}, out);
  }

  // Appends a case unless an identical one (problem and threads) is already there.
  void add(CaseSpec spec, std::vector<CaseSpec>& out) {
    if (seen_.insert(to_string(spec.problem) + "#" + std::to_string(spec.threads)).second)
      out.push_back(std::move(spec));
  }

  Source src_;
  std::string shapes_dir_;
  std::map<std::string, ShapeSet> sets_;
  std::set<std::string> seen_;
};
}  // namespace

std::vector<std::string> list_shape_sets(const std::string& shapes_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(shapes_dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".json")
      names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

ShapeSet load_shape_set(const std::string& shapes_dir, const std::string& name) {
  std::string file = (std::filesystem::path(shapes_dir) / (name + ".json")).string();
  auto available = list_shape_sets(shapes_dir);
  if (std::find(available.begin(), available.end(), name) == available.end())
    throw ConfigError(file + ": no such shape set (available: " +
                      (available.empty() ? "none" : join(available)) + ")");
  return parse_shape_set(read_json_file(file), Source(file), name);
}

Config parse_config(const nlohmann::json& j, const std::string& source,
                    const std::string& shapes_dir) {
  return Parser(source, shapes_dir).parse(j);
}

Config load_config(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  return parse_config(read_json_file(path), path, (dir / "shapes").string());
}

}  // namespace bnbench
