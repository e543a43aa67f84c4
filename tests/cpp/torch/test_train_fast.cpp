#include <catch2/catch.hpp>

#include <torch/torch.h>

#include <cmath>
#include <memory>
#include <random>

#include "data/array_source.hpp"
#include "nn/device.hpp"
#include "nn/network.hpp"
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

TEST_CASE("dense layers split over threads give the numbers of one thread", "[train][dense]") {
  // wide enough (batch x inputs x units >= 2^24) for the split products on a one-thread BLAS
  const std::int64_t len = 1024;
  const std::size_t n = 128;
  auto d = std::make_shared<data::ArrayData>();
  d->n = n;
  d->x_shape = {4, len};
  d->target_shapes = {{1}};
  std::mt19937 rng(5);
  std::normal_distribution<float> norm;
  d->x.resize(n * 4 * static_cast<std::size_t>(len));
  for (auto& v : d->x) v = norm(rng);
  d->targets.assign(1, std::vector<float>(n));
  for (auto& v : d->targets[0]) v = norm(rng);
  data::ArraySource src(d, {64, true, 2});
  auto dense = [](double units, int input, const std::string& act) {
    nn::LayerSpec s;
    s.type = "dense";
    s.num = {{"units", units}};
    s.str = {{"activation", act}};
    s.inputs = {input};
    return s;
  };
  nn::ModelSpec m;
  m.inputs = {{4, len}};
  nn::LayerSpec flat;
  flat.type = "flatten";
  flat.inputs = {0};
  m.layers = {flat, dense(64, 1, "relu"), dense(4096, 2, "relu"), dense(1, 3, "linear")};
  m.outputs = {4};
  train::TrainOptions o;
  o.epochs = 1;
  o.losses = {{"mse", 1.0, -1}};
  o.workers = 0;
  std::vector<std::vector<float>> preds;
  std::vector<double> losses;
  for (int threads : {1, 2}) {
    nn::set_torch_threads(threads);
    nn::Network net(m, 4);
    auto r = train::fit(net, src, nullptr, o, {});
    losses.push_back(r.history[0].loss);
    preds.push_back(net.predict({d->x.data()}, n, 64, "cpu")[0]);
  }
  nn::set_torch_threads(2);
  REQUIRE(std::isfinite(losses[0]));
  REQUIRE(losses[0] == losses[1]);
  REQUIRE(preds[0] == preds[1]);
}
