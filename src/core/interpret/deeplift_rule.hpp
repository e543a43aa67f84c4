// DeepLIFT's rescale rule (Shrikumar et al. 2017) for the layers of gdl::nn networks, installed
// through nn/forward_rule.hpp: while a DeepLiftScope lives on a thread, the forward passes of
// that thread run on a batch [inputs; references] (first half the inputs, second half their
// references, pairwise) and every elementwise activation returns its usual value with the
// gradient (f(x) - f(r)) / (x - r) for both halves (f'(x) where |x - r| < 1e-6); max pooling
// sends f(x) - f(r) back to the two argmaxes (see deeplift_rule.cpp). Softmax / log_softmax
// activations throw (not elementwise); linear layers keep their gradient. Used by
// interpret/attribution.cpp (DeepSHAP); the interface is torch-free.
#pragma once
#include <memory>

namespace gdl {
namespace interpret {

class DeepLiftScope {
 public:
  DeepLiftScope();
  ~DeepLiftScope();
  DeepLiftScope(const DeepLiftScope&) = delete;
  DeepLiftScope& operator=(const DeepLiftScope&) = delete;

 private:
  struct Installed;  // the nn::ForwardRuleScope
  std::unique_ptr<Installed> installed_;
};

}  // namespace interpret
}  // namespace gdl
