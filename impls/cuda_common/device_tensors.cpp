// DeviceTensors: see device_tensors.h.
#include "device_tensors.h"

namespace bnbench::cuda {

DeviceTensors::DeviceTensors(const Problem& p, const Tensors& host, cudaStream_t stream) : p_(p) {
  for (int i = 0; i < kTensorCount; ++i) {
    const auto id = static_cast<TensorId>(i);
    if (host[id].empty() || slot(id) != i) continue;
    buffers_[i] = DeviceBuffer(host[id].bytes());
    buffers_[i].upload(host[id], stream);
  }
}

int DeviceTensors::slot(TensorId id) const {
  if (p_.inplace && id == TensorId::y) id = TensorId::x;
  if (p_.inplace && id == TensorId::dx) id = TensorId::dy;
  return static_cast<int>(id);
}

void DeviceTensors::allocate_missing(TensorId id, size_t bytes) {
  DeviceBuffer& b = buffers_[slot(id)];
  if (!b.data()) b = DeviceBuffer(bytes);
}

void DeviceTensors::download_outputs(Tensors& host, cudaStream_t stream,
                                     std::optional<TensorId> skip) {
  const auto outputs = output_mask(p_);
  for (int i = 0; i < kTensorCount; ++i) {
    const auto id = static_cast<TensorId>(i);
    if (outputs[i] && !host[id].empty() && id != skip) (*this)[id].download(host[id], stream);
  }
}

void DeviceTensors::upload_running_stats(const Tensors& host, cudaStream_t stream) {
  for (TensorId id : {TensorId::running_mean, TensorId::running_var})
    if (!host[id].empty()) (*this)[id].upload(host[id], stream);
}

}  // namespace bnbench::cuda
