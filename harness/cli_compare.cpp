// The `bnbench compare` subcommand: argument rules, loading, rendering, the CI exit code.
//
// Invariant: every input is loaded and checked before any output is written.
#include "cli_compare.h"

#include <stdexcept>

#include "compare_markdown.h"
#include "report_json.h"

namespace bnbench {

namespace {

void emit(const CompareArgs& args, const std::string& markdown, std::ostream& out) {
  if (args.out.empty()) {
    out << markdown;
    return;
  }
  write_file_atomically(args.out, markdown);
  out << "comparison: " << args.out << "\n";
}

}  // namespace

int run_compare(const CompareArgs& args, std::ostream& out, std::ostream& err) {
  if (!args.baseline.empty()) {
    if (args.files.size() != 1)
      throw std::invalid_argument("compare --baseline BACKEND takes one result file");
    if (args.fail_on_regression)
      throw std::invalid_argument("--fail-on-regression compares two runs, not backends");
    RunFile run = load_run(args.files[0]);
    emit(args, backends_markdown(run, compare_backends(run, args.baseline)), out);
    return 0;
  }
  if (args.files.size() != 2)
    throw std::invalid_argument("compare takes BASE.json NEW.json, or RUN.json --baseline BACKEND");
  if (args.fail_on_regression && !(*args.fail_on_regression >= 0))
    throw std::invalid_argument("--fail-on-regression PCT must be >= 0");
  RunFile base = load_run(args.files[0]);
  RunFile next = load_run(args.files[1]);
  RunComparison comparison = compare_runs(base, next);
  emit(args, runs_markdown(base, next, comparison), out);
  if (!args.fail_on_regression) return 0;
  int regressions = 0;
  for (const auto& c : comparison.cases) {
    if (!is_regression(c, *args.fail_on_regression)) continue;
    ++regressions;
    err << "regression: " << c.backend << " " << c.id << " t" << c.threads << ": ";
    if (c.change == Change::status_worse)
      err << to_string(*c.base_status) << " -> " << to_string(*c.new_status) << "\n";
    else
      err << "SLOWER, " << c.timing->ratio << "x the base time (band ±" << 100 * c.timing->band
          << "%)\n";
  }
  if (regressions == 0) return 0;
  err << "bnbench compare: " << regressions
      << " regression(s) (worse verdicts, or SLOWER by more than " << *args.fail_on_regression
      << "%)\n";
  return 1;
}

}  // namespace bnbench
