// FusedAdam: torch::optim::Adam's update with each parameter's update done in one pass over its
// memory (train/ only; includes LibTorch).
#pragma once
#include <torch/torch.h>

#include <cmath>
#include <unordered_map>
#include <vector>

#include "common/error.hpp"

namespace gdl {
namespace train {

// Adam (L2 weight decay added to the gradient, no amsgrad) with each parameter updated in one
// pass over its memory, in parallel over the intra-op threads. torch::optim::Adam runs eight
// tensor operations per parameter (two of them allocating temporaries the size of the
// parameter); the arithmetic here is the same, element by element (float, in torch's order):
//   g = grad + wd p;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g g;
//   p = p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
// CPU float32 contiguous parameters; others (CUDA) take torch::optim::Adam's tensor operations.
class FusedAdam : public torch::optim::Adam {
 public:
  FusedAdam(std::vector<torch::Tensor> params, torch::optim::AdamOptions options)
      : torch::optim::Adam(std::move(params), options) {}

  torch::Tensor step(LossClosure closure = nullptr) override {
    if (closure) fail("FusedAdam::step takes no closure");
    torch::NoGradGuard no_grad;
    for (auto& group : param_groups()) {
      auto& opt = static_cast<torch::optim::AdamOptions&>(group.options());
      for (auto& p : group.params())
        if (p.grad().defined()) update(p, opt);
    }
    return {};
  }

 private:
  struct State {
    torch::Tensor m, v;
    std::int64_t t = 0;
  };
  std::unordered_map<const void*, State> moments_;

  static bool fusable(const torch::Tensor& p) {
    const auto& g = p.grad();
    return p.device().is_cpu() && p.scalar_type() == torch::kFloat32 && p.is_contiguous() &&
           g.device().is_cpu() && g.scalar_type() == torch::kFloat32 && !g.is_sparse() &&
           g.is_contiguous() && g.numel() == p.numel();
  }

  void update(torch::Tensor& p, const torch::optim::AdamOptions& opt) {
    auto& s = moments_[p.unsafeGetTensorImpl()];
    if (!s.m.defined()) {
      s.m = torch::zeros_like(p, torch::MemoryFormat::Contiguous);
      s.v = torch::zeros_like(p, torch::MemoryFormat::Contiguous);
    }
    s.t += 1;
    const double beta1 = std::get<0>(opt.betas()), beta2 = std::get<1>(opt.betas());
    const double bc1 = 1 - std::pow(beta1, static_cast<double>(s.t));
    const double bc2 = 1 - std::pow(beta2, static_cast<double>(s.t));
    const float b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2);
    const float a1 = static_cast<float>(1 - beta1), a2 = static_cast<float>(1 - beta2);
    const float wd = static_cast<float>(opt.weight_decay());
    const float eps = static_cast<float>(opt.eps());
    const float sbc2 = static_cast<float>(std::sqrt(bc2));
    const float neg_step = static_cast<float>(-(opt.lr() / bc1));
    const bool decay = opt.weight_decay() != 0;
    if (!fusable(p)) {  // torch::optim::Adam's tensor operations
      auto grad = decay ? p.grad().add(p, opt.weight_decay()) : p.grad();
      s.m.mul_(beta1).add_(grad, 1 - beta1);
      s.v.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
      auto denom = (s.v.sqrt() / std::sqrt(bc2)).add_(opt.eps());
      p.addcdiv_(s.m, denom, -(opt.lr() / bc1));
      return;
    }
    float* pp = p.data_ptr<float>();
    const float* gp = p.grad().data_ptr<float>();
    float* mp = s.m.data_ptr<float>();
    float* vp = s.v.data_ptr<float>();
    at::parallel_for(0, p.numel(), 1 << 15, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) {
        float g = decay ? gp[i] + wd * pp[i] : gp[i];
        float m = mp[i] * b1 + a1 * g;
        float v = vp[i] * b2 + a2 * g * g;
        mp[i] = m;
        vp[i] = v;
        pp[i] = pp[i] + neg_step * (m / (std::sqrt(v) / sbc2 + eps));
      }
    });
  }
};

}  // namespace train
}  // namespace gdl
