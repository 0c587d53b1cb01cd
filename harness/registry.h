// Registry: the backends compiled into this build, in a stable order.
//
// Invariant: the list comes from CMake (one bnbench_add_backend() per impls/ folder), so a
// disabled dependency simply leaves its backend out; nothing else names backends.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backend.h"

namespace bnbench {

class Registry {
 public:
  void add(std::unique_ptr<Backend> backend) { backends_.push_back(std::move(backend)); }
  const std::vector<std::unique_ptr<Backend>>& all() const { return backends_; }
  Backend* find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::vector<std::unique_ptr<Backend>> backends_;
};

// Every backend registered by the enabled impls/ folders (built once, on first use).
Registry& registry();
// Backends CMake left out at configure time, each as "name: reason".
const std::vector<std::string>& configure_skipped_backends();

}  // namespace bnbench
