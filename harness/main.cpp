// bnbench: the command line. Subcommands list, check, run and info over a config or one case.
//
// Invariant: exit code 0 when every case passed (WARN and MISTRUSTED included), 1 when a case
// FAILED or ERRORed, 2 for unusable input (bad config, case string, backend name, options or an
// unwritable result path); input errors are found before anything runs.
#include <omp.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "build_info.h"
#include "cli_compare.h"
#include "config.h"
#include "expectations.h"
#include "gbench_export.h"
#include "isolate.h"
#include "pinning.h"
#include "progress.h"
#include "registry.h"
#include "report_console.h"
#include "report_json.h"
#include "repro_bundle.h"
#include "resume.h"
#include "run.h"
#include "sysinfo.h"

namespace {
using namespace bnbench;

struct CliArgs {
  std::string config_path;
  std::string case_string;
  std::string backends;
  std::string backend;
  std::string filter;
  std::string out;
  std::string max_memory;
  std::string expect;
  bool no_expect = false;
  int threads = 0;
  uint64_t seed = 0;
  bool seed_given = false;
  int repetitions = 0;
  double min_time = -1, warmup = -1;
  bool quiet = false, verbose = false;
  bool isolate = false;
  double case_timeout = 0;  // 0: not given
  std::string resume;
  std::string pin = "none", cache = "warm", export_gbench;
  double max_noise = 0, max_time_per_case = 0;     // 0: off
  bool interleave = false, no_interleave = false;  // neither: the config's measure.interleave
  std::string inputs, dump;                        // repro bundles (repro_bundle.h)
  bool dump_all = false, determinism = false;
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : s + ",") {
    if (ch == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (ch != ' ') {
      cur += ch;
    }
  }
  return out;
}

size_t parse_memory(const std::string& text) {
  if (text.empty()) return 0;
  size_t pos = 0;
  double v = std::stod(text, &pos);
  std::string unit = text.substr(pos);
  double scale = 1;
  if (unit == "K" || unit == "KiB")
    scale = 1024.0;
  else if (unit == "M" || unit == "MiB")
    scale = 1024.0 * 1024;
  else if (unit == "G" || unit == "GiB")
    scale = 1024.0 * 1024 * 1024;
  else if (!unit.empty())
    throw std::invalid_argument("--max-memory: unknown unit '" + unit + "' (K, M, G)");
  if (!(v > 0)) throw std::invalid_argument("--max-memory must be positive");
  return static_cast<size_t>(v * scale);
}

std::string sanitize(std::string s) {
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '-';
  return s;
}

std::string default_result_path(const Config& config) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  return "results/" + std::string(stamp) + "_" + sanitize(read_machine_info().hostname) + "_" +
         sanitize(config.name.empty() ? "config" : config.name) + "_p" + std::to_string(getpid()) +
         ".json";
}

Config config_from_args(const CliArgs& a) {
  if (!a.inputs.empty()) return bundle_config(a.inputs);
  if (!a.case_string.empty()) {
    Config c;
    c.path = "--case";
    c.name = "case";
    CaseSpec spec;
    spec.problem = parse_problem(a.case_string);
    if (std::string invalid = validate(spec.problem); !invalid.empty())
      throw std::invalid_argument("--case '" + a.case_string + "': " + invalid);
    c.cases.push_back(spec);
    c.raw = {{"cases", {a.case_string}}};
    return c;
  }
  if (a.config_path.empty()) throw std::invalid_argument("give a CONFIG file or --case STRING");
  return load_config(a.config_path);
}

