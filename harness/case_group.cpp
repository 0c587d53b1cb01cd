// Case group: start_case for every member, measure_interleaved over the timed ones and the
// probe, then the records.
//
// Invariant: every instance of the group stays alive until the last round, so no member's
// samples are taken while another's tensors are being allocated or freed.
#include "case_group.h"

#include <omp.h>

#include <algorithm>

#include "interleave.h"
#include "roofline.h"

namespace bnbench {

Problem layout_sibling_key(const Problem& p) {
  Problem key = p;
  key.layout = Layout::nchw;
  return key;
}

std::vector<InterleaveGroup> interleave_groups(
    const std::vector<const CaseSpec*>& cases,
    const std::function<int(const CaseSpec&)>& threads_of) {
  std::vector<InterleaveGroup> groups;
  std::vector<Problem> keys;
  for (const CaseSpec* spec : cases) {
    const Problem key = layout_sibling_key(spec->problem);
    const int threads = threads_of(*spec);
    auto joins = [&](size_t g) {
      if (groups[g].threads != threads || !(keys[g] == key)) return false;
      for (const CaseSpec* member : groups[g].specs)
        if (member->problem == spec->problem) return false;  // a repeat (--threads over an axis)
      return true;
    };
    size_t g = 0;
    while (g < groups.size() && !joins(g)) ++g;
    if (g == groups.size()) {
      groups.push_back({threads, {}});
      keys.push_back(key);
    }
    groups[g].specs.push_back(spec);
  }
  return groups;
}

size_t group_bytes(const std::vector<GroupMember>& members) {
  std::vector<const ProblemData*> seen;
  size_t bytes = 0;
  for (const GroupMember& m : members) {
    const bool first = std::find(seen.begin(), seen.end(), m.data) == seen.end();
    if (first) seen.push_back(m.data);
    bytes += first ? case_bytes(m.spec->problem) : tensor_bytes(m.spec->problem);
  }
  return bytes;
}

CaseGroupResult run_case_group(const std::vector<GroupMember>& members,
                               const CaseSettings& settings, ProbeStream* probe,
                               int64_t llc_bytes) {
  CaseGroupResult out;
  if (members.empty()) return out;
  if (settings.max_memory_bytes && group_bytes(members) > settings.max_memory_bytes) {
    for (const GroupMember& m : members)
      out.records.push_back(run_case(*m.spec, *m.backend, *m.data, settings));
    return out;
  }
  std::vector<std::unique_ptr<LiveCase>> live;
  for (const GroupMember& m : members)
    live.push_back(start_case(*m.spec, *m.backend, *m.data, settings));
  std::vector<Contender> contenders;
  std::vector<LiveCase*> timed;
  for (auto& l : live)
    if (l->timed) {
      LiveCase* lc = l.get();
      contenders.push_back({lc->instance.get(), [lc] { lc->between_samples(); }});
      timed.push_back(lc);
    }
  const Problem& p = members.front().spec->problem;
  const bool resident = llc_bytes > 0 && working_set_bytes(p) <= static_cast<double>(llc_bytes);
  const std::string kernel = ideal_kernel_for(p);
  std::unique_ptr<Instance> probe_pass;
  if (!timed.empty() && probe && !resident) {
    probe_pass = probe_pass_instance(*probe, kernel);
    contenders.push_back({probe_pass.get(), {}});
  }
  if (!contenders.empty()) {
    omp_set_num_threads(settings.threads);
    auto timings = measure_interleaved(contenders, settings.timing, resident);
    omp_set_num_threads(settings.default_threads);
    for (size_t i = 0; i < timed.size(); ++i) {
      if (timings[i].error.empty()) {
        timed[i]->rec.timing = timings[i].timing;
      } else {
        timed[i]->rec.status = Verdict::error;
        timed[i]->rec.reason = timings[i].error;
      }
    }
    const Timing& probe_timing = timings.back().timing;
    if (probe_pass && timings.back().error.empty() && probe_timing.stats.median > 0)
      out.ideal_gbps = probe->bytes_per_pass(kernel) / probe_timing.stats.median / 1e9;
  }
  for (auto& l : live) out.records.push_back(std::move(l->rec));
  return out;
}

}  // namespace bnbench
