// The kernel instantiations cuda_welford uses and the host functions that pick and launch them
// (kernel_params.h): geometry x vector width x reduction x fused for reduce_kernel, geometry x
// vector width x direction x coefficient source for apply_kernel.
//
// Invariant: the fused kernels run only through cudaLaunchCooperativeKernel, which refuses a grid
// that cannot be resident at once, so their grid-wide sync can never deadlock.
#include <stdexcept>
#include <string>

#include "kernels.cuh"

namespace bnbench::cuda_welford {

namespace {

using Kernel = void (*)(Params);

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}

template <Geometry G, int VEC>
Kernel reduce_for(Reduction r, bool fused) {
  if (r == Reduction::stats)
    return fused ? reduce_kernel<G, VEC, Reduction::stats, true>
                 : reduce_kernel<G, VEC, Reduction::stats, false>;
  return fused ? reduce_kernel<G, VEC, Reduction::grads, true>
               : reduce_kernel<G, VEC, Reduction::grads, false>;
}

Kernel reduce_kernel_of(const KernelKey& key, Reduction r, bool fused) {
  if (key.geometry == Geometry::rows)
    return key.vec == 4 ? reduce_for<Geometry::rows, 4>(r, fused)
                        : reduce_for<Geometry::rows, 1>(r, fused);
  return key.vec == 4 ? reduce_for<Geometry::planes, 4>(r, fused)
                      : reduce_for<Geometry::planes, 1>(r, fused);
}

template <Geometry G, int VEC>
Kernel apply_for(Apply a, bool from_inputs) {
  if (a == Apply::forward)
    return from_inputs ? apply_kernel<G, VEC, Apply::forward, true>
                       : apply_kernel<G, VEC, Apply::forward, false>;
  return from_inputs ? apply_kernel<G, VEC, Apply::backward, true>
                     : apply_kernel<G, VEC, Apply::backward, false>;
}

Kernel apply_kernel_of(const KernelKey& key, Apply a, bool from_inputs) {
  if (key.geometry == Geometry::rows)
    return key.vec == 4 ? apply_for<Geometry::rows, 4>(a, from_inputs)
                        : apply_for<Geometry::rows, 1>(a, from_inputs);
  return key.vec == 4 ? apply_for<Geometry::planes, 4>(a, from_inputs)
                      : apply_for<Geometry::planes, 1>(a, from_inputs);
}

}  // namespace

int fused_capacity(const KernelKey& key, Reduction r, int sm_count) {
  int blocks_per_sm = 0;
  check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(
            &blocks_per_sm, reinterpret_cast<const void*>(reduce_kernel_of(key, r, true)),
            kBlockThreads, 0),
        "cudaOccupancyMaxActiveBlocksPerMultiprocessor");
  return blocks_per_sm * sm_count;
}

void launch_reduce(const KernelKey& key, Reduction r, bool fused, dim3 grid, const Params& p,
                   cudaStream_t stream) {
  const Kernel kernel = reduce_kernel_of(key, r, fused);
  if (!fused) {
    kernel<<<grid, kBlockThreads, 0, stream>>>(p);
    return;
  }
  void* args[] = {const_cast<Params*>(&p)};
  check(cudaLaunchCooperativeKernel(reinterpret_cast<const void*>(kernel), grid,
                                    dim3(kBlockThreads), args, 0, stream),
        "cudaLaunchCooperativeKernel");
}

void launch_apply(const KernelKey& key, Apply a, bool from_inputs, dim3 grid, const Params& p,
                  cudaStream_t stream) {
  apply_kernel_of(key, a, from_inputs)<<<grid, kBlockThreads, 0, stream>>>(p);
}

}  // namespace bnbench::cuda_welford
