// Fill: the named, seeded input data of numerics.md section 4 (ordinary and adversarial).
//
// Invariant: every value is a pure function of (seed, stream, logical position), where a stream
// is one generator (a tensor or a per-channel parameter, within the fill it belongs to) and the
// logical position is (n, c, s) for data tensors or the feature index for statistics tensors.
// Values are generated in logical order and stored through LayoutIndexer, so the same case in
// every layout and at every thread count sees the same logical tensors; the blocked layout's
// padding channels are zero. A fill overrides only the generators it is about; every other tensor
// keeps the "normal" defaults (which use their own streams, so they are identical across fills).
#include "fill.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include "layout.h"
#include "reference.h"

namespace bnbench {

namespace {

uint64_t splitmix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double unit_interval(uint64_t bits) {  // (0, 1): 53 random bits, centred in their cell
  return (static_cast<double>(bits >> 11) + 0.5) * 0x1p-53;
}

// One stream per generator. The numbers are part of the data's definition: never renumber.
enum class Stream : uint64_t {
  channel_center = 1,
  channel_spread,
  x_normal,
  x_uniform,
  x_sign,
  special_position,
  dy_normal,
  dy_scale,
  dy_shift,
  dy_constant,
  gamma,
  beta,
  running_mean,
  running_var,
  beta_large,
  exact_scale,
  exact_sign,
  exact_deviation,
};

// The distribution of one channel of x: running statistics are drawn around it.
struct Channel {
  double center = 0;
  double spread = 0;    // normal: sigma; uniform: half width; exact: the power-of-two scale
  double variance = 0;  // of the distribution, for the running variance
};

// Everything a generator may need besides its own stream.
struct Context {
  Context(const Problem& problem, uint64_t seed_value)
      : p(problem),
        seed(seed_value),
        s_size(spatial_size(problem)),
        m(reduction_size(problem)),
        max_finite(problem.dtype == DType::f32 ? std::numeric_limits<float>::max()
                                               : std::numeric_limits<double>::max()) {
    const uint64_t position = mix_bits(seed, uint64_t(Stream::special_position), 0) %
                              static_cast<uint64_t>(problem.n * s_size);
    special_n = static_cast<int64_t>(position) / s_size;
    special_s = static_cast<int64_t>(position) % s_size;
    int log2_m = 0;
    while ((int64_t{1} << log2_m) < m) ++log2_m;
    // Partial sums of x (in units of the quantum) stay below 2^24 while the flex bits obey
    // 2^(log2_m + 2 * flex_bits) <= 2^24; past 2^20 elements the data goes sparse around 0.
    exact_sparse = log2_m > 20;
    exact_flex_bits = exact_sparse ? 6 : std::min(6, (24 - log2_m) / 2);
    const int64_t pairs = std::max<int64_t>(m / 2, 1);
    const int64_t max_nonzero_pairs = int64_t{1} << (23 - 2 * exact_flex_bits);
    exact_stride = exact_sparse ? (pairs + max_nonzero_pairs - 1) / max_nonzero_pairs : 1;
  }
  double uniform(Stream st, int64_t i) const { return uniform01(seed, uint64_t(st), i); }
  double uniform(Stream st, int64_t i, double lo, double hi) const {
    return lo + (hi - lo) * uniform(st, i);
  }
  double normal(Stream st, int64_t i) const { return standard_normal(seed, uint64_t(st), i); }
  int64_t logical(int64_t n, int64_t c, int64_t s) const { return (n * p.c + c) * s_size + s; }
  int64_t reduction_index(int64_t n, int64_t s) const {
    return p.mode == Mode::spatial ? n * s_size + s : n;
  }
  bool is_special(int64_t n, int64_t c, int64_t s) const {
    return c == 0 && n == special_n && s == special_s;
  }

