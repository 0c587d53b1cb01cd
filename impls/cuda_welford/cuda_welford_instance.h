// One cuda_welford case: the plan, the device tensors and workspaces made in prepare(), one or two
// kernel launches per run(), results back in fetch().
//
// Invariant: run() only launches (between two CUDA events); everything it needs, the arrival
// counters included (zeroed here, reset by the kernels themselves), exists before the first run.
// The kernels write statistics in numerics.md's conventions (biased save_var, unbiased running
// variance), so fetch() converts nothing.
#pragma once

#include "backend.h"
#include "cuda_device.h"
#include "device_tensors.h"
#include "plan.h"

namespace bnbench::cuda_welford {

class CudaWelfordInstance final : public Instance {
 public:
  CudaWelfordInstance(const Problem& p, Tensors& t, bool allow_fused);

  void run() override;
  void sync() override { stream_.synchronize(); }
  void fetch() override;
  void reset() override { device_.upload_running_stats(t_, stream_.get()); }
  std::optional<double> device_seconds() override { return stream_.seconds(); }
  nlohmann::json details() const override;

 private:
  Problem p_;
  Tensors& t_;
  Plan plan_;
  cuda::TimedStream stream_;
  cuda::DeviceTensors device_;
  cuda::DeviceBuffer coef_, partials_, counters_;
  Params params_;
};

}  // namespace bnbench::cuda_welford
