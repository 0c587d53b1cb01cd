// Fuzz target: the strict .npy reader (read_npy: magic, version, header dict, dtype, shape, body).
//
// Invariant fuzzed: any byte string either reads or raises NpyError; an array that reads has
// exactly product(shape) items of its dtype, each readable with get().
#include "fuzz_file.h"
#include "npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string path = bnbench_fuzz::write_input("input.npy", data, size);
  try {
    bnbench::NpyArray a = bnbench::read_npy(path);
    const int64_t count = a.count();
    if (count < 0 || static_cast<size_t>(count) * bnbench::dtype_size(a.dtype) != a.data.size())
      __builtin_trap();
    double sum = 0;
    for (int64_t i = 0; i < count; ++i) sum += a.get(i);
    (void)sum;
  } catch (const bnbench::NpyError&) {
  }
  return 0;
}
