// Compare runs: loading result files, matching cases, the timing rule, the backend speedups.
//
// Invariant: a result file is read through record_from_json (record_io.h), the same reader
// --resume uses, and only when its schema major is this bnbench's; nothing here formats text.
#include "compare_runs.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <stdexcept>
#include <tuple>

#include "mann_whitney.h"
#include "record_io.h"
#include "report_json.h"

namespace bnbench {

namespace {
using nlohmann::json;
using CaseKey = std::tuple<std::string, std::string, int>;  // id, backend, threads

bool timed(const CaseRecord& r) {
  return r.timing && !r.timing->samples_s.empty() && r.timing->stats.median > 0;
}

double relative_iqr(const Timing& t) { return t.stats.iqr / t.stats.median; }

int change_rank(Change c) { return static_cast<int>(c); }

std::string header_text(const json& header, const char* section, const char* key) {
  auto s = header.find(section);
  if (s == header.end() || !s->is_object()) return "unknown";
  auto v = s->find(key);
  if (v == s->end()) return "unknown";
  return v->is_string() ? v->get<std::string>() : v->dump();
}

void warn_if_differ(const RunFile& base, const RunFile& next, const char* section,
                    const std::vector<const char*>& keys, const std::string& what,
                    std::vector<std::string>& warnings) {
  std::string diffs;
  for (const char* key : keys) {
    std::string a = header_text(base.header, section, key),
                b = header_text(next.header, section, key);
    if (a != b)
      diffs += std::string(diffs.empty() ? "" : "; ") + key + " '" + a + "' vs '" + b + "'";
  }
  if (!diffs.empty()) warnings.push_back(what + " differ: " + diffs);
}

std::string thread_list(const std::set<int>& threads) {
  std::string out;
  for (int t : threads) out += (out.empty() ? "" : ", ") + std::to_string(t);
  return out.empty() ? "none" : out;
}

std::set<int> thread_counts(const RunFile& run) {
  std::set<int> out;
  for (const auto& r : run.cases) out.insert(r.threads);
  return out;
}

std::vector<std::string> header_warnings(const RunFile& base, const RunFile& next) {
  std::vector<std::string> warnings;
  warn_if_differ(base, next, "machine", {"hostname", "cpu_model", "logical_cpus", "kernel"},
                 "machines", warnings);
  warn_if_differ(base, next, "build", {"type", "compiler", "flags"}, "builds", warnings);
  for (const RunFile* run : {&base, &next}) {
    std::string type = header_text(run->header, "build", "type");
    if (type != "Release")
      warnings.push_back(run->path + " is a " + type + " build: its timings say little");
  }
  std::set<int> a = thread_counts(base), b = thread_counts(next);
  if (a != b)
    warnings.push_back("thread counts differ: base " + thread_list(a) + ", new " + thread_list(b) +
                       " (cases match only at equal thread counts)");
  return warnings;
}

}  // namespace

RunFile load_run(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read result file '" + path + "'");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    throw std::invalid_argument("'" + path + "' is not JSON: " + e.what());
  }
  if (!doc.is_object() || !doc.contains("schema_version") || !doc.contains("cases"))
    throw std::invalid_argument("'" + path +
                                "' is not a bnbench result file (no schema_version or cases)");
  const json& version = doc["schema_version"];
  if (!version.is_object() || !version.value("major", json()).is_number_integer())
    throw std::invalid_argument("'" + path + "': schema_version.major is missing");
  int major = version["major"].get<int>();
  if (major != kSchemaMajor)
    throw std::invalid_argument("'" + path + "' has result schema major " + std::to_string(major) +
                                "; this bnbench reads major " + std::to_string(kSchemaMajor) +
                                " (any minor): use a bnbench of the same major");
  if (!doc["cases"].is_array()) throw std::invalid_argument("'" + path + "': cases is not a list");
  RunFile run;
  run.path = path;
  size_t index = 0;
  for (const json& c : doc["cases"]) {
    try {
      run.cases.push_back(record_from_json(c));
    } catch (const std::exception& e) {
      throw std::invalid_argument("'" + path + "': cases[" + std::to_string(index) +
                                  "]: " + e.what());
    }
    ++index;
  }
  doc.erase("cases");
  run.header = std::move(doc);
  return run;
}

std::string to_string(Change c) {
  switch (c) {
    case Change::status_worse:
    case Change::status_better:
      return "STATUS-CHANGED";
    case Change::slower:
      return "SLOWER";
    case Change::faster:
      return "FASTER";
    case Change::added:
      return "NEW";
    case Change::gone:
      return "GONE";
    case Change::same:
      return "SAME";
  }
  return "?";
}

int verdict_severity(Verdict v) {
  switch (v) {
    case Verdict::passed:
      return 0;
    case Verdict::warn:
      return 1;
    case Verdict::mistrusted:
      return 2;
    case Verdict::skipped:
      return 3;
    case Verdict::failed:
      return 4;
    case Verdict::error:
      return 5;
    case Verdict::timeout:
      return 6;
    case Verdict::crashed:
      return 7;
  }
  return 8;
}

TimingJudgement judge_timing(const Timing& base, const Timing& next) {
  TimingJudgement j;
  j.base_median = base.stats.median;
  j.new_median = next.stats.median;
  j.ratio = j.new_median / j.base_median;
  j.band = std::max({relative_iqr(base), relative_iqr(next), kNoiseFloor});
  if (static_cast<int>(base.samples_s.size()) >= kMinSamplesForU &&
      static_cast<int>(next.samples_s.size()) >= kMinSamplesForU)
    j.p = mann_whitney_u(base.samples_s, next.samples_s).p;
  const bool significant = !j.p || *j.p < kSignificance;
  if (significant && j.ratio > 1 + j.band) j.change = Change::slower;
  if (significant && j.ratio < 1 / (1 + j.band)) j.change = Change::faster;
  return j;
}

