// Google Benchmark export: builds the "context" and "benchmarks" of Google Benchmark's JSON.
//
// Invariant: counters of an aggregate are the statistic of the per-sample counters, as Google
// Benchmark computes them; times are in nanoseconds.
#include "gbench_export.h"

#include <ctime>
#include <map>
#include <set>
#include <tuple>

#include "build_info.h"
#include "measure.h"
#include "report_json.h"

namespace bnbench {

namespace {

// Per-sample values: real time (ns) and the counters.
struct SampleRow {
  double real_ns = 0;
  std::map<std::string, double> counters;
};

std::vector<SampleRow> sample_rows(const CaseRecord& r) {
  std::vector<SampleRow> rows;
  for (double s : r.timing->samples_s) {
    SampleRow row;
    row.real_ns = s * 1e9;
    row.counters["bytes_per_second"] = s > 0 ? r.bytes_moved / s : 0;
    if (r.roofline && r.roofline->ideal_gbps > 0)
      row.counters["percent_of_ideal"] = 100 * r.bytes_moved / s / (r.roofline->ideal_gbps * 1e9);
    if (r.check) row.counters["tolerance_ratio"] = r.check->worst_ratio;
    rows.push_back(row);
  }
  return rows;
}

nlohmann::json entry(const CaseRecord& r, const std::string& name, int family, size_t reps) {
  return {{"name", name},      {"family_index", family},      {"per_family_instance_index", 0},
          {"run_name", name},  {"repetitions", reps},         {"threads", r.threads},
          {"time_unit", "ns"}, {"label", to_string(r.status)}};
}

// The statistic of values: mean, median, stddev (n - 1) or cv (stddev / mean).
double statistic(const std::string& which, const std::vector<double>& values) {
  SampleStats s = summarize(values);
  if (which == "mean") return s.mean;
  if (which == "median") return s.median;
  if (which == "stddev") return s.stddev;
  return s.mean != 0 ? s.stddev / s.mean : 0;
}

}  // namespace

std::string gbench_name(const std::string& case_id, const std::string& backend, int threads,
                        bool several_thread_counts) {
  std::string name = "bn/" + case_id + "/" + backend;
  if (several_thread_counts) name += "/threads:" + std::to_string(threads);
  return name;
}

nlohmann::json gbench_context(const MachineInfo& m) {
  nlohmann::json caches = nlohmann::json::array();
  for (auto& c : m.caches)
    caches.push_back({{"type", c.type}, {"level", c.level}, {"size", c.bytes}, {"num_sharing", 0}});
  return {
      {"date", utc_timestamp()},
      {"host_name", m.hostname},
      {"executable", "bnbench"},
      {"num_cpus", m.logical_cpus},
      {"mhz_per_cpu", 0},
      {"cpu_scaling_enabled", m.governor != "performance"},
      {"caches", caches},
      {"load_avg", {m.load_average_1m}},
      {"library_build_type", std::string(BNBENCH_BUILD_TYPE) == "Release" ? "release" : "debug"}};
}

nlohmann::json gbench_json(const std::vector<CaseRecord>& records, const MachineInfo& m) {
  std::map<std::pair<std::string, std::string>, std::set<int>> thread_counts;
  for (const auto& r : records) thread_counts[{r.id, r.backend}].insert(r.threads);
  nlohmann::json benchmarks = nlohmann::json::array();
  int family = 0;
  for (const auto& r : records) {
    if (!r.timing || r.timing->samples_s.empty()) continue;
    const std::string name =
        gbench_name(r.id, r.backend, r.threads, thread_counts[{r.id, r.backend}].size() > 1);
    const auto rows = sample_rows(r);
    for (size_t i = 0; i < rows.size(); ++i) {
      nlohmann::json e = entry(r, name, family, rows.size());
      e["run_type"] = "iteration";
      e["repetition_index"] = i;
      e["iterations"] = r.timing->inner_iterations;
      e["real_time"] = rows[i].real_ns;
      e["cpu_time"] = rows[i].real_ns;
      for (const auto& [k, v] : rows[i].counters) e[k] = v;
      benchmarks.push_back(e);
    }
    if (rows.size() > 1) {
      for (const std::string which : {"mean", "median", "stddev", "cv"}) {
        nlohmann::json e = entry(r, name + "_" + which, family, rows.size());
        e["run_name"] = name;
        e["run_type"] = "aggregate";
        e["aggregate_name"] = which;
        e["aggregate_unit"] = which == "cv" ? "percentage" : "time";
        e["iterations"] = rows.size();
        std::vector<double> times;
        for (const auto& row : rows) times.push_back(row.real_ns);
        e["real_time"] = statistic(which, times);
        e["cpu_time"] = e["real_time"];
        for (const auto& [k, unused] : rows[0].counters) {
          std::vector<double> values;
          for (const auto& row : rows) values.push_back(row.counters.at(k));
          e[k] = statistic(which, values);
        }
        benchmarks.push_back(e);
      }
    }
    ++family;
  }
  return {{"context", gbench_context(m)}, {"benchmarks", benchmarks}};
}

void GbenchExportReporter::case_done(const CaseRecord& record) { records_.push_back(record); }

void GbenchExportReporter::end(const RunSummary&) {
  write_file_atomically(path_, gbench_json(records_, read_machine_info()).dump(2) + "\n");
}

}  // namespace bnbench
