// Nearest name: the "did you mean" suggestion used by error messages.
//
// Invariant: one edit-distance implementation for every message that suggests a name.
#pragma once

#include <string>
#include <vector>

namespace bnbench {

// The candidate closest to word by Levenshtein distance (first on a tie); "" without candidates.
std::string nearest_name(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace bnbench
