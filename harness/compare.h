// Compare: judges a backend's outputs against the reference with numerics.md's tolerance rule.
//
// Invariant: the comparator never calls a backend and reads only the reference, the pristine
// inputs and the backend's outputs. A case's verdict is its worst tensor's; a NaN/Inf pattern
// mismatch is a failure whatever the ratios say, and "NaN hidden" (reference NaN, backend finite)
// is counted on its own.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "problem.h"
#include "reference.h"
#include "tensor.h"

namespace bnbench {

// Order matters: a larger value is a worse verdict (used to pick the worst).
enum class Verdict { passed, warn, mistrusted, failed, error, skipped };
std::string to_string(Verdict v);  // PASSED, WARN, MISTRUSTED, FAILED, ERROR, SKIPPED
std::optional<Verdict> parse_verdict(const std::string& s);

struct TensorMetrics {
  std::string tensor;        // y, save_mean, ..., or y_transform (the elementwise layer)
  std::string layer;         // statistics, transform, end_to_end
  Verdict verdict = Verdict::passed;
  double ratio = 0;          // max |got - ref| / tau (strict G)
  double ratio_warn = 0;     // same with G = sqrt(M)
  int64_t peak_index = -1;   // buffer index where ratio peaks
  int64_t peak_n = -1, peak_c = -1, peak_s = -1;  // its logical position (feature: c or c,s)
  double expected = 0, got = 0;                    // at the peak
  double max_abs_error = 0, max_rel_error = 0, max_ulps = 0;
  double rel_l1 = 0, rel_l2 = 0, rel_linf = 0;
  int64_t count = 0, nan_expected = 0, nan_got = 0, inf_expected = 0, inf_got = 0;
  int64_t nan_hidden = 0, pattern_mismatches = 0;
  std::string note;
};

struct CheckResult {
  Verdict verdict = Verdict::passed;
  std::string reason;  // for MISTRUSTED/FAILED: one line
  std::vector<TensorMetrics> tensors;
  std::string worst_tensor;
  double worst_ratio = 0;
};

CheckResult compare_outputs(const Problem& p, const Tensors& pristine_inputs, const Tensors& got,
                            const Reference& ref);

nlohmann::json to_json(const TensorMetrics& m);
nlohmann::json to_json(const CheckResult& r);

}  // namespace bnbench
