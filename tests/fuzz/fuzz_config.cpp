// Fuzz target: the config reader (load_config: JSON text, line/column of syntax errors, every key,
// type, range and shape check, shape sets from configs/shapes).
//
// Invariant fuzzed: any byte string either loads or raises ConfigError; nothing else escapes
// (an uncaught exception aborts and libFuzzer reports it), nothing crashes, leaks or hangs.
#include <filesystem>

#include "config.h"
#include "fuzz_file.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto shapes = bnbench_fuzz::scratch_dir() / "shapes";
  if (!std::filesystem::exists(shapes))
    std::filesystem::create_directory_symlink(BNBENCH_SOURCE_DIR "/configs/shapes", shapes);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string path = bnbench_fuzz::write_input("config.json", data, size);
  try {
    bnbench::Config config = bnbench::load_config(path);
    if (config.cases.empty()) __builtin_trap();
  } catch (const bnbench::ConfigError&) {
  }
  return 0;
}
