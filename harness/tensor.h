// Tensors: aligned host buffers and the named set of tensors one case reads and writes.
//
// Invariant: buffers are 64-byte aligned (2 MiB and advised onto huge pages from 2 MiB, see
// huge_pages.h) and typed by the problem's dtype; a tensor a case does not
// have is empty (size 0). For in-place problems y shares x's storage (forward) and dx shares dy's
// (backward), so a backend that writes the output overwrites the input, exactly as asked.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "problem.h"

namespace bnbench {

class Buffer {
 public:
  Buffer() = default;
  Buffer(int64_t count, DType dtype);
  int64_t count() const { return count_; }
  DType dtype() const { return dtype_; }
  size_t bytes() const { return static_cast<size_t>(count_) * dtype_size(dtype_); }
  bool empty() const { return count_ == 0; }
  void* data() const { return storage_.get(); }
  template <class T>
  T* as() const {
    return static_cast<T*>(data());
  }
  double get(int64_t i) const;
  void set(int64_t i, double v);
  void fill_nan();
  Buffer clone() const;                 // deep copy
  void copy_from(const Buffer& other);  // same size and dtype
  bool shares_storage_with(const Buffer& other) const { return storage_ == other.storage_; }

 private:
  std::shared_ptr<std::byte> storage_;
  int64_t count_ = 0;
  DType dtype_ = DType::f32;
};

enum class TensorId {
  x,
  dy,
  gamma,
  beta,
  running_mean,
  running_var,
  save_mean,
  save_var,  // inputs (running: in/out)
  y,
  dx,
  dgamma,
  dbeta  // outputs
};
constexpr int kTensorCount = 12;
std::string to_string(TensorId id);

struct Tensors {
  std::array<Buffer, kTensorCount> buffers;
  Buffer& operator[](TensorId id) { return buffers[static_cast<int>(id)]; }
  const Buffer& operator[](TensorId id) const { return buffers[static_cast<int>(id)]; }
};

// Allocates every tensor the problem has (and only those), aliasing for in-place problems.
Tensors allocate_tensors(const Problem& p);
// Bytes the host tensors of a problem need (the harness adds the reference's own share).
size_t tensor_bytes(const Problem& p);
// The outputs a backend writes for this problem (running stats included when updated).
std::array<bool, kTensorCount> output_mask(const Problem& p);

}  // namespace bnbench
