// bnbench_gbench: every case x backend of a bnbench config registered at run time as a Google
// Benchmark benchmark named bn/<case id>/<backend>, so Google Benchmark's whole command line
// (--benchmark_filter, --benchmark_repetitions, --benchmark_out=FILE --benchmark_out_format=json,
// ...) works on bnbench's cases.
//
//   bnbench_gbench [--benchmark_...] CONFIG | --config=FILE [--backends=a,b] [--threads=N]
//                  [--pin=none|compact|LIST] [--seed=N]
//
// Invariant: before its timed loop a benchmark runs bnbench's check of its case (float64
// reference, tolerance rule): the verdict becomes its label and the worst tolerance ratio the
// counter tolerance_ratio; only the backend's run() and sync() are inside the loop. Counters:
// bytes_per_second (the byte model of record.h) and percent_of_ideal (against a STREAM probe at
// the case's thread count, taken once before the benchmarks). Cases are prepared lazily, one at a
// time, so a filter that selects one case pays for one. Unsupported cases are not registered.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "case_flow.h"
#include "config.h"
#include "gbench_export.h"
#include "pinning.h"
#include "probes.h"
#include "run.h"
#include "sysinfo.h"

namespace {

using namespace bnbench;

struct Args {
  std::string config_path, backends, pin = "none";
  int threads = 0;
  uint64_t seed = 0;
  bool seed_given = false;
};

// The arguments Google Benchmark left; throws std::invalid_argument for anything unknown.
Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const std::string& key) -> std::optional<std::string> {
      if (arg.rfind(key + "=", 0) == 0) return arg.substr(key.size() + 1);
      return std::nullopt;
    };
    if (auto v = value("--config"))
      a.config_path = *v;
    else if (auto v = value("--backends"))
      a.backends = *v;
    else if (auto v = value("--threads"))
      a.threads = std::stoi(*v);
    else if (auto v = value("--pin"))
      a.pin = *v;
    else if (auto v = value("--seed"))
      a.seed = std::stoull(*v), a.seed_given = true;
    else if (arg.rfind("--", 0) != 0 && a.config_path.empty())
      a.config_path = arg;
    else
      throw std::invalid_argument("unknown argument '" + arg + "'");
  }
  if (a.config_path.empty()) throw std::invalid_argument("give a CONFIG file (or --config=FILE)");
  if (a.threads < 0) throw std::invalid_argument("--threads must be >= 1");
  return a;
}

// One registered benchmark.
struct GbenchCase {
  const CaseSpec* spec = nullptr;
  Backend* backend = nullptr;
  int threads = 1;
  std::string name;
};

// The one prepared case: checked by bnbench, then an instance kept alive for the timed loop.
class Session {
 public:
  Session(uint64_t seed, std::map<int, ProbeSet> probes)
      : seed_(seed), probes_(std::move(probes)) {}

  void run(benchmark::State& state, const GbenchCase& c) {
    prepare(c);
    if (!instance_) {
      state.SkipWithError(record_.reason.c_str());
      return;
    }
    omp_set_num_threads(c.threads);
    for (auto _ : state) {
      instance_->run();
      instance_->sync();
    }
    const double bytes = record_.bytes_moved * static_cast<double>(state.iterations());
    state.SetBytesProcessed(static_cast<int64_t>(bytes));
    const double ideal = probes_.at(c.threads).gbps(ideal_kernel_for(c.spec->problem)) * 1e9;
    if (ideal > 0)
      state.counters["percent_of_ideal"] =
          benchmark::Counter(100 * bytes / ideal, benchmark::Counter::kIsRate);
    if (record_.check) state.counters["tolerance_ratio"] = record_.check->worst_ratio;
    state.SetLabel(to_string(record_.status));
  }

 private:
  void prepare(const GbenchCase& c) {
    if (c.name == current_) return;
    instance_.reset();
    working_ = Tensors{};
    current_ = c.name;
    const int default_threads = omp_get_max_threads();
    ProblemData data(c.spec->problem, seed_, default_threads);
    CaseSettings settings;
    settings.mode = RunMode::check;
    settings.threads = c.threads;
    settings.default_threads = default_threads;
    settings.max_memory_bytes = default_max_memory();
    settings.seed = seed_;
    record_ = run_case(*c.spec, *c.backend, data, settings);
    if (record_.status == Verdict::error || record_.status == Verdict::skipped) return;
    const Problem& p = c.spec->problem;
    working_ = allocate_tensors(p);
    prepare_working_tensors(p, data.inputs(), working_);
    omp_set_num_threads(c.threads);
    instance_ = c.backend->prepare(p, working_);
  }

  uint64_t seed_;
  std::map<int, ProbeSet> probes_;
  std::string current_;
  CaseRecord record_;
  Tensors working_;
  std::unique_ptr<Instance> instance_;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> original_argv(argv, argv + argc + 1);
  benchmark::Initialize(&argc, argv);
  try {
    Args args = parse_args(argc, argv);
    apply_pinning(parse_pin(args.pin), original_argv.data());
    Config config = load_config(args.config_path);
    RunOptions options;
    options.mode = RunMode::check;
    std::istringstream backend_list(args.backends);
    for (std::string name; std::getline(backend_list, name, ',');)
      if (!name.empty()) options.backends.push_back(name);
    options.threads = args.threads;
    const uint64_t seed = args.seed_given ? args.seed : config.seed;

    std::map<std::pair<std::string, std::string>, std::set<int>> thread_counts;
    const auto listed = list_cases(config, options);
    for (const auto& lc : listed) thread_counts[{lc.id, lc.backend}].insert(lc.threads);
    std::map<std::string, const CaseSpec*> spec_by_id;
    for (const auto& spec : config.cases) spec_by_id.emplace(to_string(spec.problem), &spec);

    MachineInfo machine = read_machine_info();
    const int64_t llc = machine.last_level_cache_bytes();
    const size_t probe_bytes = probe_array_bytes(llc, machine.available_memory_bytes);
    std::map<int, ProbeSet> probes;
    for (const auto& lc : listed)
      if (lc.supported && !probes.count(lc.threads)) {
        probes[lc.threads] = run_probes(lc.threads, probe_bytes, llc);
        for (const auto& k : probes[lc.threads].kernels)
          benchmark::AddCustomContext("probe_" + k.name + "_gbps_t" + std::to_string(lc.threads),
                                      std::to_string(k.gbps));
      }

    static std::unique_ptr<Session> session;
    session = std::make_unique<Session>(seed, probes);
    static std::vector<GbenchCase> cases;
    cases.reserve(listed.size());
    for (const auto& lc : listed) {
      if (!lc.supported) continue;
      GbenchCase c;
      c.spec = spec_by_id.at(lc.id);
      c.backend = registry().find(lc.backend);
      c.threads = lc.threads;
      c.name =
          gbench_name(lc.id, lc.backend, lc.threads, thread_counts[{lc.id, lc.backend}].size() > 1);
      cases.push_back(c);
    }
    // No UseRealTime(): it would append /real_time to the names. The main thread works inside
    // every OpenMP region, so its CPU time (which sizes the iterations) tracks the wall time.
    for (const GbenchCase& c : cases)
      benchmark::RegisterBenchmark(c.name.c_str(),
                                   [&c](benchmark::State& state) { session->run(state, c); });
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    session.reset();
    return 0;
  } catch (const ConfigError& e) {
    std::cerr << "bnbench_gbench: config error: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "bnbench_gbench: " << e.what() << "\n";
  }
  return 2;
}
