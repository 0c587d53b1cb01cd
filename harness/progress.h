// Progress: the console's live status line and the measurement text of a case line.
//
// Invariant: the live line is drawn only on a terminal and never when CI is set (plain lines are
// what a log file or a CI console can keep); it never wraps (it is cut to the terminal's width),
// so the carriage return that redraws it always returns to its start.
#pragma once

#include <cstddef>
#include <string>

#include "record.h"

namespace bnbench {

// True when fd is a terminal and the CI environment variable is unset or empty.
bool live_progress_wanted(int fd);
// Columns of the terminal on fd (100 when unknown).
int terminal_width(int fd);
// 1m12s, 45s, 2h03m.
std::string format_eta(double seconds);
// "9.8 GB/s  41% of ideal  noise 1.2%" (+ "NOISY", "cache-resident"); "" when not timed.
std::string measurement_text(const CaseRecord& r);
// "[ 37/240] onednn fwd_training/f32/nhwc/... 9.8 GB/s PASSED  ETA 1m12s", at most width columns.
std::string progress_text(size_t done, size_t total, const CaseRecord& r, double elapsed_s,
                          size_t width);

}  // namespace bnbench
