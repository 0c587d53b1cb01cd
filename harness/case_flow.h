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
  ProblemData(const Problem& p, uint64_t seed, int threads) : p_(p), seed_(seed), threads_(threads) {}
  const Tensors& inputs();        // filled on first use
  const Reference& reference();   // computed on first use

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
  int threads = 1;            // the backend's thread count for this case
  int default_threads = 1;    // fills, reference and comparison
  size_t max_memory_bytes = 0;
  uint64_t seed = 1;
};

// Bytes the harness needs to check and time one case (tensors twice plus the reference).
size_t case_bytes(const Problem& p);

// A case up to the decision to run its backend: sets the record's identity fields and returns
// true when the backend must run; otherwise the record is final (invalid problem: ERROR;
// unsupported or over the memory limit: SKIPPED) and nothing was computed. run_case starts here.
bool open_case(const CaseSpec& spec, const Backend& backend, const CaseSettings& settings,
               CaseRecord& rec);

CaseRecord run_case(const CaseSpec& spec, Backend& backend, ProblemData& data,
                    const CaseSettings& settings);

}  // namespace bnbench
