// Problem: sizes, tensor presence, the canonical case string, its parser and validation.
//
// Invariant: to_string and parse_problem are exact inverses (doubles are printed in their shortest
// round-tripping form), and validate() is the one place that decides whether a problem is legal.
#include "problem.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace bnbench {

namespace {
const Problem kDefaults{};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string cur;
  for (char ch : s) {
    if (ch == sep) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  parts.push_back(cur);
  return parts;
}

double parse_double_strict(const std::string& text, const std::string& what) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size())
    throw std::invalid_argument(what + " '" + text + "' is not a number");
  return v;
}

int64_t parse_count(const std::string& text, const std::string& what) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size())
    throw std::invalid_argument(what + " '" + text + "' is not an integer");
  return v;
}

MomentumSchedule parse_schedule(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos)
    throw std::invalid_argument("momentum_schedule '" + text + "' must be INIT:MIN (e.g. 1:0.01)");
  return {parse_double_strict(text.substr(0, colon), "momentum_schedule init"),
          parse_double_strict(text.substr(colon + 1), "momentum_schedule min")};
}

bool checked_mul(int64_t a, int64_t b, int64_t& out) { return !__builtin_mul_overflow(a, b, &out); }
}  // namespace

std::string format_double(double v) {
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ptr);
}

double momentum_at(const Problem& p, int64_t t) {
  if (!p.momentum_schedule) return p.momentum;
  return std::max(p.momentum_schedule->init / static_cast<double>(t + 1), p.momentum_schedule->min);
}

int64_t spatial_size(const Problem& p) {
  int64_t s = 1;
  for (int64_t d : p.spatial) s *= d;
  return s;
}
int64_t reduction_size(const Problem& p) {
  return p.mode == Mode::spatial ? p.n * spatial_size(p) : p.n;
}
int64_t feature_count(const Problem& p) {
  return p.mode == Mode::spatial ? p.c : p.c * spatial_size(p);
}
int64_t logical_elements(const Problem& p) { return p.n * p.c * spatial_size(p); }
int64_t stored_elements(const Problem& p) {
  if (p.layout == Layout::nchw16c) return p.n * ((p.c + 15) / 16 * 16) * spatial_size(p);
  return logical_elements(p);
}
size_t dtype_size(DType t) { return t == DType::f32 ? 4 : 8; }
bool is_training_direction(Direction d) { return d == Direction::fwd_training; }
bool is_backward(Direction d) { return d == Direction::bwd || d == Direction::bwd_data; }

bool has_dy(const Problem& p) { return is_backward(p.direction); }
bool has_y(const Problem& p) { return !is_backward(p.direction); }
bool has_dx(const Problem& p) { return is_backward(p.direction); }
bool has_affine_grads(const Problem& p) { return p.direction == Direction::bwd && p.affine; }
bool writes_running_stats(const Problem& p) {
  return p.direction == Direction::fwd_training && p.running_stats;
}
bool reads_running_stats(const Problem& p) {
  return (p.direction == Direction::fwd_inference) || writes_running_stats(p) ||
         (is_backward(p.direction) && p.global_stats);
}
bool has_saved_stats_output(const Problem& p) { return p.direction == Direction::fwd_training; }
bool reads_saved_stats(const Problem& p) { return is_backward(p.direction) && !p.global_stats; }

std::string to_string(Direction d) {
  switch (d) {
    case Direction::fwd_training: return "fwd_training";
    case Direction::fwd_inference: return "fwd_inference";
    case Direction::bwd: return "bwd";
    case Direction::bwd_data: return "bwd_data";
  }
  return "?";
}
std::string to_string(Mode m) { return m == Mode::spatial ? "spatial" : "per_activation"; }
std::string to_string(DType t) { return t == DType::f32 ? "f32" : "f64"; }
std::string to_string(Layout l) {
  switch (l) {
    case Layout::nchw: return "nchw";
    case Layout::nhwc: return "nhwc";
    case Layout::nchw16c: return "nchw16c";
  }
  return "?";
}

