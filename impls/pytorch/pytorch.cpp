// PyTorch backend: ATen's CPU batch norm, at::native_batch_norm and at::native_batch_norm_backward
// (the ops behind torch.nn.functional.batch_norm and its autograd), over the harness buffers.
//
// prepare() wraps the host buffers with at::from_blob: contiguous for nchw, channels-last strides
// for nhwc (for 1-D data the strided (N, C, L) view that `x.transpose(1, 2)` gives a PyTorch user),
// and an (N, C*S) matrix for per-activation statistics on channels-first data (BatchNorm1d over
// flattened features). ATen 1.13 has no CPU kernel for native_batch_norm.out and its backward
// out= variant computes into new tensors and then copies, so run() calls the functional ops: they
// allocate y or dx and the per-channel results through the reusing allocator (no page faults after
// the first call) and fetch() copies them into the host buffers. Invariants: ATen updates the
// running statistics itself, in place in the host buffers, with var_sum / (M - 1) (the M/(M-1)
// convention); its save_invstd is converted to the biased variance in fetch(), outside run().
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <omp.h>
#include <torch/version.h>

#include <cmath>
#include <limits>
#include <memory>

#include "backend.h"
#include "registry.h"
#include "reusing_allocator.h"

namespace bnbench {

namespace {

// Per-activation statistics over channels-first data, and rank 0: an (N, F) matrix.
bool is_flat(const Problem& p) {
  return p.spatial.empty() || (p.mode == Mode::per_activation && p.layout == Layout::nchw);
}

struct Geometry {
  std::vector<int64_t> sizes, strides;
  std::string format;
};

Geometry data_geometry(const Problem& p) {
  if (is_flat(p)) return {{p.n, feature_count(p)}, {feature_count(p), 1}, "contiguous (N, F)"};
  Geometry g;
  g.sizes = {p.n, p.c};
  g.sizes.insert(g.sizes.end(), p.spatial.begin(), p.spatial.end());
  const size_t rank = g.sizes.size();
  g.strides.assign(rank, 1);
  if (p.layout == Layout::nchw) {
    for (size_t d = rank - 1; d-- > 0;) g.strides[d] = g.strides[d + 1] * g.sizes[d + 1];
    g.format = "contiguous";
  } else {
    int64_t stride = p.c;  // channels innermost, then the spatial dims, then N
    for (size_t d = rank - 1; d >= 2; --d) {
      g.strides[d] = stride;
      stride *= g.sizes[d];
    }
    g.strides[0] = stride;
    g.format = rank == 3 ? "strided (N, C, L) view of NLC" : "channels_last";
  }
  return g;
}

class TorchInstance : public Instance {
 public:
  TorchInstance(const Problem& p, Tensors& t)
      : p_(p), allocator_(install_reusing_cpu_allocator()), geometry_(data_geometry(p)) {
    at::set_num_threads(omp_get_max_threads());
    const auto options =
        at::TensorOptions().dtype(p.dtype == DType::f32 ? at::kFloat : at::kDouble);
    auto data = [&](TensorId id) {
      return t[id].empty()
                 ? at::Tensor()
                 : at::from_blob(t[id].data(), geometry_.sizes, geometry_.strides, options);
    };
    auto stat = [&](TensorId id) {
      return t[id].empty() ? at::Tensor()
                           : at::from_blob(t[id].data(), {feature_count(p)}, options);
    };
    x_ = data(TensorId::x);
    dy_ = data(TensorId::dy);
    y_host_ = data(TensorId::y);
    dx_host_ = data(TensorId::dx);
    gamma_ = stat(TensorId::gamma);
    beta_ = stat(TensorId::beta);
    running_mean_ = stat(TensorId::running_mean);
    running_var_ = stat(TensorId::running_var);
    save_mean_ = stat(TensorId::save_mean);
    save_var_host_ = stat(TensorId::save_var);
    dgamma_host_ = stat(TensorId::dgamma);
    dbeta_host_ = stat(TensorId::dbeta);
    if (reads_saved_stats(p)) {  // ATen's backward takes invstd; 0 where var + eps == 0
      const auto var_eps = save_var_host_.to(at::kDouble) + p.eps;
      save_invstd_ =
          at::where(var_eps == 0, at::zeros_like(var_eps), var_eps.rsqrt()).to(options.dtype());
    }
  }

