// Compare: judges a backend's outputs against the reference with numerics.md's tolerance rule.
//
// Invariant: the comparator never calls a backend and reads only the reference, the pristine
// inputs and the backend's outputs. A case's verdict is its worst tensor's; a NaN/Inf pattern
// mismatch is a failure whatever the ratios say, and "NaN hidden" (reference NaN, backend finite)
// is counted on its own.
//
// Rules this file states (compare.cpp implements them):
// - Per element: expected and got are each classified finite, NaN, +Inf or -Inf (expected as it
//   would be stored in the dtype). Equal non-finite classes count as equal (ratio 0); different
//   classes are a pattern mismatch (ratio inf), and expected NaN with got finite is also
//   "NaN hidden". Finite pairs give |got - ref| / tau, 0 when the error is 0 and inf when a
//   nonzero error meets a zero (or NaN) tolerance: a zero tolerance demands the exact value.
// - Tensor verdict: FAILED on any pattern mismatch; else PASSED when ratio <= 1, WARN when
//   ratio_warn <= 1, FAILED beyond. The blocked layout's padding channels are not compared.
// - Layers: statistics (save_mean, save_var, running_mean, running_var, dgamma, dbeta),
//   end_to_end (y, dx) and, for forward training, transform: "y_transform" is y recomputed in
//   float64 from the pristine x, gamma, beta and the backend's OWN save_mean and save_var (a
//   negative saved variance read as 0), judged with the inference tolerance built from those
//   statistics. It isolates elementwise bugs from statistics bugs.
// - Relative error floors: y and y_transform |gamma|; dx |gamma| * invstd * max|dy| (per
//   feature); dbeta sum|dy|; dgamma sum|dy*xhat|; mean and running mean A = mean|x|; variance and
//   running variance var + eps. rel = |err| / max(|ref|, floor). ULPs (of the dtype, at the
//   reference value) only for the elementwise outputs y, y_transform and dx. The relative norms
//   are ||err|| / ||ref|| over the finite pairs (L1, L2, Linf).
// - MISTRUSTED: a case whose tensors all pass (or warn) is MISTRUSTED when its main output (y, or
//   dx in backward) cannot tell a right answer from one that ignores the data: at more than 90%
//   of its compared elements the strict tolerance is at least the size of what the element
//   computes, |gamma| * (1 + |xhat|) for y, |gamma| * invstd * (|dy| + mean|dy| +
//   |xhat| * mean|dy*xhat|) for dx (|gamma| * invstd * |dy| with global statistics). That happens
//   when the mean is too large against the spread for the dtype to resolve (kappa >= 1/(2uG)).
//   Elements whose size is 0 (gamma = 0, dy = 0) do not count, and exact answers reached by
//   cancellation (constant channel y = beta, dy = a*xhat + b giving dx = 0) have a large size and
//   a small tolerance: they stay judged, demand |got - ref| <= tau and catch garbage.
// - Case verdict: the worst tensor's (ties: the larger ratio); worst_tensor and worst_ratio name
//   it. reason says in one line why a case is not PASSED.
// - JSON: non-finite doubles are written as the strings "nan", "inf" and "-inf" (JSON has no
//   NaN), as the result schema's number_or_nonfinite allows.
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

// Order matters: a larger value is a worse verdict (used to pick the worst). CRASHED (the case's
// child process died on a signal or exited without a record) and TIMEOUT (it ran past
// --case-timeout) come only from isolated runs (isolate.h).
enum class Verdict { passed, warn, mistrusted, failed, error, skipped, crashed, timeout };
// PASSED, WARN, MISTRUSTED, FAILED, ERROR, SKIPPED, CRASHED, TIMEOUT
std::string to_string(Verdict v);
std::optional<Verdict> parse_verdict(const std::string& s);
// FAILED, ERROR, CRASHED and TIMEOUT: the verdicts that fail a run.
bool is_failure(Verdict v);

struct TensorMetrics {
  std::string tensor;  // y, save_mean, ..., or y_transform (the elementwise layer)
  std::string layer;   // statistics, transform, end_to_end
  Verdict verdict = Verdict::passed;
  double ratio = 0;                               // max |got - ref| / tau (strict G)
  double ratio_warn = 0;                          // same with G = sqrt(M)
  int64_t peak_index = -1;                        // buffer index where ratio peaks
  int64_t peak_n = -1, peak_c = -1, peak_s = -1;  // its logical position (feature: c or c,s)
  double expected = 0, got = 0;                   // at the peak
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
