// Repro bundle: one case's inputs, outputs and reference as .npy files, with problem.json and the
// one-line command (command.txt), written by `--dump DIR`; and the reader behind
// `bnbench check --inputs DIR`, which checks a case on the tensors of such a folder (a dumped
// bundle or a user's own files).
//
// Invariant: a bundle re-runs through --inputs to the same verdict. Data tensors (x, dy, y, dx)
// are stored in the logical shape of the problem's layout family: (N, C, spatial...) for nchw and
// nchw16c (the padding dropped), (N, spatial..., C) for nhwc; statistics and affine tensors as
// (F,), F = C (spatial) or C * S (per activation). Inputs keep the dtype, outputs are out_<name>
// in the dtype, the float64 reference is ref_<name>.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config.h"
#include "problem.h"
#include "record.h"
#include "reference.h"
#include "tensor.h"

namespace bnbench {

// The input tensors a problem reads (x, dy, gamma, beta, running and saved statistics).
std::vector<TensorId> input_tensors(const Problem& p);

// Writes the bundle of a checked case under dir (one folder per case) and returns its path.
std::string write_bundle(const std::string& dir, const CaseRecord& record, const Tensors& inputs,
                         const Tensors& outputs, const Reference& reference);

// What problem.json of a bundle says; only "case" is required.
struct BundleInfo {
  Problem problem;
  std::string backend;  // empty when not given
  int threads = 0;      // 0 when not given
  uint64_t seed = 1;
};
// Throws std::runtime_error naming the file and what is missing.
BundleInfo read_bundle_info(const std::string& dir);

// Inputs for p: the problem's fill (seed) overwritten by every <name>.npy the folder has. x.npy is
// required; saved statistics missing from the folder are recomputed from its x. Throws NpyError
// for a wrong dtype, shape or file.
Tensors read_bundle_inputs(const std::string& dir, const Problem& p, uint64_t seed);

// The one-case config of `check --inputs DIR` (path and name: the folder).
Config bundle_config(const std::string& dir);

// `bnbench check --inputs DIR --backend B --threads T`.
std::string inputs_command(const std::string& dir, const std::string& backend, int threads);

}  // namespace bnbench
