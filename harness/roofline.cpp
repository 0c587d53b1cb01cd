// Roofline: the % of ideal arithmetic and the cache-resident rule.
//
// Invariant: percent_of_ideal = (bytes_moved / median) / ideal bandwidth x 100; zero when either
// is unknown, never a guess.
#include "roofline.h"

#include "tensor.h"

namespace bnbench {

std::string ideal_kernel_for(const Problem& p) {
  return is_backward(p.direction) ? "triad_nt" : "copy_nt";
}

double working_set_bytes(const Problem& p) { return static_cast<double>(tensor_bytes(p)); }

Roofline roofline_for(const Problem& p, double bytes_moved, double median_s, const ProbeSet& probes,
                      int64_t llc_bytes) {
  Roofline r;
  r.ideal_kernel = ideal_kernel_for(p);
  r.ideal_gbps = probes.gbps(r.ideal_kernel);
  r.working_set_bytes = working_set_bytes(p);
  r.cache_resident = llc_bytes > 0 && r.working_set_bytes <= static_cast<double>(llc_bytes);
  if (median_s > 0) r.gbps = bytes_moved / median_s / 1e9;
  if (r.ideal_gbps > 0) r.percent_of_ideal = 100 * r.gbps / r.ideal_gbps;
  return r;
}

void use_interleaved_ideal(Roofline& r, double ideal_gbps) {
  r.ideal_gbps = ideal_gbps;
  r.ideal_source = "interleaved_probe";
  r.percent_of_ideal = ideal_gbps > 0 ? 100 * r.gbps / ideal_gbps : 0;
}

void add_to_json(const Roofline& r, nlohmann::json& j) {
  j["gbps"] = r.gbps;
  j["ideal_kernel"] = r.ideal_kernel;
  j["ideal_gbps"] = r.ideal_gbps;
  j["ideal_source"] = r.ideal_source;
  j["percent_of_ideal"] = r.percent_of_ideal;
  j["working_set_bytes"] = r.working_set_bytes;
  j["cache_resident"] = r.cache_resident;
}

std::optional<Roofline> roofline_from_json(const nlohmann::json& j) {
  if (!j.contains("ideal_kernel")) return std::nullopt;
  Roofline r;
  r.gbps = j.value("gbps", 0.0);
  r.ideal_kernel = j["ideal_kernel"].get<std::string>();
  r.ideal_gbps = j.value("ideal_gbps", 0.0);
  r.ideal_source = j.value("ideal_source", "start_probe");
  r.percent_of_ideal = j.value("percent_of_ideal", 0.0);
  r.working_set_bytes = j.value("working_set_bytes", 0.0);
  r.cache_resident = j.value("cache_resident", false);
  return r;
}

}  // namespace bnbench
