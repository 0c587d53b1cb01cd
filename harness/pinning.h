// Pinning: where the OpenMP threads of every backend run (--pin compact | none | CPU list).
//
// Invariant: the placement is fixed before the OpenMP runtime starts. libgomp reads OMP_PLACES and
// OMP_PROC_BIND once, when the program loads, so setting them in main() would be too late:
// apply_pinning() sets them and re-executes the program (/proc/self/exe, same arguments) when they
// differ from what the runtime saw; the second start finds them in place and continues. Every
// backend (oneDNN, PyTorch, the plain OpenMP loops) shares that runtime, so all obey one placement.
//   compact: OMP_PLACES=cores, OMP_PROC_BIND=close (thread i on core i)
//   0,2-3:   OMP_PLACES={0},{2},{3}, OMP_PROC_BIND=close, and the process mask set to those CPUs
//   none:    nothing is changed; the inherited environment and affinity mask are recorded.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace bnbench {

struct PinPlan {
  std::string spec = "none";  // as given: none, compact or the CPU list
  std::vector<int> cpus;      // the CPU list, empty for none and compact
  // The OMP_PLACES / OMP_PROC_BIND values the plan needs (empty for none).
  std::string places() const;
  std::string proc_bind() const;
};

// Throws std::invalid_argument for anything but none, compact or a list like 0,2-3.
PinPlan parse_pin(const std::string& text);

// Sets the environment for the plan; re-executes argv when the OpenMP runtime started without it.
// Returns only when the placement is in force; throws std::invalid_argument for a CPU outside the
// process's mask and std::runtime_error if exec fails.
void apply_pinning(const PinPlan& plan, char** argv);

// The CPUs the calling thread may run on (after binding: the main thread's place).
std::vector<int> allowed_cpus();

// spec, OMP_PLACES, OMP_PROC_BIND, OMP_NUM_THREADS, the runtime's places (CPU ids each) and the
// main thread's CPUs.
nlohmann::json pinning_json(const PinPlan& plan);

}  // namespace bnbench