  const Problem& p;
  uint64_t seed;
  int64_t s_size, m;
  double max_finite;
  int64_t special_n = 0, special_s = 0;  // the one NaN/Inf element of channel 0
  bool exact_sparse = false;
  int exact_flex_bits = 6;
  int64_t exact_stride = 1;
};

using ChannelFn = Channel (*)(const Context&, int64_t c);
using DataFn = double (*)(const Context&, const Channel&, int64_t n, int64_t c, int64_t s);
using DyFn = double (*)(const Context&, int64_t n, int64_t c, int64_t s, double xhat);
using FeatureFn = double (*)(const Context&, const Channel&, int64_t f);

struct FillDef {
  const char* name;
  const char* description;
  ChannelFn channel = nullptr;  // nullptr: the "normal" generator
  DataFn x = nullptr;
  DyFn dy = nullptr;
  bool dy_needs_xhat = false;  // dy is built from x's float64 batch statistics
  FeatureFn gamma = nullptr;
  FeatureFn beta = nullptr;
  FeatureFn running_mean = nullptr;
  FeatureFn running_var = nullptr;
};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The "normal" generators: the defaults of every fill.
Channel normal_channel(const Context& ctx, int64_t c) {
  const double sigma = ctx.uniform(Stream::channel_spread, c, 0.5, 2.0);
  return {ctx.uniform(Stream::channel_center, c, -1.0, 1.0), sigma, sigma * sigma};
}
double normal_x(const Context& ctx, const Channel& ch, int64_t n, int64_t c, int64_t s) {
  return ch.center + ch.spread * ctx.normal(Stream::x_normal, ctx.logical(n, c, s));
}
double normal_dy(const Context& ctx, int64_t n, int64_t c, int64_t s, double) {
  return ctx.normal(Stream::dy_normal, ctx.logical(n, c, s));
}
double normal_gamma(const Context& ctx, const Channel&, int64_t f) {
  return ctx.uniform(Stream::gamma, f, 0.5, 1.5);
}
double normal_beta(const Context& ctx, const Channel&, int64_t f) {
  return ctx.uniform(Stream::beta, f, -0.5, 0.5);
}
double normal_running_mean(const Context& ctx, const Channel& ch, int64_t f) {
  return ch.center + 0.1 * std::sqrt(ch.variance) * ctx.normal(Stream::running_mean, f);
}
double normal_running_var(const Context& ctx, const Channel& ch, int64_t f) {
  return std::min(ctx.uniform(Stream::running_var, f, 0.5, 2.0) * ch.variance,
                  0.5 * ctx.max_finite);
}

double uniform_x(const Context& ctx, const Channel& ch, int64_t n, int64_t c, int64_t s) {
  return ch.center + ch.spread * (2.0 * ctx.uniform(Stream::x_uniform, ctx.logical(n, c, s)) - 1.0);
}

// Exact construction: pairs mu + d, mu - d in reduction order (an odd count ends with mu), d a
// nonzero multiple of 2^-flex_bits * scale below scale, so sums and squares of any order are exact.
Channel exact_channel(const Context& ctx, int64_t c) {
  const double scale =
      std::ldexp(1.0, -2 + static_cast<int>(ctx.uniform(Stream::exact_scale, c) * 7));
  const double sign = ctx.uniform(Stream::exact_sign, c) < 0.5 ? -1.0 : 1.0;
  return {ctx.exact_sparse ? 0.0 : sign * scale, scale, scale * scale / 3};
}
double exact_x(const Context& ctx, const Channel& ch, int64_t n, int64_t c, int64_t s) {
  const int64_t r = ctx.reduction_index(n, s);
  const int64_t pair = r / 2;
  if ((ctx.m % 2 == 1 && r == ctx.m - 1) || pair % ctx.exact_stride != 0) return ch.center;
  const int64_t feature = feature_of(ctx.p, c, s);
  const uint64_t bits =
      mix_bits(ctx.seed, uint64_t(Stream::exact_deviation), feature * ((ctx.m + 1) / 2) + pair);
  const double g = static_cast<double>(1 + bits % ((uint64_t{1} << ctx.exact_flex_bits) - 1));
  const double d = std::ldexp(g * ch.spread, -ctx.exact_flex_bits);
  return r % 2 == 0 ? ch.center + d : ch.center - d;
}

const std::vector<FillDef>& fill_table() {
  static const std::vector<FillDef> table = {
      {.name = "normal",
       .description = "x ~ normal(mu_c, sigma_c), mu_c in [-1,1], sigma_c in [0.5,2]; dy ~ "
                      "normal(0,1); gamma in [0.5,1.5]; beta in [-0.5,0.5]; running stats near "
                      "the channel's distribution"},
      {.name = "uniform",
       .description = "x ~ uniform(a_c, b_c), a_c in [-2,1], b_c - a_c in [0.5,3]",
       .channel =
           [](const Context& ctx, int64_t c) {
             const double a = ctx.uniform(Stream::channel_center, c, -2.0, 1.0);
             const double half = 0.5 * ctx.uniform(Stream::channel_spread, c, 0.5, 3.0);
             return Channel{a + half, half, half * half / 3};
           },
       .x = uniform_x},
      {.name = "offset_1e4",
       .description = "x ~ normal(1e4, 1): large offset, breaks sequential float sums and "
                      "E[x^2]-E[x]^2 (use M = 2^16)",
       .channel =
           [](const Context&, int64_t) {
             return Channel{1e4, 1, 1};
           }},
      {.name = "offset_1e3_small",
       .description = "x ~ normal(1e3, 0.01): offset with tiny spread, E[x^2]-E[x]^2 goes "
                      "negative",
       .channel =
           [](const Context&, int64_t) {
             return Channel{1e3, 0.01, 1e-4};
           }},
      {.name = "constant_07",
       .description = "every x = 0.7 [var = 0, y = beta, dx = 0]",
       .channel =
           [](const Context&, int64_t) {
             return Channel{0.7, 0, 0};
           }},
      {.name = "constant_1e4",
       .description = "every x = 1e4 + 0.1 [var = 0, y = beta, dx = 0]",
       .channel =
           [](const Context&, int64_t) {
             return Channel{1e4 + 0.1, 0, 0};
           }},
      {.name = "huge_uniform",
       .description = "x ~ uniform(0, 1), for huge reductions (M >= 2^24 + 1): float sums stall",
       .channel =
           [](const Context&, int64_t) {
             return Channel{0.5, 0.5, 1.0 / 12};
           },
       .x = uniform_x},
      {.name = "huge_normal100",
       .description = "x ~ normal(100, 1), for huge reductions (M >= 2^24 + 1)",
       .channel =
           [](const Context&, int64_t) {
             return Channel{100, 1, 1};
           }},
      {.name = "dy_ones",
       .description = "dy = 1 everywhere [dbeta = M exactly; a float sum stalls at 2^24]",
       .dy = [](const Context&, int64_t, int64_t, int64_t, double) { return 1.0; }},
      {.name = "tiny_pair",
       .description = "x alternates 1e4, 1e4 + 2^-10 along the reduction (M = 2: the pair)",
       .channel =
           [](const Context&, int64_t) {
             return Channel{1e4 + 0x1p-11, 0x1p-11, 0x1p-22};
           },
       .x = [](const Context& ctx, const Channel&, int64_t n, int64_t,
               int64_t s) { return ctx.reduction_index(n, s) % 2 == 0 ? 1e4 : 1e4 + 0x1p-10; }},
      {.name = "sigma_3e18",
       .description = "x ~ normal(0, 3e18): the sum of squares overflows float",
       .channel =
           [](const Context&, int64_t) {
             return Channel{0, 3e18, 9e36};
           }},
      {.name = "near_max",
       .description = "x = +-3e38 * (1 +- 5%), random signs: sums overflow float",
       .channel =
           [](const Context&, int64_t) {
             return Channel{0, 3e38, 9e76};
           },
       .x =
           [](const Context& ctx, const Channel& ch, int64_t n, int64_t c, int64_t s) {
             const int64_t i = ctx.logical(n, c, s);
             const double magnitude =
                 ch.spread * (1.0 + 0.05 * (2 * ctx.uniform(Stream::x_uniform, i) - 1));
             return ctx.uniform(Stream::x_sign, i) < 0.5 ? -magnitude : magnitude;
           }},
      {.name = "subnormal",
       .description = "x = 1e-39 * normal(0, 1): subnormal in float",
       .channel =
           [](const Context&, int64_t) {
             return Channel{0, 1e-39, 1e-78};
           }},
      {.name = "nan_one",
       .description = "normal, with one NaN in channel 0 at a seeded (n, s) [channel 0 NaN in "
                      "training]",
       .x = [](const Context& ctx, const Channel& ch, int64_t n, int64_t c,
               int64_t s) { return ctx.is_special(n, c, s) ? kNaN : normal_x(ctx, ch, n, c, s); }},
      {.name = "inf_one",
       .description = "normal, with one +Inf in channel 0 at a seeded (n, s) [channel 0 NaN in "
                      "training]",
       .x = [](const Context& ctx, const Channel& ch, int64_t n, int64_t c,
               int64_t s) { return ctx.is_special(n, c, s) ? kInf : normal_x(ctx, ch, n, c, s); }},
      {.name = "nan_gamma",
       .description = "normal, gamma of feature 0 is NaN",
       .gamma = [](const Context& ctx, const Channel& ch,
                   int64_t f) { return f == 0 ? kNaN : normal_gamma(ctx, ch, f); }},
      {.name = "nan_beta",
       .description = "normal, beta of feature 0 is NaN",
       .beta = [](const Context& ctx, const Channel& ch,
                  int64_t f) { return f == 0 ? kNaN : normal_beta(ctx, ch, f); }},
      {.name = "nan_running",
       .description = "normal, running mean of feature 0 is NaN",
       .running_mean = [](const Context& ctx, const Channel& ch,
                          int64_t f) { return f == 0 ? kNaN : normal_running_mean(ctx, ch, f); }},
      {.name = "gamma_zero",
       .description = "normal, gamma = 0 [y = beta, dx = 0 exactly]",
       .gamma = [](const Context&, const Channel&, int64_t) { return 0.0; }},
      {.name = "gamma_negative",
       .description = "normal, gamma in [-1.5, -0.5]",
       .gamma = [](const Context& ctx, const Channel& ch,
                   int64_t f) { return -normal_gamma(ctx, ch, f); }},
      {.name = "beta_large",
       .description = "normal, |beta| in [1e3, 1e4] with random sign (|beta| >> |gamma|)",
       .beta =
           [](const Context& ctx, const Channel&, int64_t f) {
             const double magnitude = std::pow(10.0, ctx.uniform(Stream::beta_large, f, 3.0, 4.0));
             return ctx.uniform(Stream::beta, f) < 0.5 ? -magnitude : magnitude;
           }},
      {.name = "dy_xhat",
       .description = "dy = xhat from x's float64 batch statistics [dx = 0 when eps = 0; "
                      "otherwise tiny: a cancellation test]",
       .dy = [](const Context&, int64_t, int64_t, int64_t, double xhat) { return xhat; },
       .dy_needs_xhat = true},
      {.name = "dy_affine_xhat",
       .description = "dy = a_c * xhat + b_c, |a_c| in [0.5,2], b_c in [-1,1] [dx = 0 when eps "
                      "= 0]",
       .dy =
           [](const Context& ctx, int64_t, int64_t c, int64_t, double xhat) {
             const double a = ctx.uniform(Stream::dy_scale, c, -2.0, 2.0);
             const double scale = std::copysign(0.5 + std::abs(a) * 0.75, a);
             return scale * xhat + ctx.uniform(Stream::dy_shift, c, -1.0, 1.0);
           },
       .dy_needs_xhat = true},
      {.name = "dy_constant",
       .description = "dy = k_c per channel, k_c a nonzero multiple of 1/8 in [-2,2] [dx = 0, "
                      "dgamma = 0]",
       .dy =
           [](const Context& ctx, int64_t, int64_t c, int64_t, double) {
             const int step = static_cast<int>(ctx.uniform(Stream::dy_constant, c) * 32);  // 0..31
             const double magnitude = (1 + step % 16) / 8.0;
             return step < 16 ? -magnitude : magnitude;
           }},
      {.name = "exact",
       .description = "exact construction: per channel a power-of-two mean and pairs mu +- d "
                      "with few mantissa bits (odd M: one extra mu) [float statistics match the "
                      "reference bit for bit in any summation order, for M <= 2^24]",
       .channel = exact_channel,
       .x = exact_x},
  };
  return table;
}

const FillDef& find_fill(const std::string& name) {
  for (const FillDef& def : fill_table())
    if (name == def.name) return def;
  std::string known;
  for (const FillDef& def : fill_table())
    known += (known.empty() ? "" : ", ") + std::string(def.name);
  throw std::invalid_argument("unknown fill '" + name + "' (" + known + ")");
}

// Below this many elements a parallel region costs more than it saves (and on a loaded machine a
// barrier waits for a descheduled thread).
constexpr int64_t kParallelElements = 1 << 16;

// Writes value(n, c, s) at every logical element of a data tensor and zeros the padding.
template <class T, class Value>
void store_typed(const Problem& p, T* out, const Value& value) {
  const LayoutIndexer index(p);
  const int64_t s_size = index.spatial(), channels = p.c;
  const bool parallel = logical_elements(p) >= kParallelElements;
#pragma omp parallel for collapse(3) schedule(static) if (parallel)
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t s = 0; s < s_size; ++s)
        out[index.offset(n, c, s)] = static_cast<T>(value(n, c, s));
  if (p.layout != Layout::nchw16c) return;
  const int64_t padded = (channels + 15) / 16 * 16;
#pragma omp parallel for collapse(2) schedule(static) if (parallel)
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t c = channels; c < padded; ++c)
      for (int64_t s = 0; s < s_size; ++s) out[index.offset(n, c, s)] = T(0);
}

