// EvalScope: a module moved to a device and put in evaluation mode for the lifetime of the
// scope, then moved back to the CPU and restored to training mode if it was training. Shared by
// region prediction (predict.cpp) and variant scoring (variants.cpp).
#pragma once
#include <torch/torch.h>

#include "nn/network_impl.hpp"

namespace gdl {
namespace train {

struct EvalScope {
  nn::GraphModule& g;
  bool moved, was_training;
  EvalScope(nn::GraphModule& m, const torch::Device& dev)
      : g(m), moved(!dev.is_cpu()), was_training(m.is_training()) {
    g.eval();
    if (moved) g.to(dev);
  }
  ~EvalScope() {
    if (moved) g.to(torch::kCPU);
    if (was_training) g.train();
  }
  EvalScope(const EvalScope&) = delete;
  EvalScope& operator=(const EvalScope&) = delete;
};

}  // namespace train
}  // namespace gdl
