// Sysinfo: reads CPU, caches, memory, kernel and build facts for the result file.
//
// Invariant: every field comes from the system or the build definitions; nothing is hard-coded.
#include "sysinfo.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "build_info.h"
#include "huge_pages.h"

namespace bnbench {

namespace {
std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (in) std::getline(in, line);
  return line;
}

int64_t parse_cache_size(const std::string& text) {
  if (text.empty()) return 0;
  int64_t v = std::atoll(text.c_str());
  char unit = text.back();
  if (unit == 'K') v *= 1024;
  if (unit == 'M') v *= 1024 * 1024;
  return v;
}

int64_t meminfo_kb(const std::string& key) {
  std::ifstream in("/proc/meminfo");
  std::string k;
  int64_t v = 0;
  std::string unit;
  while (in >> k >> v >> unit)
    if (k == key + ":") return v;
  return 0;
}
}  // namespace

int64_t MachineInfo::last_level_cache_bytes() const {
  int64_t best = 0;
  int level = 0;
  for (auto& c : caches)
    if (c.type != "Instruction" && c.level >= level) {
      level = c.level;
      best = c.bytes;
    }
  return best;
}

MachineInfo read_machine_info() {
  MachineInfo m;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  m.hostname = host;
  utsname u{};
  if (uname(&u) == 0) m.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
  m.logical_cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  static const std::set<std::string> kInteresting = {
      "sse4_2",      "avx",         "avx2",        "fma",      "f16c",
      "avx512f",     "avx512bw",    "avx512vl",    "avx512dq", "avx512cd",
      "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "hypervisor"};
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
    std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
    if (key == "model name" && m.cpu_model.empty()) m.cpu_model = value;
    if (key == "flags" && m.isa_flags.empty()) {
      std::istringstream flags(value);
      std::string f;
      while (flags >> f)
        if (kInteresting.count(f)) {
          if (f == "hypervisor")
            m.hypervisor = true;
          else
            m.isa_flags.push_back(f);
        }
    }
  }
  for (int i = 0; i < 8; ++i) {
    std::string base = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) + "/";
    std::string level = read_first_line(base + "level");
    if (level.empty()) break;
    m.caches.push_back({std::atoi(level.c_str()), read_first_line(base + "type"),
                        parse_cache_size(read_first_line(base + "size"))});
  }
  m.memory_bytes = meminfo_kb("MemTotal") * 1024;
  m.available_memory_bytes = meminfo_kb("MemAvailable") * 1024;
  std::string gov = read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  if (!gov.empty()) m.governor = gov;
  m.huge_pages = transparent_huge_pages();
  std::string no_turbo = read_first_line("/sys/devices/system/cpu/intel_pstate/no_turbo");
  std::string boost = read_first_line("/sys/devices/system/cpu/cpufreq/boost");
  if (!no_turbo.empty())
    m.turbo = no_turbo == "0" ? "on" : "off";
  else if (!boost.empty())
    m.turbo = boost == "1" ? "on" : "off";
  double load[1] = {0};
  if (getloadavg(load, 1) == 1) m.load_average_1m = load[0];
  if (m.cpu_model.empty()) m.cpu_model = "unknown";
  return m;
}

bool cpu_has_flag(const MachineInfo& m, const std::string& flag) {
  return std::find(m.isa_flags.begin(), m.isa_flags.end(), flag) != m.isa_flags.end();
}

std::vector<std::string> noise_hazards(const MachineInfo& m, int threads) {
  std::vector<std::string> h;
  if (std::string(BNBENCH_BUILD_TYPE) != "Release")
    h.push_back(std::string("not a Release build (") + BNBENCH_BUILD_TYPE +
                "): timings are meaningless");
  if (m.hypervisor) h.push_back("running under a hypervisor: other guests share the memory system");
  if (m.governor == "unknown")
    h.push_back("CPU frequency governor unknown (no cpufreq): frequency may vary");
  else if (m.governor != "performance")
    h.push_back("CPU frequency governor is '" + m.governor + "', not 'performance'");
  if (m.turbo == "unknown")
    h.push_back("turbo/boost state unknown (no intel_pstate or cpufreq boost): clocks may vary");
  if (m.last_level_cache_bytes() == 0)
    h.push_back(
        "cache sizes unknown (no /sys/devices/system/cpu/cpu0/cache): no case is flagged "
        "cache-resident, and every interleaved case is timed with the bandwidth probe");
  if (m.huge_pages == "never")
    h.push_back(
        "transparent huge pages disabled: a buffer's bandwidth depends on where its 4 KiB "
        "pages landed (27-37 GB/s across equal buffers on the reference VM)");
  if (m.load_average_1m > 0.5 * m.logical_cpus)
    h.push_back("load average " + std::to_string(m.load_average_1m).substr(0, 4) + " on " +
                std::to_string(m.logical_cpus) + " CPUs: other work competes");
  if (threads > m.logical_cpus)
    h.push_back("more threads (" + std::to_string(threads) + ") than CPUs");
  return h;
}

nlohmann::json to_json(const MachineInfo& m) {
  nlohmann::json caches = nlohmann::json::array();
  for (auto& c : m.caches)
    caches.push_back({{"level", c.level}, {"type", c.type}, {"bytes", c.bytes}});
  return {{"hostname", m.hostname},     {"cpu_model", m.cpu_model},
          {"isa_flags", m.isa_flags},   {"logical_cpus", m.logical_cpus},
          {"caches", caches},           {"memory_bytes", m.memory_bytes},
          {"kernel", m.kernel},         {"governor", m.governor},
          {"turbo", m.turbo},           {"transparent_huge_pages", m.huge_pages},
          {"hypervisor", m.hypervisor}, {"load_average_1m", m.load_average_1m}};
}

nlohmann::json build_json() {
  return {{"type", BNBENCH_BUILD_TYPE},
          {"flags", BNBENCH_CXX_FLAGS},
          {"compiler", BNBENCH_COMPILER},
          {"git_commit", BNBENCH_GIT_COMMIT}};
}

}  // namespace bnbench