template <class Value>
void store_data(const Problem& p, Buffer& b, const Value& value) {
  if (b.dtype() == DType::f32)
    store_typed(p, b.as<float>(), value);
  else
    store_typed(p, b.as<double>(), value);
}

void store_features(const Context& ctx, const std::vector<Channel>& channels, FeatureFn fn,
                    Buffer& b) {
  const int64_t per_channel = ctx.p.mode == Mode::spatial ? 1 : ctx.s_size;
  for (int64_t f = 0; f < b.count(); ++f) b.set(f, fn(ctx, channels[f / per_channel], f));
}

}  // namespace

uint64_t mix_bits(uint64_t seed, uint64_t stream, uint64_t index) {
  const uint64_t keyed = splitmix64(splitmix64(seed) ^ (stream * 0xd1b54a32d192ed03ULL));
  return splitmix64(keyed ^ index);
}

double uniform01(uint64_t seed, uint64_t stream, uint64_t index) {
  return unit_interval(mix_bits(seed, stream, index));
}

double standard_normal(uint64_t seed, uint64_t stream, uint64_t index) {
  const uint64_t bits = mix_bits(seed, stream, index);
  const double radius = std::sqrt(-2.0 * std::log(unit_interval(bits)));
  return radius * std::cos(2.0 * std::numbers::pi * unit_interval(splitmix64(bits)));
}

