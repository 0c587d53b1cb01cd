// Instruments: the run-level measurement around a sweep: the memory-bandwidth probes at the start
// and end of `bnbench run`, the hazards only a running system shows (busy processes, bandwidth
// drift), the roofline and placement of every case, and the network totals.
//
// Invariant: probes run at every thread count the run's cases use, before the first case and
// after the last, outside any case; a case's % of ideal uses the start probe at its own thread
// count, or the ideal kernel timed in turns with the case when the case was interleaved
// (interleave.h), so a record is final when it is written; the end probe only judges drift (> 10%).
#pragma once

#include <map>
#include <memory>
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
  // interleaved_ideal_gbps: the ideal kernel's bandwidth timed in turns with the case (0: none,
  // the start probe judges).
  void record(CaseRecord& r, double interleaved_ideal_gbps = 0);
  // The probe arrays at a thread count, allocated on first use and kept for the run; null when
  // this run does not probe (check mode).
  ProbeStream* probe_stream(int threads);
  int64_t llc_bytes() const { return llc_bytes_; }
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
  std::map<int, std::unique_ptr<ProbeStream>> streams_;
  NetworkTotals totals_;
};

}  // namespace bnbench
