// Problem: the value type that names one batch-normalization case.
//
// Invariant: to_string() is canonical and parse_problem(to_string(p)) == p for every valid p.
// The string is the case id, the filter target, the JSON key and the argument that reproduces a
// case: `fwd_training/f32/nhwc/n32c256h56w56`, with extras (`eps=`, `momentum=`, `noaffine`, ...)
// appended only when they differ from the defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bnbench {

enum class Direction { fwd_training, fwd_inference, bwd, bwd_data };
enum class Mode { spatial, per_activation };
enum class DType { f32, f64 };
// Channels-first (nc, ncl, nchw, ncdhw), channels-last (nc, nlc, nhwc, ndhwc) and oneDNN's blocked
// nChw16c family (channels padded to a multiple of 16). The rank comes from the shape.
enum class Layout { nchw, nhwc, nchw16c };

// Momentum schedule of a training sequence: m_t = max(init / (t + 1), min) at call t = 0, 1, ...
struct MomentumSchedule {
  double init = 1, min = 0;
  bool operator==(const MomentumSchedule&) const = default;
};

struct Problem {
  Direction direction = Direction::fwd_training;
  Mode mode = Mode::spatial;
  DType dtype = DType::f32;
  Layout layout = Layout::nchw;
  int64_t n = 1;
  int64_t c = 1;
  std::vector<int64_t> spatial;  // 0..3 dims: (L), (H, W) or (D, H, W)
  double eps = 1e-5;
  double momentum = 0.1;
  bool affine = true;         // gamma/beta (and dgamma/dbeta) exist
  bool running_stats = true;  // running mean/var are updated (training) or used (inference)
  bool global_stats = false;  // backward after inference: uses running statistics, not saved ones
  bool inplace = false;       // y overwrites x (forward) or dx overwrites dy (backward)
  std::string fill = "normal";
  // Training sequence (harness/sequence.h): K training calls on K batches, then inference.
  int64_t sequence = 1;
  std::optional<MomentumSchedule> momentum_schedule;  // replaces momentum in a sequence

  bool operator==(const Problem&) const = default;
};

// The momentum of training call t (0-based): the schedule's when there is one, else momentum.
double momentum_at(const Problem& p, int64_t t);

// Sizes derived from a problem. "features" are the statistics' entries: C for spatial mode,
// C * S for per-activation mode. "reduction" is M, the count each statistic reduces over.
int64_t spatial_size(const Problem& p);    // S = product of spatial dims (1 for rank 0)
int64_t reduction_size(const Problem& p);  // M = N * S (spatial) or N (per activation)
int64_t feature_count(const Problem& p);   // C or C * S
int64_t logical_elements(const Problem& p);
int64_t stored_elements(const Problem& p);  // includes the blocked layout's channel padding
size_t dtype_size(DType t);
bool is_training_direction(Direction d);
bool is_backward(Direction d);

// Which tensors a case has, and which of them a backend writes.
bool has_dy(const Problem& p);
bool has_y(const Problem& p);
bool has_dx(const Problem& p);
bool has_affine_grads(const Problem& p);
bool writes_running_stats(const Problem& p);
bool reads_running_stats(const Problem& p);
bool has_saved_stats_output(const Problem& p);
bool reads_saved_stats(const Problem& p);

std::string to_string(Direction d);
std::string to_string(Mode m);
std::string to_string(DType t);
std::string to_string(Layout l);
std::optional<Direction> parse_direction(const std::string& s);
std::optional<Mode> parse_mode(const std::string& s);
std::optional<DType> parse_dtype(const std::string& s);
std::optional<Layout> parse_layout(const std::string& s);

std::string shape_string(const Problem& p);  // n32c256h56w56
std::string to_string(const Problem& p);

// Throws std::invalid_argument naming the part of the string that is wrong.
Problem parse_problem(const std::string& text);
// Parses "n32c256h56w56" style shapes into n, c and spatial; throws on malformed text.
void parse_shape(const std::string& text, Problem& p);

// Returns an empty string when valid, otherwise a message saying what is wrong.
std::string validate(const Problem& p);

// Shortest decimal text that reads back to the same double.
std::string format_double(double v);

}  // namespace bnbench
