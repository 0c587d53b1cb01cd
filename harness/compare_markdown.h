// Compare Markdown: the text `bnbench compare` prints, for two runs or for backends in one run.
//
// Invariant: the output is a pure function of its inputs (no clock, no machine probe, no locale),
// so tests/data/compare_expected.md and compare_baseline_expected.md can pin it byte for byte.
// Every table says which rule made its labels (compare_runs.h).
#pragma once

#include <string>

#include "compare_runs.h"

namespace bnbench {

std::string runs_markdown(const RunFile& base, const RunFile& next, const RunComparison& c);
std::string backends_markdown(const RunFile& run, const BackendComparison& c);

}  // namespace bnbench
