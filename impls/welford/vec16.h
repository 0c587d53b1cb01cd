// Vec16: sixteen floats as an array of the target's widest vectors (GCC/Clang vector extension),
// the portable stand-in for one AVX-512 register: one 64-byte vector where the target has them,
// two of 32 bytes (AVX), four of 16 (SSE, NEON and the rest).
//
// Invariant: offers exactly the operations VecAvx512 offers (same names, same semantics, masked
// loads read only the first n lanes and zero the rest and fault on no other), so the strip kernels
// compile unchanged on either; the lane permutes (kLanePermute) are the one exception, used only
// under if constexpr. Every part has a machine vector mode: GCC 12 keeps a single 64-byte vector
// on a target without one on the stack between operations. Measured on a Zen 3 VM without AVX-512
// (AVX2), in turns with that single vector, ordinary stores and scalar tails (the perf_cpu shapes,
// nchw and nhwc, 1 and 2 threads, 7 rounds): forward training 1.80-4.20x faster, inference
// 1.01-3.07x, backward 1.10-3.56x. Target facts come from the compiler's macros, never from
// intrinsics the target lacks.
#pragma once

#include <cstring>
#if defined(__SSE__)
#include <immintrin.h>
#endif

#include "chan.h"

namespace bnbench::welford {

#if defined(__AVX512F__)
inline constexpr int kNativeVectorBytes = 64;
#elif defined(__AVX__)
inline constexpr int kNativeVectorBytes = 32;
#else
inline constexpr int kNativeVectorBytes = 16;
#endif

struct Vec16 {
  using Part = float __attribute__((vector_size(kNativeVectorBytes)));
  static constexpr int kParts = 64 / kNativeVectorBytes;
  static constexpr int kPartLanes = 16 / kParts;
  Part part[kParts];

  static WELFORD_INLINE Vec16 zero() { return broadcast(0.f); }
  static WELFORD_INLINE Vec16 broadcast(float s) {
    Vec16 r;
#pragma GCC unroll 4
    for (int i = 0; i < kParts; ++i) r.part[i] = Part{} + s;
    return r;
  }
  static WELFORD_INLINE Vec16 load(const float* p) {
    Vec16 r;
#pragma GCC unroll 4
    for (int i = 0; i < kParts; ++i) std::memcpy(&r.part[i], p + i * kPartLanes, sizeof(Part));
    return r;
  }
  static WELFORD_INLINE Vec16 load_first(const float* p, int n) {
#if defined(__AVX__) && !defined(__AVX512F__)
    Vec16 r;
    for (int i = 0; i < kParts; ++i)
      r.part[i] = reinterpret_cast<Part>(
          _mm256_maskload_ps(p + kPartLanes * i, part_mask(n - kPartLanes * i)));
    return r;
#else
    alignas(64) float lanes[16] = {};
    for (int i = 0; i < n; ++i) lanes[i] = p[i];
    return load(lanes);
#endif
  }
  WELFORD_INLINE void store(float* p) const {
#pragma GCC unroll 4
    for (int i = 0; i < kParts; ++i) std::memcpy(p + i * kPartLanes, &part[i], sizeof(Part));
  }
  WELFORD_INLINE void store_first(float* p, int n) const {
#if defined(__AVX__) && !defined(__AVX512F__)
    for (int i = 0; i < kParts; ++i)
      _mm256_maskstore_ps(p + kPartLanes * i, part_mask(n - kPartLanes * i),
                          reinterpret_cast<__m256>(part[i]));
#else
    alignas(64) float lanes[16];
    store(lanes);
    for (int i = 0; i < n; ++i) p[i] = lanes[i];
#endif
  }
#if defined(__AVX__) && !defined(__AVX512F__)
  // The first `lanes` (any int; clamped to 0..8) of eight set: masked loads and stores touch
  // nothing else, so a tail at the end of a buffer never faults (AVX has no integer compare, so
  // the mask is a window of a table).
  static WELFORD_INLINE __m256i part_mask(int lanes) {
    alignas(64) static constexpr int kWindow[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                                    0,  0,  0,  0,  0,  0,  0,  0};
    const int set = lanes < 0 ? 0 : lanes > 8 ? 8 : lanes;
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kWindow + 8 - set));
  }
#endif
  // Non-temporal where the target has the instruction (x86: SSE and up; the planner streams only
  // to 64-byte aligned addresses), an ordinary store elsewhere.
  WELFORD_INLINE void stream(float* p) const {
#if defined(__AVX512F__)
    _mm512_stream_ps(p, reinterpret_cast<const __m512&>(part[0]));
#elif defined(__AVX__)
    for (int i = 0; i < kParts; ++i)
      _mm256_stream_ps(p + kPartLanes * i, reinterpret_cast<const __m256&>(part[i]));
#elif defined(__SSE__)
    for (int i = 0; i < kParts; ++i)
      _mm_stream_ps(p + kPartLanes * i, reinterpret_cast<const __m128&>(part[i]));
#else
    store(p);
#endif
  }
  static WELFORD_INLINE void store_fence() {
#if defined(__SSE__)
    _mm_sfence();
#endif
  }

  // No lane permute: the GCC/Clang vector extension has none that compiles to one instruction on
  // every target, so kernels that would select lanes take their other path (normalize_planes).
  static constexpr bool kLanePermute = false;

  friend WELFORD_INLINE Vec16 operator+(Vec16 a, Vec16 b) {
#pragma GCC unroll 4
    for (int i = 0; i < kParts; ++i) a.part[i] += b.part[i];
    return a;
  }
  friend WELFORD_INLINE Vec16 operator-(Vec16 a, Vec16 b) {
#pragma GCC unroll 4
    for (int i = 0; i < kParts; ++i) a.part[i] -= b.part[i];
    return a;
  }
  friend WELFORD_INLINE Vec16 operator*(Vec16 a, Vec16 b) {
#pragma GCC unroll 4
    for (int i = 0; i < kParts; ++i) a.part[i] *= b.part[i];
    return a;
  }
  // a * b + c and a * b - c, fused where the target has FMA (floating-point contraction).
  static WELFORD_INLINE Vec16 mul_add(Vec16 a, Vec16 b, Vec16 c) {
#pragma GCC unroll 4
    for (int i = 0; i < kParts; ++i) a.part[i] = a.part[i] * b.part[i] + c.part[i];
    return a;
  }
  static WELFORD_INLINE Vec16 mul_sub(Vec16 a, Vec16 b, Vec16 c) {
#pragma GCC unroll 4
    for (int i = 0; i < kParts; ++i) a.part[i] = a.part[i] * b.part[i] - c.part[i];
    return a;
  }
};

}  // namespace bnbench::welford
