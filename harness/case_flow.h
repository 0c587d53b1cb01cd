// Case flow: one problem x one backend, from supports() to the measured record.
//
// Invariant: a case never throws: an exception inside it becomes its ERROR record. The problem's
// pristine inputs and reference live in ProblemData, made on first use and shared by every backend
// of the problem, so each is computed once however many backends run.
#pragma once

#include <memory>

#include "backend.h"
#include "config.h"
#include "measure.h"
#include "record.h"
#include "reference.h"

namespace bnbench {

enum class RunMode { list, check, run };
std::string to_string(RunMode m);

class ProblemData {
 public:
  ProblemData(const Problem& p, uint64_t seed, int threads)
      : p_(p), seed_(seed), threads_(threads) {}
  const Tensors& inputs();       // filled on first use
  const Reference& reference();  // computed on first use
  // Inputs given instead of filled (`check --inputs`, repro_bundle.h).
  void set_inputs(Tensors inputs) { inputs_ = std::make_unique<Tensors>(std::move(inputs)); }

 private:
  Problem p_;
  uint64_t seed_;
  int threads_;
  std::unique_ptr<Tensors> inputs_;
  std::unique_ptr<Reference> reference_;
};

struct CaseSettings {
  RunMode mode = RunMode::check;
  TimingSettings timing;
  int threads = 1;          // the backend's thread count for this case
  int default_threads = 1;  // fills, reference and comparison
  size_t max_memory_bytes = 0;
  uint64_t seed = 1;
  bool determinism = false;  // re-run and compare bit for bit (determinism.h)
  std::string dump_dir;      // repro bundles of FAILED cases (repro_bundle.h); empty: none
  bool dump_all = false;     // bundles of every checked case
};

// Bytes the harness needs to check and time one case (tensors twice plus the reference).
size_t case_bytes(const Problem& p);

// A case up to the decision to run its backend: sets the record's identity fields and returns
// true when the backend must run; otherwise the record is final (invalid problem: ERROR;
// unsupported or over the memory limit: SKIPPED) and nothing was computed. run_case starts here.
bool open_case(const CaseSpec& spec, const Backend& backend, const CaseSettings& settings,
               CaseRecord& rec);

// Copies the pristine inputs into a backend's tensors and poisons what the backend must write.
void prepare_working_tensors(const Problem& p, const Tensors& pristine, Tensors& working);
// Puts the pristine running statistics back (between timed samples).
void restore_running_stats(const Tensors& pristine, Tensors& working);

// A case checked and, in run mode, ready to be timed: its instance and working tensors stay alive
// (at fixed addresses, hence always held by pointer) until it is.
struct LiveCase {
  CaseRecord rec;
  Tensors working;
  std::unique_ptr<Instance> instance;
  const Tensors* pristine = nullptr;
  bool timed = false;      // run mode and the backend ran: measure it
  void between_samples();  // running statistics back to the pristine ones, instance reset
};

// The flow up to the verdict (and the determinism check and bundle when asked); never throws.
std::unique_ptr<LiveCase> start_case(const CaseSpec& spec, Backend& backend, ProblemData& data,
                                     const CaseSettings& settings);

// start_case, then measure() when the case is timed.
CaseRecord run_case(const CaseSpec& spec, Backend& backend, ProblemData& data,
                    const CaseSettings& settings);

}  // namespace bnbench
