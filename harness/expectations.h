// Expectations: the verdict each backend x case is expected to get, with one line of why.
//
// Invariant: a CI config's known failures are listed, never hidden or excluded: a FAILED case that
// an expectation covers is an expected failure (exit 0); a FAILED or ERROR case no expectation
// covers is unexpected (exit 1); a case expected to fail that passes is reported as an unexpected
// pass so the list can be tightened. File format (configs/<name>.expect.json):
//   {"expectations": [{"backend": "naive", "case": "<regex on the case id>",
//                      "verdict": "FAILED" | ["FAILED", "WARN"], "why": "one line"}]}
// The first matching entry wins; cases no entry matches are expected to pass (PASSED or WARN).
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "compare.h"

namespace bnbench {

struct Expectation {
  std::string backend;  // exact name, or "*"
  std::string case_pattern;
  std::regex case_regex;
  std::vector<Verdict> verdicts;
  std::string why;
  std::string where;  // file and JSON path, for messages
};

enum class Outcome { as_expected, expected_failure, unexpected_failure, unexpected_pass };
std::string to_string(Outcome o);

class Expectations {
 public:
  // Throws ConfigError naming the file and JSON path of a malformed entry.
  static Expectations load(const std::string& path);
  const Expectation* match(const std::string& backend, const std::string& case_id) const;
  Outcome judge(const std::string& backend, const std::string& case_id, Verdict got) const;
  const std::string& path() const { return path_; }
  size_t size() const { return entries_.size(); }

 private:
  std::string path_;
  std::vector<Expectation> entries_;
};

// configs/x.json -> configs/x.expect.json when it exists.
std::optional<std::string> expectations_beside(const std::string& config_path);

}  // namespace bnbench
