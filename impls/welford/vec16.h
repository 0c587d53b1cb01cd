// Vec16: sixteen floats as a generic vector (GCC/Clang vector extension), the portable stand-in
// for one AVX-512 register: the compiler lowers it to whatever the target has (one zmm, two ymm,
// four xmm or scalars).
//
// Invariant: offers exactly the operations VecAvx512 offers (same names, same semantics, masked
// loads read only the first n lanes and zero the rest), so the strip kernels compile unchanged on
// either; the lane permutes (kLanePermute) are the one exception, used only under if constexpr.
#pragma once

#include <cstring>

namespace bnbench::welford {

struct Vec16 {
  using Lanes = float __attribute__((vector_size(64)));
  Lanes lane;

  static Vec16 zero() { return {Lanes{}}; }
  static Vec16 broadcast(float s) { return {Lanes{} + s}; }
  static Vec16 load(const float* p) {
    Vec16 r;
    std::memcpy(&r.lane, p, sizeof r.lane);
    return r;
  }
  static Vec16 load_first(const float* p, int n) {
    Vec16 r = zero();
    for (int i = 0; i < n; ++i) r.lane[i] = p[i];
    return r;
  }
  void store(float* p) const { std::memcpy(p, &lane, sizeof lane); }
  void store_first(float* p, int n) const {
    for (int i = 0; i < n; ++i) p[i] = lane[i];
  }
  void stream(float* p) const { store(p); }  // no portable non-temporal store
  static void store_fence() {}

  // No lane permute: the GCC/Clang vector extension has none that compiles to one instruction on
  // every target, so kernels that would select lanes take their other path (normalize_planes).
  static constexpr bool kLanePermute = false;

  friend Vec16 operator+(Vec16 a, Vec16 b) { return {a.lane + b.lane}; }
  friend Vec16 operator-(Vec16 a, Vec16 b) { return {a.lane - b.lane}; }
  friend Vec16 operator*(Vec16 a, Vec16 b) { return {a.lane * b.lane}; }
  // a * b + c and a * b - c, fused where the target has FMA (floating-point contraction).
  static Vec16 mul_add(Vec16 a, Vec16 b, Vec16 c) { return {a.lane * b.lane + c.lane}; }
  static Vec16 mul_sub(Vec16 a, Vec16 b, Vec16 c) { return {a.lane * b.lane - c.lane}; }
};

}  // namespace bnbench::welford
