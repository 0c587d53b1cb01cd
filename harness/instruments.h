// Instruments: the run-level measurement around a sweep: the memory-bandwidth probes at the start
// and end of `bnbench run`, the hazards only a running system shows (busy processes, bandwidth
// drift), the roofline and placement of every case, and the network totals.
//
// Invariant: probes run at every thread count the run's cases use, before the first case and
// after the last, outside any case; a case's % of ideal uses the start probe at its own thread
// count, so a record is final when it is written; the end probe only judges drift (> 10%).
#pragma once

#include <set>
#include <vector>

#include "config.h"
#include "network_totals.h"
#include "pinning.h"
#include "probes.h"
#include "record.h"
#include "reporter.h"

namespace bnbench {

class RunInstruments {
 public:
  // probe: run mode (check mode only records placement and totals).
  RunInstruments(const Config& config, const PinPlan& pin, std::set<int> thread_counts, bool probe);
  // Adds the placement, the busy-process hazard and the start probes to the context.
  void start(RunContext& context);
  // Sets a finished case's placement and roofline, and counts it for the network totals.
  void record(CaseRecord& r);
  // Probes again and adds the end probes, drift hazards and network totals to the summary.
  void finish(RunSummary& summary);

 private:
  const ProbeSet* start_probe(int threads) const;
  std::vector<ProbeSet> probe_all() const;
  PinPlan pin_;
  std::set<int> thread_counts_;
  bool probe_;
  int64_t llc_bytes_ = 0;
  size_t probe_bytes_ = 0;
  std::vector<ProbeSet> start_;
  NetworkTotals totals_;
};

}  // namespace bnbench
