// One cuDNN batch-normalization case: see cudnn_instance.h.
//
// Data descriptors are N-d with explicit strides taken from the problem's layout (rank 0 and 1 are
// padded with trailing 1-sized dims to cuDNN's minimum of 4), so nchw, nhwc and their 3D forms all
// go through one path. The statistics descriptor is 1 x C x 1 x 1 (spatial) or 1 x C x S... packed
// channels-first (per activation), which is exactly the canonical feature order f = c * S + s.
// Tensors cuDNN requires but the problem lacks (gamma = 1 and beta = 0 without affine, dgamma and
// dbeta for backward-data) get device buffers that never come back to the host.
#include "cudnn_instance.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include "layout.h"

namespace bnbench::cudnn_backend {

void check(cudnnStatus_t s, const char* what) {
  if (s != CUDNN_STATUS_SUCCESS)
    throw std::runtime_error(std::string(what) + ": " + cudnnGetErrorString(s));
}

namespace {

cudnnDataType_t data_type(DType t) {
  return t == DType::f64 ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT;
}

// Spatial dims padded with 1s to at least two (cuDNN tensors have 4 or 5 dims).
std::vector<int> padded_spatial(const Problem& p) {
  std::vector<int> dims(p.spatial.begin(), p.spatial.end());
  while (dims.size() < 2) dims.push_back(1);
  return dims;
}

void set_descriptor(cudnnTensorDescriptor_t desc, DType t, const std::vector<int>& dims,
                    const std::vector<int>& strides) {
  check(cudnnSetTensorNdDescriptor(desc, data_type(t), static_cast<int>(dims.size()), dims.data(),
                                   strides.data()),
        "cudnnSetTensorNdDescriptor");
}

// N x C x spatial with the layout's strides (LayoutIndexer is the source of truth for both).
void describe_data(const Problem& p, cudnnTensorDescriptor_t desc) {
  const LayoutIndexer index(p);
  const std::vector<int> spatial = padded_spatial(p);
  const int64_t s_unit = spatial_size(p) > 1 ? index.offset(0, 0, 1) - index.offset(0, 0, 0) : 1;
  std::vector<int> dims = {static_cast<int>(p.n), static_cast<int>(p.c)};
  std::vector<int> strides = {static_cast<int>(index.offset(1, 0, 0)),
                              static_cast<int>(index.offset(0, 1, 0) - index.offset(0, 0, 0))};
  std::vector<int64_t> inner(spatial.size(), s_unit);
  for (int i = static_cast<int>(spatial.size()) - 2; i >= 0; --i)
    inner[i] = inner[i + 1] * spatial[i + 1];
  for (size_t i = 0; i < spatial.size(); ++i) {
    dims.push_back(spatial[i]);
    strides.push_back(static_cast<int>(inner[i]));
  }
  set_descriptor(desc, p.dtype, dims, strides);
}

// 1 x C x 1... (spatial) or 1 x C x spatial (per activation), packed channels-first.
void describe_stats(const Problem& p, cudnnTensorDescriptor_t desc) {
  const std::vector<int> spatial = padded_spatial(p);
  std::vector<int> dims = {1, static_cast<int>(p.c)};
  for (int d : spatial) dims.push_back(p.mode == Mode::per_activation ? d : 1);
  std::vector<int> strides(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * dims[i + 1];
  set_descriptor(desc, p.dtype, dims, strides);
}

// cuDNN's saved inverse standard deviation for a biased variance (0 when var + eps == 0, the
// reference's rule).
double invstd_from_var(double var, double eps) {
  const double v = var + eps;
  return v == 0 ? 0.0 : 1.0 / std::sqrt(v);
}

// The biased variance back from cuDNN's saved invstd: 1/invstd^2 - eps, in double. An infinite
// invstd means var + eps == 0; NaN stays NaN.
double var_from_invstd(double invstd, double eps) {
  if (std::isinf(invstd)) return 0.0;
  return 1.0 / (invstd * invstd) - eps;
}

}  // namespace

CudnnInstance::CudnnInstance(const Problem& p, Tensors& t, cudnnHandle_t handle, bool persistent)
    : p_(p), t_(t), handle_(handle), device_(p, t, stream_.get()) {
  mode_ = p.mode == Mode::per_activation ? CUDNN_BATCHNORM_PER_ACTIVATION
          : persistent                   ? CUDNN_BATCHNORM_SPATIAL_PERSISTENT
                                         : CUDNN_BATCHNORM_SPATIAL;
  check(cudnnCreateTensorDescriptor(&data_desc_), "cudnnCreateTensorDescriptor");
  check(cudnnCreateTensorDescriptor(&stats_desc_), "cudnnCreateTensorDescriptor");
  describe_data(p, data_desc_);
  describe_stats(p, stats_desc_);

  const int64_t features = feature_count(p);
  const size_t stats_bytes = static_cast<size_t>(features) * dtype_size(p.dtype);
  cudaStream_t s = stream_.get();
  for (TensorId id : {TensorId::gamma, TensorId::beta, TensorId::dgamma, TensorId::dbeta,
                      TensorId::save_mean, TensorId::save_var})
    device_.allocate_missing(id, stats_bytes);
  if (!p.affine) {  // cuDNN always scales and shifts: gamma = 1, beta = 0
    Buffer ones(features, p.dtype), zeros(features, p.dtype);
    for (int64_t f = 0; f < features; ++f) ones.set(f, 1.0);
    device_[TensorId::gamma].upload(ones, s);
    device_[TensorId::beta].upload(zeros, s);
  }
  if (reads_saved_stats(p)) {  // backward: cuDNN wants the saved invstd, not the variance
    const Buffer& var = t[TensorId::save_var];
    Buffer invstd(var.count(), p.dtype);
    for (int64_t f = 0; f < var.count(); ++f) invstd.set(f, invstd_from_var(var.get(f), p.eps));
    device_[TensorId::save_var].upload(invstd, s);
  }
}

CudnnInstance::~CudnnInstance() {
  if (data_desc_) cudnnDestroyTensorDescriptor(data_desc_);
  if (stats_desc_) cudnnDestroyTensorDescriptor(stats_desc_);
}

void CudnnInstance::run() {
  const double one_d = 1.0, zero_d = 0.0;
  const float one_f = 1.0f, zero_f = 0.0f;
  const void* one = p_.dtype == DType::f64 ? static_cast<const void*>(&one_d) : &one_f;
  const void* zero = p_.dtype == DType::f64 ? static_cast<const void*>(&zero_d) : &zero_f;
  auto ptr = [&](TensorId id) { return device_[id].data(); };
  check(cudnnSetStream(handle_, stream_.get()), "cudnnSetStream");
  stream_.start();
  switch (p_.direction) {
    case Direction::fwd_training: {
      const bool running = writes_running_stats(p_);
      check(cudnnBatchNormalizationForwardTraining(
                handle_, mode_, one, zero, data_desc_, ptr(TensorId::x), data_desc_,
                ptr(TensorId::y), stats_desc_, ptr(TensorId::gamma), ptr(TensorId::beta),
                p_.momentum, running ? ptr(TensorId::running_mean) : nullptr,
                running ? ptr(TensorId::running_var) : nullptr, p_.eps, ptr(TensorId::save_mean),
                ptr(TensorId::save_var)),
            "cudnnBatchNormalizationForwardTraining");
      break;
    }
    case Direction::fwd_inference:
      check(cudnnBatchNormalizationForwardInference(
                handle_, mode_, one, zero, data_desc_, ptr(TensorId::x), data_desc_,
                ptr(TensorId::y), stats_desc_, ptr(TensorId::gamma), ptr(TensorId::beta),
                ptr(TensorId::running_mean), ptr(TensorId::running_var), p_.eps),
            "cudnnBatchNormalizationForwardInference");
      break;
    case Direction::bwd:
    case Direction::bwd_data:
      check(cudnnBatchNormalizationBackward(
                handle_, mode_, one, zero, one, zero, data_desc_, ptr(TensorId::x), data_desc_,
                ptr(TensorId::dy), data_desc_, ptr(TensorId::dx), stats_desc_, ptr(TensorId::gamma),
                ptr(TensorId::dgamma), ptr(TensorId::dbeta), p_.eps, ptr(TensorId::save_mean),
                ptr(TensorId::save_var)),
            "cudnnBatchNormalizationBackward");
      break;
  }
  stream_.stop();
}

void CudnnInstance::fetch() {
  stream_.synchronize();
  if (mode_ == CUDNN_BATCHNORM_SPATIAL_PERSISTENT) {
    cudnnStatus_t status = CUDNN_STATUS_SUCCESS;
    check(cudnnQueryRuntimeError(handle_, &status, CUDNN_ERRQUERY_BLOCKING, nullptr),
          "cudnnQueryRuntimeError");
    runtime_error_check_ = cudnnGetErrorString(status);
    if (status != CUDNN_STATUS_SUCCESS)
      throw std::runtime_error("cudnnQueryRuntimeError after SPATIAL_PERSISTENT: " +
                               runtime_error_check_);
  }
  device_.download_outputs(t_, stream_.get(), TensorId::save_var);
  if (has_saved_stats_output(p_)) convert_saved_variance_to_host();
}

void CudnnInstance::convert_saved_variance_to_host() {
  Buffer& var = t_[TensorId::save_var];
  Buffer invstd(var.count(), p_.dtype);
  device_[TensorId::save_var].download(invstd, stream_.get());
  for (int64_t f = 0; f < var.count(); ++f) var.set(f, var_from_invstd(invstd.get(f), p_.eps));
}

void CudnnInstance::reset() { device_.upload_running_stats(t_, stream_.get()); }

nlohmann::json CudnnInstance::details() const {
  const char* mode = mode_ == CUDNN_BATCHNORM_PER_ACTIVATION ? "PER_ACTIVATION"
                     : mode_ == CUDNN_BATCHNORM_SPATIAL      ? "SPATIAL"
                                                             : "SPATIAL_PERSISTENT";
  return {{"cudnn_mode", mode}, {"runtime_error_check", runtime_error_check_}};
}

}  // namespace bnbench::cudnn_backend
