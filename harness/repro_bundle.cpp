// Repro bundle: writing a case's tensors as .npy files and reading a folder of them back.
//
// Invariant: one conversion between buffers and files (file_index), used both ways, so that what
// is written is what is read: the file order is the problem's layout family in logical shape.
#include "repro_bundle.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "fill.h"
#include "layout.h"
#include "npy.h"

namespace bnbench {

namespace {

namespace fs = std::filesystem;

bool is_data_tensor(TensorId id) {
  return id == TensorId::x || id == TensorId::dy || id == TensorId::y || id == TensorId::dx;
}

// The file's layout: channels-last for nhwc, channels-first otherwise (nchw16c unblocked).
Problem file_problem(const Problem& p) {
  Problem q = p;
  q.layout = p.layout == Layout::nhwc ? Layout::nhwc : Layout::nchw;
  return q;
}

std::vector<int64_t> file_shape(const Problem& p, TensorId id) {
  if (!is_data_tensor(id)) return {feature_count(p)};
  std::vector<int64_t> shape{p.n};
  if (p.layout != Layout::nhwc) shape.push_back(p.c);
  shape.insert(shape.end(), p.spatial.begin(), p.spatial.end());
  if (p.layout == Layout::nhwc) shape.push_back(p.c);
  return shape;
}

std::string file_axes(const Problem& p, TensorId id) {
  static const char* const kSpatial[4][3] = {{}, {"L"}, {"H", "W"}, {"D", "H", "W"}};
  if (!is_data_tensor(id)) return p.mode == Mode::spatial ? "(C,)" : "(C * spatial,)";
  std::string axes = "(N";
  if (p.layout != Layout::nhwc) axes += ", C";
  for (size_t i = 0; i < p.spatial.size() && p.spatial.size() <= 3; ++i)
    axes += std::string(", ") + kSpatial[p.spatial.size()][i];
  if (p.layout == Layout::nhwc) axes += ", C";
  return axes + ")";
}

// Calls fn(buffer_index, file_index) for every element of tensor id.
template <class Fn>
void for_each_file_element(const Problem& p, TensorId id, const Fn& fn) {
  if (!is_data_tensor(id)) {
    for (int64_t f = 0; f < feature_count(p); ++f) fn(f, f);
    return;
  }
  const LayoutIndexer buffer(p), file(file_problem(p));
  const int64_t spatial = spatial_size(p);
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t c = 0; c < p.c; ++c)
      for (int64_t s = 0; s < spatial; ++s) fn(buffer.offset(n, c, s), file.offset(n, c, s));
}

template <class Get>
void write_tensor(const fs::path& path, const Problem& p, TensorId id, DType dtype,
                  const Get& get) {
  const std::vector<int64_t> shape = file_shape(p, id);
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  if (dtype == DType::f32) {
    std::vector<float> values(count);
    for_each_file_element(p, id,
                          [&](int64_t b, int64_t f) { values[f] = static_cast<float>(get(b)); });
    write_npy(path.string(), dtype, shape, values.data());
  } else {
    std::vector<double> values(count);
    for_each_file_element(p, id, [&](int64_t b, int64_t f) { values[f] = get(b); });
    write_npy(path.string(), dtype, shape, values.data());
  }
}

std::string sanitize(const std::string& s) {
  std::string out;
  for (char c : s)
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ? c : '-';
  return out;
}

}  // namespace

std::vector<TensorId> input_tensors(const Problem& p) {
  std::vector<TensorId> ids{TensorId::x};
  if (has_dy(p)) ids.push_back(TensorId::dy);
  if (p.affine) ids.insert(ids.end(), {TensorId::gamma, TensorId::beta});
  if (reads_running_stats(p))
    ids.insert(ids.end(), {TensorId::running_mean, TensorId::running_var});
  if (reads_saved_stats(p)) ids.insert(ids.end(), {TensorId::save_mean, TensorId::save_var});
  return ids;
}

std::string inputs_command(const std::string& dir, const std::string& backend, int threads) {
  return "bnbench check --inputs '" + dir + "' --backend " + backend + " --threads " +
         std::to_string(threads);
}

