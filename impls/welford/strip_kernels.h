// Strip kernels: the per-element work of the welford backends, written once and instantiated for
// a vector type V (Vec16 in portable C++, VecAvx512 with intrinsics) and P vectors per row.
//
// The loops over the P vectors of a row are fully unrolled so that per-lane states live in
// registers whatever the vector type.
//
// Invariant: no float accumulation runs longer than kBlockRows rows: each lane does Welford (or a
// sum) over one block, and the block is merged into per-column double accumulators with exact
// integer counts. Everything here is a template of V or always inlined, so the AVX-512 and the
// portable instantiations never share machine code.
#pragma once

#include <algorithm>

#include "chan.h"
#include "kernel_table.h"

namespace bnbench::welford {

// 1 / k for the k-th Welford step of a block.
inline constexpr float kInverse[kBlockRows + 1] = {
    0.f,     1.f,      1.f / 2,  1.f / 3,  1.f / 4,  1.f / 5,  1.f / 6,  1.f / 7, 1.f / 8,
    1.f / 9, 1.f / 10, 1.f / 11, 1.f / 12, 1.f / 13, 1.f / 14, 1.f / 15, 1.f / 16};

class RowCursor {
 public:
  WELFORD_INLINE RowCursor(const Rows& rows, int64_t q)
      : rows_(rows), outer_(q / rows.inner_count), inner_(q % rows.inner_count) {}
  WELFORD_INLINE int64_t offset() const {
    return rows_.base + outer_ * rows_.outer_stride + inner_ * rows_.inner_stride;
  }
  // Whether the cursor is still on a row of its Rows (a cursor ahead runs past the last one).
  WELFORD_INLINE bool exists() const { return outer_ < rows_.outer_count; }
  WELFORD_INLINE void next() {
    if (++inner_ == rows_.inner_count) {
      inner_ = 0;
      ++outer_;
    }
  }

