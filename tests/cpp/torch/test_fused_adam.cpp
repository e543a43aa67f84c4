#include <catch2/catch.hpp>

#include <torch/torch.h>

#include "train/fused_adam.hpp"

using namespace gdl;

namespace {

// Runs `steps` Adam steps on two copies of the same parameters with the same gradients, one
// with torch::optim::Adam and one with FusedAdam; returns the largest difference relative to
// the parameter's magnitude (float32 rounding in another association: a few units in the last
// place) and checks that the steps moved the parameters by far more than that.
double compare(double weight_decay, int steps, std::int64_t n, int threads) {
  at::set_num_threads(threads);
  torch::manual_seed(3);
  auto init = torch::randn({n});
  auto a = init.clone().set_requires_grad(true);
  auto b = init.clone().set_requires_grad(true);
  auto small = torch::randn({3, 5}).set_requires_grad(true);  // a second, tiny parameter
  auto small_b = small.detach().clone().set_requires_grad(true);
  torch::optim::Adam ref({a, small}, torch::optim::AdamOptions(2e-3).weight_decay(weight_decay));
  train::FusedAdam fused({b, small_b}, torch::optim::AdamOptions(2e-3).weight_decay(weight_decay));
  for (int s = 0; s < steps; ++s) {
    auto g = torch::randn({n}) * (s + 1);
    auto gs = torch::randn({3, 5});
    a.mutable_grad() = g.clone();
    b.mutable_grad() = g.clone();
    small.mutable_grad() = gs.clone();
    small_b.mutable_grad() = gs.clone();
    ref.step();
    fused.step();
    if (s == 2) {  // learning rate changed between steps, as reduceLROnPlateau does
      for (auto& grp : ref.param_groups()) grp.options().set_lr(5e-4);
      for (auto& grp : fused.param_groups()) grp.options().set_lr(5e-4);
    }
  }
  torch::NoGradGuard ng;
  auto rel = [](const torch::Tensor& x, const torch::Tensor& y) {
    return ((x - y).abs() / (1 + x.abs())).max().item<double>();
  };
  auto diff = std::max(rel(a, b), rel(small, small_b));
  REQUIRE(diff < 1e-3 * (a - init).abs().max().item<double>());
  return diff;
}

}  // namespace

TEST_CASE("FusedAdam takes the steps of torch::optim::Adam", "[train][adam]") {
  REQUIRE(compare(0.0, 6, 100000, 2) < 1e-6);
  REQUIRE(compare(0.01, 6, 100000, 2) < 1e-6);
  REQUIRE(compare(0.0, 4, 1000, 1) < 1e-6);
}

TEST_CASE("FusedAdam skips parameters without a gradient", "[train][adam]") {
  auto p = torch::ones({4}).set_requires_grad(true);
  auto q = torch::ones({4}).set_requires_grad(true);
  train::FusedAdam opt({p, q}, torch::optim::AdamOptions(0.1));
  p.mutable_grad() = torch::ones({4});
  opt.step();
  torch::NoGradGuard ng;
  REQUIRE(p[0].item<float>() == Approx(0.9).epsilon(1e-6));  // first step moves by lr
  REQUIRE(q[0].item<float>() == 1.0f);
}
