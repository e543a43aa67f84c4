// Torch side of gdl::nn::Network (nn/network.cpp), for the LibTorch parts of the core that run
// a network's modules themselves: the layers, training, prediction, attributions.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "nn/layers.hpp"
#include "nn/network.hpp"

namespace gdl {
namespace nn {

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

// "cpu", "cuda", "cuda:1" -> torch::Device (resolve_device, nn/device.hpp, checks the choice).
inline torch::Device torch_device(const std::string& device) { return torch::Device(device); }

}  // namespace nn
}  // namespace gdl