RunOptions options_from_args(const CliArgs& a, RunMode mode, const std::string& command_line) {
  RunOptions o;
  o.mode = mode;
  o.backends = split_list(a.backends);
  if (!a.backend.empty()) o.backends.push_back(a.backend);
  if (!a.filter.empty()) {
    try {
      std::regex test(a.filter);
    } catch (const std::regex_error& e) {
      throw std::invalid_argument("--filter '" + a.filter + "' is not a valid regex: " + e.what());
    }
    o.filter = a.filter;
  }
  if (a.threads < 0) throw std::invalid_argument("--threads must be >= 1");
  o.threads = a.threads;
  if (a.seed_given) o.seed = a.seed;
  o.max_memory_bytes = parse_memory(a.max_memory);
  o.pin = parse_pin(a.pin);
  o.command_line = command_line;
  o.determinism = a.determinism;
  o.dump_dir = a.dump;
  o.dump_all = a.dump_all;
  if (a.dump_all && a.dump.empty()) throw std::invalid_argument("--dump-all needs --dump DIR");
  o.inputs_dir = a.inputs;
  if (!a.inputs.empty()) {
    const BundleInfo bundle = read_bundle_info(a.inputs);
    if (o.backends.empty() && !bundle.backend.empty()) o.backends.push_back(bundle.backend);
    if (o.threads == 0) o.threads = bundle.threads;
    if (!o.seed) o.seed = bundle.seed;
  }
  return o;
}

void apply_timing_overrides(const CliArgs& a, const Config& config, RunOptions& o) {
  if (a.repetitions == 0 && a.min_time < 0 && a.warmup < 0 && a.max_noise == 0 &&
      a.max_time_per_case == 0 && a.cache == "warm" && !a.interleave && !a.no_interleave)
    return;
  TimingSettings t;
  t.repetitions = a.repetitions > 0 ? a.repetitions : config.measure.repetitions;
  t.min_time_s = a.min_time >= 0 ? a.min_time : config.measure.min_time_s;
  t.warmup_s = a.warmup >= 0 ? a.warmup : config.measure.warmup_s;
  t.max_noise = a.max_noise;
  t.max_time_s = a.max_time_per_case;
  t.cache = parse_cache_mode(a.cache).value_or(CacheMode::warm);
  t.interleave = a.interleave || (!a.no_interleave && config.measure.interleave);
  o.timing = t;
}

int do_list(const CliArgs& a, const std::string& cmd) {
  Config config = config_from_args(a);
  RunOptions o = options_from_args(a, RunMode::list, cmd);
  auto listed = list_cases(config, o);
  int supported = 0;
  for (auto& lc : listed) {
    std::cout << (lc.supported ? "run   " : "skip  ") << lc.backend << "  " << lc.id << "  t"
              << lc.threads;
    if (!lc.supported) std::cout << "  (" << lc.reason << ")";
    std::cout << "\n";
    supported += lc.supported;
  }
  std::cout << listed.size() << " cases, " << supported << " supported, "
            << listed.size() - supported << " skipped\n";
  return 0;
}

// --isolate, and --case-timeout which implies it (isolate.h).
void apply_isolation(const CliArgs& a, RunOptions& o) {
  if (a.case_timeout != 0 && !(std::isfinite(a.case_timeout) && a.case_timeout > 0))
    throw std::invalid_argument("--case-timeout must be a positive number of seconds");
  o.isolate = a.isolate || a.case_timeout > 0;
  if (o.isolate) o.case_timeout_s = a.case_timeout > 0 ? a.case_timeout : kDefaultCaseTimeoutS;
}

int do_sweep(const CliArgs& a, RunMode mode, const std::string& cmd) {
  Config config = config_from_args(a);
  RunOptions o = options_from_args(a, mode, cmd);
  apply_timing_overrides(a, config, o);
  apply_isolation(a, o);
  std::optional<ResumeFile> resume;
  if (!a.resume.empty()) {
    resume = ResumeFile::load(a.resume, to_string(mode), o.seed.value_or(config.seed));
    o.resume = &*resume;
    std::cout << "resume: " << resume->size() << " recorded cases of " << a.resume
              << " are carried over, not run again\n";
  }
  ConsoleReporter console(std::cout, a.quiet, a.verbose, live_progress_wanted(STDOUT_FILENO));
  std::vector<Reporter*> reporters{&console};
  std::unique_ptr<GbenchExportReporter> gbench;
  if (!a.export_gbench.empty()) {
    gbench = std::make_unique<GbenchExportReporter>(a.export_gbench);
    reporters.push_back(gbench.get());
  }
  std::unique_ptr<JsonReporter> json;
  std::string out = a.out.empty() ? a.resume : a.out;
  if (out.empty() && mode == RunMode::run) out = default_result_path(config);
  if (!out.empty()) {
    if (std::filesystem::is_directory(out)) out += "/" + default_result_path(config).substr(8);
    json = std::make_unique<JsonReporter>(out);
    reporters.push_back(json.get());
  }
  select_backends(registry(), o.backends.empty() ? config.backends : o.backends);
  std::optional<Expectations> expectations;
  std::optional<std::string> expect_path =
      a.expect.empty() ? expectations_beside(config.path) : std::optional<std::string>(a.expect);
  if (expect_path && !a.no_expect) {
    expectations = Expectations::load(*expect_path);
    o.expectations = &*expectations;
    std::cout << "expectations: " << *expect_path << " (" << expectations->size() << " entries)\n";
  }
  RunSummary s = run_sweep(config, o, reporters);
  if (json) std::cout << "result: " << json->path() << "\n";
  return s.ok() ? 0 : 1;
}

