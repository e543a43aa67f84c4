// The activation functions of GenomicDL layers: one table of their names and properties, read by
// the layers (nn/layers.cpp), by DeepLIFT (interpret/) and, through the bridge, by the R API,
// which validates and documents `activation =` from it. Torch-free.
#pragma once
#include <string>
#include <vector>

namespace gdl {
namespace nn {

enum class Activation {
  Linear, Relu, Sigmoid, Tanh, Softmax, LogSoftmax, Exp, Softplus, Elu, Gelu, HardSigmoid,
  Threshold
};

struct ActivationInfo {
  Activation kind;
  std::string name;                  // the name a spec holds (R stores this one)
  std::vector<std::string> aliases;  // other accepted names: Keras' "exponential", "none"
  bool elementwise;                  // f works on each value alone (softmax does not)
  bool non_negative;                 // f(x) >= 0 for every x (variant logFC is defined)
};

// Every activation, in the order the R API lists them.
const std::vector<ActivationInfo>& activations();

// The entry whose name or alias is `name`; otherwise throws gdl::Error listing the names, its
// message starting with `where` (e.g. "layer 'conv1d_1'") when given.
const ActivationInfo& activation_info(const std::string& name, const std::string& where = "");

}  // namespace nn
}  // namespace gdl
