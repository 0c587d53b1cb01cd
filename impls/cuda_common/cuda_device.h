// CUDA helpers shared by the GPU backends (cudnn, cuda_welford): whether a device is usable (asked
// once per process), error checks, device buffers, a stream with event timing, and the device's
// description for BackendInfo::extra.
//
// Invariant: nothing here touches the device unless device_unavailable_reason() is empty, so a
// machine without a GPU or driver only ever sees one cudaGetDeviceCount call. Every CUDA error
// becomes a std::runtime_error naming the call, which the case flow records as ERROR.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "tensor.h"

namespace bnbench::cuda {

// Empty when device 0 is usable, else "no CUDA device: <cudaGetErrorString>" (or the count 0).
const std::string& device_unavailable_reason();

// Throws std::runtime_error("<what>: <cudaGetErrorString>") unless e == cudaSuccess.
void check(cudaError_t e, const char* what);

// One device allocation (cudaMalloc), freed on destruction; transfers are synchronous on `stream`.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& other) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* data() const { return ptr_; }
  template <class T>
  T* as() const {
    return static_cast<T*>(ptr_);
  }
  size_t bytes() const { return bytes_; }
  void upload(const void* host, size_t bytes, cudaStream_t stream);
  void download(void* host, size_t bytes, cudaStream_t stream) const;
  void upload(const Buffer& host, cudaStream_t stream) {
    upload(host.data(), host.bytes(), stream);
  }
  void download(Buffer& host, cudaStream_t stream) const {
    download(host.data(), host.bytes(), stream);
  }
  void zero(cudaStream_t stream);

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

// A non-blocking stream with a start/stop event pair: run() brackets its launches with start() and
// stop(); seconds() is the elapsed device time of the last bracket (after synchronize()).
class TimedStream {
 public:
  TimedStream();
  ~TimedStream();
  TimedStream(const TimedStream&) = delete;
  TimedStream& operator=(const TimedStream&) = delete;

  cudaStream_t get() const { return stream_; }
  void start() { cudaEventRecord(start_, stream_); }
  void stop() { cudaEventRecord(stop_, stream_); }
  void synchronize();  // waits, then throws on any asynchronous error of the launches
  double seconds() const;

 private:
  cudaStream_t stream_ = nullptr;
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
};

struct DeviceProperties {
  std::string name;
  int sm_count = 0, compute_major = 0, compute_minor = 0;
  int max_threads_per_sm = 0;
  size_t shared_memory_per_sm = 0;
  size_t l2_bytes = 0;
  bool cooperative_launch = false;
};
const DeviceProperties& device_properties();  // device 0, read once

// Device 0 described for BackendInfo::extra: name, compute capability, SM count, memory, clocks,
// bus width and theoretical bandwidth, driver and runtime versions, and the copy-probe bandwidth;
// or {"available": false, "reason": ...} without a device.
nlohmann::json device_json();
// "NVIDIA H100 80GB HBM3 (sm_90)" or "cuda (no device)".
std::string device_label();

}  // namespace bnbench::cuda
