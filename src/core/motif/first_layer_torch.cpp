// First-layer activations and filters of a network (see first_layer.hpp).
#include <torch/torch.h>

#include <algorithm>

#include "common/error.hpp"
#include "common/interrupt.hpp"
#include "motif/first_layer.hpp"
#include "nn/network_impl.hpp"

namespace gdl::motif {

namespace {

nn::GraphModule& graph_of(const nn::Network& net) {
  auto& g = *net.impl().module;
  if (g.first_conv < 0) fail("the model has no convolution layer");
  return g;
}

}  // namespace

std::vector<double> first_layer_means(const nn::Network& net, const float* x, std::size_t n,
                                      std::size_t batch) {
  auto& g = graph_of(net);
  const auto& spec = g.spec;
  if (spec.inputs.size() != 1)
    fail("first-layer activations need a model with one input (it has ", spec.inputs.size(), ")");
  if (n == 0) fail("no sequences given");
  if (batch == 0) batch = 128;
  const auto& shape = spec.inputs[0];
  std::int64_t per = 1;
  for (auto d : shape) per *= d;
  const auto k_end = static_cast<std::size_t>(g.first_conv);
  torch::NoGradGuard no_grad;
  bool was_training = g.is_training();
  g.eval();
  auto params = g.parameters();
  auto device = params.empty() ? torch::Device(torch::kCPU) : params.front().device();
  std::vector<double> sums;
  double positions = 0;
  try {
    for (std::size_t b = 0; b < n; b += batch) {
      check_interrupt();
      auto m = static_cast<std::int64_t>(std::min(batch, n - b));
      std::vector<std::int64_t> full{m};
      full.insert(full.end(), shape.begin(), shape.end());
      auto t = torch::from_blob(const_cast<float*>(x + b * static_cast<std::size_t>(per)), full,
                                torch::kFloat32)
                   .to(device);
      // nodes 0 (the input) .. 1 + first_conv, as GraphModule::forward computes them
      std::vector<torch::Tensor> values{t};
      for (std::size_t k = 0; k <= k_end; ++k) {
        std::vector<torch::Tensor> in;
        for (int id : spec.layers[k].inputs) in.push_back(values[static_cast<std::size_t>(id)]);
        values.push_back(g.layers[k]->forward(in));
      }
      auto out = values.back().to(torch::kCPU, torch::kFloat64);  // (m, filters, L)
      auto s = out.sum(torch::IntArrayRef{0, 2}).contiguous();
      if (sums.empty()) sums.assign(static_cast<std::size_t>(s.numel()), 0.0);
      const double* p = s.data_ptr<double>();
      for (std::size_t f = 0; f < sums.size(); ++f) sums[f] += p[f];
      positions += static_cast<double>(m) * static_cast<double>(out.size(2));
    }
  } catch (...) {
    if (was_training) g.train();
    throw;
  }
  if (was_training) g.train();
  for (auto& v : sums) v /= positions;
  return sums;
}

void set_first_conv(nn::Network& net, const std::vector<float>& weight,
                    const std::vector<float>& bias) {
  const auto& g = graph_of(net);
  const auto& name = g.spec.layers[static_cast<std::size_t>(g.first_conv)].name;
  nn::Shape w, b;  // a conv1d layer's tensors: <name>.conv.weight, <name>.conv.bias
  for (const auto& [key, shape] : net.parameter_shapes()) {
    if (key == name + ".conv.weight") w = shape;
    if (key == name + ".conv.bias") b = shape;
  }
  if (w.size() != 3) fail("layer '", name, "' has no convolution weights");
  if (static_cast<std::size_t>(nn::numel(w)) != weight.size())
    fail("layer '", name, "' has ", nn::numel(w), " weights (", w[0], " filters x ", w[1],
         " channels x ", w[2], "); ", weight.size(), " given");
  if (!b.empty() && static_cast<std::size_t>(nn::numel(b)) != bias.size())
    fail("layer '", name, "' has ", nn::numel(b), " biases; ", bias.size(), " given");
  if (b.empty() && !bias.empty()) fail("layer '", name, "' has no bias (useBias = FALSE)");
  net.set_parameter(name + ".conv.weight", weight);
  if (!b.empty()) net.set_parameter(name + ".conv.bias", bias);
}

}  // namespace gdl::motif