RunComparison compare_runs(const RunFile& base, const RunFile& next) {
  RunComparison out;
  out.warnings = header_warnings(base, next);
  std::map<CaseKey, const CaseRecord*> base_cases;
  for (const auto& r : base.cases) base_cases[{r.id, r.backend, r.threads}] = &r;
  std::set<CaseKey> seen;
  for (const auto& r : next.cases) {
    CaseKey key{r.id, r.backend, r.threads};
    if (!seen.insert(key).second) continue;
    CaseChange c{r.id, r.backend, r.threads, Change::added, std::nullopt, r.status, std::nullopt};
    auto it = base_cases.find(key);
    if (it != base_cases.end()) {
      const CaseRecord& b = *it->second;
      c.base_status = b.status;
      if (timed(b) && timed(r)) c.timing = judge_timing(*b.timing, *r.timing);
      int worse = verdict_severity(r.status) - verdict_severity(b.status);
      c.change = worse > 0   ? Change::status_worse
                 : worse < 0 ? Change::status_better
                 : c.timing  ? c.timing->change
                             : Change::same;
    }
    out.cases.push_back(c);
  }
  for (const auto& r : base.cases) {
    CaseKey key{r.id, r.backend, r.threads};
    if (seen.insert(key).second)
      out.cases.push_back(
          {r.id, r.backend, r.threads, Change::gone, r.status, std::nullopt, std::nullopt});
  }
  std::stable_sort(out.cases.begin(), out.cases.end(),
                   [](const CaseChange& a, const CaseChange& b) {
                     if (a.change != b.change) return change_rank(a.change) < change_rank(b.change);
                     if (a.change == Change::status_worse)
                       return verdict_severity(*a.new_status) > verdict_severity(*b.new_status);
                     if (a.change == Change::slower) return a.timing->ratio > b.timing->ratio;
                     if (a.change == Change::faster) return a.timing->ratio < b.timing->ratio;
                     return false;
                   });
  std::map<std::string, std::pair<BackendGeomean, double>>
      sums;  // backend -> (counts, sum of logs)
  for (const auto& c : out.cases) {
    if (!c.timing) continue;
    auto& [g, log_sum] = sums[c.backend];
    g.backend = c.backend;
    ++g.timed;
    log_sum += std::log(c.timing->ratio);
    g.faster += c.timing->change == Change::faster;
    g.slower += c.timing->change == Change::slower;
  }
  for (auto& [name, entry] : sums) {
    entry.first.ratio = std::exp(entry.second / entry.first.timed);
    out.geomeans.push_back(entry.first);
  }
  return out;
}

bool is_regression(const CaseChange& c, double percent) {
  if (c.change == Change::status_worse) return true;
  return c.change == Change::slower && c.timing->ratio > 1 + percent / 100;
}

BackendComparison compare_backends(const RunFile& run, const std::string& baseline) {
  BackendComparison out;
  out.baseline = baseline;
  std::map<std::pair<std::string, int>, const CaseRecord*> base_cases;
  std::set<std::string> backends;
  for (const auto& r : run.cases) {
    backends.insert(r.backend);
    if (r.backend == baseline) base_cases.emplace(std::make_pair(r.id, r.threads), &r);
  }
  if (!backends.count(baseline)) {
    std::string known;
    for (const auto& b : backends) known += (known.empty() ? "" : ", ") + b;
    throw std::invalid_argument("'" + run.path + "' has no case of backend '" + baseline +
                                "' (backends: " + (known.empty() ? "none" : known) + ")");
  }
  std::map<std::pair<Direction, Layout>, SpeedupTable> tables;
  std::map<std::pair<Direction, Layout>, std::map<std::pair<std::string, int>, size_t>> row_index;
  std::map<std::pair<Direction, Layout>, std::map<std::string, std::pair<int, double>>> logs;
  int unmatched = 0;
  for (const auto& r : run.cases) {
    if (r.backend == baseline || !timed(r)) continue;
    auto b = base_cases.find({r.id, r.threads});
    if (b == base_cases.end() || !timed(*b->second)) {
      ++unmatched;
      continue;
    }
    const auto group = std::make_pair(r.problem.direction, r.problem.layout);
    SpeedupTable& table = tables[group];
    table.direction = r.problem.direction;
    table.layout = r.problem.layout;
    auto [slot, inserted] =
        row_index[group].emplace(std::make_pair(r.id, r.threads), table.rows.size());
    if (inserted)
      table.rows.push_back(
          {r.id, r.threads, b->second->timing->stats.median, b->second->status, {}});
    TimingJudgement j = judge_timing(*b->second->timing, *r.timing);
    table.rows[slot->second].cells[r.backend] = {1 / j.ratio, j.change, r.status};
    auto& [count, log_sum] = logs[group][r.backend];
    ++count;
    log_sum += std::log(1 / j.ratio);
  }
  for (auto& [group, table] : tables) {
    for (auto& [backend, entry] : logs[group]) {
      table.backends.push_back(backend);
      table.geomeans[backend] = std::exp(entry.second / entry.first);
    }
    out.tables.push_back(std::move(table));
  }
  if (unmatched > 0)
    out.warnings.push_back(std::to_string(unmatched) +
                           " timed case(s) of other backends have no timed " + baseline +
                           " counterpart (skipped, failed to run or not in this run)");
  return out;
}

}  // namespace bnbench
