// Torch side of gdl::nn::Network, shared by nn/layers.cpp and train/trainer.cpp only.
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

// A dense layer's product x W^T + b (x: N x F). On the reference BLAS (Debian's LibTorch) large
// ones run through oneDNN's sgemm; dense_uses_onednn says whether this one does.
torch::Tensor dense_forward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b);
bool dense_uses_onednn(const torch::Tensor& x, const torch::Tensor& w);

// DeepLIFT's rescale rule (interpret/attribution.cpp). While a DeepLiftScope lives on a thread,
// the forward passes of that thread run on a batch [inputs; references] (first half the inputs,
// second half their references, pairwise) and every elementwise activation returns its usual
// value with the gradient (f(x) - f(r)) / (x - r) for both halves (f'(x) where |x - r| < 1e-6).
// Softmax / log_softmax activations throw (not elementwise); linear layers keep their gradient.
class DeepLiftScope {
 public:
  DeepLiftScope();
  ~DeepLiftScope();
  DeepLiftScope(const DeepLiftScope&) = delete;
  DeepLiftScope& operator=(const DeepLiftScope&) = delete;

 private:
  bool previous_;
};
bool deeplift_active();

// "cpu", "cuda", "cuda:1" -> torch::Device.
torch::Device torch_device(const std::string& device);

}  // namespace nn
}  // namespace gdl
