// Layer specs written by hand in the Catch2 tests (torch tests build networks from them).
#pragma once
#include <map>
#include <string>
#include <utility>

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
}  // namespace gdltest