std::optional<Direction> parse_direction(const std::string& s) {
  for (Direction d :
       {Direction::fwd_training, Direction::fwd_inference, Direction::bwd, Direction::bwd_data})
    if (to_string(d) == s) return d;
  return std::nullopt;
}
std::optional<Mode> parse_mode(const std::string& s) {
  for (Mode m : {Mode::spatial, Mode::per_activation})
    if (to_string(m) == s) return m;
  return std::nullopt;
}
std::optional<DType> parse_dtype(const std::string& s) {
  for (DType t : {DType::f32, DType::f64})
    if (to_string(t) == s) return t;
  return std::nullopt;
}
std::optional<Layout> parse_layout(const std::string& s) {
  for (Layout l : {Layout::nchw, Layout::nhwc, Layout::nchw16c})
    if (to_string(l) == s) return l;
  return std::nullopt;
}

std::string shape_string(const Problem& p) {
  static const char* const kNames[4][3] = {{}, {"l"}, {"h", "w"}, {"d", "h", "w"}};
  std::string s = "n" + std::to_string(p.n) + "c" + std::to_string(p.c);
  if (p.spatial.size() <= 3)
    for (size_t i = 0; i < p.spatial.size(); ++i)
      s += kNames[p.spatial.size()][i] + std::to_string(p.spatial[i]);
  return s;
}

void parse_shape(const std::string& text, Problem& p) {
  std::vector<std::pair<char, int64_t>> dims;
  size_t i = 0;
  while (i < text.size()) {
    char letter = text[i++];
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (start == i) throw std::invalid_argument("shape '" + text + "': '" + letter + "' needs a size");
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(text.data() + start, text.data() + i, v);
    if (ec != std::errc()) throw std::invalid_argument("shape '" + text + "': size too large");
    dims.emplace_back(letter, v);
  }
  std::string letters;
  for (auto& d : dims) letters += d.first;
  if (letters != "nc" && letters != "ncl" && letters != "nchw" && letters != "ncdhw")
    throw std::invalid_argument("shape '" + text +
                                "' must be n<N>c<C> followed by l<L>, h<H>w<W> or d<D>h<H>w<W>");
  p.n = dims[0].second;
  p.c = dims[1].second;
  p.spatial.clear();
  for (size_t k = 2; k < dims.size(); ++k) p.spatial.push_back(dims[k].second);
}

std::string to_string(const Problem& p) {
  std::string s = to_string(p.direction) + "/" + to_string(p.dtype) + "/" + to_string(p.layout) +
                  "/" + shape_string(p);
  if (p.mode != kDefaults.mode) s += "/" + to_string(p.mode);
  if (p.eps != kDefaults.eps) s += "/eps=" + format_double(p.eps);
  if (p.momentum != kDefaults.momentum) s += "/momentum=" + format_double(p.momentum);
  if (!p.affine) s += "/noaffine";
  if (!p.running_stats) s += "/nostats";
  if (p.global_stats) s += "/global_stats";
  if (p.inplace) s += "/inplace";
  if (p.fill != kDefaults.fill) s += "/fill=" + p.fill;
  if (p.sequence != kDefaults.sequence) s += "/sequence=" + std::to_string(p.sequence);
  if (p.momentum_schedule)
    s += "/momentum_schedule=" + format_double(p.momentum_schedule->init) + ":" +
         format_double(p.momentum_schedule->min);
  return s;
}

