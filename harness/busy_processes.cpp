// Busy processes: CPU ticks of every process, twice, and the difference.
//
// Invariant: the command name is read between the first '(' and the last ')' of the stat line,
// so names containing spaces or parentheses cannot shift the numeric fields.
#include "busy_processes.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

namespace bnbench {

namespace {

struct Snapshot {
  std::string name;
  long long ticks = 0;
};

std::map<int, Snapshot> snapshot() {
  std::map<int, Snapshot> out;
  const int self = getpid();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string dir = entry.path().filename().string();
    if (dir.empty() || !std::all_of(dir.begin(), dir.end(), ::isdigit)) continue;
    const int pid = std::stoi(dir);
    if (pid == self) continue;
    std::ifstream in(entry.path() / "stat");
    std::string line;
    Snapshot s;
    if (std::getline(in, line) && parse_proc_stat(line, s.name, s.ticks)) out[pid] = s;
  }
  return out;
}

}  // namespace

bool parse_proc_stat(const std::string& line, std::string& name, long long& ticks) {
  const auto open = line.find('(');
  const auto close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  name = line.substr(open + 1, close - open - 1);
  // After ") ": state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
  // utime(14) stime(15), numbered as in proc(5).
  std::istringstream rest(line.substr(close + 1));
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::atoll(field.c_str());
    if (i == 15) stime = std::atoll(field.c_str());
  }
  if (!rest) return false;
  ticks = utime + stime;
  return true;
}

std::vector<BusyProcess> busy_processes(double window_s, double min_fraction) {
  const auto before = snapshot();
  auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(window_s));
  const auto after = snapshot();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double ticks_per_s = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::vector<BusyProcess> busy;
  for (const auto& [pid, now] : after) {
    auto it = before.find(pid);
    if (it == before.end()) continue;
    const double fraction =
        static_cast<double>(now.ticks - it->second.ticks) / ticks_per_s / elapsed;
    if (fraction > min_fraction) busy.push_back({pid, now.name, fraction});
  }
  std::sort(busy.begin(), busy.end(), [](const BusyProcess& a, const BusyProcess& b) {
    return a.cpu_fraction > b.cpu_fraction;
  });
  return busy;
}

std::string busy_hazard(const std::vector<BusyProcess>& busy) {
  if (busy.empty()) return "";
  double total = 0;
  for (const auto& b : busy) total += b.cpu_fraction;
  std::string names;
  for (size_t i = 0; i < busy.size() && i < 3; ++i) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s%s (pid %d, %.0f%%)", i ? ", " : "", busy[i].name.c_str(),
                  busy[i].pid, 100 * busy[i].cpu_fraction);
    names += buf;
  }
  if (busy.size() > 3) names += ", ...";
  char head[96];
  std::snprintf(head, sizeof head, "%zu other process%s busy, %.1f CPUs in all: ", busy.size(),
                busy.size() == 1 ? "" : "es", total);
  return head + names;
}

}  // namespace bnbench
