// Run: the per-case flow (see run.h), its backend selection and its memory limit.
//
// Invariant: inputs are filled and the reference computed once per problem and shared by every
// backend; each backend gets fresh tensors copied from the pristine inputs, with every output it
// must write poisoned with NaN, so an output a backend forgot to write cannot pass.
#include "run.h"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <regex>
#include <set>
#include <stdexcept>

#include "case_group.h"
#include "fill.h"
#include "instruments.h"
#include "isolate.h"
#include "reference.h"
#include "repro_bundle.h"
#include "sysinfo.h"

namespace bnbench {

namespace {

int case_threads(const CaseSpec& spec, const RunOptions& options, int default_threads) {
  if (options.threads > 0) return options.threads;
  if (spec.threads > 0) return spec.threads;
  return default_threads;
}

// The config's cases that --filter selects. --threads replaces the config's threads axis, so the
// specs of one problem that differ only in their threads become one case (not one per axis entry,
// all at the same thread count).
std::vector<const CaseSpec*> filtered_cases(const Config& config, const RunOptions& options) {
  std::optional<std::regex> re;
  if (options.filter) re.emplace(*options.filter);
  std::vector<const CaseSpec*> out;
  std::set<std::string> taken;
  for (auto& spec : config.cases) {
    const std::string id = to_string(spec.problem);
    if (re && !std::regex_search(id, *re)) continue;
    if (options.threads > 0 && !taken.insert(id).second) continue;
    out.push_back(&spec);
  }
  return out;
}

std::vector<Backend*> backends_for(const Config& config, const RunOptions& options) {
  return select_backends(registry(), options.backends.empty() ? config.backends : options.backends);
}

}  // namespace

std::vector<Backend*> select_backends(const Registry& reg, const std::vector<std::string>& names) {
  std::vector<Backend*> out;
  if (names.empty()) {
    for (auto& b : reg.all())
      if (!b->test_only()) out.push_back(b.get());
    return out;
  }
  for (auto& name : names) {
    Backend* b = reg.find(name);
    if (!b) {
      std::string known;
      for (auto& n : reg.names()) known += (known.empty() ? "" : ", ") + n;
      throw std::invalid_argument("unknown backend '" + name + "' (known: " + known + ")");
    }
    if (std::find(out.begin(), out.end(), b) == out.end()) out.push_back(b);
  }
  return out;
}

size_t default_max_memory() { return static_cast<size_t>(read_machine_info().memory_bytes * 0.6); }

nlohmann::json run_header(const Config& config, const RunOptions& options,
                          const std::vector<Backend*>& backends) {
  nlohmann::json backend_list = nlohmann::json::array();
  for (Backend* b : backends) {
    BackendInfo info = b->info();
    backend_list.push_back({{"name", info.name},
                            {"description", info.description},
                            {"version", info.version},
                            {"device", info.device},
                            {"extra", info.extra}});
  }
  nlohmann::json build = build_json();
  nlohmann::json run = nlohmann::json::object();
  if (options.isolate) {
    run["isolated"] = true;
    run["case_timeout_s"] = options.case_timeout_s;
  }
  if (options.resume)
    run["resumed_from"] = {{"path", options.resume->path()}, {"cases", options.resume->size()}};
  return {{"run", run},
          {"tool", {{"name", "bnbench"}, {"version", build.value("version", "")}}},
          {"build", build},
          {"machine", to_json(read_machine_info())},
          {"config",
           {{"path", config.path},
            {"name", config.name},
            {"description", config.description},
            {"seed", options.seed.value_or(config.seed)},
            {"case_count", config.cases.size()},
            {"raw", config.raw}}},
          {"settings",
           {{"threads", options.threads},
            {"filter", options.filter.value_or("")},
            {"max_memory_bytes",
             options.max_memory_bytes ? options.max_memory_bytes : default_max_memory()}}},
          {"backends", backend_list},
          {"expectations", options.expectations ? options.expectations->path() : ""}};
}

std::vector<ListedCase> list_cases(const Config& config, const RunOptions& options) {
  auto backends = backends_for(config, options);
  const int default_threads = omp_get_max_threads();
  std::vector<ListedCase> out;
  for (const CaseSpec* spec : filtered_cases(config, options))
    for (Backend* b : backends) {
      ListedCase lc;
      lc.id = to_string(spec->problem);
      lc.backend = b->name();
      lc.threads = case_threads(*spec, options, default_threads);
      std::string invalid = validate(spec->problem);
      Support s = invalid.empty() ? b->supports(spec->problem) : Support::no(invalid);
      lc.supported = s.ok;
      lc.reason = s.reason;
      out.push_back(lc);
    }
  return out;
}

RunSummary run_sweep(const Config& config, const RunOptions& options,
                     const std::vector<Reporter*>& reporters) {
  auto backends = backends_for(config, options);
  auto cases = filtered_cases(config, options);
  const int default_threads = omp_get_max_threads();
  const uint64_t seed = options.seed.value_or(config.seed);
  const size_t max_memory =
      options.max_memory_bytes ? options.max_memory_bytes : default_max_memory();
  TimingSettings timing;
  timing.warmup_s = config.measure.warmup_s;
  timing.repetitions = config.measure.repetitions;
  timing.min_time_s = config.measure.min_time_s;
  timing.interleave = config.measure.interleave;
  if (options.timing) timing = *options.timing;
  // Isolated cases run in their own processes, so their backends cannot take turns.
  const bool interleave = timing.interleave && options.mode == RunMode::run && !options.isolate;

  RunContext context;
  context.mode = to_string(options.mode);
  context.command_line = options.command_line;
  context.config_path = config.path;
  context.case_count = cases.size() * backends.size();
  context.header = run_header(config, options, backends);
  context.header["settings"]["timing"] = {{"warmup_s", timing.warmup_s},
                                          {"repetitions", timing.repetitions},
                                          {"min_time_s", timing.min_time_s},
                                          {"max_noise", timing.max_noise},
                                          {"max_time_per_case_s", timing.max_time_s},
                                          {"cache", to_string(timing.cache)},
                                          {"interleave", interleave}};
  context.hazards =
      options.mode == RunMode::run
          ? noise_hazards(read_machine_info(), options.threads ? options.threads : default_threads)
          : std::vector<std::string>{};
  std::set<int> thread_counts;
  for (const CaseSpec* spec : cases)
    thread_counts.insert(case_threads(*spec, options, default_threads));
  RunInstruments instruments(config, options.pin, thread_counts, options.mode == RunMode::run);
  instruments.start(context);
  for (Reporter* r : reporters) r->begin(context);

  RunSummary summary;
  summary.with_expectations = options.expectations != nullptr;
  auto emit = [&](CaseRecord& rec, double interleaved_ideal_gbps) {
    instruments.record(rec, interleaved_ideal_gbps);
    rec.command = options.inputs_dir.empty()
                      ? repro_command(rec)
                      : inputs_command(options.inputs_dir, rec.backend, rec.threads);
    summary.add(rec.status);
    if (options.expectations) {
      rec.outcome = options.expectations->judge(rec.backend, rec.id, rec.status);
      if (const Expectation* x = options.expectations->match(rec.backend, rec.id))
        rec.expectation_why = x->why;
      summary.add(*rec.outcome);
    }
    for (Reporter* r : reporters) r->case_done(rec);
  };

  CaseSettings settings;
  settings.mode = options.mode;
  settings.timing = timing;
  settings.default_threads = default_threads;
  settings.max_memory_bytes = max_memory;
  settings.seed = seed;
  settings.determinism = options.determinism;
  settings.dump_dir = options.dump_dir;
  settings.dump_all = options.dump_all;
  auto make_data = [&](const Problem& problem) {
    auto data = std::make_unique<ProblemData>(problem, seed, default_threads);
    if (!options.inputs_dir.empty())
      data->set_inputs(read_bundle_inputs(options.inputs_dir, problem, seed));
    return data;
  };
  auto resumed = [&](const CaseSpec& spec, Backend* b) -> const CaseRecord* {
    return options.resume
               ? options.resume->find(to_string(spec.problem), b->name(), settings.threads)
               : nullptr;
  };
  if (interleave) {
    // Layout siblings at one thread count take turns together; a problem's inputs and reference
    // are kept from one group to the next (the threads axis) while they are still needed.
    std::vector<std::pair<Problem, std::unique_ptr<ProblemData>>> kept;
    for (const InterleaveGroup& group : interleave_groups(cases, [&](const CaseSpec& spec) {
           return case_threads(spec, options, default_threads);
         })) {
      settings.threads = group.threads;
      std::vector<std::pair<Problem, std::unique_ptr<ProblemData>>> next;
      std::vector<GroupMember> members;
      for (const CaseSpec* spec : group.specs) {
        auto found = std::find_if(kept.begin(), kept.end(),
                                  [&](auto& k) { return k.first == spec->problem; });
        next.emplace_back(spec->problem, found != kept.end() ? std::move(found->second)
                                                             : make_data(spec->problem));
        for (Backend* backend : backends)
          if (!resumed(*spec, backend))
            members.push_back({spec, backend, next.back().second.get()});
      }
      kept = std::move(next);
      CaseGroupResult result = run_case_group(
          members, settings, instruments.probe_stream(group.threads), instruments.llc_bytes());
      auto fresh = result.records.begin();
      for (const CaseSpec* spec : group.specs)
        for (Backend* backend : backends) {
          const CaseRecord* done = resumed(*spec, backend);
          CaseRecord rec = done ? *done : std::move(*fresh++);
          emit(rec, done ? 0 : result.ideal_gbps);
        }
    }
  } else {
    // Consecutive specs of the same problem (a threads axis) share its inputs and reference.
    std::unique_ptr<ProblemData> shared;
    const CaseSpec* shared_spec = nullptr;
    for (const CaseSpec* spec : cases) {
      settings.threads = case_threads(*spec, options, default_threads);
      if (!shared_spec || !(shared_spec->problem == spec->problem))
        shared = make_data(spec->problem);
      shared_spec = spec;
      for (Backend* backend : backends) {
        const CaseRecord* done = resumed(*spec, backend);
        CaseRecord rec = done              ? *done
                         : options.isolate ? run_case_isolated(*spec, *backend, *shared, settings,
                                                               options.case_timeout_s)
                                           : run_case(*spec, *backend, *shared, settings);
        emit(rec, 0);
      }
    }
  }
  instruments.finish(summary);
  for (Reporter* r : reporters) r->end(summary);
  return summary;
}

}  // namespace bnbench
