// Layers seen through their hooks: the forward rule (nn/forward_rule.hpp) that DeepLIFT uses,
// activation aliases, parameters set by name (nn::Network::set_parameter).
#include "torch_catch.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "nn/forward_rule.hpp"
#include "nn/layers.hpp"
#include "nn/network.hpp"
#include "nn/network_impl.hpp"

#include "spec_helpers.hpp"

using namespace gdl;
using gdltest::layer;

namespace {

// Doubles every activation and records what the layers asked for.
struct RecordingRule : nn::ForwardRule {
  mutable std::vector<std::string> calls;
  torch::Tensor activation(const nn::ActivationInfo& a, const torch::Tensor& x,
                           double threshold) const override {
    calls.push_back(a.name);
    return 2 * nn::activate(a.kind, x, threshold);
  }
  torch::Tensor max_pool(const torch::Tensor& x, std::int64_t pool,
                         std::int64_t stride) const override {
    calls.push_back("max_pool " + std::to_string(pool) + " " + std::to_string(stride));
    return torch::max_pool1d(x, {pool}, {stride});
  }
  torch::Tensor product(const torch::Tensor& a, const torch::Tensor& b) const override {
    calls.push_back("product");
    return a * b;
  }
};

// The plain steps, through the rule's hooks: a network must compute what it computes without it.
struct PlainRule : nn::ForwardRule {
  torch::Tensor activation(const nn::ActivationInfo& a, const torch::Tensor& x,
                           double threshold) const override {
    return nn::activate(a.kind, x, threshold);
  }
  torch::Tensor max_pool(const torch::Tensor& x, std::int64_t pool,
                         std::int64_t stride) const override {
    return torch::max_pool1d(x, {pool}, {stride});
  }
  torch::Tensor product(const torch::Tensor& a, const torch::Tensor& b) const override {
    return a * b;
  }
};

// conv (relu) -> max pool -> flatten -> dense (exp through its alias) -> dense (linear)
nn::ModelSpec rule_model() {
  nn::ModelSpec m;
  m.inputs = {{4, 10}};
  m.layers = {layer("conv1d", {{"filters", 3}, {"kernel", 3}}, 0, {{"activation", "relu"}}),
              layer("maxpool1d", {{"pool", 2}}, 1),
              layer("flatten", {}, 2),
              layer("dense", {{"units", 2}}, 3, {{"activation", "exponential"}}),
              layer("dense", {{"units", 1}}, 4, {{"activation", "none"}})};
  m.outputs = {5};
  return m;
}

torch::Tensor forward(nn::Network& net, const torch::Tensor& x) {
  auto& g = *net.impl().module;
  g.eval();
  return g.forward({x})[0];
}

}  // namespace

TEST_CASE("the forward rule sees the nonlinear steps of tensors with gradients only", "[torch]") {
  nn::Network net(rule_model(), 4);
  auto x = torch::rand({2, 4, 10});
  auto plain = forward(net, x);
  RecordingRule rule;
  {
    nn::ForwardRuleScope scope(rule);
    CHECK(nn::forward_rule() == &rule);
    torch::NoGradGuard no_grad;
    CHECK(torch::equal(forward(net, x), plain));  // no gradients: the plain steps
    CHECK(rule.calls.empty());
  }
  CHECK(nn::forward_rule() == nullptr);
  {
    nn::ForwardRuleScope scope(rule);
    auto y = forward(net, x.clone().requires_grad_(true));
    // relu, the pooling and exp (the linear activation never asks)
    CHECK(rule.calls == std::vector<std::string>{"relu", "max_pool 2 2", "exp"});
    CHECK_FALSE(torch::allclose(y, plain));
  }
}

TEST_CASE("forward rule scopes nest and restore the previous rule", "[torch]") {
  RecordingRule outer, inner;
  nn::ForwardRuleScope a(outer);
  {
    nn::ForwardRuleScope b(inner);
    CHECK(nn::forward_rule() == &inner);
  }
  CHECK(nn::forward_rule() == &outer);
}

TEST_CASE("activation aliases build the function they stand for", "[torch]") {
  nn::ModelSpec m;
  m.inputs = {{3}};
  m.layers = {layer("dense", {{"units", 2}}, 0, {{"activation", "exponential"}}),
              layer("dense", {{"units", 2}, {"bias", 0}}, 0, {{"activation", "none"}})};
  m.outputs = {1, 2};
  nn::Network net(m, 2);
  std::vector<float> w{0.5f, -1.0f, 0.25f, 2.0f, 0.0f, -0.5f};
  net.set_parameter("dense_1.linear.weight", w);
  net.set_parameter("dense_1.linear.bias", {0.1f, -0.2f});
  net.set_parameter("dense_2.linear.weight", w);
  std::vector<float> x{1.0f, 2.0f, 3.0f};
  auto out = net.predict({x.data()}, 1, 1, "cpu");
  const double z0 = 0.5 - 2.0 + 0.75, z1 = 2.0 + 0.0 - 1.5;
  CHECK(out[0][0] == Approx(std::exp(z0 + 0.1)));
  CHECK(out[0][1] == Approx(std::exp(z1 - 0.2)));
  CHECK(out[1][0] == Approx(z0));
  CHECK(out[1][1] == Approx(z1));
  m.layers[0].str["activation"] = "swish";
  CHECK_THROWS_WITH(nn::Network(m, 2), Catch::StartsWith("layer 'dense_1': unknown activation 'swish'"));
}

