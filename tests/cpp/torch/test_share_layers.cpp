// Network::share_layers_from: a network that is a view on the same-named layers of another
// (BPNet's residual model on its combined model) holds the very same tensors.
#include <catch2/catch.hpp>

#include <vector>

#include "common/error.hpp"
#include "nn/network.hpp"
#include "spec_helpers.hpp"

using namespace gdl;
using gdltest::layer;

namespace {
nn::LayerSpec named(nn::LayerSpec s, const std::string& name, std::vector<int> inputs = {}) {
  s.name = name;
  if (!inputs.empty()) s.inputs = std::move(inputs);
  return s;
}

// A "residual" tower res_conv -> res_pool -> res_dense.
nn::ModelSpec residual(double filters = 3) {
  nn::ModelSpec m;
  m.inputs = {{4, 20}};
  m.layers = {named(layer("conv1d", {{"filters", filters}, {"kernel", 5}}, 0, {{"activation", "relu"}}),
                    "res_conv"),
              named(layer("global_avgpool1d", {}, 1), "res_pool"),
              named(layer("dense", {{"units", 1}}, 2), "res_dense")};
  m.outputs = {3};
  return m;
}

// The same tower beside a frozen "bias" dense on the pooled input, added: combined = res + bias.
nn::ModelSpec combined() {
  nn::ModelSpec m = residual();
  auto pool = named(layer("global_avgpool1d", {}, 0), "bias_pool");
  auto dense = named(layer("dense", {{"units", 1}}, 4), "bias_dense");
  dense.trainable = false;
  m.layers.push_back(pool);   // node 4
  m.layers.push_back(dense);  // node 5
  auto add = named(layer("add", {}, 3), "combined", {3, 5});
  m.layers.push_back(add);  // node 6
  m.outputs = {6};
  return m;
}

std::vector<float> input(std::size_t n) {
  std::vector<float> x(n * 4 * 20, 0.0f);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t l = 0; l < 20; ++l) x[(i * 4 + (i + l * 7) % 4) * 20 + l] = 1.0f;
  return x;
}

std::vector<float> run(const nn::Network& net, const std::vector<float>& x, std::size_t n) {
  return net.predict({x.data()}, n, 8, "cpu")[0];
}
}  // namespace

TEST_CASE("a view shares the tensors of the source's same-named layers", "[torch]") {
  nn::Network comb(combined(), 1);
  nn::Network res(residual(), 2);  // other initial weights
  nn::Network bias_only([] {
    nn::ModelSpec m;
    m.inputs = {{4, 20}};
    m.layers = {named(layer("global_avgpool1d", {}, 0), "bias_pool"),
                named(layer("dense", {{"units", 1}}, 1), "bias_dense")};
    m.layers[1].trainable = false;
    m.outputs = {2};
    return m;
  }(), 1);
  REQUIRE(bias_only.copy_weights_from(comb, "", true) == 2);
  auto x = input(5);
  auto before = run(res, x, 5);
  CHECK(res.share_layers_from(comb) == 3);
  auto shared = run(res, x, 5);
  auto c = run(comb, x, 5), b = run(bias_only, x, 5);
  bool changed = false;
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(c[i] == Approx(shared[i] + b[i]).margin(1e-6));
    changed = changed || before[i] != shared[i];
  }
  CHECK(changed);
  // New weights loaded into the source are the view's weights: nothing is copied.
  nn::Network other(combined(), 7);
  comb.load_state(other.save_state());
  bias_only.copy_weights_from(comb, "", true);  // the bias part changed too
  b = run(bias_only, x, 5);
  auto after = run(res, x, 5), oc = run(other, x, 5);
  for (std::size_t i = 0; i < 5; ++i) CHECK(oc[i] == Approx(after[i] + b[i]).margin(1e-6));
  // The view's serialised state is the source's residual part.
  nn::Network fresh(residual(), 3);
  fresh.load_state(res.save_state());
  auto f = run(fresh, x, 5);
  for (std::size_t i = 0; i < 5; ++i) CHECK(f[i] == after[i]);
}

TEST_CASE("a view needs every layer, with the same spec and shapes", "[torch]") {
  nn::Network comb(combined(), 1);
  nn::Network wider(residual(4), 2);
  auto x = input(3);
  auto before = run(wider, x, 3);
  CHECK_THROWS_AS(wider.share_layers_from(comb), gdl::Error);
  CHECK(run(wider, x, 3) == before);  // unchanged after the failure
  auto spec = residual();
  spec.layers[2].name = "other_dense";
  nn::Network renamed(spec, 2);
  CHECK_THROWS_WITH(renamed.share_layers_from(comb), Catch::Contains("no layer 'other_dense'"));
}
