// Torch side of gdl::nn::Network (nn/network.cpp), for the LibTorch parts of the core that run
// a network's modules themselves: the layers, training, prediction, attributions.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <vector>

#include "nn/network.hpp"

namespace gdl {
namespace nn {

// One node of the graph: a module whose forward takes the tensors of its input nodes.
struct LayerModule : torch::nn::Module {
  virtual torch::Tensor forward(const std::vector<torch::Tensor>& in) = 0;
  std::int64_t keras_delta = 0;  // Keras count minus LibTorch count for this layer
};

struct GraphModule : torch::nn::Module {
  ModelSpec spec;
  std::vector<std::shared_ptr<LayerModule>> layers;  // layer k is node spec.inputs.size() + k
  int first_conv = -1;                               // layer index of the first convolution
  // Network outputs, sequence outputs as (N, L, C).
  std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& inputs,
                                     const Knockout* knockout = nullptr);
};

struct NetworkImpl {
  std::shared_ptr<GraphModule> module;
  std::vector<LayerInfo> infos;
  std::vector<Shape> output_shapes;
};

// "cpu", "cuda", "cuda:1" -> torch::Device (nn/device.cpp).
torch::Device torch_device(const std::string& device);

}  // namespace nn
}  // namespace gdl
