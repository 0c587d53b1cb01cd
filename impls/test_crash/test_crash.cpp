// Crashing backends: test_crash_segv writes to a page it mapped without access (a genuine
// SIGSEGV, no undefined behaviour for a sanitizer to report first), test_crash_abort calls
// std::abort(), test_crash_hang sleeps forever. Each dies in Instance::run(), after prepare(), as a
// broken kernel would.
//
// Invariant: test-only (never part of a sweep over every backend); they exist for
// tests/test_isolate.cpp and tests/cli_robustness.sh, which run them under --isolate and expect
// CRASHED (with the signal) and TIMEOUT while the rest of the sweep goes on.
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <thread>

#include "backend.h"
#include "registry.h"

namespace bnbench {

namespace {

enum class Failure { segv, abort, hang };

struct FailureDef {
  Failure failure;
  const char* name;
  const char* description;
};

constexpr FailureDef kFailures[] = {
    {Failure::segv, "segv", "dies on SIGSEGV in run() (writes to a PROT_NONE page)"},
    {Failure::abort, "abort", "calls std::abort() in run()"},
    {Failure::hang, "hang", "never returns from run()"},
};

class CrashInstance final : public Instance {
 public:
  explicit CrashInstance(Failure failure) : failure_(failure) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    guard_ = mmap(nullptr, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (guard_ == MAP_FAILED) throw std::runtime_error("test_crash: mmap failed");
    page_ = page;
  }
  ~CrashInstance() override { munmap(guard_, page_); }

  void run() override {
    switch (failure_) {
      case Failure::segv:
        *static_cast<volatile int*>(guard_) = 1;
        break;
      case Failure::abort:
        std::abort();
      case Failure::hang:
        for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }

 private:
  Failure failure_;
  void* guard_ = nullptr;
  size_t page_ = 0;
};

class CrashBackend final : public Backend {
 public:
  explicit CrashBackend(const FailureDef& def) : def_(def) {}
  std::string name() const override { return std::string("test_crash_") + def_.name; }
  BackendInfo info() const override {
    BackendInfo info;
    info.name = name();
    info.description = std::string("isolation self-test: ") + def_.description;
    info.version = "bnbench";
    info.device = "cpu";
    return info;
  }
  Support supports(const Problem&) const override { return Support::yes(); }
  bool test_only() const override { return true; }
  std::unique_ptr<Instance> prepare(const Problem&, Tensors&) override {
    return std::make_unique<CrashInstance>(def_.failure);
  }

 private:
  FailureDef def_;
};

}  // namespace

void register_backend_test_crash(Registry& registry) {
  for (const FailureDef& def : kFailures) registry.add(std::make_unique<CrashBackend>(def));
}

}  // namespace bnbench
