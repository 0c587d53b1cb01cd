// Plan: how one problem is cut into units, strips, column groups and threads.
//
// Invariant: a unit is a set of columns whose statistics need no other unit (a channel plane in
// nchw, a band of columns of the [rows][columns] matrix otherwise); every unit has the same strips
// (rows), so the statistics of unit u + 1 can be computed in step with the normalization of unit u
// while u is still in cache. The partition depends only on the problem and the thread count, so
// results are deterministic for a given thread count.
#pragma once

#include <cstdint>

#include "kernel_table.h"
#include "problem.h"

namespace bnbench::welford {

// How a unit's columns map to features (statistics entries, canonical order).
enum class Fold {
  plane,      // nchw spatial: every column of unit u is channel u
  identity,   // column w of the row is feature w
  group,      // nchw spatial, S < 64 and not whole vectors: columns c*S .. c*S+S-1 are channel c
  transpose,  // nhwc per-activation: column s*C+c is feature c*S+s
};

struct Strip {
  Rows rows;                  // for unit 0; unit u starts unit_offset * u elements later
  int width = 0;              // columns of a full unit
  int index = 0;              // first entry of the strip in the unit's per-column arrays
  int64_t chunk = 0;          // rows per step when interleaving two units
  int64_t lone_chunk = 0;     // rows per step of a pass that runs alone (longer sequential runs)
  int64_t reverse_chunk = 0;  // rows per step of an apply pass that walks the unit backwards
  bool stream = false;  // non-temporal stores allowed (aligned rows, output larger than the cache)
  bool wide = false;    // the apply passes walk whole unit rows (row-major kernels), not groups
  bool wide_reduce = false;  // and so does a backward reduction (nchw channel groups, nhwc rows)
};

struct Plan {
  Fold fold = Fold::identity;
  int64_t units = 0;
  int64_t unit_offset = 0;   // elements between the starts of consecutive units
  int64_t row_columns = 0;   // columns of the whole row (band folds), the last unit is narrower
  int64_t unit_columns = 0;  // columns of a full unit (its per-column arrays)
  int strip_count = 0;
  Strip strips[2];  // plane: the 64-wide pieces and the tail of each row
  int64_t channels = 0, spatial = 0;
  // nchw spatial passes without a reduction: every thread walks its share of the N * C planes in
  // memory order with per-channel parameters, instead of units.
  bool plane_walk = false;
  bool plane_stream = false;  // and its stores are non-temporal (whole aligned vectors, large)
  bool row_split = false;     // every thread takes a share of every unit's rows (else: units)
  // The reduction requests its next chunk of rows ahead: it reads x and dy in rows that are
  // short runs far apart, where the hardware prefetchers keep too few lines in flight.
  bool prefetch = false;
  int threads = 1;
};

Plan make_plan(const Problem& p, int threads);

// Whether the problem gathers per-feature sums over its rows (statistics or gradients) before its
// outputs can be written; inference-like passes apply known parameters only.
bool needs_reduction(const Problem& p);

// Columns of strip s in unit u.
int strip_width(const Plan& plan, int s, int64_t u);
// Columns of unit u that make up one feature (a run), and the feature of the run starting at j.
int64_t run_length(const Plan& plan);
int64_t feature_of(const Plan& plan, int64_t u, int64_t j);
// Rows [begin, end) of strip s that thread t processes.
void thread_rows(const Plan& plan, int s, int t, int64_t& begin, int64_t& end);

}  // namespace bnbench::welford
