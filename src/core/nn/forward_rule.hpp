// The hook through which another concern changes how the nonlinear steps of the layers pass
// gradients, on one thread, without nn/ knowing about it: DeepLIFT's rescale rule
// (interpret/deeplift_rule.cpp) installs itself here for the forward passes of an attribution.
// Linear steps (convolutions, dense layers, average pooling, linear activations) never consult
// it; the other activations, max pooling and the products inside LSTM / GRU layers do, for
// tensors that carry gradients (a rule only changes gradients: the others take the plain step).
#pragma once
#include <torch/torch.h>

#include <cstdint>

#include "nn/activations.hpp"

namespace gdl {
namespace nn {

class ForwardRule {
 public:
  virtual ~ForwardRule() = default;
  // Activation `a` (never Linear) of x; `threshold` is that of Activation::Threshold. The plain
  // function is nn::activate (nn/layers.hpp).
  virtual torch::Tensor activation(const ActivationInfo& a, const torch::Tensor& x,
                                   double threshold) const = 0;
  // Max pooling of x (N, C, L) over windows of `pool` positions every `stride`; pool = 0: over
  // all positions, the length kept as a dimension of 1.
  virtual torch::Tensor max_pool(const torch::Tensor& x, std::int64_t pool,
                                 std::int64_t stride) const = 0;
  // The elementwise product a * b of two tensors that both carry gradients (the gates and
  // states of recurrent layers, which run step by step, as sigmoid/tanh activations and these
  // products, while a rule is installed).
  virtual torch::Tensor product(const torch::Tensor& a, const torch::Tensor& b) const = 0;
};

// Installs `rule` for the forward passes of this thread while the scope lives (scopes nest: the
// previous rule comes back). The rule must outlive the scope.
class ForwardRuleScope {
 public:
  explicit ForwardRuleScope(const ForwardRule& rule);
  ~ForwardRuleScope();
  ForwardRuleScope(const ForwardRuleScope&) = delete;
  ForwardRuleScope& operator=(const ForwardRuleScope&) = delete;

 private:
  const ForwardRule* previous_;
};

// The rule installed on this thread, or nullptr.
const ForwardRule* forward_rule();

}  // namespace nn
}  // namespace gdl
