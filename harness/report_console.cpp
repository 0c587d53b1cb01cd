// Console reporter: human-readable progress and verdicts.
//
// Invariant: every FAILED/ERROR line is followed by the exact command that reproduces the case.
#include "report_console.h"

#include <cstdio>
#include <iomanip>
#include <sstream>

namespace bnbench {

std::string format_seconds(double s) {
  char buf[32];
  if (s >= 1)
    std::snprintf(buf, sizeof buf, "%.2f s", s);
  else if (s >= 1e-3)
    std::snprintf(buf, sizeof buf, "%.3f ms", s * 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.2f us", s * 1e6);
  return buf;
}

void ConsoleReporter::begin(const RunContext& context) {
  total_ = context.case_count;
  start_ = std::chrono::steady_clock::now();
  if (!quiet_) {
    out_ << "bnbench " << context.mode << ": " << context.config_path << ", " << total_
         << " cases\n";
    for (auto& h : context.hazards) out_ << "WARNING: " << h << "\n";
  }
}

void ConsoleReporter::case_done(const CaseRecord& r) {
  ++done_;
  const bool bad = is_failure(r.status);
  const bool notable = bad || r.outcome == Outcome::unexpected_pass;
  if (quiet_ && !notable) return;
  std::ostringstream line;
  const int width = static_cast<int>(std::to_string(total_).size());
  line << "[" << std::setw(width) << done_ << "/" << total_ << "] " << std::left << std::setw(16)
       << r.backend << " " << r.id << " t" << r.threads << "  " << to_string(r.status);
  if (r.check && !r.check->worst_tensor.empty()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "  %s r=%.3g", r.check->worst_tensor.c_str(),
                  r.check->worst_ratio);
    line << buf;
  }
  if (r.timing && r.timing->stats.median > 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "  %s  %.1f GB/s", format_seconds(r.timing->stats.median).c_str(),
                  r.bytes_moved / r.timing->stats.median / 1e9);
    line << buf;
  }
  if (!r.reason.empty() && (r.status != Verdict::passed || verbose_)) line << "  (" << r.reason << ")";
  if (r.outcome == Outcome::expected_failure) line << "  [expected: " << r.expectation_why << "]";
  if (r.outcome == Outcome::unexpected_failure) line << "  [UNEXPECTED]";
  if (r.outcome == Outcome::unexpected_pass)
    line << "  [unexpected pass; expected to fail: " << r.expectation_why << "]";
  out_ << line.str() << "\n";
  if (bad) out_ << "    repro: " << r.command << "\n";
  out_.flush();
}

void ConsoleReporter::end(const RunSummary& s) {
  double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  out_ << s.passed << " passed, " << s.failed << " failed, " << s.skipped << " skipped";
  if (s.warned) out_ << ", " << s.warned << " warned";
  if (s.mistrusted) out_ << ", " << s.mistrusted << " mistrusted";
  if (s.errors) out_ << ", " << s.errors << " errors";
  if (s.crashed) out_ << ", " << s.crashed << " crashed";
  if (s.timeouts) out_ << ", " << s.timeouts << " timed out";
  if (s.with_expectations)
    out_ << "; " << s.expected_failures << " expected failures, " << s.unexpected_failures
         << " unexpected failures, " << s.unexpected_passes << " unexpected passes";
  out_ << " (" << format_seconds(elapsed) << ")\n";
}

}  // namespace bnbench
