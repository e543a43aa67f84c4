// DeepLIFT's rescale rule as an nn::ForwardRule (see deeplift_rule.hpp).
#include "interpret/deeplift_rule.hpp"

#include <torch/torch.h>

#include <tuple>

#include "common/error.hpp"
#include "nn/forward_rule.hpp"
#include "nn/layers.hpp"

namespace gdl {
namespace interpret {

namespace {

// The size of each half of a batch [inputs; references] (the batches the rules work on).
std::int64_t half_of(const torch::Tensor& x) {
  if (x.size(0) % 2 != 0) fail("DeepLIFT needs a batch of inputs and references of equal sizes");
  return x.size(0) / 2;
}

// The rescale rule of an elementwise activation f on a batch [inputs; references]: the value
// f(x), the gradient (f(x) - f(r)) / (x - r) for both halves, f'(x) where |x - r| < 1e-6.
torch::Tensor rescale(const nn::ActivationInfo& a, const torch::Tensor& x, double threshold) {
  if (!a.elementwise)
    fail("DeepLIFT does not support the ", a.name, " activation (not elementwise); attribute the "
         "logits of a model without it");
  auto f = [&](const torch::Tensor& v) { return nn::activate(a.kind, v, threshold); };
  torch::Tensor y;
  {
    torch::NoGradGuard no_grad;
    y = f(x);
  }
  const auto n = half_of(x);
  auto xd = x.detach(), yd = y.detach();
  torch::Tensor slope;
  {
    torch::AutoGradMode on(true);
    auto xv = xd.narrow(0, 0, n).clone().requires_grad_(true);
    auto yv = f(xv);
    slope = torch::autograd::grad({yv}, {xv}, {torch::ones_like(yv)})[0].detach();
  }
  torch::NoGradGuard no_grad;
  auto dx = xd.narrow(0, 0, n) - xd.narrow(0, n, n);
  auto dy = yd.narrow(0, 0, n) - yd.narrow(0, n, n);
  auto small = dx.abs() < 1e-6;
  auto ratio = torch::where(small, slope, dy / torch::where(small, torch::ones_like(dx), dx));
  ratio = torch::cat({ratio, ratio}, 0);
  torch::AutoGradMode on(true);
  return yd + (x - xd) * ratio;  // the value of f, the gradient `ratio`
}

// DeepLIFT's rescale rule for max pooling (Shrikumar et al. 2017, as captum's and tangermeme's
// maxpool rule) on a batch [inputs; references]. With M = max(f(x), f(r)) per output, the
// difference f(x) - f(r) = (M - f(r)) + (f(x) - M) is sent back to the input's argmax and to
// the reference's argmax, and each input position's multiplier is what it received over
// x - r (the plain max-pool gradient where |x - r| < 1e-6). Contributions then sum exactly to
// f(x) - f(r). pool = 0: global max pooling (output length 1, kept as a dimension).
struct MaxPoolRescale : torch::autograd::Function<MaxPoolRescale> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               std::int64_t pool, std::int64_t stride) {
    (void)half_of(x);  // a paired batch
    torch::Tensor y, idx;
    if (pool == 0) std::tie(y, idx) = x.max(2, /*keepdim=*/true);
    else std::tie(y, idx) = torch::max_pool1d_with_indices(x, {pool}, {stride});
    ctx->save_for_backward({x, y, idx});
    return y;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad) {
    auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& y = saved[1];
    const auto& idx = saved[2];
    const auto n = half_of(x);
    auto g = grad[0];
    auto yx = y.narrow(0, 0, n), yr = y.narrow(0, n, n);
    auto top = torch::max(yx, yr);
    auto to_x = top - yr, to_r = yx - top;  // shares of f(x) - f(r) for the two argmaxes
    auto ix = idx.narrow(0, 0, n), ir = idx.narrow(0, n, n);
    auto dx = x.narrow(0, 0, n) - x.narrow(0, n, n);
    auto scatter = [&](const torch::Tensor& index, const torch::Tensor& v) {
      return torch::zeros_like(dx).scatter_add_(2, index, v);
    };
    auto small = dx.abs() < 1e-6;
    auto safe = torch::where(small, torch::ones_like(dx), dx);
    auto half = [&](const torch::Tensor& gh, const torch::Tensor& own) {
      auto received = scatter(ix, gh * to_x) + scatter(ir, gh * to_r);
      return torch::where(small, scatter(own, gh), received / safe);
    };
    auto gx = g.narrow(0, 0, n), gr = g.narrow(0, n, n);
    return {torch::cat({half(gx, ix), half(gr, ir)}, 0), torch::Tensor(), torch::Tensor()};
  }
};

// The product z = a * b of two terms that both depend on the input, on a batch [inputs;
// references]: z(x) - z(r) = mean(b) (a(x) - a(r)) + mean(a) (b(x) - b(r)) exactly, with mean(v)
// = (v(x) + v(r)) / 2. These are the Shapley values of the two factors (the mean of both orders
// of adding them), the rule SHAP's DeepExplainer applies to binary operations; chained through
// the gates and states of an LSTM or GRU (sigmoid and tanh by the rescale rule) contributions
// still sum to f(x) - f(r). The multipliers are mean(b) and mean(a), on both halves.
struct ProductShapley : torch::autograd::Function<ProductShapley> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& a,
                               const torch::Tensor& b) {
    (void)half_of(a);  // a paired batch
    ctx->save_for_backward({a, b});
    return a * b;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad) {
    auto saved = ctx->get_saved_variables();
    auto mean = [](const torch::Tensor& v) {
      const auto n = half_of(v);
      auto m = (v.narrow(0, 0, n) + v.narrow(0, n, n)) * 0.5;
      return torch::cat({m, m}, 0);
    };
    return {grad[0] * mean(saved[1]), grad[0] * mean(saved[0])};
  }
};

class DeepLiftRule : public nn::ForwardRule {
 public:
  torch::Tensor activation(const nn::ActivationInfo& a, const torch::Tensor& x,
                           double threshold) const override {
    return rescale(a, x, threshold);
  }
  torch::Tensor max_pool(const torch::Tensor& x, std::int64_t pool,
                         std::int64_t stride) const override {
    return MaxPoolRescale::apply(x, pool, stride);
  }
  torch::Tensor product(const torch::Tensor& a, const torch::Tensor& b) const override {
    return ProductShapley::apply(a, b);
  }
};

const DeepLiftRule kDeepLift{};  // stateless: one instance serves every thread

}  // namespace

struct DeepLiftScope::Installed {
  nn::ForwardRuleScope scope{kDeepLift};
};

DeepLiftScope::DeepLiftScope() : installed_(std::make_unique<Installed>()) {}
DeepLiftScope::~DeepLiftScope() = default;

}  // namespace interpret
}  // namespace gdl
