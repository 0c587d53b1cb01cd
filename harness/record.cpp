// Record: the byte model, the repro command and the JSON form of a case.
//
// Invariant: the JSON field names here are the ones results/schema/result.schema.json defines.
#include "record.h"

namespace bnbench {

double minimal_bytes(const Problem& p) {
  const double elements = static_cast<double>(logical_elements(p));
  const double per = is_backward(p.direction) ? 3.0 : 2.0;
  return per * elements * static_cast<double>(dtype_size(p.dtype));
}

std::string repro_command(const CaseRecord& r) {
  return "bnbench check --case '" + r.id + "' --backend " + r.backend + " --seed " +
         std::to_string(r.seed) + " --threads " + std::to_string(r.threads);
}

nlohmann::json problem_json(const Problem& p) {
  nlohmann::json j = {{"direction", to_string(p.direction)},
                      {"mode", to_string(p.mode)},
                      {"dtype", to_string(p.dtype)},
                      {"layout", to_string(p.layout)},
                      {"n", p.n},
                      {"c", p.c},
                      {"spatial", p.spatial},
                      {"eps", p.eps},
                      {"momentum", p.momentum},
                      {"affine", p.affine},
                      {"running_stats", p.running_stats},
                      {"global_stats", p.global_stats},
                      {"inplace", p.inplace},
                      {"fill", p.fill},
                      {"sequence", p.sequence},
                      {"reduction_size", reduction_size(p)},
                      {"features", feature_count(p)}};
  if (p.momentum_schedule)
    j["momentum_schedule"] = {{"init", p.momentum_schedule->init},
                              {"min", p.momentum_schedule->min}};
  return j;
}

nlohmann::json to_json(const CaseRecord& r) {
  nlohmann::json j = {{"id", r.id},
                      {"backend", r.backend},
                      {"problem", problem_json(r.problem)},
                      {"threads", r.threads},
                      {"seed", r.seed},
                      {"status", to_string(r.status)},
                      {"reason", r.reason},
                      {"command", r.command},
                      {"bytes_moved", r.bytes_moved},
                      {"details", r.details},
                      {"check_seconds", r.check_seconds}};
  if (!r.shape_set.empty()) {
    j["shape_set"] = r.shape_set;
    j["layer_count"] = r.layer_count;
  }
  if (r.check) j["check"] = to_json(*r.check);
  if (r.outcome) {
    j["expectation"] = {{"outcome", to_string(*r.outcome)}, {"why", r.expectation_why}};
  }
  if (r.timing) {
    j["timing"] = to_json(*r.timing);
    if (r.timing->stats.median > 0) j["gbps"] = r.bytes_moved / r.timing->stats.median / 1e9;
  }
  if (!r.determinism.is_null()) j["determinism"] = r.determinism;
  if (!r.bundle.empty()) j["bundle"] = r.bundle;
  if (r.roofline) add_to_json(*r.roofline, j);
  if (!r.pin.empty()) j["pin"] = r.pin;
  return j;
}

void RunSummary::add(Verdict v) {
  switch (v) {
    case Verdict::passed: ++passed; break;
    case Verdict::warn: ++warned; break;
    case Verdict::mistrusted: ++mistrusted; break;
    case Verdict::failed: ++failed; break;
    case Verdict::skipped: ++skipped; break;
    case Verdict::error: ++errors; break;
    case Verdict::crashed: ++crashed; break;
    case Verdict::timeout: ++timeouts; break;
  }
}

void RunSummary::add(Outcome o) {
  with_expectations = true;
  if (o == Outcome::expected_failure) ++expected_failures;
  if (o == Outcome::unexpected_failure) ++unexpected_failures;
  if (o == Outcome::unexpected_pass) ++unexpected_passes;
}

nlohmann::json to_json(const RunSummary& s) {
  nlohmann::json j = {{"passed", s.passed},   {"warned", s.warned},   {"mistrusted", s.mistrusted},
                      {"failed", s.failed},   {"skipped", s.skipped}, {"errors", s.errors},
                      {"total", s.total()}};
  if (s.crashed || s.timeouts) {
    j["crashed"] = s.crashed;
    j["timeouts"] = s.timeouts;
  }
  if (s.with_expectations) {
    j["expected_failures"] = s.expected_failures;
    j["unexpected_failures"] = s.unexpected_failures;
    j["unexpected_passes"] = s.unexpected_passes;
  }
  return j;
}

}  // namespace bnbench