Problem parse_problem(const std::string& text) {
  auto parts = split(text, '/');
  if (parts.size() < 4)
    throw std::invalid_argument("case '" + text +
                                "' must look like DIRECTION/DTYPE/LAYOUT/SHAPE[/extras]");
  Problem p;
  auto dir = parse_direction(parts[0]);
  if (!dir)
    throw std::invalid_argument("unknown direction '" + parts[0] +
                                "' (fwd_training, fwd_inference, bwd, bwd_data)");
  p.direction = *dir;
  auto dt = parse_dtype(parts[1]);
  if (!dt) throw std::invalid_argument("unknown dtype '" + parts[1] + "' (f32, f64)");
  p.dtype = *dt;
  auto lay = parse_layout(parts[2]);
  if (!lay) throw std::invalid_argument("unknown layout '" + parts[2] + "' (nchw, nhwc, nchw16c)");
  p.layout = *lay;
  parse_shape(parts[3], p);
  for (size_t i = 4; i < parts.size(); ++i) {
    const std::string& e = parts[i];
    auto eq = e.find('=');
    std::string key = e.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : e.substr(eq + 1);
    if (e == "per_activation" || e == "spatial") p.mode = *parse_mode(e);
    else if (key == "eps" && eq != std::string::npos) p.eps = parse_double_strict(value, "eps");
    else if (key == "momentum" && eq != std::string::npos)
      p.momentum = parse_double_strict(value, "momentum");
    else if (e == "noaffine") p.affine = false;
    else if (e == "nostats") p.running_stats = false;
    else if (e == "global_stats") p.global_stats = true;
    else if (e == "inplace") p.inplace = true;
    else if (key == "fill" && !value.empty()) p.fill = value;
    else if (key == "sequence" && eq != std::string::npos) p.sequence = parse_count(value, "sequence");
    else if (key == "momentum_schedule" && eq != std::string::npos)
      p.momentum_schedule = parse_schedule(value);
    else
      throw std::invalid_argument("unknown case extra '" + e +
                                  "' (per_activation, eps=X, momentum=X, noaffine, nostats, "
                                  "global_stats, inplace, fill=NAME, sequence=K, "
                                  "momentum_schedule=INIT:MIN)");
  }
  return p;
}

std::string validate(const Problem& p) {
  if (p.n <= 0) return "N must be positive (got " + std::to_string(p.n) + ")";
  if (p.c <= 0) return "C must be positive (got " + std::to_string(p.c) + ")";
  if (p.spatial.size() > 3) return "at most 3 spatial dims";
  for (size_t i = 0; i < p.spatial.size(); ++i)
    if (p.spatial[i] <= 0)
      return "spatial dim " + std::to_string(i) + " must be positive (got " +
             std::to_string(p.spatial[i]) + ")";
  int64_t count = p.n;
  bool overflow = !checked_mul(count, p.c, count);
  for (int64_t d : p.spatial) overflow = overflow || !checked_mul(count, d, count);
  if (overflow || count > (int64_t{1} << 48))
    return "element count N*C*S overflows (shape " + shape_string(p) + ")";
  if (std::isnan(p.eps) || p.eps < 0 || std::isinf(p.eps))
    return "eps must be finite and >= 0 (got " + format_double(p.eps) + ")";
  if (!(p.momentum >= 0 && p.momentum <= 1))
    return "momentum must be in [0, 1] (got " + format_double(p.momentum) + ")";
  if (p.direction == Direction::fwd_training && reduction_size(p) == 1)
    return "training with a reduction of M = 1 element per statistic is undefined (the unbiased "
           "running variance divides by M - 1 = 0)";
  if (p.direction == Direction::fwd_inference && !p.running_stats)
    return "fwd_inference needs running statistics (drop 'nostats')";
  if (p.global_stats && !is_backward(p.direction))
    return "global_stats applies to backward directions only";
  if (p.global_stats && !p.running_stats) return "global_stats needs running statistics";
  if (p.fill.empty()) return "fill name is empty";
  if (p.sequence < 1) return "sequence must be >= 1 (got " + std::to_string(p.sequence) + ")";
  if (p.sequence > 1 && (p.direction != Direction::fwd_training || !p.running_stats))
    return "sequence=K applies to fwd_training with running statistics (K training calls, then "
           "inference)";
  if (p.momentum_schedule) {
    const MomentumSchedule& m = *p.momentum_schedule;
    if (p.sequence < 2) return "momentum_schedule needs sequence=K with K >= 2";
    if (!(m.init >= 0 && m.init <= 1 && m.min >= 0 && m.min <= 1))
      return "momentum_schedule INIT:MIN must both be in [0, 1] (got " + format_double(m.init) +
             ":" + format_double(m.min) + ")";
    if (p.momentum != kDefaults.momentum)
      return "momentum_schedule replaces momentum=: give one of them";
  }
  return "";
}

}  // namespace bnbench