int do_info() {
  MachineInfo m = read_machine_info();
  std::cout << "bnbench " << BNBENCH_VERSION << " (" << BNBENCH_GIT_COMMIT << ")\n"
            << "build:    " << BNBENCH_BUILD_TYPE << ", " << BNBENCH_COMPILER << ", "
            << BNBENCH_CXX_FLAGS << "\n"
            << "cpu:      " << m.cpu_model << ", " << m.logical_cpus << " logical CPUs, "
            << "OpenMP max threads " << omp_get_max_threads() << "\n"
            << "isa:     ";
  for (auto& f : m.isa_flags) std::cout << " " << f;
  std::cout << "\ncaches:  ";
  for (auto& c : m.caches)
    std::cout << " L" << c.level
              << (c.type == "Data"          ? "d"
                  : c.type == "Instruction" ? "i"
                                            : "")
              << " " << c.bytes / 1024 << " KiB";
  std::cout << "\nmemory:   " << m.memory_bytes / (1024 * 1024) << " MiB\n"
            << "kernel:   " << m.kernel << "\n"
            << "backends:\n";
  for (auto& b : registry().all()) {
    BackendInfo info = b->info();
    std::cout << "  " << info.name << "  " << info.version << "  [" << info.device << "]  "
              << info.description << "\n";
  }
  for (auto& s : configure_skipped_backends()) std::cout << "  (left out at build: " << s << ")\n";
  return 0;
}

void add_common(CLI::App* sub, CliArgs& a, bool timing) {
  sub->add_option("config", a.config_path, "Config file (JSON sweep)");
  sub->add_option("--case", a.case_string, "One case string instead of a config");
  sub->add_option("--backends", a.backends,
                  "Comma-separated backend names (default: config's or all)");
  sub->add_option("--backend", a.backend, "One backend (same as --backends NAME)");
  sub->add_option("--filter", a.filter, "Regex on the case id");
  sub->add_option(
      "--threads", a.threads,
      "Threads per case, in place of the config's threads axis (default: the axis, or all CPUs)");
  sub->add_option("--seed", a.seed, "Seed of the input fills (default: config's)")
      ->each([&a](const std::string&) { a.seed_given = true; });
  sub->add_option("--max-memory", a.max_memory,
                  "Skip cases needing more (e.g. 8G; default 60% of RAM)");
  if (timing) {
    sub->add_option("--out", a.out,
                    "Result file or folder (run: default results/<date>_<host>_<config>.json)");
    sub->add_flag("--quiet", a.quiet, "Only failures and the summary");
    sub->add_flag("--verbose", a.verbose, "Print every reason");
    sub->add_option("--expect", a.expect,
                    "Expected verdicts (default: CONFIG's .expect.json beside it)");
    sub->add_flag("--no-expect", a.no_expect, "Ignore the expectations file: every FAILED fails");
    sub->add_option("--repetitions", a.repetitions, "Samples per case");
    sub->add_option("--min-time", a.min_time, "Minimum seconds per sample");
    sub->add_option("--warmup", a.warmup, "Warm-up seconds per case");
    sub->add_flag("--isolate", a.isolate,
                  "Each case in a child process: a crash or hang is that case's CRASHED/TIMEOUT");
    sub->add_option("--case-timeout", a.case_timeout,
                    "Isolated case time limit in seconds (implies --isolate; default 600)");
    sub->add_flag("--determinism", a.determinism,
                  "Run each case again and at 1 and T threads; report bitwise differences");
    sub->add_option("--dump", a.dump,
                    "Write a repro bundle (.npy inputs, outputs, reference, problem.json, "
                    "command.txt) of every FAILED case under DIR");
    sub->add_flag("--dump-all", a.dump_all, "With --dump: bundles of every case");
    sub->add_option("--inputs", a.inputs,
                    "Check the case of a bundle folder (problem.json, x.npy, ...) on its tensors");
    sub->add_option("--resume", a.resume,
                    "Skip the cases RESULT.json recorded; write the whole sweep back to it "
                    "(or to --out)");
  }
}

