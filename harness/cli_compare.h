// The `bnbench compare` subcommand: two result files against each other, or the backends of one
// result file against a baseline backend; Markdown to stdout or a file.
//
// Invariant (main.cpp's exit codes): 0 when the comparison was made, 1 when --fail-on-regression
// PCT found a worse verdict or a SLOWER case beyond PCT, 2 for unusable input (a file that cannot
// be read, another schema major, a missing baseline backend, a wrong combination of arguments),
// signalled by std::invalid_argument before anything is written.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace bnbench {

struct CompareArgs {
  std::vector<std::string> files;            // BASE NEW, or RUN with baseline
  std::string baseline;                      // backend name: compare backends within one run
  std::string out;                           // Markdown file; empty: stdout
  std::optional<double> fail_on_regression;  // percent
};

int run_compare(const CompareArgs& args, std::ostream& out, std::ostream& err);

}  // namespace bnbench
