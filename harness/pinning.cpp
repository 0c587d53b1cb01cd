// Pinning: parses --pin, puts the OpenMP placement in the environment before the runtime starts.
//
// Invariant: the re-execution happens at most once: the second start sees the environment it
// asked for and returns; a plan the process cannot honour (a CPU outside its mask) is an error
// before anything runs. CPUs are checked on the first start only: after it the runtime has bound
// the main thread to the first place, so the thread's own mask no longer shows the process's.
#include "pinning.h"

#include <omp.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace bnbench {

namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

int parse_cpu(const std::string& text, const std::string& whole) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), ::isdigit))
    throw std::invalid_argument("--pin '" + whole +
                                "': expected none, compact or a CPU list like 0,2-3");
  return std::stoi(text);
}

}  // namespace

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  return cpus;
}

std::string PinPlan::places() const {
  if (spec == "none") return "";
  if (spec == "compact") return "cores";
  std::string out;
  for (int c : cpus) out += (out.empty() ? "{" : ",{") + std::to_string(c) + "}";
  return out;
}

std::string PinPlan::proc_bind() const { return spec == "none" ? "" : "close"; }

PinPlan parse_pin(const std::string& text) {
  PinPlan plan;
  plan.spec = text;
  if (text == "none" || text == "compact") return plan;
  std::string item;
  for (char ch : text + ",") {
    if (ch != ',') {
      item += ch;
      continue;
    }
    auto dash = item.find('-');
    int first = parse_cpu(item.substr(0, dash), text);
    int last = dash == std::string::npos ? first : parse_cpu(item.substr(dash + 1), text);
    if (last < first)
      throw std::invalid_argument("--pin '" + text + "': range " + item + " is empty");
    for (int c = first; c <= last; ++c)
      if (std::find(plan.cpus.begin(), plan.cpus.end(), c) == plan.cpus.end())
        plan.cpus.push_back(c);
    item.clear();
  }
  return plan;
}

void apply_pinning(const PinPlan& plan, char** argv) {
  if (plan.spec == "none") return;
  if (env_or_empty("OMP_PLACES") == plan.places() &&
      env_or_empty("OMP_PROC_BIND") == plan.proc_bind())
    return;
  // First start: the runtime has not bound any thread yet, so the mask is the process's own.
  const auto allowed = allowed_cpus();
  for (int c : plan.cpus)
    if (std::find(allowed.begin(), allowed.end(), c) == allowed.end())
      throw std::invalid_argument("--pin '" + plan.spec + "': CPU " + std::to_string(c) +
                                  " is not available to this process");
  if (!plan.cpus.empty()) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int c : plan.cpus) CPU_SET(c, &set);
    sched_setaffinity(0, sizeof set, &set);
  }
  setenv("OMP_PLACES", plan.places().c_str(), 1);
  setenv("OMP_PROC_BIND", plan.proc_bind().c_str(), 1);
  execv("/proc/self/exe", argv);
  throw std::runtime_error(std::string("--pin: cannot re-execute /proc/self/exe: ") +
                           std::strerror(errno));
}

nlohmann::json pinning_json(const PinPlan& plan) {
  nlohmann::json places = nlohmann::json::array();
  for (int i = 0; i < omp_get_num_places(); ++i) {
    std::vector<int> ids(static_cast<size_t>(omp_get_place_num_procs(i)));
    omp_get_place_proc_ids(i, ids.data());
    places.push_back(ids);
  }
  return {{"pin", plan.spec},
          {"omp_places", env_or_empty("OMP_PLACES")},
          {"omp_proc_bind", env_or_empty("OMP_PROC_BIND")},
          {"omp_num_threads", env_or_empty("OMP_NUM_THREADS")},
          {"runtime_places", places},
          {"main_thread_cpus", allowed_cpus()}};
}

}  // namespace bnbench
