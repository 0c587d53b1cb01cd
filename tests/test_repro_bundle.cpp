// Tests for npy and repro_bundle: .npy files round-trip and the strict reader names what is wrong
// (dtype, Fortran order, shape, truncated or overlong body); a FAILED case dumped with --dump
// re-runs through `check --inputs` to the same verdict, and a user's own tensors are checked.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "npy.h"
#include "repro_bundle.h"

namespace bnbench {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("bnbench_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Runs the bnbench executable with args; returns its exit code, output in log.
int bnbench(const std::string& args, const fs::path& log) {
  const std::string command = "cd '" BNBENCH_SOURCE_DIR "' && '" BNBENCH_BINARY_DIR "/bnbench' " +
                              args + " > '" + log.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const NpyError& e) {
    return e.what();
  }
  return "";
}

TEST(Npy, RoundTripsFloatAndDouble) {
  const fs::path dir = fresh_dir("npy_roundtrip");
  const std::vector<float> f = {1.5f, -2.0f, 3e-39f, 7.0f, 0.0f, -0.0f};
  write_npy((dir / "f.npy").string(), DType::f32, {2, 3}, f.data());
  NpyArray a = read_npy((dir / "f.npy").string());
  EXPECT_EQ(a.dtype, DType::f32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(a.get(i), f[i]);
  const std::vector<double> d = {0.1, 1e300};
  write_npy((dir / "d.npy").string(), DType::f64, {2}, d.data());
  a = read_npy((dir / "d.npy").string());
  EXPECT_EQ(a.dtype, DType::f64);
  EXPECT_EQ(npy_shape_text(a.shape), "(2,)");
  EXPECT_EQ(a.get(0), 0.1);
  EXPECT_EQ(fs::file_size(dir / "d.npy") % 16, 0u);  // header padded, body 16 bytes
}

// Writes a .npy file with the given header dict and body size in bytes.
void write_raw(const fs::path& path, const std::string& dict, size_t body) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  out.put(static_cast<char>(header.size() & 0xff)).put(static_cast<char>(header.size() >> 8));
  out << header << std::string(body, '\0');
}

TEST(Npy, StrictReaderNamesTheProblem) {
  const fs::path dir = fresh_dir("npy_strict");
  const std::string p = (dir / "bad.npy").string();
  write_raw(p, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", 8);
  EXPECT_NE(error_of([&] { read_npy(p); }).find("dtype '<i4'"), std::string::npos);
  write_raw(p, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8);
  EXPECT_NE(error_of([&] { read_npy(p); }).find("little-endian"), std::string::npos);
  write_raw(p, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16);
  EXPECT_NE(error_of([&] { read_npy(p); }).find("Fortran"), std::string::npos);
  write_raw(p, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 20);
  EXPECT_NE(error_of([&] { read_npy(p); }).find("truncated body"), std::string::npos);
  write_raw(p, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 12);
  EXPECT_NE(error_of([&] { read_npy(p); }).find("bytes after the data"), std::string::npos);
  std::ofstream(p) << "not numpy";
  EXPECT_NE(error_of([&] { read_npy(p); }).find("not a .npy file"), std::string::npos);
  write_raw(p, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 48);
  const std::string message = error_of([&] {
    read_npy_expecting(p, DType::f32, {2, 3}, "(N, C)");
  });
  EXPECT_NE(message.find("expected float32 with shape (2, 3) (N, C), got float64"),
            std::string::npos)
      << message;
}

// A FAILED case (a planted bug) dumped with --dump re-runs through --inputs to the same verdict.
TEST(ReproBundle, DumpedFailureReRunsToTheSameVerdict) {
  const fs::path dir = fresh_dir("bundle_rerun");
  const std::string id = "fwd_training/f32/nhwc/n3c4h5w7";
  EXPECT_EQ(bnbench("check --case " + id + " --backend test_planted_channels_last_stride --dump '" +
                        dir.string() + "' --out '" + (dir / "first.json").string() + "'",
                    dir / "first.log"),
            1)
      << slurp(dir / "first.log");
  fs::path bundle;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_directory()) bundle = entry.path();
  ASSERT_FALSE(bundle.empty()) << slurp(dir / "first.log");
  for (const char* file :
       {"x.npy", "gamma.npy", "beta.npy", "running_mean.npy", "running_var.npy", "out_y.npy",
        "out_save_var.npy", "ref_y.npy", "ref_running_var.npy", "problem.json", "command.txt"})
    EXPECT_TRUE(fs::exists(bundle / file)) << file;
  EXPECT_EQ(read_npy((bundle / "x.npy").string()).shape, (std::vector<int64_t>{3, 5, 7, 4}));
  EXPECT_NE(slurp(bundle / "command.txt").find("bnbench check --case '" + id + "'"),
            std::string::npos);
  const auto problem = nlohmann::json::parse(slurp(bundle / "problem.json"));
  EXPECT_EQ(problem["case"], id);
  EXPECT_EQ(problem["data_layout"], "channels_last");

  EXPECT_EQ(bnbench("check --inputs '" + bundle.string() + "' --out '" +
                        (dir / "again.json").string() + "'",
                    dir / "again.log"),
            1)
      << slurp(dir / "again.log");
  const auto first = nlohmann::json::parse(slurp(dir / "first.json"))["cases"][0];
  const auto again = nlohmann::json::parse(slurp(dir / "again.json"))["cases"][0];
  EXPECT_EQ(again["backend"], "test_planted_channels_last_stride");
  EXPECT_EQ(again["status"], "FAILED");
  EXPECT_EQ(again["check"]["worst_tensor"], first["check"]["worst_tensor"]);
  EXPECT_EQ(again["check"]["worst_ratio"], first["check"]["worst_ratio"]);
  EXPECT_NE(again["command"].get<std::string>().find("--inputs"), std::string::npos);

  // The same tensors pass on the correct path; a float64 x is refused with a clear message.
  EXPECT_EQ(bnbench("check --inputs '" + bundle.string() + "' --backend test_planted_correct",
                    dir / "correct.log"),
            0)
      << slurp(dir / "correct.log");
  const std::vector<double> wrong(3 * 5 * 7 * 4, 1.0);
  write_npy((bundle / "x.npy").string(), DType::f64, {3, 5, 7, 4}, wrong.data());
  EXPECT_EQ(bnbench("check --inputs '" + bundle.string() + "'", dir / "bad.log"), 2);
  EXPECT_NE(slurp(dir / "bad.log").find("expected float32 with shape (3, 5, 7, 4) (N, H, W, C)"),
            std::string::npos)
      << slurp(dir / "bad.log");
}

// A user's own tensors: problem.json with only "case" and x.npy; the rest comes from the fill.
TEST(ReproBundle, ChecksAUsersOwnTensors) {
  const fs::path dir = fresh_dir("bundle_user");
  std::ofstream(dir / "problem.json") << R"({"case": "fwd_training/f32/nchw/n2c3l4"})";
  std::vector<float> x(24);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 5) - 1.5f;
  write_npy((dir / "x.npy").string(), DType::f32, {2, 3, 4}, x.data());
  const BundleInfo info = read_bundle_info(dir.string());
  const Tensors t = read_bundle_inputs(dir.string(), info.problem, 1);
  EXPECT_EQ(t[TensorId::x].get(5), x[5]);
  EXPECT_EQ(bnbench("check --inputs '" + dir.string() + "' --backend naive", dir / "user.log"), 0)
      << slurp(dir / "user.log");
  fs::remove(dir / "x.npy");
  EXPECT_THROW(read_bundle_inputs(dir.string(), info.problem, 1), NpyError);
}

}  // namespace
}  // namespace bnbench
