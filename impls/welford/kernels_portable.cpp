// The strip kernels instantiated for Vec16: portable C++ the compiler vectorizes as it can.
#include "strip_kernels.h"
#include "vec16.h"

namespace bnbench::welford {

const KernelTable& portable_kernels() {
  static const KernelTable table = make_kernel_table<Vec16>();
  return table;
}

}  // namespace bnbench::welford
