// The R presets deepseaModel() and bpnetModel() (R/nn-zoo.R) as gdl::nn::ModelSpecs built in
// C++, for the standalone training benchmark (train_torch.cpp) on machines without R. Same
// layers, parameters, node order and names as the R presets; tests/cpp/torch/test_zoo.cpp checks
// the parameter counts against the published ones (tests/testthat/test-nn.R).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "nn/spec.hpp"

namespace gdlbench {

using gdl::nn::LayerSpec;
using gdl::nn::ModelSpec;

// Appends a layer reading `inputs` (default: the node before it) and returns its node id.
inline int add_layer(ModelSpec& m, LayerSpec s, std::vector<int> inputs = {}) {
  int id = static_cast<int>(m.inputs.size() + m.layers.size());
  s.inputs = inputs.empty() ? std::vector<int>{id - 1} : std::move(inputs);
  m.layers.push_back(std::move(s));
  return id;
}

inline LayerSpec conv1d(double filters, double kernel, const std::string& activation = "linear",
                        double dilation = 1, const std::string& name = "") {
  LayerSpec s;
  s.type = "conv1d";
  s.name = name;
  s.num = {{"filters", filters}, {"kernel", kernel}, {"dilation", dilation}};
  s.str = {{"activation", activation}, {"padding", "valid"}};
  return s;
}

inline LayerSpec dense(double units, const std::string& activation = "linear",
                       const std::string& name = "") {
  LayerSpec s;
  s.type = "dense";
  s.name = name;
  s.num = {{"units", units}};
  s.str = {{"activation", activation}};
  return s;
}

inline LayerSpec simple(const std::string& type, std::map<std::string, double> num = {},
                        const std::string& name = "") {
  LayerSpec s;
  s.type = type;
  s.name = name;
  s.num = std::move(num);
  return s;
}

// deepseaModel(inputLength, outputs): DeepSEA, Threshold(0, 1e-6) activations, sigmoid outputs.
inline ModelSpec deepsea(std::int64_t input_length = 1000, std::int64_t outputs = 919) {
  ModelSpec m;
  m.inputs = {{4, input_length}};
  add_layer(m, conv1d(320, 8, "threshold"));
  add_layer(m, simple("maxpool1d", {{"pool", 4}}));
  add_layer(m, simple("dropout", {{"rate", 0.2}}));
  add_layer(m, conv1d(480, 8, "threshold"));
  add_layer(m, simple("maxpool1d", {{"pool", 4}}));
  add_layer(m, simple("dropout", {{"rate", 0.2}}));
  add_layer(m, conv1d(960, 8, "threshold"));
  add_layer(m, simple("dropout", {{"rate", 0.5}}));
  add_layer(m, simple("flatten"));
  add_layer(m, dense(925, "threshold"));
  int out = add_layer(m, dense(static_cast<double>(outputs), "sigmoid"));
  m.outputs = {out};
  return m;
}

// The input length BPNet needs for `output_length` bp of profile (.bpnetTower).
inline std::int64_t bpnet_input_length(std::int64_t output_length, int layers,
                                       std::int64_t input_width, std::int64_t output_width) {
  return output_length + (input_width - 1) + ((std::int64_t{1} << (layers + 2)) - 4) +
         (output_width - 1);
}

// bpnetModel(inputLength, outputLength, filters, layers, inputFilterWidth, outputFilterWidth,
// heads = tasks): BPReveal's solo model with one head of `tasks` tasks. Outputs: the profile
// logits (outputLength x tasks, loss "mnll"), then the log counts (1, loss "counts").
inline ModelSpec bpnet(std::int64_t input_length, std::int64_t output_length, int filters = 64,
                       int layers = 9, std::int64_t input_width = 25,
                       std::int64_t output_width = 25, int tasks = 2) {
  auto need = bpnet_input_length(output_length, layers, input_width, output_width);
  if (input_length < need)
    gdl::fail("an input of ", input_length, " bp is too short for ", output_length,
              " bp of output: it needs ", need, " bp");
  ModelSpec m;
  m.inputs = {{4, input_length}};
  int h = 0;
  if (input_length > need) h = add_layer(m, simple("crop", {{"length", double(need)}}, "input_crop"), {0});
  h = add_layer(m, conv1d(filters, double(input_width), "relu", 1, "conv_input"), {h});
  for (int i = 1; i <= layers; ++i) {
    int c = add_layer(m, conv1d(filters, 3, "relu", double(1 << i), "conv_dil" + std::to_string(i)), {h});
    h = add_layer(m, simple("add", {}, "add" + std::to_string(i)), {h, c});
  }
  int profile = add_layer(m, conv1d(tasks, double(output_width), "linear", 1, "profile_head1"), {h});
  int pooled = add_layer(m, simple("global_avgpool1d", {}, "pool"), {h});
  int counts = add_layer(m, dense(1, "linear", "counts_head1"), {pooled});
  m.outputs = {profile, counts};
  return m;
}

}  // namespace gdlbench
