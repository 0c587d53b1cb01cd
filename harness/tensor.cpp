// Tensors: allocation (64-byte aligned, on huge pages from 2 MiB, zeroed), NaN poisoning and which
// tensors a problem has.
//
// Invariant: allocate_tensors() and output_mask() agree with the has_*/reads_*/writes_* predicates
// of problem.h, the single statement of which tensors each direction reads and writes.
#include "tensor.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

#include "huge_pages.h"

namespace bnbench {

Buffer::Buffer(int64_t count, DType dtype) : count_(count), dtype_(dtype) {
  const size_t bytes = static_cast<size_t>(count) * dtype_size(dtype);
  void* p = allocate_large(bytes);
  std::memset(p, 0, bytes);
  storage_ =
      std::shared_ptr<std::byte>(static_cast<std::byte*>(p), [](std::byte* q) { std::free(q); });
}

double Buffer::get(int64_t i) const {
  return dtype_ == DType::f32 ? static_cast<double>(as<float>()[i]) : as<double>()[i];
}

void Buffer::set(int64_t i, double v) {
  if (dtype_ == DType::f32)
    as<float>()[i] = static_cast<float>(v);
  else
    as<double>()[i] = v;
}

void Buffer::fill_nan() {
  if (dtype_ == DType::f32) {
    float* p = as<float>();
#pragma omp parallel for schedule(static) if (count_ >= (1 << 16))
    for (int64_t i = 0; i < count_; ++i) p[i] = std::numeric_limits<float>::quiet_NaN();
  } else {
    double* p = as<double>();
#pragma omp parallel for schedule(static) if (count_ >= (1 << 16))
    for (int64_t i = 0; i < count_; ++i) p[i] = std::numeric_limits<double>::quiet_NaN();
  }
}

Buffer Buffer::clone() const {
  Buffer copy(count_, dtype_);
  if (count_) std::memcpy(copy.data(), data(), bytes());
  return copy;
}

void Buffer::copy_from(const Buffer& other) {
  if (count_) std::memcpy(data(), other.data(), bytes());
}

std::string to_string(TensorId id) {
  static const char* const kNames[kTensorCount] = {
      "x",         "dy",       "gamma", "beta", "running_mean", "running_var",
      "save_mean", "save_var", "y",     "dx",   "dgamma",       "dbeta"};
  return kNames[static_cast<int>(id)];
}

std::array<bool, kTensorCount> output_mask(const Problem& p) {
  std::array<bool, kTensorCount> m{};
  auto set = [&](TensorId id, bool v) { m[static_cast<int>(id)] = v; };
  set(TensorId::y, has_y(p));
  set(TensorId::dx, has_dx(p));
  set(TensorId::save_mean, has_saved_stats_output(p));
  set(TensorId::save_var, has_saved_stats_output(p));
  set(TensorId::running_mean, writes_running_stats(p));
  set(TensorId::running_var, writes_running_stats(p));
  set(TensorId::dgamma, has_affine_grads(p));
  set(TensorId::dbeta, has_affine_grads(p));
  return m;
}

namespace {
std::array<int64_t, kTensorCount> tensor_counts(const Problem& p) {
  std::array<int64_t, kTensorCount> n{};
  auto set = [&](TensorId id, int64_t v) { n[static_cast<int>(id)] = v; };
  const int64_t data = stored_elements(p), features = feature_count(p);
  set(TensorId::x, data);
  set(TensorId::dy, has_dy(p) ? data : 0);
  set(TensorId::y, has_y(p) && !p.inplace ? data : 0);
  set(TensorId::dx, has_dx(p) && !p.inplace ? data : 0);
  set(TensorId::gamma, p.affine ? features : 0);
  set(TensorId::beta, p.affine && !is_backward(p.direction) ? features : 0);
  set(TensorId::running_mean, reads_running_stats(p) ? features : 0);
  set(TensorId::running_var, reads_running_stats(p) ? features : 0);
  const bool saved = has_saved_stats_output(p) || reads_saved_stats(p);
  set(TensorId::save_mean, saved ? features : 0);
  set(TensorId::save_var, saved ? features : 0);
  set(TensorId::dgamma, has_affine_grads(p) ? features : 0);
  set(TensorId::dbeta, has_affine_grads(p) ? features : 0);
  return n;
}
}  // namespace

size_t tensor_bytes(const Problem& p) {
  size_t total = 0;
  for (int64_t n : tensor_counts(p)) total += static_cast<size_t>(n) * dtype_size(p.dtype);
  return total;
}

Tensors allocate_tensors(const Problem& p) {
  Tensors t;
  auto counts = tensor_counts(p);
  for (int i = 0; i < kTensorCount; ++i)
    if (counts[i]) t.buffers[i] = Buffer(counts[i], p.dtype);
  if (p.inplace) {
    if (has_y(p)) t[TensorId::y] = t[TensorId::x];
    if (has_dx(p)) t[TensorId::dx] = t[TensorId::dy];
  }
  return t;
}

}  // namespace bnbench
