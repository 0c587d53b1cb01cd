// One cuda_welford case: see cuda_welford_instance.h.
#include "cuda_welford_instance.h"

namespace bnbench::cuda_welford {

CudaWelfordInstance::CudaWelfordInstance(const Problem& p, Tensors& t, bool allow_fused)
    : p_(p),
      t_(t),
      plan_(make_plan(p, allow_fused, cuda::device_properties().sm_count,
                      cuda::device_properties().cooperative_launch)),
      device_(p, t, stream_.get()),
      coef_(plan_.coef_count * sizeof(float4)),
      partials_(plan_.partial_bytes),
      counters_(plan_.counter_count * sizeof(unsigned)) {
  counters_.zero(stream_.get());
  Params& q = params_;
  q = plan_.shape;
  auto in = [&](TensorId id) { return device_.get<const float>(id); };
  auto out = [&](TensorId id) { return device_.get<float>(id); };
  q.x = in(TensorId::x);
  q.dy = in(TensorId::dy);
  q.out = is_backward(p.direction) ? out(TensorId::dx) : out(TensorId::y);
  q.gamma = in(TensorId::gamma);
  q.beta = in(TensorId::beta);
  const bool given_running = p.direction == Direction::fwd_inference || p.global_stats;
  q.mean_in = in(given_running ? TensorId::running_mean : TensorId::save_mean);
  q.var_in = in(given_running ? TensorId::running_var : TensorId::save_var);
  if (has_saved_stats_output(p)) {
    q.save_mean = out(TensorId::save_mean);
    q.save_var = out(TensorId::save_var);
  }
  if (writes_running_stats(p)) {
    q.running_mean = out(TensorId::running_mean);
    q.running_var = out(TensorId::running_var);
  }
  if (has_affine_grads(p)) {
    q.dgamma = out(TensorId::dgamma);
    q.dbeta = out(TensorId::dbeta);
  }
  q.coef = coef_.as<float4>();
  q.partials = partials_.data();
  q.counters = counters_.as<unsigned>();
  q.eps = p.eps;
  q.momentum = p.momentum;
}

void CudaWelfordInstance::run() {
  cudaStream_t s = stream_.get();
  stream_.start();
  if (plan_.reduce) launch_reduce(plan_.key, plan_.reduction, plan_.fused, plan_.grid, params_, s);
  if (!plan_.fused)
    launch_apply(plan_.key, plan_.apply, plan_.apply_from_inputs, plan_.grid, params_, s);
  stream_.stop();
}

void CudaWelfordInstance::fetch() {
  stream_.synchronize();
  device_.download_outputs(t_, stream_.get());
}

nlohmann::json CudaWelfordInstance::details() const {
  return {{"plan", plan_.describe()}, {"fused", plan_.fused}};
}

}  // namespace bnbench::cuda_welford
