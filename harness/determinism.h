// Determinism: `--determinism` re-runs a checked case on fresh copies of the same inputs, once at
// the same thread count and once at another (1, or T when the case ran on one thread), and
// compares every output bit for bit with the first run.
//
// Invariant: a report, not a verdict: it states per output tensor how many elements differ in
// their bits and the largest absolute difference (inf when a finite value meets a non-finite one;
// NaNs with different payloads count as equal), and never changes the case's status.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "backend.h"
#include "problem.h"
#include "tensor.h"

namespace bnbench {

// JSON: {"identical": bool, "runs": [{"label": "repeat" | "threads", "threads": T,
//        "identical": bool, "tensors": [{"tensor", "differing", "max_abs_diff"}]}]}
// `first` holds the outputs of the case's own call at `threads`; max_threads is the other count
// when threads == 1.
nlohmann::json check_determinism(Backend& backend, const Problem& p, const Tensors& pristine,
                                 const Tensors& first, int threads, int max_threads);

// One line for the console: "bitwise identical (repeat at t2, t1)" or
// "NOT deterministic: y differs at 1 thread(s) in 12 elements, max |diff| 2.4e-07".
std::string determinism_summary(const nlohmann::json& determinism);

}  // namespace bnbench
