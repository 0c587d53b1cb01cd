// Case group: the backends of one case and of its layout siblings (the same problem in another
// layout, at the same thread count), each checked as run_case does, then all timed in turns
// (interleave.h) together with the bandwidth probe that the group's % of ideal is judged by.
//
// Invariant: records come back in the order of the members given, each what run_case would have
// written but for its timing's schedule. A group whose instances would not fit the memory limit
// together runs one member after another (run_case) and its timings say "sequential". The probe
// joins only groups whose working set exceeds the last-level cache (the others are not judged by
// memory bandwidth); groups within it re-warm before each sample.
#pragma once

#include <functional>
#include <vector>

#include "case_flow.h"
#include "probes.h"

namespace bnbench {

struct GroupMember {
  const CaseSpec* spec = nullptr;
  Backend* backend = nullptr;
  ProblemData* data = nullptr;  // the spec's pristine inputs and reference
};

struct CaseGroupResult {
  std::vector<CaseRecord> records;  // one per member, in order
  double ideal_gbps = 0;            // the ideal kernel's median bandwidth in turns (0: not timed)
};

// The problem with its layout erased: members whose keys are equal belong in one group.
Problem layout_sibling_key(const Problem& p);

struct InterleaveGroup {
  int threads = 1;
  std::vector<const CaseSpec*> specs;  // layout siblings, in the sweep's order
};
// The sweep's cases as groups of layout siblings at one thread count, in order of first
// appearance; threads_of gives a spec's thread count. A problem met again at a thread count
// (--threads over a threads axis) starts a group of its own rather than take turns with itself.
std::vector<InterleaveGroup> interleave_groups(
    const std::vector<const CaseSpec*>& cases,
    const std::function<int(const CaseSpec&)>& threads_of);

// Bytes the group holds at once: each problem's inputs, reference and first working tensors
// (case_bytes), and one more set of working tensors for every other member of that problem.
size_t group_bytes(const std::vector<GroupMember>& members);

// Every member must share settings.threads and the direction and shape of the first.
CaseGroupResult run_case_group(const std::vector<GroupMember>& members,
                               const CaseSettings& settings, ProbeStream* probe, int64_t llc_bytes);

}  // namespace bnbench
