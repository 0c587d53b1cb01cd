// Busy processes: other processes using CPU time while a benchmark runs, a noise hazard.
//
// Invariant: read-only: two snapshots of /proc/<pid>/stat (utime + stime) a short window apart;
// the calling process and its threads are never counted; a process that vanishes in between is
// skipped.
#pragma once

#include <string>
#include <vector>

namespace bnbench {

struct BusyProcess {
  int pid = 0;
  std::string name;
  double cpu_fraction = 0;  // CPUs used over the window (1.0 = one CPU fully busy)
};

// The command name and CPU ticks (utime + stime) of one /proc/<pid>/stat line; false if malformed.
bool parse_proc_stat(const std::string& line, std::string& name, long long& ticks);

// Processes other than this one using more than min_fraction of a CPU over window_s, busiest first.
std::vector<BusyProcess> busy_processes(double window_s = 0.2, double min_fraction = 0.1);

// One hazard line naming up to three of them, or "" when there are none.
std::string busy_hazard(const std::vector<BusyProcess>& busy);

}  // namespace bnbench