  ~TorchInstance() override {
    out0_ = out1_ = out2_ = at::Tensor();
    allocator_.release_cached();
  }

  void run() override {
    out0_ = out1_ = out2_ = at::Tensor();  // back to the cache, reused by this call's outputs
    if (is_backward(p_.direction)) {
      const bool grads = has_affine_grads(p_);
      std::tie(out0_, out1_, out2_) = at::native_batch_norm_backward(
          dy_, x_, gamma_, running_mean_, running_var_, save_mean_, save_invstd_, !p_.global_stats,
          p_.eps, {true, grads, grads});
    } else {
      std::tie(out0_, out1_, out2_) =
          at::native_batch_norm(x_, gamma_, beta_, running_mean_, running_var_,
                                p_.direction == Direction::fwd_training, p_.momentum, p_.eps);
    }
  }

  void fetch() override {
    if (is_backward(p_.direction)) {
      dx_host_.copy_(out0_);
      if (has_affine_grads(p_)) {
        dgamma_host_.copy_(out1_);
        dbeta_host_.copy_(out2_);
      }
      return;
    }
    y_host_.copy_(out0_);
    if (p_.direction == Direction::fwd_training) {
      save_mean_.copy_(out1_);
      // var = invstd^-2 - eps in double; invstd 0 means var + eps == 0 (eps = 0) or var = inf.
      const auto invstd = out2_.to(at::kDouble);
      const double zero_invstd_var = p_.eps == 0 ? 0.0 : std::numeric_limits<double>::infinity();
      save_var_host_.copy_(
          at::where(invstd == 0, at::full_like(invstd, zero_invstd_var), invstd.pow(-2) - p_.eps));
    }
  }

  nlohmann::json details() const override {
    return {{"threads", at::get_num_threads()}, {"memory_format", geometry_.format}};
  }

 private:
  Problem p_;
  ReusingCpuAllocator& allocator_;
  Geometry geometry_;
  at::Tensor x_, dy_, gamma_, beta_, running_mean_, running_var_, save_mean_, save_invstd_;
  at::Tensor y_host_, dx_host_, save_var_host_, dgamma_host_, dbeta_host_;
  at::Tensor out0_, out1_, out2_;  // the last run's results: (y | dx, save_mean | dgamma, ...)
};

class TorchBackend : public Backend {
 public:
  std::string name() const override { return "pytorch"; }

  BackendInfo info() const override {
    BackendInfo i;
    i.name = name();
    i.description = "ATen CPU at::native_batch_norm / at::native_batch_norm_backward";
    i.version = TORCH_VERSION;
    i.device = "cpu";
    i.extra = {{"threads", "at::set_num_threads(omp_get_max_threads()) at prepare"},
               {"allocation",
                "run() allocates its outputs (no CPU out= kernel in ATen 1.13) from a size-keyed "
                "reusing allocator; fetch() copies them to the host buffers"}};
    return i;
  }

  Support supports(const Problem& p) const override {
    if (p.layout == Layout::nchw16c)
      return Support::no("ATen's CPU tensors have no nChw16c blocked layout (only mkldnn tensors)");
    if (p.inplace)
      return Support::no("ATen's batch norm always writes a new output tensor; no in-place form");
    if (p.mode == Mode::per_activation && spatial_size(p) > 1 && !is_flat(p))
      return Support::no(
          "PyTorch has only spatial batch norm; per-activation statistics map onto BatchNorm1d "
          "over (N, C*S) only for channels-first data");
    return Support::yes();
  }

  std::unique_ptr<Instance> prepare(const Problem& p, Tensors& t) override {
    return std::make_unique<TorchInstance>(p, t);
  }
};

}  // namespace

void register_backend_pytorch(Registry& r) { r.add(std::make_unique<TorchBackend>()); }

}  // namespace bnbench
