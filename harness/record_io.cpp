// Record I/O: the inverse of to_json(CaseRecord), field by field.
//
// Invariant: every field to_json writes is read back to the same value (derived fields such as
// gbps, reduction_size or repetitions are recomputed by to_json, not read), and anything missing
// or of the wrong type is an std::invalid_argument naming the field, never a default.
#include "record_io.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "roofline.h"

namespace bnbench {

namespace {
using nlohmann::json;

const json& field(const json& j, const char* key) {
  if (!j.is_object()) throw std::invalid_argument(std::string("expected an object holding '") + key + "'");
  auto it = j.find(key);
  if (it == j.end()) throw std::invalid_argument(std::string("missing field '") + key + "'");
  return *it;
}

// A number as compare.cpp writes it: a JSON number, "nan", "inf", "-inf", or null (NaN).
double real(const json& j, const char* key) {
  const json& v = field(j, key);
  if (v.is_number()) return v.get<double>();
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  throw std::invalid_argument(std::string("field '") + key + "' is not a number: " + v.dump());
}

int64_t integer(const json& j, const char* key) {
  const json& v = field(j, key);
  if (!v.is_number_integer())
    throw std::invalid_argument(std::string("field '") + key + "' is not an integer: " + v.dump());
  return v.get<int64_t>();
}

std::string text(const json& j, const char* key) {
  const json& v = field(j, key);
  if (!v.is_string())
    throw std::invalid_argument(std::string("field '") + key + "' is not a string: " + v.dump());
  return v.get<std::string>();
}

bool flag(const json& j, const char* key) {
  const json& v = field(j, key);
  if (!v.is_boolean())
    throw std::invalid_argument(std::string("field '") + key + "' is not a boolean: " + v.dump());
  return v.get<bool>();
}

Verdict verdict(const json& j, const char* key) {
  std::string s = text(j, key);
  auto v = parse_verdict(s);
  if (!v) throw std::invalid_argument(std::string("field '") + key + "': unknown verdict '" + s + "'");
  return *v;
}

template <class T>
T parsed(const json& j, const char* key, std::optional<T> (*parse)(const std::string&)) {
  std::string s = text(j, key);
  auto v = parse(s);
  if (!v) throw std::invalid_argument(std::string("field '") + key + "': unknown value '" + s + "'");
  return *v;
}

Problem problem_from_json(const json& j) {
  Problem p;
  p.direction = parsed(j, "direction", parse_direction);
  p.mode = parsed(j, "mode", parse_mode);
  p.dtype = parsed(j, "dtype", parse_dtype);
  p.layout = parsed(j, "layout", parse_layout);
  p.n = integer(j, "n");
  p.c = integer(j, "c");
  const json& spatial = field(j, "spatial");
  if (!spatial.is_array()) throw std::invalid_argument("field 'spatial' is not a list");
  p.spatial.clear();
  for (const json& d : spatial) {
    if (!d.is_number_integer()) throw std::invalid_argument("field 'spatial' holds a non-integer");
    p.spatial.push_back(d.get<int64_t>());
  }
  p.eps = real(j, "eps");
  p.momentum = real(j, "momentum");
  p.affine = flag(j, "affine");
  p.running_stats = flag(j, "running_stats");
  p.global_stats = flag(j, "global_stats");
  p.inplace = flag(j, "inplace");
  p.fill = text(j, "fill");
  if (j.contains("sequence")) p.sequence = integer(j, "sequence");
  if (j.contains("momentum_schedule"))
    p.momentum_schedule = MomentumSchedule{real(field(j, "momentum_schedule"), "init"),
                                           real(field(j, "momentum_schedule"), "min")};
  return p;
}

SampleStats stats_from_json(const json& j) {
  SampleStats s;
  s.median = real(j, "median_s");
  s.min = real(j, "min_s");
  s.max = real(j, "max_s");
  s.mean = real(j, "mean_s");
  s.stddev = real(j, "stddev_s");
  s.q1 = real(j, "q1_s");
  s.q3 = real(j, "q3_s");
  s.iqr = real(j, "iqr_s");
  s.noise = real(j, "noise");
  return s;
}

}  // namespace

TensorMetrics metrics_from_json(const json& j) {
  TensorMetrics m;
  m.tensor = text(j, "tensor");
  m.layer = text(j, "layer");
  m.verdict = verdict(j, "verdict");
  m.ratio = real(j, "ratio");
  m.ratio_warn = real(j, "ratio_warn");
  const json& peak = field(j, "peak");
  m.peak_index = integer(peak, "index");
  m.peak_n = integer(peak, "n");
  m.peak_c = integer(peak, "c");
  m.peak_s = integer(peak, "s");
  m.expected = real(peak, "expected");
  m.got = real(peak, "got");
  m.max_abs_error = real(j, "max_abs_error");
  m.max_rel_error = real(j, "max_rel_error");
  m.max_ulps = real(j, "max_ulps");
  m.rel_l1 = real(j, "rel_l1");
  m.rel_l2 = real(j, "rel_l2");
  m.rel_linf = real(j, "rel_linf");
  m.count = integer(j, "count");
  m.nan_expected = integer(j, "nan_expected");
  m.nan_got = integer(j, "nan_got");
  m.inf_expected = integer(j, "inf_expected");
  m.inf_got = integer(j, "inf_got");
  m.nan_hidden = integer(j, "nan_hidden");
  m.pattern_mismatches = integer(j, "pattern_mismatches");
  if (j.contains("note")) m.note = text(j, "note");
  return m;
}

CheckResult check_from_json(const json& j) {
  CheckResult r;
  r.verdict = verdict(j, "verdict");
  r.reason = text(j, "reason");
  r.worst_tensor = text(j, "worst_tensor");
  r.worst_ratio = real(j, "worst_ratio");
  const json& tensors = field(j, "tensors");
  if (!tensors.is_array()) throw std::invalid_argument("field 'tensors' is not a list");
  for (const json& t : tensors) r.tensors.push_back(metrics_from_json(t));
  return r;
}

Timing timing_from_json(const json& j) {
  Timing t;
  t.stats = stats_from_json(j);
  const json& samples = field(j, "samples_s");
  if (!samples.is_array()) throw std::invalid_argument("field 'samples_s' is not a list");
  for (const json& s : samples) {
    if (!s.is_number()) throw std::invalid_argument("field 'samples_s' holds a non-number");
    t.samples_s.push_back(s.get<double>());
  }
  t.inner_iterations = static_cast<int>(integer(j, "inner_iterations"));
  t.warmup_iterations = static_cast<int>(integer(j, "warmup_iterations"));
  t.warmup_s = real(j, "warmup_s");
  t.device_timer = text(j, "timer") == "device";
  read_measure_fields(j, t);
  return t;
}

CaseRecord record_from_json(const json& j) {
  CaseRecord r;
  r.id = text(j, "id");
  r.backend = text(j, "backend");
  r.problem = problem_from_json(field(j, "problem"));
  r.threads = static_cast<int>(integer(j, "threads"));
  const json& seed = field(j, "seed");
  if (!seed.is_number_unsigned()) throw std::invalid_argument("field 'seed' is not an integer >= 0");
  r.seed = seed.get<uint64_t>();
  if (j.contains("shape_set")) {
    r.shape_set = text(j, "shape_set");
    r.layer_count = static_cast<int>(integer(j, "layer_count"));
  }
  r.status = verdict(j, "status");
  r.reason = text(j, "reason");
  r.command = text(j, "command");
  r.bytes_moved = real(j, "bytes_moved");
  r.details = field(j, "details");
  r.check_seconds = real(j, "check_seconds");
  if (j.contains("check")) r.check = check_from_json(j["check"]);
  if (j.contains("timing")) r.timing = timing_from_json(j["timing"]);
  r.roofline = roofline_from_json(j);
  if (j.contains("pin")) r.pin = text(j, "pin");
  if (j.contains("determinism")) r.determinism = j["determinism"];
  if (j.contains("bundle")) r.bundle = text(j, "bundle");
  return r;
}

}  // namespace bnbench
