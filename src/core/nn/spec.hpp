// Architecture specs: plain structs, torch-free and JSON-free, built by the R bridge from R lists
// (and by C++ callers directly). A model is a graph of nodes; a sequential model is the chain
// in which node k reads node k-1. Shapes exclude the batch axis. Sequence tensors are
// channels-first {C, L} inside the network; the API reports them Keras-style as (L, C).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gdl {
namespace nn {

using Shape = std::vector<std::int64_t>;

// Number of values of a tensor of shape s (1 for a scalar's empty shape).
inline std::int64_t numel(const Shape& s) {
  std::int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

// One layer. `type` is one of: conv1d, conv_transpose1d, maxpool1d, avgpool1d,
// global_maxpool1d, global_avgpool1d, dropout, batchnorm, lstm, gru, dense, flatten, reshape,
// activation, add, concatenate, crop, logsumexp. Parameters are looked up by name in `num`
// (numbers), `str` (strings) and `ints` (integer vectors); absent ones take the defaults
// documented in nn/layers.cpp (activation names: nn/activations.hpp).
struct LayerSpec {
  std::string type;
  std::string name;
  std::vector<int> inputs;  // node ids: 0 .. n_inputs-1 are the model inputs, then the layers
  std::map<std::string, double> num;
  std::map<std::string, std::string> str;
  std::map<std::string, std::vector<std::int64_t>> ints;
  bool trainable = true;

  double number(const std::string& key, double fallback) const {
    auto it = num.find(key);
    return it == num.end() ? fallback : it->second;
  }
  std::string string(const std::string& key, const std::string& fallback) const {
    auto it = str.find(key);
    return it == str.end() ? fallback : it->second;
  }
};

struct ModelSpec {
  std::vector<Shape> inputs;  // per input, channels-first {C, L} (DNA: {4, L}) or {F}
  std::vector<LayerSpec> layers;  // layer k is node inputs.size() + k
  std::vector<int> outputs;       // node ids of the outputs, in order
};

// First-layer convolution of a model (for motif extraction and filter knockout).
struct FirstConv {
  std::vector<float> weight;  // filters x channels x kernel, row-major
  std::vector<float> bias;    // filters (zeros when the layer has no bias)
  std::int64_t filters = 0, channels = 0, kernel = 0, dilation = 1;
};

// Replace channel `filter` (0-based) of the first layer's output (after its activation) by `value`.
struct Knockout {
  int filter = -1;
  float value = 0.0f;
};

struct LayerInfo {
  std::string name, type;
  Shape output;  // Keras-style: (L, C) for sequences, (F) for flat tensors
  std::int64_t params = 0;        // LibTorch's count
  std::int64_t keras_params = 0;  // the same layer in Keras (one bias per LSTM gate)
  bool trainable = true;
  std::vector<int> inputs;
};

}  // namespace nn
}  // namespace gdl
