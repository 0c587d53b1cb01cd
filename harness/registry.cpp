// Registry: builds the backend list from the registration functions CMake collected.
//
// Invariant: registry_list.inc is generated; each line BNBENCH_BACKEND(name) declares and calls
// `void register_backend_<name>(Registry&)`, defined in impls/<name>/.
#include "registry.h"

namespace bnbench {

#define BNBENCH_BACKEND(name) void register_backend_##name(Registry&);
#include "registry_list.inc"
#undef BNBENCH_BACKEND

Backend* Registry::find(const std::string& name) const {
  for (auto& b : backends_)
    if (b->name() == name) return b.get();
  return nullptr;
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (auto& b : backends_) out.push_back(b->name());
  return out;
}

Registry& registry() {
  static Registry* instance = [] {
    auto* r = new Registry;
#define BNBENCH_BACKEND(name) register_backend_##name(*r);
#include "registry_list.inc"
#undef BNBENCH_BACKEND
    return r;
  }();
  return *instance;
}

const std::vector<std::string>& configure_skipped_backends() {
  static const std::vector<std::string> skipped = {
#include "skipped_backends.inc"
  };
  return skipped;
}

}  // namespace bnbench