const std::vector<FillInfo>& list_fills() {
  static const std::vector<FillInfo> infos = [] {
    std::vector<FillInfo> out;
    for (const FillDef& def : fill_table()) out.push_back({def.name, def.description});
    return out;
  }();
  return infos;
}

bool fill_exists(const std::string& name) {
  for (const FillDef& def : fill_table())
    if (name == def.name) return true;
  return false;
}

void fill_inputs(const Problem& p, uint64_t seed, Tensors& t) {
  const FillDef& def = find_fill(p.fill);
  const Context ctx(p, seed);
  const ChannelFn channel_fn = def.channel ? def.channel : normal_channel;
  const DataFn x_fn = def.x ? def.x : normal_x;
  std::vector<Channel> channels(p.c);
  for (int64_t c = 0; c < p.c; ++c) channels[c] = channel_fn(ctx, c);

  Buffer& x = t[TensorId::x];
  store_data(p, x,
             [&](int64_t n, int64_t c, int64_t s) { return x_fn(ctx, channels[c], n, c, s); });

  const std::pair<TensorId, FeatureFn> features[] = {
      {TensorId::gamma, def.gamma ? def.gamma : normal_gamma},
      {TensorId::beta, def.beta ? def.beta : normal_beta},
      {TensorId::running_mean, def.running_mean ? def.running_mean : normal_running_mean},
      {TensorId::running_var, def.running_var ? def.running_var : normal_running_var}};
  for (const auto& [id, fn] : features)
    if (!t[id].empty()) store_features(ctx, channels, fn, t[id]);

  const bool needs_xhat = has_dy(p) && def.dy_needs_xhat;
  BatchStats stats;
  if (reads_saved_stats(p) || needs_xhat) stats = batch_stats(p, x);
  if (reads_saved_stats(p)) {
    for (int64_t f = 0; f < feature_count(p); ++f) {
      t[TensorId::save_mean].set(f, stats.mean[f]);
      t[TensorId::save_var].set(f, stats.var[f]);
    }
  }
  if (!has_dy(p)) return;
  const DyFn dy_fn = def.dy ? def.dy : normal_dy;
  std::vector<double> invstd;
  if (needs_xhat)
    for (double v : stats.var) invstd.push_back(invstd_of(v, p.eps));
  const LayoutIndexer index(p);
  store_data(p, t[TensorId::dy], [&](int64_t n, int64_t c, int64_t s) {
    double xhat = 0;
    if (needs_xhat) {
      const int64_t f = feature_of(p, c, s);
      xhat = (x.get(index.offset(n, c, s)) - stats.mean[f]) * invstd[f];
    }
    return dy_fn(ctx, n, c, s, xhat);
  });
}

}  // namespace bnbench
