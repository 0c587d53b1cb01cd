// Fill: seeded input data for a case, named so that any config can ask for it.
//
// Invariant: every value depends only on (seed, fill name, problem shape, tensor, logical index
// (n, c, s) or feature), never on the layout or the thread count, so the same case in nchw and
// nhwc at 1 or T threads sees exactly the same logical tensors. Saved statistics given to
// backward cases are the float64 batch statistics of x rounded to the dtype. The blocked layout's
// padding channels are zero.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "problem.h"
#include "tensor.h"

namespace bnbench {

struct FillInfo {
  std::string name;
  std::string description;
};

// Every named fill, in a stable order.
const std::vector<FillInfo>& list_fills();
bool fill_exists(const std::string& name);

// Fills every input tensor the problem has (x, dy, gamma, beta, running and saved statistics).
// Throws std::invalid_argument for an unknown fill name.
void fill_inputs(const Problem& p, uint64_t seed, Tensors& t);

// Counter-based random numbers: a pure function of (seed, stream, index).
uint64_t mix_bits(uint64_t seed, uint64_t stream, uint64_t index);
double uniform01(uint64_t seed, uint64_t stream, uint64_t index);         // in (0, 1)
double standard_normal(uint64_t seed, uint64_t stream, uint64_t index);  // N(0, 1)

}  // namespace bnbench
