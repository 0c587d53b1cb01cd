// Huge pages: large buffers are 2 MiB aligned and carry the transparent-huge-page advice; small ones
// stay 64-byte aligned; the machine record names the kernel's THP mode.
//
// Invariant: the advice is checked through the mapping's VmFlags ("hg" in /proc/self/smaps), which
// records MADV_HUGEPAGE whether or not the kernel found a free huge page, so the test does not
// depend on memory fragmentation.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "huge_pages.h"
#include "sysinfo.h"
#include "tensor.h"

namespace bnbench {
namespace {

// The VmFlags line of the mapping that contains p, or "" if /proc/self/smaps has none.
std::string vm_flags_of(const void* p) {
  const auto address = reinterpret_cast<uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> begin >> dash >> end && dash == '-') {
      inside = begin <= address && address < end;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

bool advised(const void* p) { return vm_flags_of(p).find(" hg") != std::string::npos; }

TEST(HugePages, LargeBuffersAreAlignedAndAdvised) {
  const size_t bytes = 3 * kHugePageBytes + 100;
  void* p = allocate_large(bytes);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % kHugePageBytes, 0u);
  static_cast<char*>(p)[bytes - 1] = 1;  // the whole request is writable
  const std::string mode = transparent_huge_pages();
  if (mode == "madvise" || mode == "always")
    EXPECT_TRUE(advised(p)) << "VmFlags of the buffer: '" << vm_flags_of(p) << "'";
  std::free(p);
}

TEST(HugePages, SmallBuffersStayOnSmallAlignment) {
  void* p = allocate_large(1000);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
  std::free(p);
  void* empty = allocate_large(0);
  EXPECT_NE(empty, nullptr);
  std::free(empty);
}

TEST(HugePages, TensorsOfAHugePageOrMoreUseThem) {
  Buffer large(static_cast<int64_t>(kHugePageBytes / sizeof(float)), DType::f32);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(large.as<float>()) % kHugePageBytes, 0u);
  EXPECT_EQ(large.as<float>()[large.count() - 1], 0.0f) << "zeroed to the last element";
  Buffer small(10, DType::f64);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(small.as<double>()) % 64, 0u);
}

TEST(HugePages, MachineRecordNamesTheMode) {
  const std::string mode = transparent_huge_pages();
  EXPECT_TRUE(mode == "always" || mode == "madvise" || mode == "never" || mode == "unknown")
      << mode;
  EXPECT_EQ(to_json(read_machine_info())["transparent_huge_pages"], mode);
}

}  // namespace
}  // namespace bnbench
