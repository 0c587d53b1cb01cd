// Plan: the cache-aware cut of a problem into units and threads (see plan.h).
//
// Invariant: a unit's bytes are sized so that two units (the one being normalized and the next
// one whose statistics are being gathered) stay in L2 (band folds) or L3 (channel planes), so that
// x and dy are read from memory once; where no unit fits (nhwc with many rows), units span whole
// rows for sequential access and the second read walks backwards to reuse what the cache still
// holds. Passes without a reduction need no unit to stay cached: they walk memory in order (nchw
// planes one after another, or whole rows of up to kMaxApplyColumns). Cache sizes are the
// project's reference machine's.
#include "plan.h"

#include <algorithm>
#include <numeric>

namespace bnbench::welford {

namespace {
constexpr int64_t kL2Budget = 768 << 10;  // per core, of 1 MiB
constexpr int64_t kL3Budget = 24 << 20;   // shared, of 32 MiB
// Bytes touched (inputs and outputs) beyond which outputs bypass the caches. Measured on the Zen 4
// VM in turns, streaming against ordinary stores: backward of (1024, 2048) and of the 3D case
// (2, 32, 32, 32, 32), 24 MiB touched, 0.60-0.89x the time at 1 and 2 threads; forward training of
// the 3D case (16 MiB) 1.1-1.7x slower at 2 threads, so it keeps ordinary stores there.
constexpr int64_t kStreamThreshold = 20 << 20;
// At one thread, a reducing pass streams from fewer bytes: the one core's traffic with the L3
// (x, and y read for ownership and written back) then costs more than memory takes streamed
// stores. Measured in turns on the Zen 4 VM at 1 thread: forward training of nchw C=1024 7x7 and
// C=256 14x14 (12.3 MiB) 0.63x the time streamed, nhwc 1.00-1.03x; of the 3D case and (1024, 2048)
// (16 MiB) 0.64x (nchw 3D), 0.69-0.89x ((1024, 2048)), 1.02-1.08x (nhwc 3D); backward of the same
// 7x7 and 14x14 shapes (18.4 MiB) 0.68-0.77x, of (512, 2048) and 3D shapes of 12 MiB 0.83-1.03x;
// forward training at 8 MiB 0.95-1.14x, so not there. Passes without a reduction do not gain: nchw
// and nhwc inference of the 12.3 MiB shapes ran 1.19-1.45x slower streamed.
constexpr int64_t kOneCoreReducingStreamThreshold = 10 << 20;
constexpr int64_t kMaxUnitColumns = 1024;
constexpr int64_t kMaxApplyColumns = 2048;     // units of passes without a reduction (8 KiB rows)
constexpr int64_t kMinBandColumns = 128;       // 512 contiguous bytes per row
constexpr int64_t kChunkBytes = 16 << 10;      // interleaving step of the two units
constexpr int64_t kLoneChunkBytes = 64 << 10;  // step of a pass over one unit alone
// Step of the apply pass that walks its unit backwards (the reduction ran alone, and the rows it
// read last are still cached): every step walks forwards, and a step this long lets the hardware
// prefetchers follow it (measured on the Zen 4 VM: a standalone loop over the y pass of nhwc C=256
// 56x56 at 1 thread ran 28-30 GB/s in 64 KiB steps, 38-40 GB/s in 1 MiB steps, as fast as walking
// forwards; in bnbench, in turns with 64 KiB steps, nhwc C=64/256/512 forward training and backward
// took 0.82-0.98x the time at 1 and 2 threads, nchw unchanged).
constexpr int64_t kReverseChunkBytes = 1 << 20;
// nchw planes whose rows are shorter than this are cut as channel groups (band fold), not one
// plane per unit: a unit of consecutive planes is N runs of whole groups (3136 B for four 14x14
// planes) instead of N runs of one plane row (784 B), which DRAM and the prefetchers serve better
// (measured on the Zen 4 VM, C=1024 14x14, 3 alternating runs each: forward training 0.75x the
// time at 1 and 2 threads, backward 0.88x and 0.78x).
constexpr int64_t kMinPlaneRowBytes = 2048;
// A backward reduction reads two streams (x and dy); where a band unit's rows are contiguous runs
// shorter than this, it requests its next rows by software (measured, C=1024 14x14 groups of 3136
// B rows: backward 0.87x the time; forward training, one stream, 1.2x slower, so it does not;
// C=512 28x28 planes, whose 3136 B rows are walked in 64-float pieces: no gain at 1 thread, 1.06x
// slower at 2, so planes do not).
constexpr int64_t kMaxPrefetchRunBytes = 4096;

int64_t round_up(int64_t v, int64_t q) { return (v + q - 1) / q * q; }

// Bytes one pass reads per element (x, or x and dy).
int64_t read_bytes(const Problem& p) {
  const bool reads_x_and_dy = is_backward(p.direction) && needs_reduction(p);
  return reads_x_and_dy ? 8 : 4;
}

// Columns per unit for a band fold: the widest multiple of `quantum` such that two units fit in
// L2. When fewer than kMinBandColumns (rounded up to `quantum`) fit, units span whole rows (up to
// kMaxUnitColumns): a narrow band over many rows is a strided walk that DRAM and the prefetchers
// serve poorly, so reading x twice in sequence is faster than reading it once in strides
// (measured: 16-column nhwc bands of N=32, C=2048, 7x7 made backward 2.5x slower; 96-column bands
// of N=1024, C=2048 forward training 1.2-1.5x slower than whole rows).
int64_t band_columns(int64_t row_columns, int64_t column_bytes, int64_t quantum, bool reduces) {
  const int64_t widest = std::max(quantum, kMaxUnitColumns / quantum * quantum);
  const int64_t fit = kL2Budget / (2 * column_bytes) / quantum * quantum;
  const int64_t narrowest = round_up(kMinBandColumns, quantum);
  if (!reduces) {
    const int64_t widest_apply = std::max(quantum, kMaxApplyColumns / quantum * quantum);
    return std::min(widest_apply, round_up(row_columns, quantum));
  }
  const int64_t cols = fit >= narrowest ? std::min(fit, widest) : widest;
  return std::min(cols, round_up(row_columns, quantum));
}

void set_plane(const Problem& p, Plan& plan) {
  const int64_t n = p.n, c = p.c, s = plan.spatial;
  const int64_t main = s / kMaxGroupWidth * kMaxGroupWidth, tail = s - main;
  plan.fold = Fold::plane;
  plan.units = c;
  plan.unit_offset = s;
  if (main > 0)
    plan.strips[plan.strip_count++] = {
        {0, n, c * s, main / kMaxGroupWidth, kMaxGroupWidth}, kMaxGroupWidth, 0};
  if (tail > 0)
    plan.strips[plan.strip_count++] = {
        {main, n, c * s, 1, 0}, static_cast<int>(tail), main > 0 ? kMaxGroupWidth : 0};
  plan.unit_columns = (main > 0 ? kMaxGroupWidth : 0) + tail;
}

void set_band(const Problem& p, Plan& plan) {
  const int64_t s = plan.spatial, c = p.c;
  int64_t rows = p.n, quantum = 16;
  plan.row_columns = c * s;
  if (p.mode == Mode::spatial && p.layout == Layout::nhwc) {
    rows = p.n * s;
    plan.row_columns = c;
    plan.fold = Fold::identity;
  } else if (p.mode == Mode::spatial) {
    plan.fold = s == 1 ? Fold::identity : Fold::group;
    quantum = std::lcm(int64_t{16}, s);
  } else {
    plan.fold = p.layout == Layout::nhwc && s > 1 && c > 1 ? Fold::transpose : Fold::identity;
  }
  const int64_t cols =
      band_columns(plan.row_columns, rows * read_bytes(p), quantum, needs_reduction(p));
  plan.units = (plan.row_columns + cols - 1) / cols;
  plan.unit_offset = cols;
  plan.unit_columns = cols;
  plan.strips[plan.strip_count++] = {{0, rows, plan.row_columns, 1, 0}, static_cast<int>(cols), 0};
}
}  // namespace

bool needs_reduction(const Problem& p) {
  if (p.direction == Direction::fwd_training) return true;
  if (p.direction == Direction::bwd) return !p.global_stats || p.affine;
  return p.direction == Direction::bwd_data && !p.global_stats;
}

Plan make_plan(const Problem& p, int threads) {
  Plan plan;
  plan.threads = threads;
  plan.channels = p.c;
  plan.spatial = spatial_size(p);
  // Short plane rows (below kMinPlaneRowBytes) are cut as channel groups: full vectors across
  // channel boundaries (7x7: 49 floats would spend a masked vector on every row) and longer
  // contiguous runs per row.
  const int64_t s = plan.spatial;
  if (p.mode == Mode::spatial && p.layout == Layout::nchw && s * 4 >= kMinPlaneRowBytes)
    set_plane(p, plan);
  else
    set_band(p, plan);

  const int64_t elements = logical_elements(p);
  const int64_t unit_bytes = elements / plan.units * read_bytes(p);
  const bool balanced =
      plan.units >= threads && (plan.units % threads == 0 || plan.units >= 4 * int64_t{threads});
  const bool cached_apart = 2 * threads * unit_bytes <= kL3Budget;
  // Contiguous floats per row of a band unit (one unit spanning whole rows: one sequential walk).
  // Plane rows are at least kMinPlaneRowBytes long, and the hardware follows them.
  const int64_t band_run = plan.units > 1 ? plan.unit_columns : elements;
  plan.prefetch =
      is_backward(p.direction) && plan.fold != Fold::plane && band_run * 4 < kMaxPrefetchRunBytes;
  plan.row_split = threads > 1 && (!balanced || (needs_reduction(p) && !cached_apart));

  const int64_t touched = elements * 4 * (is_backward(p.direction) ? 3 : 2);
  plan.plane_walk =
      p.mode == Mode::spatial && p.layout == Layout::nchw && s >= 16 && !needs_reduction(p);
  // The plane walk streams where its vectors are aligned (see normalize_planes) and the bytes it
  // touches exceed the threshold once per thread: at one core, the L3 serves x and y (read for
  // ownership, then written back) slower than memory takes streamed stores, while two cores
  // keep them cached (measured on the Zen 4 VM in turns, nchw inference C=2048 7x7, 26 MB: 0.74x
  // the time streamed at 1 thread, 1.58x slower at 2; C=1024 14x14, 51 MB: 0.77x and 0.83x).
  plan.plane_stream =
      (s % 16 == 0 || walks_plane_groups(s)) && touched > kStreamThreshold * threads;
  const int64_t strip_stream_threshold =
      threads == 1 && needs_reduction(p) ? kOneCoreReducingStreamThreshold : kStreamThreshold;
  for (int i = 0; i < plan.strip_count; ++i) {
    Strip& s = plan.strips[i];
    s.chunk = round_up(std::max<int64_t>(kChunkBytes / (4 * s.width), 1), kBlockRows);
    s.lone_chunk = round_up(std::max<int64_t>(kLoneChunkBytes / (4 * s.width), 1), kBlockRows);
    s.reverse_chunk =
        round_up(std::max<int64_t>(kReverseChunkBytes / (4 * s.width), 1), kBlockRows);
    const Rows& r = s.rows;
    const bool aligned = r.base % 16 == 0 && plan.unit_offset % 16 == 0 &&
                         (r.outer_count == 1 || r.outer_stride % 16 == 0) &&
                         (r.inner_count == 1 || r.inner_stride % 16 == 0);
    s.stream = aligned && touched > strip_stream_threshold;
    // Row by row wherever a unit is wider than one column group, streamed or not (measured on
    // the Zen 4 VM, nhwc C=256 56x56, 3 alternating runs: inference 0.85x the time of column
    // groups, forward training 0.8x, backward 0.75x at 2 threads).
    s.wide = s.width > kMaxGroupWidth;
    const bool nhwc_rows = p.mode == Mode::spatial && p.layout == Layout::nhwc;
    s.wide_reduce = s.wide && (plan.fold == Fold::group || nhwc_rows) && is_backward(p.direction);
  }
  return plan;
}

int strip_width(const Plan& plan, int s, int64_t u) {
  if (plan.fold == Fold::plane) return plan.strips[s].width;
  return static_cast<int>(std::min(plan.unit_columns, plan.row_columns - u * plan.unit_columns));
}

int64_t run_length(const Plan& plan) {
  switch (plan.fold) {
    case Fold::plane:
      return plan.unit_columns;
    case Fold::group:
      return plan.spatial;
    default:
      return 1;
  }
}

int64_t feature_of(const Plan& plan, int64_t u, int64_t j) {
  const int64_t w = u * plan.unit_columns + j;
  switch (plan.fold) {
    case Fold::plane:
      return u;
    case Fold::identity:
      return w;
    case Fold::group:
      return w / plan.spatial;
    case Fold::transpose:
      return (w % plan.channels) * plan.spatial + w / plan.channels;
  }
  return w;
}

void thread_rows(const Plan& plan, int s, int t, int64_t& begin, int64_t& end) {
  const int64_t rows = plan.strips[s].rows.count();
  begin = plan.row_split ? rows * t / plan.threads : 0;
  end = plan.row_split ? rows * (t + 1) / plan.threads : rows;
}

}  // namespace bnbench::welford
