// Vec16: sixteen floats in plain C++, the portable stand-in for one AVX-512 register.
//
// Invariant: offers exactly the operations VecAvx512 offers (same names, same semantics, masked
// loads read only the first n lanes and zero the rest), so the strip kernels compile unchanged on
// either; the loops are fixed-length so the compiler vectorizes them as far as the target allows.
#pragma once

namespace bnbench::welford {

struct Vec16 {
  float lane[16];

  static Vec16 zero() { return broadcast(0.0f); }
  static Vec16 broadcast(float s) {
    Vec16 r;
    for (int i = 0; i < 16; ++i) r.lane[i] = s;
    return r;
  }
  static Vec16 load(const float* p) {
    Vec16 r;
    for (int i = 0; i < 16; ++i) r.lane[i] = p[i];
    return r;
  }
  static Vec16 load_first(const float* p, int n) {
    Vec16 r;
    for (int i = 0; i < 16; ++i) r.lane[i] = i < n ? p[i] : 0.0f;
    return r;
  }
  void store(float* p) const {
    for (int i = 0; i < 16; ++i) p[i] = lane[i];
  }
  void store_first(float* p, int n) const {
    for (int i = 0; i < n; ++i) p[i] = lane[i];
  }
  void stream(float* p) const { store(p); }  // no portable non-temporal store
  static void store_fence() {}

  friend Vec16 operator+(Vec16 a, Vec16 b) {
    for (int i = 0; i < 16; ++i) a.lane[i] += b.lane[i];
    return a;
  }
  friend Vec16 operator-(Vec16 a, Vec16 b) {
    for (int i = 0; i < 16; ++i) a.lane[i] -= b.lane[i];
    return a;
  }
  friend Vec16 operator*(Vec16 a, Vec16 b) {
    for (int i = 0; i < 16; ++i) a.lane[i] *= b.lane[i];
    return a;
  }
  // a * b + c and a * b - c, fused where the target has FMA (floating-point contraction).
  static Vec16 mul_add(Vec16 a, Vec16 b, Vec16 c) {
    for (int i = 0; i < 16; ++i) a.lane[i] = a.lane[i] * b.lane[i] + c.lane[i];
    return a;
  }
  static Vec16 mul_sub(Vec16 a, Vec16 b, Vec16 c) {
    for (int i = 0; i < 16; ++i) a.lane[i] = a.lane[i] * b.lane[i] - c.lane[i];
    return a;
  }
};

}  // namespace bnbench::welford
