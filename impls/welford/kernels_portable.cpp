// The strip kernels instantiated for Vec16: portable C++ in the compile target's own vector width.
#include "strip_kernels.h"
#include "vec16.h"

namespace bnbench::welford {

const KernelTable& portable_kernels() {
  static const KernelTable table = make_kernel_table<Vec16>();
  return table;
}

const char* portable_vectors() {
  switch (Vec16::kParts) {
    case 1:
      return "1 x 64-byte vector";
    case 2:
      return "2 x 32-byte vectors";
    default:
      return "4 x 16-byte vectors";
  }
}

}  // namespace bnbench::welford
