// gdl::interpret fast ISM (interpret/fast_ism.hpp) against whole-network forward passes of every
// mutant: a graph with "same" padding, dilation, a residual add, a crop, strided pooling and
// convolution, flatten and dense layers; which layers make it fall back.
// (A torch test: tests/cpp/torch is the folder CMakeLists.txt builds against LibTorch.)
#include "torch_catch.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "interpret/attribution.hpp"
#include "interpret/fast_ism.hpp"
#include "nn/network.hpp"
#include "spec_helpers.hpp"

using namespace gdl;
using gdltest::layer;
using gdltest::random_onehot;

namespace {

// conv(same) -> conv(dilated, same) + residual -> crop -> maxpool 3 / 2 -> conv stride 2 ->
// batchnorm -> flatten -> dense relu -> dense (3 tasks); more outputs: the crop (per base) and
// the global maximum of the add.
nn::ModelSpec residual_spec(std::int64_t len) {
  nn::ModelSpec spec;
  spec.inputs = {{4, len}};
  auto add = layer("add", {}, 1);
  add.inputs = {1, 2};
  spec.layers = {
      layer("conv1d", {{"filters", 6}, {"kernel", 5}}, 0, {{"padding", "same"}, {"activation", "relu"}, {"init", "torch"}}),
      layer("conv1d", {{"filters", 6}, {"kernel", 3}, {"dilation", 2}}, 1,
            {{"padding", "same"}, {"activation", "tanh"}, {"init", "torch"}}),
      add,
      layer("crop", {{"length", static_cast<double>(len - 6)}}, 3),
      layer("maxpool1d", {{"pool", 3}, {"stride", 2}}, 4),
      layer("conv1d", {{"filters", 4}, {"kernel", 4}, {"stride", 2}}, 5, {{"activation", "relu"}, {"init", "torch"}}),
      layer("batchnorm", {}, 6),
      layer("flatten", {}, 7),
      layer("dense", {{"units", 8}}, 8, {{"activation", "relu"}, {"init", "torch"}}),
      layer("dense", {{"units", 3}}, 9, {{"init", "torch"}}),
      layer("global_maxpool1d", {}, 3)};
  for (std::size_t k = 0; k < spec.layers.size(); ++k) spec.layers[k].name = "l" + std::to_string(k);
  spec.outputs = {10, 4, 11};
  return spec;
}

double max_abs(const std::vector<float>& v) {
  double m = 0;
  for (float f : v) m = std::max(m, std::abs(static_cast<double>(f)));
  return m;
}

}  // namespace

TEST_CASE("fast ISM equals every mutant's whole forward pass", "[torch]") {
  const std::int64_t L = 40;
  const std::size_t n = 2, per = 4 * L;
  nn::Network net(residual_spec(L), 5);
  auto x = random_onehot(n, L, 3);
  for (std::size_t c = 0; c < 4; ++c) x[c * L + 7] = 0.25f;  // an N: four mutants there
  interpret::AttributionOptions opt;
  opt.method = interpret::Method::Ism;
  opt.hypothetical = true;
  opt.task = 1;
  opt.batch = 5;  // passes of 40 mutants, layers 5 at a time
  auto fast = interpret::attribute(net, x.data(), n, opt);
  CHECK(fast.ism_path == "fast");
  CHECK(fast.ism_fallback.empty());
  auto base = net.predict({x.data()}, n, 4, "cpu")[0];  // n x 3
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(fast.prediction[i] == Approx(base[i * 3 + 1]).margin(1e-5));
    for (std::int64_t l = 0; l < L; ++l) {
      double d[4];
      for (std::size_t b = 0; b < 4; ++b) {
        std::vector<float> mut(x.begin() + static_cast<std::ptrdiff_t>(i * per),
                               x.begin() + static_cast<std::ptrdiff_t>((i + 1) * per));
        for (std::size_t c = 0; c < 4; ++c) mut[c * L + l] = c == b ? 1.0f : 0.0f;
        d[b] = net.predict({mut.data()}, 1, 1, "cpu")[0][1] - base[i * 3 + 1];
      }
      double mean = (d[0] + d[1] + d[2] + d[3]) / 4;
      for (std::size_t b = 0; b < 4; ++b)
        CHECK(fast.values[i * per + b * L + l] == Approx(d[b] - mean).margin(1e-5));
    }
  }
}

TEST_CASE("fast ISM equals batched ISM on per-base and pooled outputs, whatever the pass size", "[torch]") {
  const std::int64_t L = 50;
  const std::size_t n = 3;
  nn::Network net(residual_spec(L), 9);
  auto x = random_onehot(n, L, 4);
  interpret::AttributionOptions opt;
  opt.method = interpret::Method::Ism;
  struct Target {
    int output;
    bool profile;
    std::int64_t task;
  };
  // the crop ((L - 6) x 6): one value, the profile of all tracks; the global maximum: channel 4
  for (auto t : {Target{1, false, 20 * 6 + 2}, Target{1, true, -1}, Target{2, false, 3}}) {
    opt.output = t.output;
    opt.profile = t.profile;
    opt.task = t.task;
    opt.fast_ism = false;
    auto batched = interpret::attribute(net, x.data(), n, opt);
    CHECK(batched.ism_path == "batched");
    opt.fast_ism = true;
    for (std::size_t batch : {1u, 7u, 128u}) {
      opt.batch = batch;
      auto fast = interpret::attribute(net, x.data(), n, opt);
      REQUIRE(fast.ism_path == "fast");
      double scale = max_abs(batched.values), diff = 0;
      for (std::size_t k = 0; k < fast.values.size(); ++k)
        diff = std::max(diff, std::abs(static_cast<double>(fast.values[k] - batched.values[k])));
      CHECK(scale > 0);
      CHECK(diff <= 1e-5 * scale);
    }
  }
}

TEST_CASE("fast ISM names the layer it cannot cover, for the outputs that depend on it", "[torch]") {
  nn::ModelSpec spec;
  spec.inputs = {{4, 30}};
  spec.layers = {layer("conv1d", {{"filters", 4}, {"kernel", 5}}, 0),
                 layer("lstm", {{"units", 3}}, 1),
                 layer("global_avgpool1d", {}, 1)};
  spec.layers[1].name = "rnn";
  spec.outputs = {2, 3};
  CHECK(interpret::fast_ism_obstacle(spec, 0) == "layer 'rnn' (lstm)");
  CHECK(interpret::fast_ism_obstacle(spec, 1).empty());
  nn::Network net(spec, 2);
  auto x = random_onehot(1, 30, 6);
  interpret::AttributionOptions opt;
  opt.method = interpret::Method::Ism;
  auto a = interpret::attribute(net, x.data(), 1, opt);
  CHECK(a.ism_path == "batched");
  CHECK(a.ism_fallback == "layer 'rnn' (lstm)");
  opt.output = 1;
  auto b = interpret::attribute(net, x.data(), 1, opt);
  CHECK(b.ism_path == "fast");
  std::vector<double> prediction, delta;
  opt.output = 0;
  CHECK_THROWS_WITH(interpret::fast_ism(net, x.data(), 1, opt, prediction, delta),
                    Catch::Contains("does not cover layer 'rnn'"));
}
