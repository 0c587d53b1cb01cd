// The strip kernels instantiated for Vec16: portable C++ in the compile target's own vector width.
#include <string>

#include "strip_kernels.h"
#include "vec16.h"

namespace bnbench::welford {

const KernelTable& portable_kernels() {
  static const KernelTable table = make_kernel_table<Vec16>();
  return table;
}

std::string portable_vectors() {
  return std::to_string(Vec16::kParts) + " x " + std::to_string(kNativeVectorBytes) +
         "-byte vector" + (Vec16::kParts > 1 ? "s" : "");
}

}  // namespace bnbench::welford
