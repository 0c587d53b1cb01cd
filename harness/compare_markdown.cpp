// Compare Markdown: tables of labels, ratios, noise bands and geometric means.
//
// Invariant: a number is printed with a fixed format (ratios 3 decimals, percentages 1, p-values
// 3, times through format_seconds), so equal inputs give equal bytes.
#include "compare_markdown.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "report_console.h"

namespace bnbench {

namespace {
using nlohmann::json;

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string section_text(const json& header, const char* section, const char* key) {
  auto s = header.find(section);
  if (s == header.end() || !s->is_object() || !s->contains(key)) return "unknown";
  const json& v = (*s)[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string run_row(const char* role, const RunFile& run) {
  return std::string("| ") + role + " | `" + run.path + "` | " +
         section_text(run.header, "config", "name") + " | " +
         section_text(run.header, "run", "started") + " | " +
         section_text(run.header, "build", "git_commit") + " | " +
         section_text(run.header, "machine", "hostname") + " | " +
         std::to_string(run.cases.size()) + " |\n";
}

void hazards(std::ostream& os, const char* role, const RunFile& run) {
  auto r = run.header.find("run");
  if (r == run.header.end() || !r->contains("noise_hazards")) return;
  for (const json& h : (*r)["noise_hazards"])
    if (h.is_string()) os << "- " << role << " run, noise hazard: " << h.get<std::string>() << "\n";
}

std::string verdict_text(const CaseChange& c) {
  if (!c.base_status) return to_string(*c.new_status);
  if (!c.new_status) return to_string(*c.base_status);
  std::string a = to_string(*c.base_status), b = to_string(*c.new_status);
  return a == b ? a : a + " -> " + b;
}

std::string p_text(const std::optional<double>& p) {
  if (!p) return "-";
  return *p < 0.001 ? "<0.001" : fmt("%.3f", *p);
}

void case_table(std::ostream& os, const std::vector<const CaseChange*>& cases) {
  os << "| label | backend | threads | case | verdict | base | new | new / base | band | p |\n"
     << "|---|---|---:|---|---|---:|---:|---:|---:|---:|\n";
  for (const CaseChange* c : cases) {
    os << "| " << to_string(c->change) << " | " << c->backend << " | " << c->threads << " | `"
       << c->id << "` | " << verdict_text(*c) << " | ";
    if (c->timing) {
      const TimingJudgement& t = *c->timing;
      os << format_seconds(t.base_median) << " | " << format_seconds(t.new_median) << " | "
         << fmt("%.3fx", t.ratio) << " | " << fmt("±%.1f%%", 100 * t.band) << " | " << p_text(t.p)
         << " |\n";
    } else {
      os << "- | - | - | - | - |\n";
    }
  }
}

// The id without its direction and layout segments, which the table heading already names.
std::string short_id(const std::string& id) {
  std::string out;
  size_t start = 0;
  for (int part = 0; start <= id.size(); ++part) {
    size_t end = id.find('/', start);
    if (end == std::string::npos) end = id.size();
    if (part != 0 && part != 2) out += (out.empty() ? "" : "/") + id.substr(start, end - start);
    start = end + 1;
  }
  return out;
}

std::string speedup_cell(const SpeedupCell& cell) {
  std::string text = (cell.change == Change::same ? "~" : "") + fmt("%.2fx", cell.speedup);
  if (cell.status != Verdict::passed) text += " " + to_string(cell.status);
  return text;
}

const char* kRunsRule =
    "Rule: ratio = new median / base median (below 1 is faster). Noise band = the larger relative "
    "IQR (IQR / median) of the two sample sets, at least 3%. FASTER or SLOWER: the ratio lies "
    "outside [1 / (1 + band), 1 + band] and, when both sides have at least 9 repetitions, the "
    "two-sided Mann-Whitney U test gives p < 0.05; otherwise SAME. STATUS-CHANGED: the verdict "
    "changed, worse ones first (PASSED < WARN < MISTRUSTED < SKIPPED < FAILED < ERROR < TIMEOUT < "
    "CRASHED). Cases match on (case, backend, threads).";

}  // namespace

std::string runs_markdown(const RunFile& base, const RunFile& next, const RunComparison& c) {
  std::ostringstream os;
  os << "# bnbench compare\n\n"
     << "| run | file | config | started | commit | host | cases |\n"
     << "|---|---|---|---|---|---|---:|\n"
     << run_row("base", base) << run_row("new", next) << "\n"
     << kRunsRule << "\n\n";
  std::ostringstream notes;
  for (const auto& w : c.warnings) notes << "- **warning:** " << w << "\n";
  hazards(notes, "base", base);
  hazards(notes, "new", next);
  if (!notes.str().empty()) os << "## Warnings\n\n" << notes.str() << "\n";

  std::map<std::string, int> counts;
  for (const auto& cc : c.cases)
    counts[cc.change == Change::status_worse    ? "STATUS-CHANGED (worse)"
           : cc.change == Change::status_better ? "STATUS-CHANGED (better)"
                                                : to_string(cc.change)] += 1;
  os << "## Summary\n\n| label | cases |\n|---|---:|\n";
  for (const char* label : {"STATUS-CHANGED (worse)", "SLOWER", "FASTER", "STATUS-CHANGED (better)",
                            "NEW", "GONE", "SAME"})
    os << "| " << label << " | " << counts[label] << " |\n";

  os << "\n## Geometric mean per backend\n\n"
     << "Over the cases timed in both runs.\n\n"
     << "| backend | timed in both | new / base | change | faster | slower |\n"
     << "|---|---:|---:|---:|---:|---:|\n";
  for (const auto& g : c.geomeans)
    os << "| " << g.backend << " | " << g.timed << " | " << fmt("%.3fx", g.ratio) << " | "
       << fmt("%+.1f%%", 100 * (g.ratio - 1)) << " | " << g.faster << " | " << g.slower << " |\n";
  if (c.geomeans.empty()) os << "| (no case timed in both runs) | | | | | |\n";

  std::vector<const CaseChange*> changed, same;
  for (const auto& cc : c.cases) (cc.change == Change::same ? same : changed).push_back(&cc);
  os << "\n## Changes\n\n";
  if (changed.empty())
    os << "No case changed.\n";
  else
    case_table(os, changed);
  if (!same.empty()) {
    os << "\n<details><summary>SAME: " << same.size() << " cases</summary>\n\n";
    case_table(os, same);
    os << "\n</details>\n";
  }
  return os.str();
}

std::string backends_markdown(const RunFile& run, const BackendComparison& c) {
  std::ostringstream os;
  os << "# bnbench compare: backends against " << c.baseline << "\n\n"
     << "| run | file | config | started | commit | host | cases |\n"
     << "|---|---|---|---|---|---|---:|\n"
     << run_row("run", run) << "\n"
     << "Speedup = " << c.baseline << " median / backend median on the same case and thread count "
     << "(above 1: the backend is faster than " << c.baseline << "). `~` marks a speedup inside "
     << "the noise band (the larger relative IQR of the two, at least 3%; with at least 9 "
     << "repetitions each, also Mann-Whitney p >= 0.05). A verdict other than PASSED follows the "
     << "number.\n\n";
  std::ostringstream notes;
  for (const auto& w : c.warnings) notes << "- **warning:** " << w << "\n";
  hazards(notes, "this", run);
  if (!notes.str().empty()) os << "## Warnings\n\n" << notes.str() << "\n";
  if (c.tables.empty()) {
    os << "No case was timed on both " << c.baseline << " and another backend.\n";
    return os.str();
  }
  std::vector<std::string> all;
  for (const auto& t : c.tables)
    for (const auto& b : t.backends)
      if (std::find(all.begin(), all.end(), b) == all.end()) all.push_back(b);
  std::sort(all.begin(), all.end());
  os << "## Geometric mean speedup over " << c.baseline << "\n\n| direction | layout |";
  for (const auto& b : all) os << " " << b << " |";
  os << "\n|---|---|";
  for (size_t i = 0; i < all.size(); ++i) os << "---:|";
  os << "\n";
  for (const auto& t : c.tables) {
    os << "| " << to_string(t.direction) << " | " << to_string(t.layout) << " |";
    for (const auto& b : all) {
      auto g = t.geomeans.find(b);
      os << " " << (g == t.geomeans.end() ? std::string("-") : fmt("%.2fx", g->second)) << " |";
    }
    os << "\n";
  }
  for (const auto& t : c.tables) {
    os << "\n## " << to_string(t.direction) << ", " << to_string(t.layout) << "\n\n"
       << "| case | threads | " << c.baseline << " |";
    for (const auto& b : t.backends) os << " " << b << " |";
    os << "\n|---|---:|---:|";
    for (size_t i = 0; i < t.backends.size(); ++i) os << "---:|";
    os << "\n";
    for (const auto& row : t.rows) {
      os << "| `" << short_id(row.id) << "` | " << row.threads << " | "
         << format_seconds(row.baseline_median)
         << (row.baseline_status == Verdict::passed ? "" : " " + to_string(row.baseline_status))
         << " |";
      for (const auto& b : t.backends) {
        auto cell = row.cells.find(b);
        os << " " << (cell == row.cells.end() ? std::string("-") : speedup_cell(cell->second))
           << " |";
      }
      os << "\n";
    }
    os << "| geometric mean | | |";
    for (const auto& b : t.backends) os << " " << fmt("%.2fx", t.geomeans.at(b)) << " |";
    os << "\n";
  }
  return os.str();
}

}  // namespace bnbench
