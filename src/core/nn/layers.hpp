// The layers of GenomicDL networks (nn/layers.cpp), for the graph that connects them
// (nn/network_impl.hpp, nn/network.cpp) and for rules that rewrite their gradients
// (nn/forward_rule.hpp). LibTorch side. Layers work on channels-first sequence tensors
// (N, C, L) or flat tensors (N, F).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "nn/activations.hpp"
#include "nn/spec.hpp"

namespace gdl {
namespace nn {

// One node of the graph: a module whose forward takes the tensors of its input nodes.
struct LayerModule : torch::nn::Module {
  virtual torch::Tensor forward(const std::vector<torch::Tensor>& in) = 0;
  std::int64_t keras_delta = 0;  // Keras count minus LibTorch count for this layer
};

// The module of one layer, from its spec (the parameters and defaults are listed at the top of
// layers.cpp) and the channels-first shapes of its inputs. Throws gdl::Error naming the layer
// when a parameter is missing or out of range or the inputs do not suit the layer.
std::shared_ptr<LayerModule> make_layer(const LayerSpec& s, const std::vector<Shape>& in);

// Where a conv1d / conv_transpose1d layer reads its input (checked as make_layer checks it):
// output position o of a conv1d reads the input positions o * stride - pad_left + j * dilation,
// j = 0 .. kernel - 1, positions outside the input reading pad_value. For conv_transpose1d,
// pad_left = pad_right is LibTorch's padding (pad_value unused). `in` is the channels-first input.
struct ConvGeometry {
  std::int64_t kernel = 1, stride = 1, dilation = 1, pad_left = 0, pad_right = 0;
  double pad_value = 0;
};
ConvGeometry conv_geometry(const LayerSpec& s, const Shape& in, bool transpose);

// Activation `a` of x as it is defined (no forward rule); `threshold` for Activation::Threshold
// (DeepSEA's Threshold(0, 1e-6)). Softmax and log_softmax run over the channels (dimension 1).
torch::Tensor activate(Activation a, const torch::Tensor& x, double threshold);

// A dense layer's product x W^T + b (x: N x F). On the reference BLAS (Debian's LibTorch) large
// ones run through oneDNN's sgemm (nn/blas.hpp); dense_uses_onednn says whether this one does.
torch::Tensor dense_forward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b);
bool dense_uses_onednn(const torch::Tensor& x, const torch::Tensor& w);

}  // namespace nn
}  // namespace gdl
