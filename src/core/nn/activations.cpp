// The activation table (see activations.hpp); the functions themselves are in nn/layers.cpp.
#include "nn/activations.hpp"

#include "common/error.hpp"

namespace gdl {
namespace nn {

const std::vector<ActivationInfo>& activations() {
  using A = Activation;
  // non_negative: relu, sigmoid, softmax, exp, softplus, hard_sigmoid (clamped to [0, 1]) and
  // DeepSEA's threshold (0 below the threshold) never go below 0.
  static const std::vector<ActivationInfo> table{
      {A::Linear, "linear", {"none"}, true, false},
      {A::Relu, "relu", {}, true, true},
      {A::Sigmoid, "sigmoid", {}, true, true},
      {A::Tanh, "tanh", {}, true, false},
      {A::Softmax, "softmax", {}, false, true},
      {A::LogSoftmax, "log_softmax", {}, false, false},
      {A::Exp, "exp", {"exponential"}, true, true},
      {A::Softplus, "softplus", {}, true, true},
      {A::Elu, "elu", {}, true, false},
      {A::Gelu, "gelu", {}, true, false},
      {A::HardSigmoid, "hard_sigmoid", {}, true, true},
      {A::Threshold, "threshold", {}, true, true},
  };
  return table;
}

const ActivationInfo& activation_info(const std::string& name, const std::string& where) {
  std::string known;
  for (const auto& a : activations()) {
    if (a.name == name) return a;
    for (const auto& alias : a.aliases)
      if (alias == name) return a;
    known += (known.empty() ? "" : ", ") + a.name;
  }
  fail(where, where.empty() ? "" : ": ", "unknown activation '", name, "' (use ", known, ")");
}

}  // namespace nn
}  // namespace gdl
