// Record I/O: reads a case record back from the JSON that to_json(CaseRecord) writes.
//
// Invariant: to_json(record_from_json(to_json(r))) == to_json(r) for every record without an
// expectation outcome, so a record that crosses a process boundary (an isolated case's child,
// isolate.h) or a file (--resume, resume.h) is written out again exactly as it was first written.
// The expectation outcome is not read: the run that emits a record judges it again. Non-finite
// numbers are read from the strings "nan", "inf", "-inf" and from null.
#pragma once

#include <nlohmann/json.hpp>

#include "record.h"

namespace bnbench {

// Throws std::invalid_argument naming the missing or malformed field.
CaseRecord record_from_json(const nlohmann::json& j);
CheckResult check_from_json(const nlohmann::json& j);
TensorMetrics metrics_from_json(const nlohmann::json& j);
Timing timing_from_json(const nlohmann::json& j);

}  // namespace bnbench
