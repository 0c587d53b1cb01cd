// oneDNN backend: batch_normalization_forward / _backward (oneDNN v2 API) over the host buffers.
//
// prepare() describes the buffers to oneDNN without copying (plain, channels-last and its blocked
// nChw16c family), creates the primitive descriptor, the primitive and a user-mode scratchpad, so
// run() only executes. Invariants: oneDNN's mean/variance outputs are the biased batch statistics
// and land directly in save_mean/save_var; oneDNN keeps no running statistics, so run() updates
// them itself right after the primitive (unbiased factor M/(M-1)), inside the timed call.
// Two backends share this code: `onednn`, and `onednn_nc_as_nhwc`, which describes the (N, F)
// problems oneDNN would see as plain `nc` as N x F x 1 x 1 nhwc, because oneDNN's `nc` path is an
// order of magnitude slower for the same bytes (perf-anchors.md).
#include <cstring>
#include <dnnl.hpp>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include "backend.h"
#include "registry.h"

namespace bnbench {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using Flags = dnnl::normalization_flags;

// Problems that are a plain (N, F) matrix with features contiguous per sample: rank 0, and
// per-activation statistics over channels-first data (feature f = c * S + s is the offset within
// a sample). oneDNN's spatial batch norm over (N, F) computes exactly these statistics.
bool is_flat(const Problem& p) {
  if (p.layout == Layout::nchw16c) return false;
  if (p.spatial.empty()) return true;
  return p.mode == Mode::per_activation && p.layout == Layout::nchw;
}

struct DataDesc {
  memory::dims dims;
  Tag tag;
};

DataDesc describe(const Problem& p, bool flat_as_nhwc) {
  if (is_flat(p)) {
    const int64_t features = feature_count(p);
    if (flat_as_nhwc) return {{p.n, features, 1, 1}, Tag::nhwc};
    return {{p.n, features}, Tag::nc};
  }
  memory::dims dims{p.n, p.c};
  for (int64_t d : p.spatial) dims.push_back(d);
  if (dims.size() == 2) dims.insert(dims.end(), {1, 1});  // rank-0 nchw16c: N x C x 1 x 1
  static const Tag kPlain[] = {Tag::nc, Tag::ncw, Tag::nchw, Tag::ncdhw};
  static const Tag kLast[] = {Tag::nc, Tag::nwc, Tag::nhwc, Tag::ndhwc};
  static const Tag kBlocked[] = {Tag::undef, Tag::nCw16c, Tag::nChw16c, Tag::nCdhw16c};
  const size_t rank = dims.size() - 2;
  switch (p.layout) {
    case Layout::nchw:
      return {dims, kPlain[rank]};
    case Layout::nhwc:
      return {dims, kLast[rank]};
    case Layout::nchw16c:
      return {dims, kBlocked[rank]};
  }
  return {dims, Tag::undef};
}

class OnednnInstance : public Instance {
 public:
  OnednnInstance(const Problem& p, Tensors& t, bool flat_as_nhwc)
      : p_(p), engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {
    const DataDesc data = describe(p, flat_as_nhwc);
    const memory::desc data_md(data.dims, memory::data_type::f32, data.tag);
    const memory::desc stat_md({feature_count(p)}, memory::data_type::f32, Tag::x);
    if (data_md.get_size() != t[TensorId::x].bytes())
      throw std::logic_error("onednn: buffer size differs from oneDNN's description");
    const float eps = static_cast<float>(p.eps);

    // oneDNN 2.6 rejects backward_data with use_scale, so an affine bwd_data runs as backward with
    // use_scale only and its diff_scale goes to a scratch buffer; and a backward with use_shift
    // insists on a SHIFT argument it never reads.
    const bool given_stats = p.direction == Direction::fwd_inference || p.global_stats;
    const bool backward_prop = p.direction == Direction::bwd || p.affine;
    Flags flags = Flags::none;
    if (p.affine) flags |= Flags::use_scale;
    if (p.affine && p.direction != Direction::bwd_data) flags |= Flags::use_shift;
    if (given_stats) flags |= Flags::use_global_stats;

    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    auto bind = [&](int arg, const memory::desc& md, TensorId id) {
      if (!t[id].empty()) args_[arg] = memory(md, engine_, t[id].data());
    };
    bind(DNNL_ARG_SCALE, stat_md, TensorId::gamma);

    memory::desc scratchpad_md;
    if (!is_backward(p.direction)) {
      const auto prop = p.direction == Direction::fwd_training ? dnnl::prop_kind::forward_training
                                                               : dnnl::prop_kind::forward_inference;
      dnnl::batch_normalization_forward::primitive_desc pd({prop, data_md, eps, flags}, attr,
                                                           engine_);
      primitive_ = dnnl::batch_normalization_forward(pd);
      impl_ = pd.impl_info_str();
      scratchpad_md = pd.scratchpad_desc();
      bind(DNNL_ARG_SRC, data_md, TensorId::x);
      bind(DNNL_ARG_DST, data_md, TensorId::y);
      bind(DNNL_ARG_SHIFT, stat_md, TensorId::beta);
      const TensorId mean = given_stats ? TensorId::running_mean : TensorId::save_mean;
      const TensorId var = given_stats ? TensorId::running_var : TensorId::save_var;
      bind(DNNL_ARG_MEAN, stat_md, mean);
      bind(DNNL_ARG_VARIANCE, stat_md, var);
    } else {
      dnnl::batch_normalization_forward::primitive_desc hint(
          {dnnl::prop_kind::forward_training, data_md, eps, flags}, engine_);
      const auto prop = backward_prop ? dnnl::prop_kind::backward : dnnl::prop_kind::backward_data;
      dnnl::batch_normalization_backward::primitive_desc pd({prop, data_md, data_md, eps, flags},
                                                            attr, engine_, hint);
      primitive_ = dnnl::batch_normalization_backward(pd);
      impl_ = pd.impl_info_str();
      scratchpad_md = pd.scratchpad_desc();
      bind(DNNL_ARG_SRC, data_md, TensorId::x);
      bind(DNNL_ARG_DIFF_DST, data_md, TensorId::dy);
      bind(DNNL_ARG_DIFF_SRC, data_md, TensorId::dx);
      bind(DNNL_ARG_MEAN, stat_md, p.global_stats ? TensorId::running_mean : TensorId::save_mean);
      bind(DNNL_ARG_VARIANCE, stat_md, p.global_stats ? TensorId::running_var : TensorId::save_var);
      bind(DNNL_ARG_DIFF_SCALE, stat_md, TensorId::dgamma);
      bind(DNNL_ARG_DIFF_SHIFT, stat_md, TensorId::dbeta);
      if (p.affine && p.direction == Direction::bwd_data)
        args_[DNNL_ARG_DIFF_SCALE] = memory(stat_md, engine_);
      if (p.affine && p.direction == Direction::bwd) {
        args_[DNNL_ARG_SHIFT] = memory(stat_md, engine_);
        std::memset(args_[DNNL_ARG_SHIFT].get_data_handle(), 0, stat_md.get_size());
      }
    }
    args_[DNNL_ARG_SCRATCHPAD] = memory(scratchpad_md, engine_);

    if (writes_running_stats(p)) {
      running_mean_ = t[TensorId::running_mean].as<float>();
      running_var_ = t[TensorId::running_var].as<float>();
      batch_mean_ = t[TensorId::save_mean].as<float>();
      batch_var_ = t[TensorId::save_var].as<float>();
    }
  }

