// Sequence: K training calls with the running statistics carried over, then inference; each call
// judged against the reference of its own inputs.
//
// Invariant: the batches differ only in x; gamma, beta and the initial running statistics are the
// case's own, so a sequence isolates the running-statistics update.
#include "sequence.h"

#include "fill.h"
#include "fresh_run.h"
#include "reference.h"

namespace bnbench {

namespace {

constexpr uint64_t kBatchStream = 0x5e9;  // seeds of batches t >= 1

Tensors inputs_for(const Problem& q, const Tensors& state, const Buffer& x) {
  Tensors in = allocate_tensors(q);
  for (int i = 0; i < kTensorCount; ++i)
    if (!in.buffers[i].empty() && !state.buffers[i].empty() &&
        in.buffers[i].count() == state.buffers[i].count())
      in.buffers[i].copy_from(state.buffers[i]);
  in[TensorId::x].copy_from(x);
  return in;
}

// Adds one call's result to the sequence's, prefixing its tensor names.
void merge(CheckResult& total, CheckResult call, const std::string& label) {
  for (TensorMetrics& m : call.tensors) {
    m.tensor = label + "/" + m.tensor;
    total.tensors.push_back(m);
  }
  const bool worse = call.verdict > total.verdict ||
                     (call.verdict == total.verdict && call.worst_ratio > total.worst_ratio);
  if (!worse) return;
  total.verdict = call.verdict;
  total.reason = call.reason.empty() ? "" : label + ": " + call.reason;
  total.worst_tensor = label + "/" + call.worst_tensor;
  total.worst_ratio = call.worst_ratio;
}

}  // namespace

Problem sequence_call_problem(const Problem& p, int64_t t) {
  Problem q = p;
  q.sequence = 1;
  q.momentum_schedule.reset();
  q.momentum = momentum_at(p, t);
  return q;
}

CheckResult check_sequence(Backend& backend, const Problem& p, const Tensors& pristine,
                           uint64_t seed, int threads, int default_threads) {
  auto call = [&](const Problem& q, const Tensors& inputs) {
    return run_fresh(backend, q, inputs, threads, default_threads);
  };
  CheckResult total;
  Tensors state = allocate_tensors(p);
  for (int i = 0; i < kTensorCount; ++i)
    if (!state.buffers[i].empty()) state.buffers[i].copy_from(pristine.buffers[i]);
  for (int64_t t = 0; t < p.sequence; ++t) {
    const Problem q = sequence_call_problem(p, t);
    Tensors batch;
    if (t > 0) {
      batch = allocate_tensors(q);
      fill_inputs(q, mix_bits(seed, kBatchStream, static_cast<uint64_t>(t)), batch);
    }
    const Tensors inputs = inputs_for(q, state, t > 0 ? batch[TensorId::x] : pristine[TensorId::x]);
    const Tensors out = call(q, inputs);
    merge(total, compare_outputs(q, inputs, out, compute_reference(q, inputs)),
          "call" + std::to_string(t));
    for (TensorId id : {TensorId::running_mean, TensorId::running_var})
      state[id].copy_from(out[id]);
  }
  Problem inference = sequence_call_problem(p, 0);
  inference.direction = Direction::fwd_inference;
  inference.inplace = false;
  const Tensors inputs = inputs_for(inference, state, pristine[TensorId::x]);
  const Tensors out = call(inference, inputs);
  merge(total, compare_outputs(inference, inputs, out, compute_reference(inference, inputs)),
        "inference");
  return total;
}

}  // namespace bnbench
