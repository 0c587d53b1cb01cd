// JSON reporter: builds the result document and persists it after every case.
//
// Invariant: the file on disk is always a complete, valid document (status "running" until end()).
#include "report_json.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace bnbench {

std::string utc_timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void write_file_atomically(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  fs::path target(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write result file '" + tmp + "'");
    out << text;
    out.flush();
    if (!out) throw std::runtime_error("write to '" + tmp + "' failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot rename result file into '" + path + "'");
  }
}

void JsonReporter::begin(const RunContext& context) {
  doc_ = context.header;
  doc_["schema_version"] = {{"major", kSchemaMajor}, {"minor", kSchemaMinor}};
  doc_["run"]["mode"] = context.mode;
  doc_["run"]["command_line"] = context.command_line;
  doc_["run"]["started"] = utc_timestamp();
  doc_["run"]["status"] = "running";
  doc_["run"]["noise_hazards"] = context.hazards;
  for (const auto& p : context.probes_start) doc_["run"]["probes"]["start"].push_back(to_json(p));
  doc_["cases"] = nlohmann::json::array();
  write();
}

void JsonReporter::case_done(const CaseRecord& record) {
  doc_["cases"].push_back(to_json(record));
  write();
}

void JsonReporter::end(const RunSummary& summary) {
  doc_["run"]["finished"] = utc_timestamp();
  doc_["run"]["status"] = "complete";
  doc_["summary"] = to_json(summary);
  for (const auto& p : summary.probes_end) doc_["run"]["probes"]["end"].push_back(to_json(p));
  for (const auto& h : summary.late_hazards) doc_["run"]["noise_hazards"].push_back(h);
  if (!summary.network_totals.empty()) {
    doc_["network_totals"] = nlohmann::json::array();
    for (const auto& t : summary.network_totals) doc_["network_totals"].push_back(to_json(t));
  }
  write();
}

void JsonReporter::write() const {
  write_file_atomically(path_, doc_.dump(1) + "\n");
}

}  // namespace bnbench
