// CUDA helpers shared by the GPU backends: see cuda_device.h.
#include "cuda_device.h"

#include <stdexcept>
#include <utility>

#include "copy_probe.h"

namespace bnbench::cuda {

const std::string& device_unavailable_reason() {
  static const std::string reason = [] {
    int count = 0;
    const cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess) {
      cudaGetLastError();  // clear the error so later calls start clean
      return "no CUDA device: " + std::string(cudaGetErrorString(e));
    }
    if (count == 0) return std::string("no CUDA device: cudaGetDeviceCount found 0 devices");
    return std::string();
  }();
  return reason;
}

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}

DeviceBuffer::DeviceBuffer(size_t bytes) : bytes_(bytes) {
  if (bytes > 0) check(cudaMalloc(&ptr_, bytes), "cudaMalloc");
}

DeviceBuffer::~DeviceBuffer() {
  if (ptr_) cudaFree(ptr_);
}

DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept
    : ptr_(std::exchange(other.ptr_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
  if (this != &other) {
    if (ptr_) cudaFree(ptr_);
    ptr_ = std::exchange(other.ptr_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

void DeviceBuffer::upload(const void* host, size_t bytes, cudaStream_t stream) {
  if (bytes > bytes_) throw std::logic_error("DeviceBuffer::upload: more bytes than allocated");
  if (bytes == 0) return;
  check(cudaMemcpyAsync(ptr_, host, bytes, cudaMemcpyHostToDevice, stream), "cudaMemcpyAsync H2D");
  check(cudaStreamSynchronize(stream), "cudaStreamSynchronize after H2D");
}

void DeviceBuffer::download(void* host, size_t bytes, cudaStream_t stream) const {
  if (bytes > bytes_) throw std::logic_error("DeviceBuffer::download: more bytes than allocated");
  if (bytes == 0) return;
  check(cudaMemcpyAsync(host, ptr_, bytes, cudaMemcpyDeviceToHost, stream), "cudaMemcpyAsync D2H");
  check(cudaStreamSynchronize(stream), "cudaStreamSynchronize after D2H");
}

void DeviceBuffer::zero(cudaStream_t stream) {
  if (bytes_ == 0) return;
  check(cudaMemsetAsync(ptr_, 0, bytes_, stream), "cudaMemsetAsync");
  check(cudaStreamSynchronize(stream), "cudaStreamSynchronize after memset");
}

TimedStream::TimedStream() {
  check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate");
  check(cudaEventCreate(&start_), "cudaEventCreate");
  check(cudaEventCreate(&stop_), "cudaEventCreate");
}

TimedStream::~TimedStream() {
  if (start_) cudaEventDestroy(start_);
  if (stop_) cudaEventDestroy(stop_);
  if (stream_) cudaStreamDestroy(stream_);
}

void TimedStream::synchronize() {
  check(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
  check(cudaGetLastError(), "kernel launch");
}

double TimedStream::seconds() const {
  float ms = 0;
  check(cudaEventElapsedTime(&ms, start_, stop_), "cudaEventElapsedTime");
  return ms * 1e-3;
}

const DeviceProperties& device_properties() {
  static const DeviceProperties props = [] {
    DeviceProperties d;
    cudaDeviceProp p{};
    check(cudaGetDeviceProperties(&p, 0), "cudaGetDeviceProperties");
    d.name = p.name;
    d.sm_count = p.multiProcessorCount;
    d.compute_major = p.major;
    d.compute_minor = p.minor;
    d.max_threads_per_sm = p.maxThreadsPerMultiProcessor;
    d.shared_memory_per_sm = p.sharedMemPerMultiprocessor;
    d.l2_bytes = static_cast<size_t>(p.l2CacheSize);
    d.cooperative_launch = p.cooperativeLaunch != 0;
    return d;
  }();
  return props;
}

namespace {

int attribute(cudaDeviceAttr a) {
  int v = 0;
  return cudaDeviceGetAttribute(&v, a, 0) == cudaSuccess ? v : -1;
}

std::string version_string(int v) {  // CUDA's 1000 * major + 10 * minor
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
}

}  // namespace

nlohmann::json device_json() {
  const std::string& reason = device_unavailable_reason();
  if (!reason.empty()) return {{"available", false}, {"reason", reason}};
  const DeviceProperties& d = device_properties();
  int driver = 0, runtime = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  size_t free_bytes = 0, total_bytes = 0;
  cudaMemGetInfo(&free_bytes, &total_bytes);
  const int memory_clock_khz = attribute(cudaDevAttrMemoryClockRate);
  const int bus_bits = attribute(cudaDevAttrGlobalMemoryBusWidth);
  nlohmann::json j = {{"available", true},
                      {"name", d.name},
                      {"compute_capability",
                       std::to_string(d.compute_major) + "." + std::to_string(d.compute_minor)},
                      {"sm_count", d.sm_count},
                      {"memory_bytes", total_bytes},
                      {"memory_free_bytes", free_bytes},
                      {"l2_bytes", d.l2_bytes},
                      {"shared_memory_per_sm_bytes", d.shared_memory_per_sm},
                      {"sm_clock_khz", attribute(cudaDevAttrClockRate)},
                      {"memory_clock_khz", memory_clock_khz},
                      {"memory_bus_bits", bus_bits},
                      {"driver_version", version_string(driver)},
                      {"runtime_version", version_string(runtime)},
                      {"copy_probe", copy_probe()}};
  if (memory_clock_khz > 0 && bus_bits > 0)  // double data rate
    j["theoretical_gbps"] = 2.0 * memory_clock_khz * 1e3 * (bus_bits / 8.0) / 1e9;
  return j;
}

std::string device_label() {
  if (!device_unavailable_reason().empty()) return "cuda (no device)";
  const DeviceProperties& d = device_properties();
  return d.name + " (sm_" + std::to_string(d.compute_major) + std::to_string(d.compute_minor) + ")";
}

}  // namespace bnbench::cuda
