#include "torch_catch.hpp"

#include <cmath>
#include <memory>
#include <random>

#include "data/array_source.hpp"
#include "nn/device.hpp"
#include "nn/layers.hpp"
#include "nn/network.hpp"
#include "nn/network_impl.hpp"
#include "train/fused_adam.hpp"
#include "train/trainer.hpp"

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

TEST_CASE("dense layers through oneDNN's sgemm give torch's numbers", "[train][dense]") {
  at::set_num_threads(2);
  torch::manual_seed(7);
  // DeepSEA-like: wide input, batch 16 (N x F x units >= 2^20 takes oneDNN on the reference BLAS)
  for (bool bias : {true, false}) {
    auto x = torch::randn({16, 5000}).set_requires_grad(true);
    auto w = (torch::randn({300, 5000}) * 0.02).set_requires_grad(true);
    auto b = bias ? (torch::randn({300}) * 0.1).set_requires_grad(true) : torch::Tensor();
    auto g = torch::randn({16, 300});
    auto y = nn::dense_forward(x, w, b);
    y.backward(g);
    auto gx = x.grad().clone(), gw = w.grad().clone();
    auto gb = bias ? b.grad().clone() : torch::Tensor();
    x.mutable_grad() = torch::Tensor();
    w.mutable_grad() = torch::Tensor();
    if (bias) b.mutable_grad() = torch::Tensor();
    auto ref = torch::nn::functional::linear(x, w, b);
    ref.backward(g);
    auto close = [](const torch::Tensor& u, const torch::Tensor& v) {
      return ((u - v).abs().max() / v.abs().max()).item<double>();
    };
    REQUIRE(y.sizes() == ref.sizes());
    REQUIRE(close(y, ref) < 1e-5);
    REQUIRE(close(gx, x.grad()) < 1e-5);
    REQUIRE(close(gw, w.grad()) < 1e-5);
    if (bias) REQUIRE(close(gb, b.grad()) < 1e-5);
  }
  // inference (no autograd) and a frozen weight take the same path
  torch::NoGradGuard ng;
  auto x = torch::randn({16, 5000}), w = torch::randn({300, 5000});
  REQUIRE((nn::dense_forward(x, w, {}) - torch::mm(x, w.t())).abs().max().item<double>() <
          1e-4 * torch::mm(x, w.t()).abs().max().item<double>());
  // which path this machine takes (Debian's LibTorch: oneDNN), for the log
  WARN("dense layers use oneDNN's sgemm here: " << (nn::dense_uses_onednn(x, w) ? "yes" : "no"));
}
