// Compare: per-tensor metrics and verdicts of a backend's outputs against the reference.
//
// Invariant: every element is judged by the same rule (compare.h): non-finite classes must match,
// finite pairs are measured against tolerance.h's tau with the strict and the WARN G. Elements are
// visited in logical order in fixed chunks whose results are merged in order, so the metrics and
// the peak location do not depend on the thread count.
#include "compare.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <sstream>

#include "tolerance.h"

namespace bnbench {

namespace {

constexpr int64_t kChunk = int64_t{1} << 14;
constexpr double kInf = std::numeric_limits<double>::infinity();

enum class Kind { finite, nan, pos_inf, neg_inf };

Kind classify(double v) {
  if (std::isnan(v)) return Kind::nan;
  if (std::isinf(v)) return v > 0 ? Kind::pos_inf : Kind::neg_inf;
  return Kind::finite;
}

double as_stored(double v, DType t) {
  return t == DType::f32 ? static_cast<double>(static_cast<float>(v)) : v;
}

// The dtype's spacing at |v|: 2^(floor(log2 |v|) - mantissa bits), at least the smallest
// subnormal. Read from the exponent bits: this runs once per compared element.
double ulp_at(double v, DType t) {
  const int mantissa = t == DType::f32 ? 23 : 52, min_exp = t == DType::f32 ? -149 : -1074;
  const int e = static_cast<int>((std::bit_cast<uint64_t>(v) >> 52) & 0x7ff) - 1023;
  const int ulp_exp = std::max(e - mantissa, min_exp);
  return ulp_exp >= -1022 ? std::bit_cast<double>(static_cast<uint64_t>(ulp_exp + 1023) << 52)
                          : std::ldexp(1.0, ulp_exp);
}

// a / b with 0 / anything = 0 and nonzero / (0 or NaN) = inf.
double ratio_of(double a, double b) {
  if (a == 0) return 0;
  return b > 0 ? a / b : kInf;
}

// One compared element: the reference value, its strict and WARN tolerances, the floor of its
// relative error and, for the main output only, the size of what it computes (0 elsewhere).
struct Element {
  double expected, tau, tau_warn, floor, scale;
};

class Accumulator {
 public:
  Accumulator(DType dtype, bool ulps) : dtype_(dtype), ulps_(ulps) {}

  void add(int64_t index, int64_t n, int64_t c, int64_t s, const Element& e, double got) {
    ++count_;
    const Kind ke = classify(as_stored(e.expected, dtype_)), kg = classify(got);
    nan_expected_ += ke == Kind::nan;
    inf_expected_ += ke == Kind::pos_inf || ke == Kind::neg_inf;
    nan_got_ += kg == Kind::nan;
    inf_got_ += kg == Kind::pos_inf || kg == Kind::neg_inf;
    double ratio = 0, ratio_warn = 0;
    if (ke != kg) {
      ++pattern_mismatches_;
      nan_hidden_ += ke == Kind::nan && kg == Kind::finite;
      ratio = ratio_warn = kInf;
    } else if (ke == Kind::finite) {
      const double err = std::fabs(got - e.expected), ref = std::fabs(e.expected);
      ratio = ratio_of(err, e.tau);
      ratio_warn = ratio_of(err, e.tau_warn);
      max_abs_error_ = std::max(max_abs_error_, err);
      max_rel_error_ = std::max(max_rel_error_, ratio_of(err, std::max(ref, e.floor)));
      if (ulps_) max_ulps_ = std::max(max_ulps_, err / ulp_at(e.expected, dtype_));
      sum_abs_err_ += err;
      sum_abs_ref_ += ref;
      sum_sq_err_ += err * err;
      sum_sq_ref_ += ref * ref;
      max_abs_ref_ = std::max(max_abs_ref_, ref);
      swamped_ += e.scale > 0 && e.tau >= e.scale;
    }
    max_ratio_warn_ = std::max(max_ratio_warn_, ratio_warn);
    if (ratio > max_ratio_) {
      max_ratio_ = ratio;
      peak_ = {index, n, c, s, e.expected, got};
    }
  }

