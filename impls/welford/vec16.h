// Vec16: sixteen floats as a generic vector (GCC/Clang vector extension), the portable stand-in
// for one AVX-512 register: the compiler lowers it to whatever the target has (one zmm, two ymm,
// four xmm or scalars).
//
// Invariant: offers exactly the operations VecAvx512 offers (same names, same semantics, masked
// loads read only the first n lanes and zero the rest), so the strip kernels compile unchanged on
// either.
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

  // Lane numbers (0..15): the integer parts of a vector of non-negative floats below 16.
  struct Index {
    int lane[16];
  };
  static Index truncate(Vec16 q) {
    Index r;
    for (int i = 0; i < 16; ++i) r.lane[i] = static_cast<int>(q.lane[i]);
    return r;
  }
  // Lane i of the result: lane index[i] of table.
  static Vec16 select(const Index& index, Vec16 table) {
    Vec16 r;
    for (int i = 0; i < 16; ++i) r.lane[i] = table.lane[index.lane[i] & 15];
    return r;
  }
  static Vec16 iota() { return {Lanes{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}}; }

  friend Vec16 operator+(Vec16 a, Vec16 b) { return {a.lane + b.lane}; }
  friend Vec16 operator-(Vec16 a, Vec16 b) { return {a.lane - b.lane}; }
  friend Vec16 operator*(Vec16 a, Vec16 b) { return {a.lane * b.lane}; }
  // a * b + c and a * b - c, fused where the target has FMA (floating-point contraction).
  static Vec16 mul_add(Vec16 a, Vec16 b, Vec16 c) { return {a.lane * b.lane + c.lane}; }
  static Vec16 mul_sub(Vec16 a, Vec16 b, Vec16 c) { return {a.lane * b.lane - c.lane}; }
};

}  // namespace bnbench::welford
