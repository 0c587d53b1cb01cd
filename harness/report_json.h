// JSON reporter: the versioned result file, rewritten after every case through a temporary file
// and a rename, so a crash or Ctrl-C keeps every finished case and a reader never sees half a file.
//
// Invariant: schema_version.major changes only when a reader of the previous major would misread
// the file (a field removed or its meaning changed); additions bump minor. Readers accept any
// minor of their major. See results/schema/result.schema.json.
#pragma once

#include <string>

#include "reporter.h"

namespace bnbench {

constexpr int kSchemaMajor = 1;
constexpr int kSchemaMinor = 2;  // 1.1: timing.schedule/contenders/rewarmed, ideal_source;
                                 // 1.2: machine.transparent_huge_pages

class JsonReporter : public Reporter {
 public:
  explicit JsonReporter(std::string path) : path_(std::move(path)) {}
  void begin(const RunContext& context) override;
  void case_done(const CaseRecord& record) override;
  void end(const RunSummary& summary) override;
  const std::string& path() const { return path_; }

 private:
  void write() const;
  std::string path_;
  nlohmann::json doc_;
};

// Writes text to path atomically (temporary file in the same folder, then rename).
void write_file_atomically(const std::string& path, const std::string& text);
// Current UTC time as ISO 8601.
std::string utc_timestamp();

}  // namespace bnbench
