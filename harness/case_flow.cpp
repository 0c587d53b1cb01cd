// Case flow: supports? -> memory limit -> fresh tensors from the pristine inputs -> prepare ->
// run once -> fetch -> compare with the shared reference -> measure (run mode).
//
// Invariant: each backend gets fresh tensors copied from the pristine inputs, with every output
// it must write poisoned with NaN, so an output a backend forgot to write cannot pass.
#include "case_flow.h"

#include <omp.h>

#include <chrono>
#include <cstdio>

#include "determinism.h"
#include "fill.h"
#include "repro_bundle.h"
#include "sequence.h"

namespace bnbench {

namespace {

std::string format_bytes(double b) {
  char buf[32];
  if (b >= 1e9)
    std::snprintf(buf, sizeof buf, "%.2f GB", b / 1e9);
  else
    std::snprintf(buf, sizeof buf, "%.1f MB", b / 1e6);
  return buf;
}

}  // namespace

void prepare_working_tensors(const Problem& p, const Tensors& pristine, Tensors& working) {
  auto outputs = output_mask(p);
  for (int i = 0; i < kTensorCount; ++i) {
    Buffer& w = working.buffers[i];
    if (w.empty()) continue;
    const auto id = static_cast<TensorId>(i);
    const bool aliases_input = p.inplace && (id == TensorId::y || id == TensorId::dx);
    if (aliases_input) continue;
    const bool in_out = id == TensorId::running_mean || id == TensorId::running_var;
    if (outputs[i] && !in_out)
      w.fill_nan();
    else
      w.copy_from(pristine.buffers[i]);
  }
}

void restore_running_stats(const Tensors& pristine, Tensors& working) {
  for (TensorId id : {TensorId::running_mean, TensorId::running_var})
    if (!working[id].empty()) working[id].copy_from(pristine[id]);
}

std::string to_string(RunMode m) {
  switch (m) {
    case RunMode::list:
      return "list";
    case RunMode::check:
      return "check";
    case RunMode::run:
      return "run";
  }
  return "?";
}

const Tensors& ProblemData::inputs() {
  if (!inputs_) {
    omp_set_num_threads(threads_);
    inputs_ = std::make_unique<Tensors>(allocate_tensors(p_));
    fill_inputs(p_, seed_, *inputs_);
  }
  return *inputs_;
}

const Reference& ProblemData::reference() {
  if (!reference_) {
    omp_set_num_threads(threads_);
    reference_ = std::make_unique<Reference>(compute_reference(p_, inputs()));
  }
  return *reference_;
}

size_t case_bytes(const Problem& p) { return 2 * tensor_bytes(p) + reference_bytes(p); }

bool open_case(const CaseSpec& spec, const Backend& backend, const CaseSettings& settings,
               CaseRecord& rec) {
  const Problem& p = spec.problem;
  rec.id = to_string(p);
  rec.backend = backend.name();
  rec.problem = p;
  rec.threads = settings.threads;
  rec.seed = settings.seed;
  rec.shape_set = spec.shape_set;
  rec.layer_count = spec.layer_count;
  const std::string invalid = validate(p);
  if (!invalid.empty()) {
    rec.status = Verdict::error;
    rec.reason = "invalid problem: " + invalid;
    return false;
  }
  rec.bytes_moved = minimal_bytes(p);
  Support support = backend.supports(p);
  if (!support.ok) {
    rec.status = Verdict::skipped;
    rec.reason = support.reason;
    return false;
  }
  const size_t needed = case_bytes(p);
  if (settings.max_memory_bytes && needed > settings.max_memory_bytes) {
    rec.status = Verdict::skipped;
    rec.reason = "needs " + format_bytes(static_cast<double>(needed)) + " (" +
                 std::to_string(needed) + " bytes), over the memory limit of " +
                 format_bytes(static_cast<double>(settings.max_memory_bytes)) + " (--max-memory)";
    return false;
  }
  return true;
}

void LiveCase::between_samples() {
  restore_running_stats(*pristine, working);
  instance->reset();
}

std::unique_ptr<LiveCase> start_case(const CaseSpec& spec, Backend& backend, ProblemData& data,
                                     const CaseSettings& settings) {
  using Clock = std::chrono::steady_clock;
  const Problem& p = spec.problem;
  auto live = std::make_unique<LiveCase>();
  CaseRecord& rec = live->rec;
  if (!open_case(spec, backend, settings, rec)) return live;
  try {
    auto check_start = Clock::now();
    const Tensors& pristine = data.inputs();
    live->pristine = &pristine;
    if (p.sequence > 1) {
      rec.check = check_sequence(backend, p, pristine, settings.seed, settings.threads,
                                 settings.default_threads);
      rec.status = rec.check->verdict;
      rec.reason = rec.check->reason;
      rec.check_seconds = std::chrono::duration<double>(Clock::now() - check_start).count();
      omp_set_num_threads(settings.default_threads);
      return live;
    }
    Tensors& working = live->working;
    working = allocate_tensors(p);
    prepare_working_tensors(p, pristine, working);
    omp_set_num_threads(settings.threads);
    live->instance = backend.prepare(p, working);
    live->instance->run();
    live->instance->sync();
    live->instance->fetch();
    rec.details = live->instance->details();
    const Reference& ref = data.reference();
    omp_set_num_threads(settings.default_threads);
    rec.check = compare_outputs(p, pristine, working, ref);
    rec.status = rec.check->verdict;
    rec.reason = rec.check->reason;
    rec.check_seconds = std::chrono::duration<double>(Clock::now() - check_start).count();
    if (settings.determinism)
      rec.determinism = check_determinism(backend, p, pristine, working, settings.threads,
                                          settings.default_threads);
    if (!settings.dump_dir.empty() && (settings.dump_all || rec.status == Verdict::failed))
      rec.bundle = write_bundle(settings.dump_dir, rec, pristine, working, ref);
    live->timed = settings.mode == RunMode::run;
  } catch (const std::exception& e) {
    rec.status = Verdict::error;
    rec.reason = e.what();
  }
  omp_set_num_threads(settings.default_threads);
  return live;
}

CaseRecord run_case(const CaseSpec& spec, Backend& backend, ProblemData& data,
                    const CaseSettings& settings) {
  auto live = start_case(spec, backend, data, settings);
  if (live->timed) {
    try {
      omp_set_num_threads(settings.threads);
      live->rec.timing =
          measure(*live->instance, settings.timing, [&] { live->between_samples(); });
    } catch (const std::exception& e) {
      live->rec.status = Verdict::error;
      live->rec.reason = e.what();
    }
    omp_set_num_threads(settings.default_threads);
  }
  return std::move(live->rec);
}

}  // namespace bnbench
