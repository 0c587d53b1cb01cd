// Fuzz target: the case-string parser (parse_problem, the case id of every record).
//
// Invariant fuzzed: any string either parses or raises std::invalid_argument; a parsed problem
// that validate() accepts prints canonically and reads back to the same problem and string
// (problem.h's round trip), whatever extras, spellings or numbers the input used.
#include <stdexcept>
#include <string>

#include "problem.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  bnbench::Problem p;
  try {
    p = bnbench::parse_problem(text);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  if (!bnbench::validate(p).empty()) return 0;
  const std::string canonical = bnbench::to_string(p);
  bnbench::Problem again = bnbench::parse_problem(canonical);
  if (!(again == p) || bnbench::to_string(again) != canonical) __builtin_trap();
  return 0;
}
