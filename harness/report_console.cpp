// Console reporter: human-readable progress and verdicts.
//
// Invariant: every FAILED/ERROR line is followed by the exact command that reproduces the case.
#include "report_console.h"

#include <cstdio>
#include <iomanip>
#include <sstream>

#include "determinism.h"
#include "progress.h"

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
  run_mode_ = context.mode == "run";
  start_ = std::chrono::steady_clock::now();
  if (!quiet_) {
    out_ << "bnbench " << context.mode << ": " << context.config_path << ", " << total_
         << " cases\n";
    for (auto& h : context.hazards) out_ << "WARNING: " << h << "\n";
    for (auto& p : context.probes_start)
      out_ << "memory bandwidth at start, " << format_probes(p)
           << (p.beyond_llc() ? "" : " [arrays below the reported LLC]") << "\n";
  }
}

void ConsoleReporter::draw_status(const CaseRecord& r) {
  if (!live_ || quiet_) return;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  out_ << progress_text(done_, total_, r, elapsed, static_cast<size_t>(terminal_width(1)));
  out_.flush();
}

void ConsoleReporter::case_done(const CaseRecord& r) {
  ++done_;
  const bool bad = is_failure(r.status);
  const bool notable = bad || r.outcome == Outcome::unexpected_pass;
  const bool keep = quiet_ ? notable
                           : !live_ || verbose_ || run_mode_ || notable || r.status != Verdict::passed;
  if (live_) out_ << "\r\033[K";
  if (!keep) {
    draw_status(r);
    return;
  }
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
    std::snprintf(buf, sizeof buf, "  %s  ", format_seconds(r.timing->stats.median).c_str());
    line << buf << measurement_text(r);
  }
  if (!r.reason.empty() && (r.status != Verdict::passed || verbose_)) line << "  (" << r.reason << ")";
  if (r.outcome == Outcome::expected_failure) line << "  [expected: " << r.expectation_why << "]";
  if (r.outcome == Outcome::unexpected_failure) line << "  [UNEXPECTED]";
  if (r.outcome == Outcome::unexpected_pass)
    line << "  [unexpected pass; expected to fail: " << r.expectation_why << "]";
  out_ << line.str() << "\n";
  if (bad) out_ << "    repro: " << r.command << "\n";
  if (!r.determinism.is_null()) out_ << "    " << determinism_summary(r.determinism) << "\n";
  if (!r.bundle.empty()) out_ << "    bundle: " << r.bundle << "\n";
  draw_status(r);
  out_.flush();
}

void ConsoleReporter::end(const RunSummary& s) {
  double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (live_) out_ << "\r\033[K";
  for (auto& h : s.late_hazards) out_ << "WARNING: " << h << "\n";
  if (!quiet_) {
    for (auto& p : s.probes_end) out_ << "memory bandwidth at end,   " << format_probes(p) << "\n";
    if (!s.network_totals.empty())
      out_ << "network totals (one pass over every batch-norm layer: sum of median x layers):\n";
    for (auto& t : s.network_totals) out_ << "  " << format_network_total(t) << "\n";
  }
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
