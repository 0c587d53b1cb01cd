// Resume: the cases an earlier result file already holds, so that a sweep stopped midway (Ctrl-C,
// SIGKILL, a crash, a reboot) continues where it stopped (`--resume RESULT.json`).
//
// Invariant: a case is carried over only when the earlier file recorded it for the same id,
// backend and thread count, under the same mode (check or run) and seed; every recorded case is
// carried, whatever its verdict (a crash is a finished answer, not a missing one). The sweep emits
// a carried record in its place in the expansion order, so a resumed file lists the same cases in
// the same order as an uninterrupted run; only the cases the earlier file lacks are run.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include "record.h"

namespace bnbench {

class ResumeFile {
 public:
  // Throws std::invalid_argument: unreadable file, malformed JSON or case (with its JSON path),
  // or a file made by another mode or seed than this run's.
  static ResumeFile load(const std::string& path, const std::string& mode, uint64_t seed);
  const CaseRecord* find(const std::string& id, const std::string& backend, int threads) const;
  const std::string& path() const { return path_; }
  size_t size() const { return records_.size(); }

 private:
  std::string path_;
  std::map<std::tuple<std::string, std::string, int>, CaseRecord> records_;
};

}  // namespace bnbench
