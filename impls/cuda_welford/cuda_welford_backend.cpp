// The cuda_welford backends: `cuda_welford` (the fused single-pass kernel where the problem fits
// on chip, two kernels otherwise) and `cuda_welford_unfused` (always two kernels, so the two-kernel
// path is checked on the small problems the fused one would otherwise take).
//
// Invariant: without a usable CUDA device every problem is SKIPPED with "no CUDA device: ..."
// (asked once per process), and no other CUDA call is made. The kernels are float32 over plain
// channels-first and channels-last data of every rank, every direction and mode.
#include <cstdint>
#include <memory>

#include "cuda_device.h"
#include "cuda_welford_instance.h"
#include "registry.h"
#include "welford_math.h"

namespace bnbench {

namespace {

class CudaWelfordBackend final : public Backend {
 public:
  explicit CudaWelfordBackend(bool allow_fused) : allow_fused_(allow_fused) {}

  std::string name() const override {
    return allow_fused_ ? "cuda_welford" : "cuda_welford_unfused";
  }

  BackendInfo info() const override {
    BackendInfo i;
    i.name = name();
    i.description = allow_fused_
                        ? "CUDA Welford per thread, Chan merges by tree; fused single pass where "
                          "the data fit on chip, else two kernels"
                        : "CUDA Welford per thread, Chan merges by tree; always two kernels";
    i.version = "bnbench";
    i.device = cuda::device_label();
    i.extra = {{"device", cuda::device_json()},
               {"timer", "CUDA events around the launches"},
               {"block_threads", cuda_welford::kBlockThreads},
               {"items_per_thread", cuda_welford::kItems}};
    return i;
  }

  Support supports(const Problem& p) const override {
    const std::string& no_device = cuda::device_unavailable_reason();
    if (!no_device.empty()) return Support::no(no_device);
    if (p.dtype != DType::f32) return Support::no("float32 kernels only");
    if (p.layout == Layout::nchw16c)
      return Support::no("no kernel for the blocked nchw16c layout (nchw and nhwc only)");
    if (reduction_size(p) >= (int64_t{1} << 31) || spatial_size(p) >= (int64_t{1} << 31))
      return Support::no("reduction sizes of 2^31 or more (32-bit counts and plane indexing)");
    return Support::yes();
  }

  std::unique_ptr<Instance> prepare(const Problem& p, Tensors& t) override {
    return std::make_unique<cuda_welford::CudaWelfordInstance>(p, t, allow_fused_);
  }

 private:
  bool allow_fused_;
};

}  // namespace

void register_backend_cuda_welford(Registry& r) {
  r.add(std::make_unique<CudaWelfordBackend>(true));
  r.add(std::make_unique<CudaWelfordBackend>(false));
}

}  // namespace bnbench
