// Backend: the interface every batch-normalization implementation plugs in through.
//
// Invariant: a backend never sees tolerances, timers or reports. supports() decides, prepare()
// does every allocation, conversion and primitive creation, Instance::run() is the only timed call
// and does exactly one pass, fetch() leaves results in the host Tensors in the canonical
// conventions of numerics.md (save_var biased, running_var unbiased, canonical feature order).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "problem.h"
#include "tensor.h"

namespace bnbench {

struct Support {
  bool ok = true;
  std::string reason;  // why not, when !ok
  static Support yes() { return {}; }
  static Support no(std::string why) { return {false, std::move(why)}; }
};

struct BackendInfo {
  std::string name;
  std::string description;  // one line: what it is
  std::string version;      // library version or "bnbench"
  std::string device;       // "cpu (AVX-512)", GPU name, ...
  nlohmann::json extra = nlohmann::json::object();
};

class Instance {
 public:
  virtual ~Instance() = default;
  virtual void run() = 0;                // one pass; no allocation, no transfer
  virtual void sync() {}                 // wait for the device
  virtual void fetch() {}                // results to host Tensors, canonical conventions
  virtual void reset() {}                // restore device-side running statistics from host
  virtual std::optional<double> device_seconds() { return std::nullopt; }  // last run, GPU timer
  virtual nlohmann::json details() const { return nlohmann::json::object(); }
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  virtual BackendInfo info() const = 0;
  virtual Support supports(const Problem& p) const = 0;
  // A test-only backend (the checker's self-test) runs only when named explicitly.
  virtual bool test_only() const { return false; }
  // The host tensors stay alive and at the same addresses until the Instance is destroyed.
  virtual std::unique_ptr<Instance> prepare(const Problem& p, Tensors& t) = 0;
};

}  // namespace bnbench
