// gdl::motif first-layer access on a network: filters set by hand, mean activations.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "common/error.hpp"
#include "motif/first_layer.hpp"
#include "nn/network.hpp"

using namespace gdl;

namespace {
nn::LayerSpec conv_layer(double filters, double kernel, const std::string& padding) {
  nn::LayerSpec s;
  s.type = "conv1d";
  s.num = {{"filters", filters}, {"kernel", kernel}, {"pad_value", 0.25}};
  s.str = {{"activation", "relu"}, {"padding", padding}};
  s.inputs = {0};
  return s;
}
}  // namespace

TEST_CASE("first-layer filters set by hand give the mean activations of a hand computation", "[torch]") {
  // 2 filters of width 2 on length 5, "full" padding with N (0.25): 2 x 6 outputs per sample
  nn::ModelSpec spec;
  spec.inputs = {{4, 5}};
  spec.layers = {conv_layer(2, 2, "full")};
  nn::LayerSpec pool;
  pool.type = "global_maxpool1d";
  pool.inputs = {1};
  spec.layers.push_back(pool);
  spec.outputs = {2};
  nn::Network net(spec, 1);
  // filter 1 = "AC" (+1 each), bias -1; filter 2 = -1 everywhere, bias 3
  std::vector<float> w(2 * 4 * 2, 0.0f), b{-1.0f, 3.0f};
  w[(0 * 4 + 0) * 2 + 0] = 1.0f;  // A at column 1
  w[(0 * 4 + 1) * 2 + 1] = 1.0f;  // C at column 2
  for (int i = 8; i < 16; ++i) w[static_cast<std::size_t>(i)] = -1.0f;
  motif::set_first_conv(net, w, b);
  auto fc = net.first_conv();
  CHECK(std::equal(fc.weight.begin(), fc.weight.end(), w.begin()));
  CHECK(fc.bias == b);

  // one sequence ACACG: padded N A C A C G N
  const int seq[] = {0, 1, 0, 1, 2};
  std::vector<float> x(4 * 5, 0.0f);
  for (int l = 0; l < 5; ++l) x[static_cast<std::size_t>(seq[l] * 5 + l)] = 1.0f;
  // filter 1 at the 6 windows NA AC CA AC CG GN: 0.25-1, 2-1, -1, 2-1, -1, 0.25-1 -> ReLU:
  //   0 + 1 + 0 + 1 + 0 + 0 = 2; mean 1/3
  // filter 2: every window sums to -2 (one-hot or N), so 3 - 2 = 1 everywhere; mean 1
  auto means = motif::first_layer_means(net, x.data(), 1, 8);
  REQUIRE(means.size() == 2);
  CHECK(means[0] == Approx(2.0 / 6));
  CHECK(means[1] == Approx(1.0));
  // two copies, batches of one: the same means
  std::vector<float> x2(x);
  x2.insert(x2.end(), x.begin(), x.end());
  auto m2 = motif::first_layer_means(net, x2.data(), 2, 1);
  CHECK(m2[0] == Approx(means[0]));
  CHECK(m2[1] == Approx(means[1]));

  CHECK_THROWS_AS(motif::set_first_conv(net, std::vector<float>(3), b), Error);
  CHECK_THROWS_AS(motif::set_first_conv(net, w, {}), Error);
}
