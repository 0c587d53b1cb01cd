// Instruments: probes, run-time hazards, per-case roofline and placement, network totals.
//
// Invariant: nothing here runs while a case is being timed.
#include "instruments.h"

#include "busy_processes.h"
#include "roofline.h"
#include "sysinfo.h"

namespace bnbench {

RunInstruments::RunInstruments(const Config& config, const PinPlan& pin,
                               std::set<int> thread_counts, bool probe)
    : pin_(pin),
      thread_counts_(std::move(thread_counts)),
      probe_(probe),
      totals_(network_totals_for(config)) {
  if (probe_) {
    MachineInfo m = read_machine_info();
    llc_bytes_ = m.last_level_cache_bytes();
    probe_bytes_ = probe_array_bytes(llc_bytes_, m.available_memory_bytes);
  }
}

std::vector<ProbeSet> RunInstruments::probe_all() const {
  std::vector<ProbeSet> out;
  for (int threads : thread_counts_) out.push_back(run_probes(threads, probe_bytes_, llc_bytes_));
  return out;
}

const ProbeSet* RunInstruments::start_probe(int threads) const {
  for (const auto& p : start_)
    if (p.threads == threads) return &p;
  return nullptr;
}

void RunInstruments::start(RunContext& context) {
  context.header["settings"]["pinning"] = pinning_json(pin_);
  if (!probe_) return;
  std::string busy = busy_hazard(busy_processes());
  if (!busy.empty()) context.hazards.push_back(busy);
  start_ = probe_all();
  context.probes_start = start_;
}

ProbeStream* RunInstruments::probe_stream(int threads) {
  if (!probe_) return nullptr;
  auto& stream = streams_[threads];
  if (!stream) stream = std::make_unique<ProbeStream>(threads, probe_bytes_);
  return stream.get();
}

void RunInstruments::record(CaseRecord& r, double interleaved_ideal_gbps) {
  r.pin = pin_.spec;
  if (r.timing && r.timing->stats.median > 0)
    if (const ProbeSet* p = start_probe(r.threads)) {
      r.roofline = roofline_for(r.problem, r.bytes_moved, r.timing->stats.median, *p, llc_bytes_);
      if (interleaved_ideal_gbps > 0) use_interleaved_ideal(*r.roofline, interleaved_ideal_gbps);
    }
  totals_.add(r);
}

void RunInstruments::finish(RunSummary& summary) {
  summary.network_totals = totals_.totals();
  if (!probe_) return;
  summary.probes_end = probe_all();
  for (const auto& end : summary.probes_end)
    if (const ProbeSet* start = start_probe(end.threads))
      for (auto& h : probe_drift_hazards(*start, end)) summary.late_hazards.push_back(h);
}

}  // namespace bnbench
