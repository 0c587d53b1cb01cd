// The strip kernels instantiated for VecAvx512. This file alone is compiled with -mavx512f
// -mavx512bw -mavx512vl; callers reach it only after the CPU check in welford_backend.cpp.
#include "strip_kernels.h"
#include "vec_avx512.h"

namespace bnbench::welford {

const KernelTable& avx512_kernels() {
  static const KernelTable table = make_kernel_table<VecAvx512>();
  return table;
}

}  // namespace bnbench::welford