TEST_CASE("parameters are listed and set by name, buffers too; bad names and sizes throw",
          "[torch]") {
  nn::ModelSpec m;
  m.inputs = {{4, 6}};
  m.layers = {layer("conv1d", {{"filters", 2}, {"kernel", 3}}, 0), layer("batchnorm", {}, 1),
              layer("flatten", {}, 2)};
  m.outputs = {3};
  nn::Network net(m, 1);
  auto listed = net.parameter_shapes();
  std::map<std::string, nn::Shape> shapes(listed.begin(), listed.end());
  CHECK(shapes == std::map<std::string, nn::Shape>{{"conv1d_1.conv.weight", {2, 4, 3}},
                                                  {"conv1d_1.conv.bias", {2}},
                                                  {"batchnorm_2.bn.weight", {2}},
                                                  {"batchnorm_2.bn.bias", {2}}});
  net.set_parameter("conv1d_1.conv.weight", std::vector<float>(24, 0.0f));
  net.set_parameter("conv1d_1.conv.bias", {1.0f, 3.0f});
  // evaluation mode: (x - running_mean) / sqrt(running_var + eps) * weight + bias
  net.set_parameter("batchnorm_2.bn.running_mean", {1.0f, 1.0f});
  net.set_parameter("batchnorm_2.bn.running_var", {4.0f, 1.0f});
  std::vector<float> x(24, 1.0f);
  auto out = net.predict({x.data()}, 1, 1, "cpu")[0];
  REQUIRE(out.size() == 8);  // (4 positions, 2 channels), Keras order
  for (std::size_t l = 0; l < 4; ++l) {
    CHECK(out[2 * l] == Approx(0.0).margin(1e-6));
    CHECK(out[2 * l + 1] == Approx(2.0 / std::sqrt(1.0 + 1e-5)));
  }
  CHECK_THROWS_WITH(net.set_parameter("conv1d_1.conv.kernel", {1.0f}),
                    Catch::Contains("no parameter 'conv1d_1.conv.kernel'") &&
                        Catch::Contains("conv1d_1.conv.weight"));
  CHECK_THROWS_WITH(net.set_parameter("conv1d_1.conv.bias", {1.0f, 2.0f, 3.0f}),
                    Catch::Contains("has 2 values"));
}

TEST_CASE("LSTM and GRU layers written out in steps under a rule equal LibTorch's fused layers", "[torch]") {
  for (const char* type : {"lstm", "gru"})
    for (double bidir : {0.0, 1.0})
      for (double seqs : {0.0, 1.0}) {
        nn::ModelSpec m;
        m.inputs = {{4, 12}};
        m.layers = {layer("conv1d", {{"filters", 3}, {"kernel", 3}}, 0, {{"activation", "relu"}}),
                    layer(type, {{"units", 5}, {"bidirectional", bidir}, {"return_sequences", seqs}}, 1)};
        if (seqs > 0) m.layers.push_back(layer("flatten", {}, 2));
        m.layers.push_back(layer("dense", {{"units", 2}}, static_cast<int>(m.layers.size())));
        m.outputs = {static_cast<int>(m.layers.size())};
        nn::Network net(m, 7);
        auto x = torch::rand({3, 4, 12});
        auto plain = forward(net, x);
        PlainRule rule;
        torch::Tensor stepped;
        {
          nn::ForwardRuleScope scope(rule);
          stepped = forward(net, x.clone().requires_grad_(true));
        }
        INFO(type << " bidirectional " << bidir << " sequences " << seqs);
        CHECK(torch::allclose(stepped, plain, 1e-5, 1e-6));
      }
  // the steps consult the rule: 3 products per LSTM step (f c, i g, o tanh(c)) but the first
  // step's f c (c starts at 0, without gradient); 3 sigmoids and 2 tanh per step
  nn::ModelSpec m;
  m.inputs = {{4, 6}};
  m.layers = {layer("lstm", {{"units", 2}}, 0), layer("dense", {{"units", 1}}, 1)};
  m.outputs = {2};
  nn::Network net(m, 3);
  RecordingRule rec;
  {
    nn::ForwardRuleScope scope(rec);
    forward(net, torch::rand({2, 4, 6}).requires_grad_(true));
  }
  CHECK(std::count(rec.calls.begin(), rec.calls.end(), "product") == 6 * 3 - 1);
  CHECK(std::count(rec.calls.begin(), rec.calls.end(), "sigmoid") == 6 * 3);
  CHECK(std::count(rec.calls.begin(), rec.calls.end(), "tanh") == 6 * 2);
}
