// Isolate: runs one case in a child process, so a backend that crashes, aborts or hangs costs
// that case only (`--isolate`, `--case-timeout`).
//
// Invariant: the parent decides what it can without the backend's kernels (invalid, unsupported,
// over the memory limit), then makes the problem's inputs and reference once, and forks; the
// child runs the ordinary run_case() on a fresh thread (libgomp's thread pool does not survive
// fork(); a new thread builds a new one) and sends the finished record back as JSON over a pipe.
// A child that dies on a signal is CRASHED (reason names the signal), one that exits without a
// record is CRASHED (reason gives the exit status), one still running after the timeout is
// killed and TIMEOUT. The parent never runs a backend's prepare() or run().
#pragma once

#include <string>

#include "case_flow.h"

namespace bnbench {

// Default --case-timeout when isolating: long enough for a `run` of the largest shipped shapes.
constexpr double kDefaultCaseTimeoutS = 600;

// timeout_s <= 0: no limit.
CaseRecord run_case_isolated(const CaseSpec& spec, Backend& backend, ProblemData& data,
                             const CaseSettings& settings, double timeout_s);

// "SIGSEGV (Segmentation fault)" for a signal number.
std::string describe_signal(int signal_number);

}  // namespace bnbench
