// Determinism: the bitwise comparison of a case's outputs across repeated runs and thread counts.
//
// Invariant: every output the backend writes (output_mask, running statistics included) is
// compared over its whole buffer, element by element in the dtype's bits.
#include "determinism.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "fresh_run.h"

namespace bnbench {

namespace {

template <class T>
nlohmann::json compare_buffer(const std::string& name, const Buffer& a, const Buffer& b) {
  const T* x = a.as<T>();
  const T* y = b.as<T>();
  int64_t differing = 0;
  double max_diff = 0;
  for (int64_t i = 0; i < a.count(); ++i) {
    if (std::memcmp(&x[i], &y[i], sizeof(T)) == 0 || (std::isnan(x[i]) && std::isnan(y[i])))
      continue;
    ++differing;
    const double d = std::abs(static_cast<double>(x[i]) - static_cast<double>(y[i]));
    max_diff = std::max(max_diff, std::isnan(d) ? std::numeric_limits<double>::infinity() : d);
  }
  return {{"tensor", name}, {"differing", differing}, {"max_abs_diff", max_diff}};
}

nlohmann::json compare_runs(const Problem& p, const Tensors& first, const Tensors& again,
                            const std::string& label, int threads) {
  nlohmann::json tensors = nlohmann::json::array();
  bool identical = true;
  const auto written = output_mask(p);
  for (int i = 0; i < kTensorCount; ++i) {
    if (!written[i] || first.buffers[i].empty()) continue;
    const std::string name = to_string(static_cast<TensorId>(i));
    nlohmann::json t = p.dtype == DType::f32
                           ? compare_buffer<float>(name, first.buffers[i], again.buffers[i])
                           : compare_buffer<double>(name, first.buffers[i], again.buffers[i]);
    identical = identical && t["differing"] == 0;
    tensors.push_back(t);
  }
  return {{"label", label}, {"threads", threads}, {"identical", identical}, {"tensors", tensors}};
}

}  // namespace

nlohmann::json check_determinism(Backend& backend, const Problem& p, const Tensors& pristine,
                                 const Tensors& first, int threads, int max_threads) {
  nlohmann::json runs = nlohmann::json::array();
  auto again = [&](int t) { return run_fresh(backend, p, pristine, t, max_threads); };
  runs.push_back(compare_runs(p, first, again(threads), "repeat", threads));
  const int other = threads > 1 ? 1 : max_threads;
  if (other != threads) runs.push_back(compare_runs(p, first, again(other), "threads", other));
  bool identical = true;
  for (auto& r : runs) identical = identical && r["identical"].get<bool>();
  return {{"identical", identical}, {"threads", threads}, {"runs", runs}};
}

std::string determinism_summary(const nlohmann::json& d) {
  if (d.is_null()) return "";
  std::string text;
  for (auto& run : d["runs"]) {
    if (run["identical"].get<bool>()) continue;
    for (auto& t : run["tensors"]) {
      if (t["differing"].get<int64_t>() == 0) continue;
      char buf[160];
      std::snprintf(buf, sizeof buf, "%s%s differs %s t%d in %lld elements, max |diff| %.3g",
                    text.empty() ? "" : "; ", t["tensor"].get<std::string>().c_str(),
                    run["label"] == "repeat" ? "on repeat at" : "at", run["threads"].get<int>(),
                    static_cast<long long>(t["differing"].get<int64_t>()),
                    t["max_abs_diff"].get<double>());
      text += buf;
    }
  }
  if (text.empty()) {
    text = "deterministic: bitwise identical on repeat, t";
    text += std::to_string(d["threads"].get<int>());
    for (auto& run : d["runs"])
      if (run["label"] == "threads") text += " vs t" + std::to_string(run["threads"].get<int>());
    return text;
  }
  return "NOT deterministic: " + text;
}

}  // namespace bnbench
