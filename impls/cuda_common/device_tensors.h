// DeviceTensors: the device mirror of a case's host Tensors, for the GPU backends' prepare(),
// fetch() and reset().
//
// Invariant: every host tensor the problem has gets a device buffer of the same bytes, uploaded in
// the constructor (inputs and the NaN-poisoned outputs alike, so an output a kernel forgets to
// write still comes back NaN); y and dx share x's and dy's buffer for in-place problems, exactly as
// on the host. Transfers happen only here, never in a backend's run().
#pragma once

#include <array>
#include <optional>

#include "cuda_device.h"
#include "problem.h"
#include "tensor.h"

namespace bnbench::cuda {

class DeviceTensors {
 public:
  DeviceTensors(const Problem& p, const Tensors& host, cudaStream_t stream);

  DeviceBuffer& operator[](TensorId id) { return buffers_[slot(id)]; }
  // The device pointer, or null when the problem lacks the tensor.
  template <class T>
  T* get(TensorId id) {
    return static_cast<T*>(buffers_[slot(id)].data());
  }
  // Allocates a buffer the host lacks (a library that insists on an argument the problem omits).
  void allocate_missing(TensorId id, size_t bytes);
  // Every output of output_mask(p) back to the host, except `skip` (converted by the caller).
  void download_outputs(Tensors& host, cudaStream_t stream,
                        std::optional<TensorId> skip = std::nullopt);
  // Running statistics from the host copy (reset() between measurement samples).
  void upload_running_stats(const Tensors& host, cudaStream_t stream);

 private:
  int slot(TensorId id) const;

  Problem p_;
  std::array<DeviceBuffer, kTensorCount> buffers_;
};

}  // namespace bnbench::cuda
