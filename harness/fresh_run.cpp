// Fresh run: prepare, run, sync and fetch on tensors copied from the pristine inputs.
//
// Invariant: nothing is timed and the instance is destroyed before returning; the returned
// tensors own their storage.
#include "fresh_run.h"

#include <omp.h>

#include <stdexcept>

#include "case_flow.h"

namespace bnbench {

Tensors run_fresh(Backend& backend, const Problem& p, const Tensors& pristine, int threads,
                  int default_threads) {
  const Support support = backend.supports(p);
  if (!support.ok)
    throw std::runtime_error(backend.name() + " does not support " + to_string(p) + ": " +
                             support.reason);
  Tensors working = allocate_tensors(p);
  prepare_working_tensors(p, pristine, working);
  omp_set_num_threads(threads);
  {
    auto instance = backend.prepare(p, working);
    instance->run();
    instance->sync();
    instance->fetch();
  }
  omp_set_num_threads(default_threads);
  return working;
}

}  // namespace bnbench
