// VecAvx512: one __m512 register of sixteen floats behind the interface Vec16 defines.
//
// Invariant: only translation units compiled with -mavx512f -mavx512bw -mavx512vl include this
// header, and they are entered only after a run-time CPU check. Masked loads fault on no lane
// beyond n; stream() needs a 64-byte aligned address (the planner only asks for it then).
#pragma once

#include <immintrin.h>

namespace bnbench::welford {

struct VecAvx512 {
  __m512 v;

  static __mmask16 first(int n) { return static_cast<__mmask16>((1u << n) - 1u); }
  static VecAvx512 zero() { return {_mm512_setzero_ps()}; }
  static VecAvx512 broadcast(float s) { return {_mm512_set1_ps(s)}; }
  static VecAvx512 load(const float* p) { return {_mm512_loadu_ps(p)}; }
  static VecAvx512 load_first(const float* p, int n) {
    return {_mm512_maskz_loadu_ps(first(n), p)};
  }
  void store(float* p) const { _mm512_storeu_ps(p, v); }
  void store_first(float* p, int n) const { _mm512_mask_storeu_ps(p, first(n), v); }
  void stream(float* p) const { _mm512_stream_ps(p, v); }
  static void store_fence() { _mm_sfence(); }

  static constexpr bool kLanePermute = true;
  // Lane numbers (0..15): the integer parts of a vector of non-negative floats below 16.
  struct Index {
    __m512i v;
  };
  // (The zero-masked forms with every lane set: GCC 12 warns that the unmasked ones read an
  // uninitialized register.)
  static Index truncate(VecAvx512 q) { return {_mm512_maskz_cvttps_epi32(0xFFFF, q.v)}; }
  // Lane i of the result: lane index[i] of table.
  static VecAvx512 select(Index index, VecAvx512 table) {
    return {_mm512_maskz_permutexvar_ps(0xFFFF, index.v, table.v)};
  }
  static VecAvx512 iota() {
    return {_mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)};
  }

  friend VecAvx512 operator+(VecAvx512 a, VecAvx512 b) { return {_mm512_add_ps(a.v, b.v)}; }
  friend VecAvx512 operator-(VecAvx512 a, VecAvx512 b) { return {_mm512_sub_ps(a.v, b.v)}; }
  friend VecAvx512 operator*(VecAvx512 a, VecAvx512 b) { return {_mm512_mul_ps(a.v, b.v)}; }
  static VecAvx512 mul_add(VecAvx512 a, VecAvx512 b, VecAvx512 c) {
    return {_mm512_fmadd_ps(a.v, b.v, c.v)};
  }
  static VecAvx512 mul_sub(VecAvx512 a, VecAvx512 b, VecAvx512 c) {
    return {_mm512_fmsub_ps(a.v, b.v, c.v)};
  }
};

}  // namespace bnbench::welford
