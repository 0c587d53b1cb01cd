// NPY: NumPy's .npy file format (version 1.0 written; 1.0, 2.0 and 3.0 read), for the repro
// bundles a user loads with numpy.load and the tensors `bnbench check --inputs` reads back.
//
// Invariant: the writer emits little-endian C-order float32/float64 arrays that numpy.load reads
// as they are; the reader accepts exactly that and nothing else, and every rejection says which
// file and what is wrong (dtype, Fortran order, shape, a truncated or overlong body), so a user's
// hand-made file is either read as meant or refused with a message they can act on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "problem.h"

namespace bnbench {

class NpyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct NpyArray {
  DType dtype = DType::f32;
  std::vector<int64_t> shape;
  std::vector<std::byte> data;  // C order, little-endian
  int64_t count() const;
  double get(int64_t i) const;
};

// "(2, 3, 4)"; "()" for a scalar, "(5,)" for one dimension, as NumPy prints shapes.
std::string npy_shape_text(const std::vector<int64_t>& shape);
// "float32" or "float64".
std::string npy_dtype_text(DType t);

// Writes count = product(shape) values of the dtype from data. Throws NpyError when the file
// cannot be written.
void write_npy(const std::string& path, DType dtype, const std::vector<int64_t>& shape,
               const void* data);
// Reads a .npy file; throws NpyError naming the file and the problem.
NpyArray read_npy(const std::string& path);
// Reads and checks the dtype and the shape: `x.npy: expected float32 with shape (2, 3, 4, 4)
// (N, C, H, W), got float64 with shape (2, 3, 4, 4)`. `axes` names the dimensions for messages.
NpyArray read_npy_expecting(const std::string& path, DType dtype, const std::vector<int64_t>& shape,
                            const std::string& axes);

}  // namespace bnbench