  void run() override {
    primitive_.execute(stream_, args_);
    stream_.wait();
    if (running_mean_) update_running_stats();
  }

  nlohmann::json details() const override { return {{"implementation", impl_}}; }

 private:
  // rm <- (1 - m) rm + m mean; rv <- (1 - m) rv + m var M / (M - 1), in double, per feature.
  void update_running_stats() {
    const double m = p_.momentum;
    const double count = static_cast<double>(reduction_size(p_));
    const double unbias = count / (count - 1);
    const int64_t features = feature_count(p_);
    for (int64_t f = 0; f < features; ++f) {
      running_mean_[f] = static_cast<float>((1 - m) * running_mean_[f] + m * batch_mean_[f]);
      running_var_[f] = static_cast<float>((1 - m) * running_var_[f] + m * unbias * batch_var_[f]);
    }
  }

  Problem p_;
  dnnl::engine engine_;
  dnnl::stream stream_;
  dnnl::primitive primitive_;
  std::unordered_map<int, memory> args_;
  std::string impl_;
  float *running_mean_ = nullptr, *running_var_ = nullptr;
  const float *batch_mean_ = nullptr, *batch_var_ = nullptr;
};

class OnednnBackend : public Backend {
 public:
  explicit OnednnBackend(bool flat_as_nhwc) : flat_as_nhwc_(flat_as_nhwc) {}

  std::string name() const override { return flat_as_nhwc_ ? "onednn_nc_as_nhwc" : "onednn"; }

  BackendInfo info() const override {
    const dnnl_version_t* v = dnnl_version();
    BackendInfo i;
    i.name = name();
    i.description =
        flat_as_nhwc_
            ? "oneDNN batch normalization, (N, F) problems described as N x F x 1 x 1 nhwc"
            : "oneDNN batch normalization primitives (forward, backward, backward_data)";
    i.version =
        std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
    i.device = "cpu";
    i.extra = {{"dnnl_hash", v->hash ? v->hash : ""},
               {"cpu_isa", static_cast<int>(dnnl::get_effective_cpu_isa())},
               {"threads", "oneDNN's OpenMP runtime (omp_get_max_threads() at execution)"},
               {"running_stats", "updated by the backend after the primitive, inside run()"}};
    return i;
  }

  Support supports(const Problem& p) const override {
    if (p.dtype != DType::f32) return Support::no("oneDNN's CPU batch normalization has no f64");
    if (p.mode == Mode::per_activation && spatial_size(p) > 1 && p.layout != Layout::nchw)
      return Support::no(
          "oneDNN has only spatial batch normalization; per-activation statistics map onto it "
          "only for channels-first data, seen as an (N, C*S) matrix");
    if (flat_as_nhwc_ && !is_flat(p))
      return Support::no(
          "onednn_nc_as_nhwc only covers (N, F) problems (rank 0, or per-activation nchw) that "
          "onednn describes as `nc`; use onednn");
    return Support::yes();
  }

  std::unique_ptr<Instance> prepare(const Problem& p, Tensors& t) override {
    return std::make_unique<OnednnInstance>(p, t, flat_as_nhwc_);
  }

 private:
  bool flat_as_nhwc_;
};

}  // namespace

void register_backend_onednn(Registry& r) {
  r.add(std::make_unique<OnednnBackend>(false));
  r.add(std::make_unique<OnednnBackend>(true));
}

}  // namespace bnbench
