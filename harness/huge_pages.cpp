// Huge pages: aligned allocation with the transparent-huge-page advice (see huge_pages.h).
//
// Invariant: the advice is a hint only; a refusal never fails an allocation.
#include "huge_pages.h"

#include <sys/mman.h>

#include <cstdlib>
#include <fstream>
#include <new>

namespace bnbench {

void* allocate_large(size_t bytes) {
  const size_t align = bytes >= kHugePageBytes ? kHugePageBytes : 64;
  size_t rounded = (bytes + align - 1) / align * align;
  if (rounded == 0) rounded = align;
  void* p = std::aligned_alloc(align, rounded);
  if (!p) throw std::bad_alloc();
  if (align == kHugePageBytes) madvise(p, rounded, MADV_HUGEPAGE);
  return p;
}

// The file reads like "always [madvise] never": the bracketed word is the mode in force.
std::string transparent_huge_pages() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  if (!std::getline(in, line)) return "unknown";
  const size_t open = line.find('['), close = line.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return "unknown";
  return line.substr(open + 1, close - open - 1);
}

}  // namespace bnbench