 private:
  const Rows& rows_;
  int64_t outer_, inner_;
};

// Requests the row `kPrefetchBytes` ahead of the current one into L2, so that the statistics
// pass keeps enough reads in flight while the other unit is being normalized. Only rows of the
// strip are requested: a channel group of nchw 7x7 has 32 rows, all of them nearer than
// kPrefetchBytes, and requests past its end fall outside the tensor (measured on the Zen 4 VM, in
// turns with requests past the end: nchw C=2048 7x7 forward training 0.84-0.88x the time).
constexpr int64_t kPrefetchBytes = 8192;

template <int P>
WELFORD_INLINE void prefetch_row(const float* p) {
#pragma GCC unroll 4
  for (int i = 0; i < P; ++i) __builtin_prefetch(p + 16 * i, 0, 2);
}

// Lanes valid in vector i of a group of P vectors `width` wide.
template <int P>
WELFORD_INLINE int lanes(int i, int width) {
  return i < P - 1 ? 16 : width - 16 * (P - 1);
}

// The first n (1..16) floats at p: a full vector, or a masked one for a tail.
template <class V>
WELFORD_INLINE V load_n(const float* p, int n) {
  return n == 16 ? V::load(p) : V::load_first(p, n);
}

template <class V, bool Stream>
WELFORD_INLINE void store_n(float* p, int n, V v) {
  if (n < 16)
    v.store_first(p, n);
  else if (Stream)
    v.stream(p);
  else
    v.store(p);
}

template <class V, int P>
WELFORD_INLINE V load_lanes(const float* p, int i, int width) {
  return load_n<V>(p + 16 * i, lanes<P>(i, width));
}

template <class V, int P, bool Stream>
WELFORD_INLINE void store_lanes(float* p, int i, int width, V v) {
  store_n<V, Stream>(p + 16 * i, lanes<P>(i, width), v);
}

// The k-th Welford step of a block (inv = 1 / k) on a lane's mean m and M2 / k s, for the value
// v = x - shift.
template <class V>
WELFORD_INLINE void welford_step(V v, V inv, V& m, V& s) {
  const V d = v - m;
  m = V::mul_add(d, inv, m);
  s = V::mul_add(V::mul_sub(d, v - m, s), inv, s);
}

// Merges one block's per-lane float summaries (shift, mean and M2 / block of x - shift, over
// `block` rows) into the per-column double accumulators, which hold `count` rows (count == 0:
// their contents are overwritten).
WELFORD_INLINE void merge_block(const float* block_shift, const float* block_mean,
                                const float* block_var, int block, Columns cols, double* mean,
                                double* m2, int64_t count) {
  double* block_means = mean + cols.index;
  double* block_m2s = m2 + cols.index;
  if (count == 0) {
    for (int j = 0; j < cols.width; ++j) {
      block_means[j] = double(block_shift[j]) + double(block_mean[j]);
      block_m2s[j] = double(block_var[j]) * block;
    }
    return;
  }
  const ChanStep step = chan_step(count, block);
  for (int j = 0; j < cols.width; ++j)
    chan_apply(step, block_means[j], block_m2s[j], double(block_shift[j]) + double(block_mean[j]),
               double(block_var[j]) * block);
}

// Adds one block's per-lane float sums into the per-column double accumulators.
WELFORD_INLINE void add_block(const float* block_dy, const float* block_dy_xhat, Columns cols,
                              double* sum_dy, double* sum_dy_xhat) {
  for (int j = 0; j < cols.width; ++j) {
    sum_dy[cols.index + j] += block_dy[j];
    sum_dy_xhat[cols.index + j] += block_dy_xhat[j];
  }
}

// Each block is shifted by its first row (x - shift is exact near the mean), so the float
// Welford steps work on values of the size of the spread, not of the offset.
template <class V, int P>
void stats_kernel(const float* x, const Rows& rows, int64_t q0, int64_t q1, Columns cols,
                  double* mean, double* m2, int64_t count) {
  alignas(64) float block_shift[16 * P], block_mean[16 * P], block_var[16 * P];
  x += cols.offset;
  RowCursor row(rows, q0), ahead(rows, q0 + kPrefetchBytes / (64 * P));
  for (int64_t q = q0; q < q1;) {
    const int block = q1 - q < kBlockRows ? static_cast<int>(q1 - q) : kBlockRows;
    V shift[P], m[P], s[P];  // per lane: mean and M2 / k of x - shift over the block
    if (ahead.exists()) prefetch_row<P>(x + ahead.offset());
    ahead.next();
#pragma GCC unroll 4
    for (int i = 0; i < P; ++i) {
      shift[i] = load_lanes<V, P>(x + row.offset(), i, cols.width);
      m[i] = s[i] = V::zero();
    }
    row.next();
    for (int k = 2; k <= block; ++k, row.next(), ahead.next()) {
      const V inv = V::broadcast(kInverse[k]);
      const float* p = x + row.offset();
      if (ahead.exists()) prefetch_row<P>(x + ahead.offset());
#pragma GCC unroll 4
      for (int i = 0; i < P; ++i)
        welford_step(load_lanes<V, P>(p, i, cols.width) - shift[i], inv, m[i], s[i]);
    }
#pragma GCC unroll 4
    for (int i = 0; i < P; ++i) {
      shift[i].store(block_shift + 16 * i);
      m[i].store(block_mean + 16 * i);
      s[i].store(block_var + 16 * i);
    }
    merge_block(block_shift, block_mean, block_var, block, cols, mean, m2, count);
    count += block;
    q += block;
  }
}

template <class V, int P, bool Stream>
void normalize_kernel(const float* in, float* out, const Rows& rows, int64_t q0, int64_t q1,
                      Columns cols, Centering centering, const float* scale, const float* shift) {
  V hv[P], mv[P], sv[P], bv[P];
#pragma GCC unroll 4
  for (int i = 0; i < P; ++i) {
    hv[i] = load_lanes<V, P>(centering.scale + cols.index, i, cols.width);
    mv[i] = load_lanes<V, P>(centering.center + cols.index, i, cols.width);
    sv[i] = load_lanes<V, P>(scale + cols.index, i, cols.width);
    bv[i] = load_lanes<V, P>(shift + cols.index, i, cols.width);
  }
  in += cols.offset;
  out += cols.offset;
  RowCursor row(rows, q0);
  for (int64_t q = q0; q < q1; ++q, row.next()) {
    const int64_t o = row.offset();
#pragma GCC unroll 4
    for (int i = 0; i < P; ++i) {
      const V v = load_lanes<V, P>(in + o, i, cols.width);
      const V xc = V::mul_sub(v, hv[i], mv[i]);
      store_lanes<V, P, Stream>(out + o, i, cols.width, V::mul_add(xc, sv[i], bv[i]));
    }
  }
}

template <class V, int P>
void bwd_reduce_kernel(const float* x, const float* dy, const Rows& rows, int64_t q0, int64_t q1,
                       Columns cols, Centering centering, const float* invstd, double* sum_dy,
                       double* sum_dy_xhat) {
  alignas(64) float block_dy[16 * P], block_dy_xhat[16 * P];
  V hv[P], mv[P], iv[P];
#pragma GCC unroll 4
  for (int i = 0; i < P; ++i) {
    hv[i] = load_lanes<V, P>(centering.scale + cols.index, i, cols.width);
    mv[i] = load_lanes<V, P>(centering.center + cols.index, i, cols.width);
    iv[i] = load_lanes<V, P>(invstd + cols.index, i, cols.width);
  }
  x += cols.offset;
  dy += cols.offset;
  RowCursor row(rows, q0), ahead(rows, q0 + kPrefetchBytes / (128 * P));
  for (int64_t q = q0; q < q1;) {
    const int block = q1 - q < kBlockRows ? static_cast<int>(q1 - q) : kBlockRows;
    V sd[P], sx[P];
#pragma GCC unroll 4
    for (int i = 0; i < P; ++i) sd[i] = sx[i] = V::zero();
    for (int k = 0; k < block; ++k, row.next(), ahead.next()) {
      const int64_t o = row.offset();
      if (ahead.exists()) {
        prefetch_row<P>(x + ahead.offset());
        prefetch_row<P>(dy + ahead.offset());
      }
#pragma GCC unroll 4
      for (int i = 0; i < P; ++i) {
        const V g = load_lanes<V, P>(dy + o, i, cols.width);
        sd[i] = sd[i] + g;
        const V xc = V::mul_sub(load_lanes<V, P>(x + o, i, cols.width), hv[i], mv[i]);
        sx[i] = V::mul_add(g, xc * iv[i], sx[i]);
      }
    }
#pragma GCC unroll 4
    for (int i = 0; i < P; ++i) {
      sd[i].store(block_dy + 16 * i);
      sx[i].store(block_dy_xhat + 16 * i);
    }
    add_block(block_dy, block_dy_xhat, cols, sum_dy, sum_dy_xhat);
    q += block;
  }
}

template <class V, int P, bool Stream>
void bwd_apply_kernel(const float* x, const float* dy, float* dx, const Rows& rows, int64_t q0,
                      int64_t q1, Columns cols, Centering centering, const float* a, const float* b,
                      const float* c) {
  V hv[P], mv[P], av[P], bv[P], cv[P];
#pragma GCC unroll 4
  for (int i = 0; i < P; ++i) {
    hv[i] = load_lanes<V, P>(centering.scale + cols.index, i, cols.width);
    mv[i] = load_lanes<V, P>(centering.center + cols.index, i, cols.width);
    av[i] = load_lanes<V, P>(a + cols.index, i, cols.width);
    bv[i] = load_lanes<V, P>(b + cols.index, i, cols.width);
    cv[i] = load_lanes<V, P>(c + cols.index, i, cols.width);
  }
  x += cols.offset;
  dy += cols.offset;
  dx += cols.offset;
  RowCursor row(rows, q0);
  for (int64_t q = q0; q < q1; ++q, row.next()) {
    const int64_t o = row.offset();
#pragma GCC unroll 4
    for (int i = 0; i < P; ++i) {
      const V xc = V::mul_sub(load_lanes<V, P>(x + o, i, cols.width), hv[i], mv[i]);
      const V g = load_lanes<V, P>(dy + o, i, cols.width);
      store_lanes<V, P, Stream>(dx + o, i, cols.width,
                                V::mul_add(av[i], g, V::mul_add(bv[i], xc, cv[i])));
    }
  }
}

// Elements from the start of the cursor's row to the start of the next one.
WELFORD_INLINE int64_t row_distance(RowCursor row) {
  const int64_t here = row.offset();
  row.next();
  return row.offset() - here;
}

// Rows per kPrefetchBytes of `streams` arrays read in step, at least one.
WELFORD_INLINE int64_t rows_ahead(int width, int streams) {
  const int64_t row_bytes = int64_t{4} * streams * width;
  return kPrefetchBytes / row_bytes > 1 ? kPrefetchBytes / row_bytes : 1;
}

// element(offset of the vector in the data, its column in the per-column arrays, its lanes) for
// the vectors of the row starting at `o`, from its first to its last column.
template <class Element>
WELFORD_INLINE void for_each_vector(int64_t o, Columns cols, Element element) {
  const int full = cols.width / 16 * 16, tail = cols.width - full;
  o += cols.offset;
#pragma GCC unroll 4
  for (int j = 0; j < full; j += 16) element(o + j, cols.index + j, 16);
  if (tail > 0) element(o + full, cols.index + full, tail);
}

// Row-major forms of the two apply kernels for units wider than one column group: each row is
// walked once from its first to its last column (one sequential run per row, as the data lies),
// with the per-column parameters loaded beside the data from L1. One call covers the whole unit,
// so the per-call setup that the group kernels repeat for every 64 columns is paid once. Unless
// Scaled (some column centers on mean / 2), the centering scale is 1 and is not loaded: a row's
// parameters then stay in L1 beside its data up to 2048 columns.
//
// With Prefetch, every vector also requests the same columns kPrefetchBytes ahead (element gets
// the distance to that row, else 0). For the streamed normalize pass: a row's parameters are loaded
// beside its data, and those loads keep fewer reads of the data in flight than a plane walk with
// its parameters in registers (a standalone loop over 256-float rows on huge pages on the Zen 4
// VM: 32 GB/s, 34.5 with the request, a plane walk 35.5; in bnbench, in turns without it: nhwc
// C=256 56x56 inference at 1 thread 0.90x the time, other shapes, 2 threads and forward training
// 0.96-1.03x, where untouched paths of the same run spread 0.97-1.07x). The backward apply gained
// nothing from it (1.00-1.04x), so it does not request.
template <bool Prefetch, class Element>
WELFORD_INLINE void for_each_row_vector(const Rows& rows, int64_t q0, int64_t q1, Columns cols,
                                        Element element) {
  RowCursor row(rows, q0), ahead(rows, q0 + (Prefetch ? rows_ahead(cols.width, 1) : 0));
  for (int64_t q = q0; q < q1; ++q, row.next(), ahead.next()) {
    const int64_t next = Prefetch ? ahead.offset() - row.offset() : 0;
    for_each_vector(row.offset(), cols, [&](int64_t o, int64_t j, int n) WELFORD_INLINE_LAMBDA {
      element(o, j, n, next);
    });
  }
}

// The x term of the row-major kernels: x * scale - center where some centering of the unit is
// scaled; x itself otherwise, the caller having folded the center into the constant term.
template <class V, bool Scaled>
WELFORD_INLINE V centered(V v, Centering centering, int64_t j, int n) {
  if (!Scaled) return v;
  return V::mul_sub(v, load_n<V>(centering.scale + j, n), load_n<V>(centering.center + j, n));
}

// Unless Scaled, the caller has folded the centering into the shift (shift = c - center * scale,
// see KernelTable::normalize_wide; likewise c - center * b for bwd_apply_wide, which took
// 0.87-0.97x the time on nhwc rows of the cache-resident shapes, in turns, and made no difference
// on the memory-bound ones) and out = x * scale + shift: two parameters loaded beside each vector
// of data instead of three (measured on the Zen 4 VM, a standalone loop over nhwc rows at 1 thread:
// 0.79x the time at C=512, 0.85x at C=256; in bnbench, in turns with the centered form: nhwc C=256
// and C=512 forward training and inference 0.86-0.93x at 1 thread, (1024, 2048) inference 0.54x /
// 0.69x at 1 / 2 threads).
template <class V, bool Scaled, bool Stream>
void normalize_wide_kernel(const float* in, float* out, const Rows& rows, int64_t q0, int64_t q1,
                           Columns cols, Centering centering, const float* scale,
                           const float* shift) {
  for_each_row_vector<Stream>(
      rows, q0, q1, cols, [&](int64_t o, int64_t j, int n, int64_t next) WELFORD_INLINE_LAMBDA {
        if (Stream) __builtin_prefetch(in + o + next, 0, 0);
        const V xc = centered<V, Scaled>(load_n<V>(in + o, n), centering, j, n);
        store_n<V, Stream>(out + o, n,
                           V::mul_add(xc, load_n<V>(scale + j, n), load_n<V>(shift + j, n)));
      });
}

template <class V, bool Scaled, bool Stream>
void bwd_apply_wide_kernel(const float* x, const float* dy, float* dx, const Rows& rows, int64_t q0,
                           int64_t q1, Columns cols, Centering centering, const float* a,
                           const float* b, const float* c) {
  for_each_row_vector<false>(
      rows, q0, q1, cols, [&](int64_t o, int64_t j, int n, int64_t) WELFORD_INLINE_LAMBDA {
        const V xc = centered<V, Scaled>(load_n<V>(x + o, n), centering, j, n);
        const V g = load_n<V>(dy + o, n);
        store_n<V, Stream>(dx + o, n,
                           V::mul_add(load_n<V>(a + j, n), g,
                                      V::mul_add(load_n<V>(b + j, n), xc, load_n<V>(c + j, n))));
      });
}

// Row-major form of the backward reduction for units wider than one column group, for the same
// reason as the apply kernels: each row is read once from its first to its last column instead of
// in 64-float pieces that revisit every row once per column group (measured on the Zen 4 VM, nchw
// C=2048 7x7 and C=1024 14x14, channel groups of 784 columns, in turns with the group kernels:
// 0.73-0.98x the time at 1 and 2 threads; nhwc rows of C=256 56x56 and C=512 28x28: 0.88-0.92x
// at 1 thread, 0.95-0.97x at 2, and 0.76-0.79x in a standalone loop; (N, C) rows gained nothing
// and keep the group kernels, as do the statistics, for which the same walk was 0.90-1.22x). The
// per-lane block sums then live in `lanes` (L1, beside the row) instead of registers, loaded and
// stored once per two rows; the blocks and their order of additions are those of the group
// kernel. Each row is requested (into L2) kPrefetchBytes ahead.
template <class V, bool Scaled>
void bwd_reduce_wide_kernel(const float* x, const float* dy, const Rows& rows, int64_t q0,
                            int64_t q1, Columns cols, Centering centering, const float* invstd,
                            float* lanes, double* sum_dy, double* sum_dy_xhat) {
  const int64_t stride = wide_reduce_lanes(cols.width) / 2;
  float* const sd = lanes - cols.index;
  float* const sx = sd + stride;
  RowCursor row(rows, q0), ahead(rows, q0 + rows_ahead(cols.width, 2));
  for (int64_t q = q0; q < q1;) {
    const int block = q1 - q < kBlockRows ? static_cast<int>(q1 - q) : kBlockRows;
    for_each_vector(0, cols, [&](int64_t, int64_t j, int) WELFORD_INLINE_LAMBDA {
      V::zero().store(sd + j);
      V::zero().store(sx + j);
    });
    for (int k = 0; k < block; k += 2) {  // two rows per load and store of the lane sums
      const bool pair = k + 1 < block;
      const int64_t next = ahead.offset() - row.offset(), second = row_distance(row);
      for_each_vector(row.offset(), cols, [&](int64_t o, int64_t j, int n) WELFORD_INLINE_LAMBDA {
        const V center = load_n<V>(centering.center + j, n), iv = load_n<V>(invstd + j, n);
        const V scale = Scaled ? load_n<V>(centering.scale + j, n) : V::zero();
        V sdj = V::load(sd + j), sxj = V::load(sx + j);
        const auto add_row = [&](int64_t r) WELFORD_INLINE_LAMBDA {
          __builtin_prefetch(x + r + next, 0, 2);
          __builtin_prefetch(dy + r + next, 0, 2);
          const V g = load_n<V>(dy + r, n), v = load_n<V>(x + r, n);
          const V xc = Scaled ? V::mul_sub(v, scale, center) : v - center;
          sdj = sdj + g;
          sxj = V::mul_add(g, xc * iv, sxj);
        };
        add_row(o);
        if (pair) add_row(o + second);
        sdj.store(sd + j);
        sxj.store(sx + j);
      });
      row.next();
      ahead.next();
      if (pair) {
        row.next();
        ahead.next();
      }
    }
    add_block(sd + cols.index, sx + cols.index, cols, sum_dy, sum_dy_xhat);
    q += block;
  }
}

// A pass without a reduction over nchw planes in memory order: planes [p0, p1) of `spatial`
// floats, plane p of channel p % channels, parameters per channel (broadcast once per plane).
// Streams only where planes are whole vectors (the others are not aligned).
template <class V, bool Stream>
void normalize_planes_one_by_one(const float* in, float* out, int64_t p0, int64_t p1,
                                 int64_t channels, int64_t spatial, Centering centering,
                                 const float* scale, const float* shift) {
  const int64_t full = spatial / 16 * 16;
  const int tail = static_cast<int>(spatial - full);
  int64_t c = p0 % channels;
  for (int64_t p = p0; p < p1; ++p) {
    const V h = V::broadcast(centering.scale[c]), m = V::broadcast(centering.center[c]);
    const V a = V::broadcast(scale[c]), b = V::broadcast(shift[c]);
    const float* src = in + p * spatial;
    float* dst = out + p * spatial;
#pragma GCC unroll 4
    for (int64_t j = 0; j < full; j += 16) {
      const V y = V::mul_add(V::mul_sub(V::load(src + j), h, m), a, b);
      tail == 0 ? store_n<V, Stream>(dst + j, 16, y) : store_n<V, false>(dst + j, 16, y);
    }
    if (tail > 0)
      store_n<V, false>(dst + full, tail,
                        V::mul_add(V::mul_sub(load_n<V>(src + full, tail), h, m), a, b));
    if (++c == channels) c = 0;
  }
}

// The same pass over short planes whose size is not a multiple of 16 (walks_plane_groups), 16
// planes at a time wherever p is a multiple of 16: such a group is `spatial` whole vectors,
// 64-byte aligned, so none is masked and all can be streamed; lane i of vector v belongs to plane
// (16 v + i) / spatial of the group, and takes its channel's parameters from 16-lane tables by a
// permute. The plane number is the integer part of (16 v + i + 0.5) * (1 / spatial), computed in
// float: the exact quotient is at least 0.5 / spatial away from an integer, far more than the
// error of that product below 16 (2^-19 at most), for any spatial below kPlaneGroupSpatialLimit.
// Planes before the first multiple of 16 and after the last whole group are walked one by one.
// The arithmetic per element is that of the walk one by one.
template <class V, bool Stream>
void normalize_plane_groups(const float* in, float* out, int64_t p0, int64_t p1, int64_t channels,
                            int64_t spatial, Centering centering, const float* scale,
                            const float* shift) {
  const int64_t first_group = std::min(p1, (p0 + 15) / 16 * 16);
  normalize_planes_one_by_one<V, Stream>(in, out, p0, first_group, channels, spatial, centering,
                                         scale, shift);
  const V inverse = V::broadcast(1.0f / static_cast<float>(spatial)), step = V::broadcast(16.0f);
  const V lane_centers = V::iota() + V::broadcast(0.5f);
  int64_t p = first_group;
  for (int64_t c = p % channels; p + 16 <= p1; p += 16, c = (c + 16) % channels) {
    const auto table =
        [&](const float* per_channel) WELFORD_INLINE_LAMBDA {  // the group's 16 planes' parameters
          if (c + 16 <= channels) return V::load(per_channel + c);
          alignas(64) float wrapped[16];
          for (int64_t i = 0, f = c; i < 16; ++i, f = f + 1 == channels ? 0 : f + 1)
            wrapped[i] = per_channel[f];
          return V::load(wrapped);
        };
    const V h = table(centering.scale), m = table(centering.center);
    const V a = table(scale), b = table(shift);
    const float* src = in + p * spatial;
    float* dst = out + p * spatial;
    V k = lane_centers;
#pragma GCC unroll 4
    for (int64_t v = 0; v < spatial; ++v, k = k + step) {
      const auto plane = V::truncate(k * inverse);
      const V xc = V::mul_sub(V::load(src + 16 * v), V::select(plane, h), V::select(plane, m));
      store_n<V, Stream>(dst + 16 * v, 16,
                         V::mul_add(xc, V::select(plane, a), V::select(plane, b)));
    }
  }
  normalize_planes_one_by_one<V, Stream>(in, out, p, p1, channels, spatial, centering, scale,
                                         shift);
}

// The plane walk's entry point: groups of planes where the vector type permutes lanes in one
// instruction (the portable one does not, and walks one by one).
template <class V, bool Stream>
void normalize_planes_kernel(const float* in, float* out, int64_t p0, int64_t p1, int64_t channels,
                             int64_t spatial, Centering centering, const float* scale,
                             const float* shift) {
  if constexpr (V::kLanePermute) {
    if (walks_plane_groups(spatial))
      return normalize_plane_groups<V, Stream>(in, out, p0, p1, channels, spatial, centering, scale,
                                               shift);
  }
  normalize_planes_one_by_one<V, Stream>(in, out, p0, p1, channels, spatial, centering, scale,
                                         shift);
}

template <class V>
KernelTable make_kernel_table() {
  return {{&stats_kernel<V, 1>, &stats_kernel<V, 2>, &stats_kernel<V, 3>, &stats_kernel<V, 4>},
          {{&normalize_kernel<V, 1, false>, &normalize_kernel<V, 1, true>},
           {&normalize_kernel<V, 2, false>, &normalize_kernel<V, 2, true>},
           {&normalize_kernel<V, 3, false>, &normalize_kernel<V, 3, true>},
           {&normalize_kernel<V, 4, false>, &normalize_kernel<V, 4, true>}},
          {&bwd_reduce_kernel<V, 1>, &bwd_reduce_kernel<V, 2>, &bwd_reduce_kernel<V, 3>,
           &bwd_reduce_kernel<V, 4>},
          {{&bwd_apply_kernel<V, 1, false>, &bwd_apply_kernel<V, 1, true>},
           {&bwd_apply_kernel<V, 2, false>, &bwd_apply_kernel<V, 2, true>},
           {&bwd_apply_kernel<V, 3, false>, &bwd_apply_kernel<V, 3, true>},
           {&bwd_apply_kernel<V, 4, false>, &bwd_apply_kernel<V, 4, true>}},
          {{&normalize_wide_kernel<V, false, false>, &normalize_wide_kernel<V, false, true>},
           {&normalize_wide_kernel<V, true, false>, &normalize_wide_kernel<V, true, true>}},
          {{&bwd_apply_wide_kernel<V, false, false>, &bwd_apply_wide_kernel<V, false, true>},
           {&bwd_apply_wide_kernel<V, true, false>, &bwd_apply_wide_kernel<V, true, true>}},
          {&bwd_reduce_wide_kernel<V, false>, &bwd_reduce_wide_kernel<V, true>},
          {&normalize_planes_kernel<V, false>, &normalize_planes_kernel<V, true>},
          V::kLanePermute,
          &V::store_fence};
}

}  // namespace bnbench::welford
