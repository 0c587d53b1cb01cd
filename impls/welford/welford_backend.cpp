// The two welford backends: `welford_avx512` (intrinsics, chosen by a run-time CPU check) and
// `welford` (the same algorithm in portable C++), registered by register_backend_welford().
//
// Invariant: both share every line of the algorithm (plan, pipeline, finalization, kernels
// templated on the vector type) and differ only in the kernel table; the AVX-512 table is never
// touched on a CPU that lacks AVX-512.
#include <omp.h>

#include <memory>
#include <string>

#include "registry.h"
#include "welford_instance.h"

namespace bnbench {

namespace {

bool cpu_has_avx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl");
}

class WelfordBackend final : public Backend {
 public:
  explicit WelfordBackend(bool avx512) : avx512_(avx512) {}

  std::string name() const override { return avx512_ ? "welford_avx512" : "welford"; }

  BackendInfo info() const override {
    BackendInfo i;
    i.name = name();
    i.description =
        "one-pass blocked Welford per lane, Chan merges in double, cache-blocked pipeline";
    i.version = "bnbench";
    i.device = avx512_ ? "cpu (AVX-512 intrinsics)"
                       : "cpu (portable C++, " + welford::portable_vectors() + ")";
    i.extra["threads"] = omp_get_max_threads();
    return i;
  }

  Support supports(const Problem& p) const override {
    if (avx512_ && !cpu_has_avx512()) return Support::no("CPU lacks AVX-512 (F/BW/VL)");
    if (p.dtype != DType::f32) return Support::no("float32 kernels only");
    if (p.layout == Layout::nchw16c)
      return Support::no("no kernel for the blocked nchw16c layout (nchw and nhwc only)");
    return Support::yes();
  }

  std::unique_ptr<Instance> prepare(const Problem& p, Tensors& t) override {
    const auto& kernels = avx512_ ? welford::avx512_kernels() : welford::portable_kernels();
    return std::make_unique<welford::WelfordInstance>(p, t, kernels, omp_get_max_threads());
  }

 private:
  bool avx512_;
};

}  // namespace

void register_backend_welford(Registry& registry) {
  registry.add(std::make_unique<WelfordBackend>(true));
  registry.add(std::make_unique<WelfordBackend>(false));
}

}  // namespace bnbench