  void merge(const Accumulator& o) {
    count_ += o.count_;
    nan_expected_ += o.nan_expected_;
    inf_expected_ += o.inf_expected_;
    nan_got_ += o.nan_got_;
    inf_got_ += o.inf_got_;
    pattern_mismatches_ += o.pattern_mismatches_;
    nan_hidden_ += o.nan_hidden_;
    swamped_ += o.swamped_;
    max_abs_error_ = std::max(max_abs_error_, o.max_abs_error_);
    max_rel_error_ = std::max(max_rel_error_, o.max_rel_error_);
    max_ulps_ = std::max(max_ulps_, o.max_ulps_);
    sum_abs_err_ += o.sum_abs_err_;
    sum_abs_ref_ += o.sum_abs_ref_;
    sum_sq_err_ += o.sum_sq_err_;
    sum_sq_ref_ += o.sum_sq_ref_;
    max_abs_ref_ = std::max(max_abs_ref_, o.max_abs_ref_);
    max_ratio_warn_ = std::max(max_ratio_warn_, o.max_ratio_warn_);
    if (o.max_ratio_ > max_ratio_) {
      max_ratio_ = o.max_ratio_;
      peak_ = o.peak_;
    }
  }

  // Share of the compared elements whose tolerance is at least the size of what they compute.
  double swamped_share() const { return count_ ? static_cast<double>(swamped_) / count_ : 0; }

  TensorMetrics finish(std::string tensor, std::string layer) const {
    TensorMetrics m;
    m.tensor = std::move(tensor);
    m.layer = std::move(layer);
    m.ratio = std::max(max_ratio_, 0.0);
    m.ratio_warn = max_ratio_warn_;
    m.peak_index = peak_.index;
    m.peak_n = peak_.n;
    m.peak_c = peak_.c;
    m.peak_s = peak_.s;
    m.expected = peak_.expected;
    m.got = peak_.got;
    m.max_abs_error = max_abs_error_;
    m.max_rel_error = max_rel_error_;
    m.max_ulps = max_ulps_;
    m.rel_l1 = ratio_of(sum_abs_err_, sum_abs_ref_);
    m.rel_l2 = ratio_of(std::sqrt(sum_sq_err_), std::sqrt(sum_sq_ref_));
    m.rel_linf = ratio_of(max_abs_error_, max_abs_ref_);
    m.count = count_;
    m.nan_expected = nan_expected_;
    m.nan_got = nan_got_;
    m.inf_expected = inf_expected_;
    m.inf_got = inf_got_;
    m.nan_hidden = nan_hidden_;
    m.pattern_mismatches = pattern_mismatches_;
    if (pattern_mismatches_ > 0)
      m.verdict = Verdict::failed;
    else if (m.ratio <= 1)
      m.verdict = Verdict::passed;
    else
      m.verdict = m.ratio_warn <= 1 ? Verdict::warn : Verdict::failed;
    return m;
  }

