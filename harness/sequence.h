// Sequence: running statistics over a sequence of training calls (case extras `sequence=K` and
// `momentum_schedule=INIT:MIN`). The backend runs K forward-training calls on K different batches
// (x of batch 0 is the case's own, batch t >= 1 comes from the same fill with a seed derived from
// (seed, t)), the running statistics carried from call to call, with momentum m_t (constant, or
// max(INIT / (t + 1), MIN)); then one forward-inference call on batch 0 with the running
// statistics it accumulated.
//
// Invariant: every call is judged as an ordinary case against a float64 reference computed from
// exactly the inputs that call received (the backend's own running statistics from the previous
// call, as stored), so the running statistics after every call and the final inference output
// are each checked with the tolerance rule, and an error is charged to the call that made it.
// The case's verdict is the worst call's; tensors are named "call<t>/<tensor>" and
// "inference/<tensor>".
#pragma once

#include <cstdint>

#include "backend.h"
#include "compare.h"
#include "problem.h"
#include "tensor.h"

namespace bnbench {

// The single-call problem of training call t of the sequence p.
Problem sequence_call_problem(const Problem& p, int64_t t);

// Runs and judges the whole sequence (p.sequence >= 2): the backend at `threads`, the reference
// and the comparison at default_threads.
CheckResult check_sequence(Backend& backend, const Problem& p, const Tensors& pristine,
                           uint64_t seed, int threads, int default_threads);

}  // namespace bnbench
