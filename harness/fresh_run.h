// Fresh run: one untimed backend call on fresh tensors, for the checks that run a backend again
// beyond the case flow's own call (determinism's repeats, a sequence's calls).
//
// Invariant: the same preparation as the case flow's call (prepare_working_tensors: the pristine
// inputs copied, every output poisoned with NaN), so a repeated call sees exactly what the first
// one saw; the OpenMP thread count is the given one during the call and default_threads after.
#pragma once

#include "backend.h"
#include "problem.h"
#include "tensor.h"

namespace bnbench {

// Throws std::runtime_error when the backend does not support p.
Tensors run_fresh(Backend& backend, const Problem& p, const Tensors& pristine, int threads,
                  int default_threads);

}  // namespace bnbench
