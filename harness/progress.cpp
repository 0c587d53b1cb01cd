// Progress: terminal detection, the ETA and the text of the status line.
//
// Invariant: the ETA is the mean time per finished case times the cases left; it is shown only
// once a case has finished.
#include "progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace bnbench {

bool live_progress_wanted(int fd) {
  const char* ci = std::getenv("CI");
  return isatty(fd) && (!ci || !*ci);
}

int terminal_width(int fd) {
  winsize w{};
  if (ioctl(fd, TIOCGWINSZ, &w) == 0 && w.ws_col > 0) return w.ws_col;
  return 100;
}

std::string format_eta(double seconds) {
  const long s = seconds > 0 ? static_cast<long>(seconds + 0.5) : 0;
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s % 3600 / 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

std::string measurement_text(const CaseRecord& r) {
  if (!r.timing || r.timing->stats.median <= 0) return "";
  char buf[128];
  const double gbps = r.bytes_moved / r.timing->stats.median / 1e9;
  std::string text;
  std::snprintf(buf, sizeof buf, "%.1f GB/s", gbps);
  text = buf;
  if (r.roofline && r.roofline->ideal_gbps > 0) {
    std::snprintf(buf, sizeof buf, "  %.0f%% of ideal%s", r.roofline->percent_of_ideal,
                  r.roofline->cache_resident ? " (cache-resident)" : "");
    text += buf;
  }
  const double noise = 100 * r.timing->stats.noise;
  if (noise < 1000)
    std::snprintf(buf, sizeof buf, "  noise %.1f%%%s", noise, r.timing->noisy() ? " NOISY" : "");
  else
    std::snprintf(buf, sizeof buf, "  noise >999%% NOISY");
  return text + buf;
}

std::string progress_text(size_t done, size_t total, const CaseRecord& r, double elapsed_s,
                          size_t width) {
  const int digits = static_cast<int>(std::to_string(total).size());
  char head[48];
  std::snprintf(head, sizeof head, "[%*zu/%zu] ", digits, done, total);
  std::string tail;
  if (r.timing && r.timing->stats.median > 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " %.1f GB/s", r.bytes_moved / r.timing->stats.median / 1e9);
    tail = buf;
  }
  tail += ' ';
  tail += to_string(r.status);
  if (done > 0 && done < total)
    tail += "  ETA " +
            format_eta(elapsed_s / static_cast<double>(done) * static_cast<double>(total - done));
  std::string id = r.backend + " " + r.id;
  const size_t fixed = std::string(head).size() + tail.size();
  if (width > fixed + 4 && fixed + id.size() > width - 1)
    id = id.substr(0, width - 1 - fixed - 3) + "...";
  std::string line = head + id + tail;
  return line.size() > width - 1 ? line.substr(0, width - 1) : line;
}

}  // namespace bnbench
