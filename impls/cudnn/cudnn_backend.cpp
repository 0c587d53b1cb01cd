// The cuDNN backends: `cudnn` (mode SPATIAL or PER_ACTIVATION, the problem's mode) and
// `cudnn_persistent` (SPATIAL_PERSISTENT for spatial problems), through cuDNN's batch-normalization
// calls (cudnnBatchNormalizationForwardTraining / ForwardInference / Backward), which cuDNN 9 still
// ships (deprecated in favour of its graph API, which has no per-activation mode).
//
// Invariant: without a usable CUDA device every problem is SKIPPED with the reason
// "no CUDA device: ..." (asked once per process); the handle is created on the first prepare(), so
// listing or skipping never initializes cuDNN. What cuDNN cannot express is said in supports():
// backward after inference (global statistics) has no cuDNN call.
#include <cudnn.h>

#include <memory>

#include "cuda_device.h"
#include "cudnn_instance.h"
#include "registry.h"

namespace bnbench {

namespace {

std::string cudnn_version_string(size_t v) {  // 9.19.0 is 91900 (major * 10000 + minor * 100)
  return std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." +
         std::to_string(v % 100);
}

class CudnnBackend final : public Backend {
 public:
  explicit CudnnBackend(bool persistent) : persistent_(persistent) {}
  ~CudnnBackend() override {
    if (handle_) cudnnDestroy(handle_);
  }

  std::string name() const override { return persistent_ ? "cudnn_persistent" : "cudnn"; }

  BackendInfo info() const override {
    BackendInfo i;
    i.name = name();
    i.description = persistent_ ? "cuDNN batch normalization, CUDNN_BATCHNORM_SPATIAL_PERSISTENT"
                                : "cuDNN batch normalization, SPATIAL or PER_ACTIVATION";
    i.version = cudnn_version_string(cudnnGetVersion());
    i.device = cuda::device_label();
    i.extra = {{"cudnn_version_compiled", cudnn_version_string(CUDNN_VERSION)},
               {"cudnn_cudart_version", cudnnGetCudartVersion()},
               {"device", cuda::device_json()},
               {"timer", "CUDA events around the cuDNN call"},
               {"conventions",
                "saved invstd converted to biased variance (1/invstd^2 - eps, double) in fetch(); "
                "running variance is cuDNN's unbiased estimate; exponentialAverageFactor = "
                "momentum"}};
    return i;
  }

  Support supports(const Problem& p) const override {
    const std::string& no_device = cuda::device_unavailable_reason();
    if (!no_device.empty()) return Support::no(no_device);
    if (p.layout == Layout::nchw16c)
      return Support::no("cuDNN tensors are strided: nchw and nhwc only, no blocked nchw16c");
    if (p.global_stats)
      return Support::no(
          "cuDNN's backward is training-mode only: no call for backward after inference "
          "(global statistics)");
    if (persistent_ && p.mode == Mode::per_activation)
      return Support::no("SPATIAL_PERSISTENT is a spatial mode; per-activation runs on cudnn");
    if (persistent_ && p.direction == Direction::fwd_inference)
      return Support::no("cuDNN's inference has no SPATIAL_PERSISTENT mode; see cudnn");
    if (p.n > INT32_MAX || p.c > INT32_MAX || logical_elements(p) > INT32_MAX)
      return Support::no("cuDNN's legacy tensor descriptors take 32-bit sizes and strides");
    return Support::yes();
  }

  std::unique_ptr<Instance> prepare(const Problem& p, Tensors& t) override {
    if (!handle_) cudnn_backend::check(cudnnCreate(&handle_), "cudnnCreate");
    return std::make_unique<cudnn_backend::CudnnInstance>(p, t, handle_, persistent_);
  }

 private:
  bool persistent_;
  cudnnHandle_t handle_ = nullptr;
};

}  // namespace

void register_backend_cudnn(Registry& r) {
  r.add(std::make_unique<CudnnBackend>(false));
  r.add(std::make_unique<CudnnBackend>(true));
}

}  // namespace bnbench
