// Expectations: loading the expected-verdict file and judging a case's verdict against it.
//
// Invariant: PASSED and WARN both count as passing; SKIPPED and MISTRUSTED never fail a run.
#include "expectations.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "config.h"

namespace bnbench {

namespace {
bool passing(Verdict v) { return v == Verdict::passed || v == Verdict::warn; }
bool failing(Verdict v) { return is_failure(v); }
}  // namespace

std::string to_string(Outcome o) {
  switch (o) {
    case Outcome::as_expected: return "as_expected";
    case Outcome::expected_failure: return "expected_failure";
    case Outcome::unexpected_failure: return "unexpected_failure";
    case Outcome::unexpected_pass: return "unexpected_pass";
  }
  return "?";
}

Expectations Expectations::load(const std::string& path) {
  Expectations e;
  e.path_ = path;
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open expectations file");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& err) {
    throw ConfigError(path + ": malformed JSON: " + err.what());
  }
  if (!j.is_object() || !j.contains("expectations") || !j["expectations"].is_array())
    throw ConfigError(path + ": /expectations: expected a list of {backend, case, verdict, why}");
  for (size_t i = 0; i < j["expectations"].size(); ++i) {
    const auto& item = j["expectations"][i];
    std::string where = path + ": /expectations/" + std::to_string(i);
    if (!item.is_object()) throw ConfigError(where + ": expected an object");
    for (auto& [key, value] : item.items())
      if (key != "backend" && key != "case" && key != "verdict" && key != "why")
        throw ConfigError(where + "/" + key + ": unknown key (backend, case, verdict, why)");
    for (const char* key : {"backend", "case", "why"})
      if (!item.contains(key) || !item[key].is_string() || item[key].get<std::string>().empty())
        throw ConfigError(where + "/" + key + ": required non-empty string");
    Expectation x;
    x.backend = item["backend"];
    x.case_pattern = item["case"];
    x.why = item["why"];
    x.where = where;
    try {
      x.case_regex = std::regex(x.case_pattern);
    } catch (const std::regex_error& err) {
      throw ConfigError(where + "/case: invalid regex '" + x.case_pattern + "': " + err.what());
    }
    nlohmann::json verdicts = item.value("verdict", nlohmann::json());
    if (verdicts.is_string()) verdicts = nlohmann::json::array({verdicts});
    if (!verdicts.is_array() || verdicts.empty())
      throw ConfigError(where + "/verdict: required: a verdict or a list of verdicts");
    for (size_t k = 0; k < verdicts.size(); ++k) {
      auto v = verdicts[k].is_string() ? parse_verdict(verdicts[k].get<std::string>()) : std::nullopt;
      if (!v)
        throw ConfigError(where + "/verdict: unknown verdict " + verdicts[k].dump() +
                          " (PASSED, WARN, MISTRUSTED, FAILED, ERROR, SKIPPED)");
      x.verdicts.push_back(*v);
    }
    e.entries_.push_back(std::move(x));
  }
  return e;
}

const Expectation* Expectations::match(const std::string& backend, const std::string& case_id) const {
  for (auto& x : entries_)
    if ((x.backend == "*" || x.backend == backend) && std::regex_search(case_id, x.case_regex))
      return &x;
  return nullptr;
}

Outcome Expectations::judge(const std::string& backend, const std::string& case_id,
                            Verdict got) const {
  const Expectation* x = match(backend, case_id);
  if (!x) return failing(got) ? Outcome::unexpected_failure : Outcome::as_expected;
  bool listed = std::find(x->verdicts.begin(), x->verdicts.end(), got) != x->verdicts.end();
  if (listed) return failing(got) ? Outcome::expected_failure : Outcome::as_expected;
  if (failing(got)) return Outcome::unexpected_failure;
  if (passing(got)) return Outcome::unexpected_pass;
  return Outcome::as_expected;
}

std::optional<std::string> expectations_beside(const std::string& config_path) {
  std::filesystem::path p(config_path);
  if (p.extension() != ".json") return std::nullopt;
  auto candidate = p.parent_path() / (p.stem().string() + ".expect.json");
  if (std::filesystem::exists(candidate)) return candidate.string();
  return std::nullopt;
}

}  // namespace bnbench