std::string write_bundle(const std::string& dir, const CaseRecord& record, const Tensors& inputs,
                         const Tensors& outputs, const Reference& reference) {
  const Problem& p = record.problem;
  const fs::path folder = fs::path(dir) / (sanitize(record.backend) + "__" + sanitize(record.id) +
                                           "__t" + std::to_string(record.threads));
  fs::create_directories(folder);
  nlohmann::json files = nlohmann::json::object();
  for (TensorId id : input_tensors(p)) {
    const std::string name = to_string(id) + ".npy";
    write_tensor(folder / name, p, id, p.dtype, [&](int64_t i) { return inputs[id].get(i); });
    files[name] = "input " + file_axes(p, id);
  }
  const auto written = output_mask(p);
  for (int i = 0; i < kTensorCount; ++i) {
    const auto id = static_cast<TensorId>(i);
    if (written[i] && !outputs[id].empty()) {
      const std::string name = "out_" + to_string(id) + ".npy";
      write_tensor(folder / name, p, id, p.dtype, [&](int64_t k) { return outputs[id].get(k); });
      files[name] = "backend output " + file_axes(p, id);
    }
    if (!reference[id].empty()) {
      const std::string name = "ref_" + to_string(id) + ".npy";
      write_tensor(folder / name, p, id, DType::f64, [&](int64_t k) { return reference[id][k]; });
      files[name] = "float64 reference " + file_axes(p, id);
    }
  }
  nlohmann::json info = {
      {"case", record.id},
      {"backend", record.backend},
      {"threads", record.threads},
      {"seed", record.seed},
      {"verdict", to_string(record.status)},
      {"reason", record.reason},
      {"data_layout", p.layout == Layout::nhwc ? "channels_last" : "channels_first"},
      {"problem", problem_json(p)},
      {"files", files},
      {"command", repro_command(record)},
      {"inputs_command", inputs_command(folder.string(), record.backend, record.threads)}};
  if (record.check) {
    info["worst_tensor"] = record.check->worst_tensor;
    info["worst_ratio"] = record.check->worst_ratio;
  }
  std::ofstream(folder / "problem.json") << info.dump(2) << "\n";
  std::ofstream(folder / "command.txt") << repro_command(record) << "\n";
  return folder.string();
}

BundleInfo read_bundle_info(const std::string& dir) {
  const fs::path path = fs::path(dir) / "problem.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path.string() + ": cannot open (a bundle needs problem.json)");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(path.string() + ": malformed JSON: " + e.what());
  }
  if (!j.is_object() || !j.contains("case") || !j["case"].is_string())
    throw std::runtime_error(path.string() +
                             ": needs \"case\": a case string such as \"fwd_training/f32/nhwc/"
                             "n2c3h4w4\" (the shape must match x.npy)");
  BundleInfo info;
  try {
    info.problem = parse_problem(j["case"].get<std::string>());
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path.string() + ": /case: " + e.what());
  }
  if (j.contains("backend") && j["backend"].is_string()) info.backend = j["backend"];
  if (j.contains("threads") && j["threads"].is_number_integer()) info.threads = j["threads"];
  if (j.contains("seed") && j["seed"].is_number_unsigned()) info.seed = j["seed"];
  return info;
}

Config bundle_config(const std::string& dir) {
  Config config;
  config.path = dir;
  config.name = "inputs";
  CaseSpec spec;
  spec.problem = read_bundle_info(dir).problem;
  config.cases.push_back(spec);
  config.raw = {{"inputs", dir}, {"cases", {to_string(spec.problem)}}};
  return config;
}

Tensors read_bundle_inputs(const std::string& dir, const Problem& p, uint64_t seed) {
  Tensors t = allocate_tensors(p);
  fill_inputs(p, seed, t);
  bool saved_given = false;
  for (TensorId id : input_tensors(p)) {
    const fs::path path = fs::path(dir) / (to_string(id) + ".npy");
    if (!fs::exists(path)) {
      if (id == TensorId::x) throw NpyError(path.string() + ": missing (x.npy is required)");
      continue;
    }
    const NpyArray a =
        read_npy_expecting(path.string(), p.dtype, file_shape(p, id), file_axes(p, id));
    for_each_file_element(p, id, [&](int64_t b, int64_t f) { t[id].set(b, a.get(f)); });
    saved_given = saved_given || id == TensorId::save_mean || id == TensorId::save_var;
  }
  if (reads_saved_stats(p) && !saved_given) {
    const BatchStats stats = batch_stats(p, t[TensorId::x]);
    for (int64_t f = 0; f < feature_count(p); ++f) {
      t[TensorId::save_mean].set(f, stats.mean[f]);
      t[TensorId::save_var].set(f, stats.var[f]);
    }
  }
  return t;
}

}  // namespace bnbench
