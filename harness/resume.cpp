// Resume: reads an earlier result file's header and cases.
//
// Invariant: a file this run cannot trust (another mode or seed, a case that does not read back)
// is an input error before anything runs, never a silently partial resume.
#include "resume.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "record_io.h"

namespace bnbench {

ResumeFile ResumeFile::load(const std::string& path, const std::string& mode, uint64_t seed) {
  auto fail = [&](const std::string& what) {
    throw std::invalid_argument("--resume " + path + ": " + what);
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open file");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("not a result file: ") + e.what());
  }
  if (!doc.is_object() || !doc.contains("cases") || !doc["cases"].is_array() ||
      !doc.contains("run") || !doc["run"].is_object())
    fail("not a bnbench result file (no 'run' and 'cases')");
  const std::string old_mode = doc["run"].value("mode", "");
  if (old_mode != mode)
    fail("made by `bnbench " + old_mode + "`, this is `bnbench " + mode +
         "` (resume with the same subcommand)");
  const nlohmann::json* old_seed = doc.contains("config") ? &doc["config"]["seed"] : nullptr;
  if (!old_seed || !old_seed->is_number_unsigned() || old_seed->get<uint64_t>() != seed)
    fail("made with seed " + (old_seed ? old_seed->dump() : std::string("?")) +
         ", this run uses seed " + std::to_string(seed) + " (resume with the same --seed)");
  ResumeFile file;
  file.path_ = path;
  const nlohmann::json& cases = doc["cases"];
  for (size_t i = 0; i < cases.size(); ++i) {
    try {
      CaseRecord rec = record_from_json(cases[i]);
      file.records_.emplace(std::make_tuple(rec.id, rec.backend, rec.threads), std::move(rec));
    } catch (const std::exception& e) {
      fail("/cases/" + std::to_string(i) + ": " + e.what());
    }
  }
  return file;
}

const CaseRecord* ResumeFile::find(const std::string& id, const std::string& backend,
                                   int threads) const {
  auto it = records_.find(std::make_tuple(id, backend, threads));
  return it == records_.end() ? nullptr : &it->second;
}

}  // namespace bnbench
