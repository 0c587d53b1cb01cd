// Device-to-device copy probe: the GPU's memory-bandwidth limit, as the STREAM probes are the
// CPU's.
//
// Invariant: measured once per process on buffers far larger than the L2 cache (256 MiB each, less
// when memory is short), best of several timed cudaMemcpyAsync calls, counting read + write bytes,
// so "% of limit" for a GPU case compares against the same byte model as perf-anchors.md.
#pragma once

#include <nlohmann/json.hpp>

namespace bnbench::cuda {

// {"kernel": "cudaMemcpyAsync device-to-device", "bytes": ..., "best_gbps": ..., "median_gbps":
// ...}; {"error": ...} when the probe could not run.
const nlohmann::json& copy_probe();

}  // namespace bnbench::cuda
