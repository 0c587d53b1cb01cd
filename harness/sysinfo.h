// Sysinfo: the machine and build a result was measured on, captured once per run.
//
// Invariant: read-only probes of /proc, /sys and the build; missing information is recorded as
// "unknown", never guessed. Noise hazards found here are listed so reporters can warn loudly.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace bnbench {

struct CacheInfo {
  int level = 0;
  std::string type;
  int64_t bytes = 0;
};

struct MachineInfo {
  std::string hostname, cpu_model, kernel, governor = "unknown";
  std::string turbo = "unknown";  // on, off (intel_pstate/no_turbo or cpufreq/boost) or unknown
  std::vector<std::string> isa_flags;  // the SIMD flags that matter to batch norm
  int logical_cpus = 0;
  std::vector<CacheInfo> caches;
  int64_t memory_bytes = 0;
  int64_t available_memory_bytes = 0;
  std::string huge_pages = "unknown";  // transparent huge pages: always, madvise, never, unknown
  bool hypervisor = false;
  double load_average_1m = 0;
  int64_t last_level_cache_bytes() const;
};

MachineInfo read_machine_info();
bool cpu_has_flag(const MachineInfo& m, const std::string& flag);
std::vector<std::string> noise_hazards(const MachineInfo& m, int threads);

nlohmann::json to_json(const MachineInfo& m);
nlohmann::json build_json();  // build type, flags, compiler, version, git commit

}  // namespace bnbench
