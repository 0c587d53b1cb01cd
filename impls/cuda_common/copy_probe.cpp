// Device-to-device copy probe: see copy_probe.h.
#include "copy_probe.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "cuda_device.h"

namespace bnbench::cuda {

namespace {

constexpr size_t kProbeBytes = size_t{256} << 20;
constexpr int kRepetitions = 15;

nlohmann::json measure_copy() {
  size_t free_bytes = 0, total_bytes = 0;
  check(cudaMemGetInfo(&free_bytes, &total_bytes), "cudaMemGetInfo");
  const size_t bytes = std::min(kProbeBytes, free_bytes / 4) / 256 * 256;
  if (bytes < (size_t{16} << 20))
    throw std::runtime_error("less than 64 MiB of free device memory");
  DeviceBuffer source(bytes), destination(bytes);
  TimedStream stream;
  source.zero(stream.get());
  std::vector<double> rates;
  for (int i = 0; i < kRepetitions + 2; ++i) {  // the first two calls warm up
    stream.start();
    check(cudaMemcpyAsync(destination.data(), source.data(), bytes, cudaMemcpyDeviceToDevice,
                          stream.get()),
          "cudaMemcpyAsync D2D");
    stream.stop();
    stream.synchronize();
    if (i >= 2) rates.push_back(2.0 * static_cast<double>(bytes) / stream.seconds() / 1e9);
  }
  std::sort(rates.begin(), rates.end());
  return {{"kernel", "cudaMemcpyAsync device-to-device"},
          {"bytes", bytes},
          {"bytes_counted", "read + write (2 x bytes per copy)"},
          {"repetitions", kRepetitions},
          {"best_gbps", rates.back()},
          {"median_gbps", rates[rates.size() / 2]}};
}

}  // namespace

const nlohmann::json& copy_probe() {
  static const nlohmann::json result = []() -> nlohmann::json {
    if (!device_unavailable_reason().empty()) return {{"error", device_unavailable_reason()}};
    try {
      return measure_copy();
    } catch (const std::exception& e) {
      return {{"error", e.what()}};
    }
  }();
  return result;
}

}  // namespace bnbench::cuda
