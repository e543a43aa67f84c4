// Layer specs written by hand in the Catch2 tests (torch tests build networks from them), and
// random one-hot inputs for those networks.
#pragma once
#include <cstddef>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "nn/spec.hpp"

namespace gdltest {
// One layer reading node `input`, with numeric and string parameters.
inline gdl::nn::LayerSpec layer(const std::string& type, std::map<std::string, double> num,
                                int input, std::map<std::string, std::string> str = {}) {
  gdl::nn::LayerSpec s;
  s.type = type;
  s.num = std::move(num);
  s.str = std::move(str);
  s.inputs = {input};
  return s;
}

// n random one-hot sequences, row-major n x 4 x len (channels-first), from `seed`.
inline std::vector<float> random_onehot(std::size_t n, std::size_t len, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<float> x(n * 4 * len, 0.0f);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t l = 0; l < len; ++l) x[i * 4 * len + (rng() % 4) * len + l] = 1.0f;
  return x;
}
}  // namespace gdltest
