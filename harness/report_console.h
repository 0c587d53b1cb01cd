// Console reporter: one line per case, the repro command under every FAILED or ERROR line, and
// the closing `N passed, N failed, N skipped` line.
//
// Invariant: writes only to the given stream; quiet mode prints failures and the summary only.
#pragma once

#include <chrono>
#include <ostream>

#include "reporter.h"

namespace bnbench {

class ConsoleReporter : public Reporter {
 public:
  // live: draw an updating status line (progress.h: a terminal and CI unset); passed check-only
  // cases then show only there.
  ConsoleReporter(std::ostream& out, bool quiet, bool verbose, bool live = false)
      : out_(out), quiet_(quiet), verbose_(verbose), live_(live) {}
  void begin(const RunContext& context) override;
  void case_done(const CaseRecord& record) override;
  void end(const RunSummary& summary) override;

 private:
  std::ostream& out_;
  bool quiet_, verbose_, live_;
  bool run_mode_ = false;
  void draw_status(const CaseRecord& r);
  size_t total_ = 0, done_ = 0;
  std::chrono::steady_clock::time_point start_;
};

std::string format_seconds(double s);

}  // namespace bnbench
