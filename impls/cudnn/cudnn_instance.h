// One cuDNN batch-normalization case: descriptors and device buffers made in the constructor
// (prepare), one cuDNN call per run(), results brought back and converted in fetch().
//
// Invariant: cuDNN's conventions are converted outside the timed call, so the host tensors end in
// numerics.md's: cuDNN saves 1/sqrt(var + eps), fetch() turns it into the biased variance
// (1/invstd^2 - eps, in double); for backward the given save_var is turned into cuDNN's invstd in
// prepare. cuDNN's running variance is already the unbiased estimate and its
// exponentialAverageFactor is numerics.md's momentum m, so running statistics need no conversion.
#pragma once

#include <cudnn.h>

#include <string>

#include "backend.h"
#include "cuda_device.h"
#include "device_tensors.h"

namespace bnbench::cudnn_backend {

// Throws std::runtime_error("<what>: <cudnnGetErrorString>") unless s == CUDNN_STATUS_SUCCESS.
void check(cudnnStatus_t s, const char* what);

class CudnnInstance final : public Instance {
 public:
  CudnnInstance(const Problem& p, Tensors& t, cudnnHandle_t handle, bool persistent);
  ~CudnnInstance() override;

  void run() override;
  void sync() override { stream_.synchronize(); }
  void fetch() override;
  void reset() override;
  std::optional<double> device_seconds() override { return stream_.seconds(); }
  nlohmann::json details() const override;

 private:
  void convert_saved_variance_to_host();

  Problem p_;
  Tensors& t_;
  cudnnHandle_t handle_;
  cudnnBatchNormMode_t mode_;
  cudnnTensorDescriptor_t data_desc_ = nullptr, stats_desc_ = nullptr;
  cuda::TimedStream stream_;
  cuda::DeviceTensors device_;
  std::string runtime_error_check_ = "not applicable (only SPATIAL_PERSISTENT asks for it)";
};

}  // namespace bnbench::cudnn_backend