 private:
  struct Peak {
    int64_t index = -1, n = -1, c = -1, s = -1;
    double expected = 0, got = 0;
  };
  DType dtype_;
  bool ulps_;
  int64_t count_ = 0, nan_expected_ = 0, inf_expected_ = 0, nan_got_ = 0, inf_got_ = 0;
  int64_t pattern_mismatches_ = 0, nan_hidden_ = 0, swamped_ = 0;
  double max_ratio_ = -1, max_ratio_warn_ = 0, max_abs_error_ = 0, max_rel_error_ = 0;
  double max_ulps_ = 0, sum_abs_err_ = 0, sum_abs_ref_ = 0, sum_sq_err_ = 0, sum_sq_ref_ = 0;
  double max_abs_ref_ = 0;
  Peak peak_;
};

// visit(begin, end, accumulator) over fixed chunks of [0, total), merged in order.
template <class Visit>
Accumulator accumulate(const Accumulator& empty, int64_t total, Visit&& visit) {
  const int64_t chunks = (total + kChunk - 1) / kChunk;
  std::vector<Accumulator> parts(static_cast<size_t>(chunks), empty);
#pragma omp parallel for schedule(dynamic) if (chunks > 1)
  for (int64_t b = 0; b < chunks; ++b)
    visit(b * kChunk, std::min(total, (b + 1) * kChunk), parts[b]);
  Accumulator all = empty;
  for (const Accumulator& part : parts) all.merge(part);
  return all;
}

struct CaseContext {
  const Problem& p;
  const Reference& ref;
  ToleranceRule strict, warn;
  std::vector<FeatureScale> scales;
  int64_t spatial;
};

// expect(offset, feature) -> Element, over every logical element of a data tensor.
template <class Expect>
Accumulator check_data(const CaseContext& cx, const Buffer& got, Expect&& expect) {
  const bool spatial_mode = cx.p.mode == Mode::spatial;
  return accumulate(Accumulator(cx.p.dtype, true), logical_elements(cx.p),
                    [&](int64_t begin, int64_t end, Accumulator& acc) {
                      walk_elements(cx.p, begin, end,
                                    [&](int64_t n, int64_t c, int64_t s, int64_t o) {
                                      const int64_t f = spatial_mode ? c : c * cx.spatial + s;
                                      acc.add(o, n, c, s, expect(o, f), got.get(o));
                                    });
                    });
}

// expect(feature) -> Element, over a statistics tensor in canonical feature order.
template <class Expect>
Accumulator check_features(const CaseContext& cx, const Buffer& got, Expect&& expect) {
  const bool spatial_mode = cx.p.mode == Mode::spatial;
  return accumulate(Accumulator(cx.p.dtype, false), feature_count(cx.p),
                    [&](int64_t begin, int64_t end, Accumulator& acc) {
                      for (int64_t f = begin; f < end; ++f)
                        acc.add(f, -1, spatial_mode ? f : f / cx.spatial,
                                spatial_mode ? -1 : f % cx.spatial, expect(f), got.get(f));
                    });
}

Accumulator check_y(const CaseContext& cx, const Buffer& got) {
  const auto& y = cx.ref[TensorId::y];
  const bool training = cx.p.direction == Direction::fwd_training;
  return check_data(cx, got, [&](int64_t o, int64_t f) {
    const FeatureScale& fs = cx.scales[f];
    const double xhat = cx.ref.xhat[o], scale = std::fabs(fs.gamma) * (1 + std::fabs(xhat));
    if (training)
      return Element{y[o], tau_y_training(cx.strict, fs, xhat, y[o]),
                     tau_y_training(cx.warn, fs, xhat, y[o]), std::fabs(fs.gamma), scale};
    return Element{y[o], tau_y_inference(cx.strict, fs, xhat), tau_y_inference(cx.warn, fs, xhat),
                   std::fabs(fs.gamma), scale};
  });
}

// y recomputed in double from the backend's own saved statistics (the transform layer).
Accumulator check_y_transform(const CaseContext& cx, const Tensors& pristine, const Tensors& got) {
  std::vector<FeatureScale> own = cx.scales;
  const double dtype_max = cx.p.dtype == DType::f32 ? std::numeric_limits<float>::max()
                                                     : std::numeric_limits<double>::max();
  for (size_t f = 0; f < own.size(); ++f) {
    const double var = got[TensorId::save_var].get(static_cast<int64_t>(f));
    // A variance the dtype cannot hold is correctly saved as +Inf; the transform is then judged
    // with the reference's statistics for that feature (the statistics layer judges save_var).
    if (std::isinf(var) && var > 0 && cx.scales[f].var() > dtype_max) continue;
    own[f].set_statistics(got[TensorId::save_mean].get(static_cast<int64_t>(f)),
                          var < 0 ? 0.0 : var, cx.p.eps);
  }
  const Buffer& x = pristine[TensorId::x];
  return check_data(cx, got[TensorId::y], [&](int64_t o, int64_t f) {
    const FeatureScale& fs = own[f];
    const double xhat = (x.get(o) - fs.mean()) * fs.invstd();
    return Element{fs.gamma * xhat + fs.beta, tau_y_inference(cx.strict, fs, xhat),
                   tau_y_inference(cx.warn, fs, xhat), std::fabs(fs.gamma), 0};
  });
}

Accumulator check_dx(const CaseContext& cx, const Buffer& got) {
  const auto& dx = cx.ref[TensorId::dx];
  const bool global = cx.p.global_stats;
  return check_data(cx, got, [&](int64_t o, int64_t f) {
    const FeatureScale& fs = cx.scales[f];
    const double dy = cx.ref.dy[o];
    const double factor = std::fabs(fs.gamma) * fs.invstd();
    const double floor = factor * cx.ref.max_abs_dy[f];
    if (global)
      return Element{dx[o], tau_dx_global(cx.strict, fs, dy), tau_dx_global(cx.warn, fs, dy), floor,
                     factor * std::fabs(dy)};
    const double xhat = cx.ref.xhat[o], m = static_cast<double>(fs.reduction);
    const double scale =
        factor * (std::fabs(dy) + fs.sum_abs_dy / m + std::fabs(xhat) * fs.sum_abs_dy_xhat / m);
    return Element{dx[o], tau_dx(cx.strict, fs, dy, xhat, dx[o]),
                   tau_dx(cx.warn, fs, dy, xhat, dx[o]), floor, scale};
  });
}

Accumulator check_statistic(const CaseContext& cx, TensorId id, const Buffer& got) {
  const auto& e = cx.ref[id];
  const double m = cx.p.momentum;
  return check_features(cx, got, [&](int64_t f) {
    const FeatureScale& fs = cx.scales[f];
    const double var_floor = fs.var() + fs.eps();
    switch (id) {
      case TensorId::save_mean:
        return Element{e[f], tau_mean(cx.strict, fs), tau_mean(cx.warn, fs), fs.abs_mean, 0};
      case TensorId::save_var:
        return Element{e[f], tau_var(cx.strict, fs), tau_var(cx.warn, fs), var_floor, 0};
      case TensorId::running_mean:
        return Element{e[f], tau_running_mean(cx.strict, fs, m, e[f]),
                       tau_running_mean(cx.warn, fs, m, e[f]), fs.abs_mean, 0};
      case TensorId::running_var:
        return Element{e[f], tau_running_var(cx.strict, fs, m, e[f]),
                       tau_running_var(cx.warn, fs, m, e[f]), var_floor, 0};
      case TensorId::dgamma:
        return Element{e[f], tau_dgamma(cx.strict, fs), tau_dgamma(cx.warn, fs), fs.sum_abs_dy_xhat,
                       0};
      default:
        return Element{e[f], tau_dbeta(cx.strict, fs), tau_dbeta(cx.warn, fs), fs.sum_abs_dy, 0};
    }
  });
}

std::string position(const TensorMetrics& m) {
  std::ostringstream os;
  if (m.peak_n >= 0) os << "n=" << m.peak_n << " ";
  os << "c=" << m.peak_c;
  if (m.peak_s >= 0) os << " s=" << m.peak_s;
  return os.str();
}

std::string explain(const TensorMetrics& m) {
  std::ostringstream os;
  os.precision(4);
  os << m.tensor << ": ";
  if (m.pattern_mismatches > 0) {
    os << m.pattern_mismatches << " NaN/Inf pattern mismatches";
    if (m.nan_hidden > 0) os << " (" << m.nan_hidden << " NaN hidden)";
    os << ", first at " << position(m) << " (expected " << m.expected << ", got " << m.got << ")";
  } else {
    os << "error " << m.ratio << "x the tolerance at " << position(m) << " (expected " << m.expected
       << ", got " << m.got << ")";
    if (m.verdict == Verdict::warn) os << ", within the sqrt(M) band (" << m.ratio_warn << "x)";
  }
  return os.str();
}

nlohmann::json number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

}  // namespace

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::passed:
      return "PASSED";
    case Verdict::warn:
      return "WARN";
    case Verdict::mistrusted:
      return "MISTRUSTED";
    case Verdict::failed:
      return "FAILED";
    case Verdict::error:
      return "ERROR";
    case Verdict::skipped:
      return "SKIPPED";
    case Verdict::crashed:
      return "CRASHED";
    case Verdict::timeout:
      return "TIMEOUT";
  }
  return "?";
}