// Options of `run` only: how cases are measured and where the OpenMP threads run.
void add_measure_options(CLI::App* run, CliArgs& a) {
  run->add_option("--max-noise", a.max_noise,
                  "Stop a case's sampling once IQR/median <= this (e.g. 0.02; needs 5 samples)")
      ->check(CLI::NonNegativeNumber);
  run->add_option("--max-time-per-case", a.max_time_per_case,
                  "Time budget in seconds per case for warm-up and samples (0: none)")
      ->check(CLI::NonNegativeNumber);
  run->add_option("--cache", a.cache,
                  "warm (default) or cold: sweep a 2 x LLC buffer before every timed call")
      ->check(CLI::IsMember({"warm", "cold"}));
  auto* on = run->add_flag("--interleave", a.interleave,
                           "Time a case's backends and layout siblings (and its bandwidth probe) "
                           "in turns, sample by sample, so their ratios share the machine's "
                           "conditions (default: the config's measure.interleave)");
  run->add_flag("--no-interleave", a.no_interleave,
                "Time each case's samples together, one case after another")
      ->excludes(on);
  run->add_option("--pin", a.pin,
                  "none (default), compact (thread i on core i) or a CPU list like 0,2-3; set "
                  "before OpenMP starts");
  run->add_option("--export-gbench", a.export_gbench,
                  "Also write the samples in Google Benchmark's JSON (for its compare.py)");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bnbench: batch-normalization benchmark and verification suite"};
  app.require_subcommand(1);
  CliArgs args;
  auto* list =
      app.add_subcommand("list", "Expand a config: cases and backend support, nothing runs");
  auto* check =
      app.add_subcommand("check", "Correctness only: every case against the float64 reference");
  auto* run = app.add_subcommand("run", "Check, then time every case; writes a JSON result");
  auto* info = app.add_subcommand("info", "Machine, build and backends");
  add_common(list, args, false);
  add_common(check, args, true);
  add_common(run, args, true);
  add_measure_options(run, args);
  CompareArgs compare_args;
  auto* compare = app.add_subcommand(
      "compare", "Two result files (BASE NEW), or the backends of one (--baseline): Markdown");
  compare
      ->add_option("files", compare_args.files, "BASE.json NEW.json, or RUN.json with --baseline")
      ->required();
  compare->add_option("--baseline", compare_args.baseline,
                      "Backend the others are compared against, in one run");
  compare->add_option("--out", compare_args.out, "Markdown file (default: stdout)");
  compare->add_option("--fail-on-regression", compare_args.fail_on_regression,
                      "Exit 1 on a worse verdict or a SLOWER case beyond PCT percent");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  std::string cmd;
  for (int i = 0; i < argc; ++i) cmd += (i ? " " : "") + std::string(argv[i]);
  try {
    if (*run) apply_pinning(parse_pin(args.pin), argv);
    if (*info) return do_info();
    if (*compare) return run_compare(compare_args, std::cout, std::cerr);
    if (*list) return do_list(args, cmd);
    return do_sweep(args, *run ? RunMode::run : RunMode::check, cmd);
  } catch (const ConfigError& e) {
    std::cerr << "bnbench: config error: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "bnbench: " << e.what() << "\n";
  }
  return 2;
}