bool is_failure(Verdict v) {
  return v == Verdict::failed || v == Verdict::error || v == Verdict::crashed ||
         v == Verdict::timeout;
}

std::optional<Verdict> parse_verdict(const std::string& s) {
  for (Verdict v : {Verdict::passed, Verdict::warn, Verdict::mistrusted, Verdict::failed,
                    Verdict::error, Verdict::skipped, Verdict::crashed, Verdict::timeout})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

CheckResult compare_outputs(const Problem& p, const Tensors& pristine_inputs, const Tensors& got,
                            const Reference& ref) {
  CaseContext cx{p,
                 ref,
                 strict_rule(p.dtype, ref.reduction),
                 warn_rule(p.dtype, ref.reduction),
                 {},
                 spatial_size(p)};
  cx.scales.reserve(static_cast<size_t>(feature_count(p)));
  for (int64_t f = 0; f < feature_count(p); ++f) cx.scales.push_back(feature_scale(p, ref, f));
  const auto mask = output_mask(p);
  auto has = [&](TensorId id) { return mask[static_cast<int>(id)] && !got[id].empty(); };

  CheckResult result;
  double main_swamped = 0;
  std::string main_tensor;
  if (has(TensorId::y)) {
    Accumulator acc = check_y(cx, got[TensorId::y]);
    main_swamped = acc.swamped_share();
    main_tensor = "y";
    result.tensors.push_back(acc.finish("y", "end_to_end"));
    if (p.direction == Direction::fwd_training && has(TensorId::save_mean)) {
      TensorMetrics t =
          check_y_transform(cx, pristine_inputs, got).finish("y_transform", "transform");
      t.note = "y recomputed in float64 from the backend's own save_mean and save_var";
      result.tensors.push_back(std::move(t));
    }
  }
  if (has(TensorId::dx)) {
    Accumulator acc = check_dx(cx, got[TensorId::dx]);
    main_swamped = acc.swamped_share();
    main_tensor = "dx";
    result.tensors.push_back(acc.finish("dx", "end_to_end"));
  }
  for (TensorId id : {TensorId::save_mean, TensorId::save_var, TensorId::running_mean,
                      TensorId::running_var, TensorId::dgamma, TensorId::dbeta})
    if (has(id))
      result.tensors.push_back(
          check_statistic(cx, id, got[id]).finish(to_string(id), "statistics"));

  const TensorMetrics* worst = nullptr;
  for (const TensorMetrics& t : result.tensors)
    if (!worst || t.verdict > worst->verdict ||
        (t.verdict == worst->verdict && t.ratio > worst->ratio))
      worst = &t;
  if (!worst) return result;
  result.verdict = worst->verdict;
  result.worst_tensor = worst->tensor;
  result.worst_ratio = worst->ratio;
  if (result.verdict != Verdict::passed) result.reason = explain(*worst);
  if (result.verdict <= Verdict::warn && main_swamped > 0.9) {
    std::ostringstream os;
    os.precision(3);
    os << main_tensor << ": at " << 100 * main_swamped
       << "% of the elements the tolerance is at least the size of the value computed, so an "
          "output ignoring the data would pass (mean too large against the spread for the dtype "
          "to resolve)";
    result.verdict = Verdict::mistrusted;
    result.reason = os.str();
  }
  return result;
}

nlohmann::json to_json(const TensorMetrics& m) {
  nlohmann::json j = {{"tensor", m.tensor},
                      {"layer", m.layer},
                      {"verdict", to_string(m.verdict)},
                      {"ratio", number(m.ratio)},
                      {"ratio_warn", number(m.ratio_warn)},
                      {"peak",
                       {{"index", m.peak_index},
                        {"n", m.peak_n},
                        {"c", m.peak_c},
                        {"s", m.peak_s},
                        {"expected", number(m.expected)},
                        {"got", number(m.got)}}},
                      {"max_abs_error", number(m.max_abs_error)},
                      {"max_rel_error", number(m.max_rel_error)},
                      {"max_ulps", number(m.max_ulps)},
                      {"rel_l1", number(m.rel_l1)},
                      {"rel_l2", number(m.rel_l2)},
                      {"rel_linf", number(m.rel_linf)},
                      {"count", m.count},
                      {"nan_expected", m.nan_expected},
                      {"nan_got", m.nan_got},
                      {"inf_expected", m.inf_expected},
                      {"inf_got", m.inf_got},
                      {"nan_hidden", m.nan_hidden},
                      {"pattern_mismatches", m.pattern_mismatches}};
  if (!m.note.empty()) j["note"] = m.note;
  return j;
}

nlohmann::json to_json(const CheckResult& r) {
  nlohmann::json tensors = nlohmann::json::array();
  for (const TensorMetrics& t : r.tensors) tensors.push_back(to_json(t));
  return {{"verdict", to_string(r.verdict)},
          {"reason", r.reason},
          {"worst_tensor", r.worst_tensor},
          {"worst_ratio", number(r.worst_ratio)},
          {"tensors", tensors}};
}

}  // namespace bnbench
