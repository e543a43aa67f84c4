#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <random>

#include "common/error.hpp"
#include "data/array_source.hpp"
#include "nn/network.hpp"
#include "train/trainer.hpp"
#include "spec_helpers.hpp"

using namespace gdl;
using gdltest::layer;

namespace {
// keras_dna's tutorial CNN on `len` bp.
nn::ModelSpec cnn(std::int64_t len, const std::string& out_act) {
  nn::ModelSpec m;
  m.inputs = {{4, len}};
  m.layers = {layer("conv1d", {{"filters", 16}, {"kernel", 3}}, 0, {{"activation", "relu"}}),
              layer("maxpool1d", {{"pool", 2}}, 1),
              layer("conv1d", {{"filters", 32}, {"kernel", 10}}, 2, {{"activation", "relu"}}),
              layer("maxpool1d", {{"pool", 2}}, 3),
              layer("conv1d", {{"filters", 64}, {"kernel", 20}}, 4, {{"activation", "relu"}}),
              layer("maxpool1d", {{"pool", 2}}, 5),
              layer("flatten", {}, 6),
              layer("dense", {{"units", 1}}, 7, {{"activation", out_act}})};
  m.outputs = {8};
  return m;
}

// n random sequences; label 1 when a GATA motif was planted.
std::shared_ptr<data::ArrayData> motif_data(std::size_t n, std::int64_t len, unsigned seed) {
  auto d = std::make_shared<data::ArrayData>();
  d->n = n;
  d->x_shape = {4, len};
  d->x.assign(n * 4 * static_cast<std::size_t>(len), 0.0f);
  d->target_shapes = {{1}};
  d->targets.assign(1, std::vector<float>(n));
  std::mt19937 rng(seed);
  const int motif[] = {2, 0, 3, 0, 0, 2};  // GATAAG
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<int> b(static_cast<std::size_t>(len));
    for (auto& v : b) v = static_cast<int>(rng() % 4);
    bool pos = rng() % 2;
    if (pos) {
      auto p = rng() % static_cast<unsigned>(len - 6);
      for (int k = 0; k < 6; ++k) b[p + k] = motif[k];
    }
    for (std::int64_t l = 0; l < len; ++l)
      d->x[(i * 4 + static_cast<std::size_t>(b[static_cast<std::size_t>(l)])) * len + l] = 1.0f;
    d->targets[0][i] = pos ? 1.0f : 0.0f;
  }
  return d;
}
}  // namespace

TEST_CASE("keras_dna CNN shapes and parameter counts", "[torch]") {
  nn::Network net(cnn(2001, "linear"), 1);
  auto info = net.summary();
  REQUIRE(info.size() == 8);
  CHECK(info[5].output == nn::Shape{238, 64});
  CHECK(info[6].output == nn::Shape{238 * 64});
  CHECK(info[0].params == 16 * 4 * 3 + 16);
  CHECK(info[7].params == 238 * 64 + 1);
  CHECK(net.parameter_count() == 61617);
  nn::Network small(cnn(551, "sigmoid"), 1);
  CHECK(small.summary()[5].output == nn::Shape{56, 64});
  CHECK_THROWS_AS(nn::Network(cnn(40, "linear"), 1), gdl::Error);
}

TEST_CASE("padding modes give Keras' output lengths", "[torch]") {
  nn::ModelSpec m;
  m.inputs = {{4, 101}};
  m.layers = {layer("conv1d", {{"filters", 3}, {"kernel", 24}}, 0, {{"padding", "full"}}),
              layer("conv1d", {{"filters", 3}, {"kernel", 4}}, 1, {{"padding", "same"}}),
              layer("conv1d", {{"filters", 3}, {"kernel", 5}, {"stride", 2}}, 2, {{"padding", "same"}})};
  m.outputs = {3};
  nn::Network net(m, 1);
  auto info = net.summary();
  CHECK(info[0].output[0] == 101 + 23);
  CHECK(info[1].output[0] == 124);
  CHECK(info[2].output[0] == 62);
}

TEST_CASE("LSTM parameters: LibTorch keeps two biases per gate, Keras one", "[torch]") {
  nn::ModelSpec m;
  m.inputs = {{4, 50}};
  auto l = layer("lstm", {{"units", 8}, {"return_sequences", 1}, {"bidirectional", 1}}, 0);
  m.layers = {l};
  m.outputs = {1};
  nn::Network net(m, 1);
  auto info = net.summary();
  CHECK(info[0].output == nn::Shape{50, 16});
  CHECK(info[0].params == 2 * 4 * (4 * 8 + 8 * 8 + 2 * 8));
  CHECK(info[0].keras_params == 2 * 4 * (4 * 8 + 8 * 8 + 8));
}

TEST_CASE("array source: deterministic shuffled batches", "[torch]") {
  auto d = motif_data(50, 30, 3);
  data::ArraySource src(d, {16, true, 9});
  CHECK(src.batches_per_epoch() == 4);
  data::Batch a, b, c;
  src.fill(2, 1, a);
  src.fill(0, 0, c);
  src.fill(2, 1, b);
  CHECK(a.x == b.x);
  CHECK(a.targets == b.targets);
  src.fill(3, 3, a);
  CHECK(a.size == 2);
  auto o = src.order(5);
  std::sort(o.begin(), o.end());
  for (std::size_t i = 0; i < o.size(); ++i) CHECK(o[i] == i);
}

TEST_CASE("training learns a motif; prefetching gives the same model as loading synchronously",
          "[torch]") {
  auto d = motif_data(400, 60, 11);
  data::ArraySource src(d, {32, true, 5});
  auto test = motif_data(200, 60, 12);
  data::ArraySource test_src(test, {64, false, 1});
  nn::ModelSpec m;
  m.inputs = {{4, 60}};
  m.layers = {layer("conv1d", {{"filters", 8}, {"kernel", 6}}, 0, {{"activation", "relu"}}),
              layer("global_maxpool1d", {}, 1),
              layer("dense", {{"units", 1}}, 2, {{"activation", "sigmoid"}})};
  m.outputs = {3};
  train::TrainOptions o;
  o.epochs = 6;
  o.learning_rate = 0.02;
  o.losses = {{"bce", 1.0, -1}};
  std::vector<std::vector<float>> weights;
  std::vector<double> first_loss;
  for (int workers : {0, 2}) {
    nn::Network net(m, 3);
    o.workers = workers;
    auto r = train::fit(net, src, &test_src, o, {});
    REQUIRE(r.history.size() == 6);
    CHECK(r.history.back().loss < r.history.front().loss);
    first_loss.push_back(r.history.front().loss);
    auto fc = net.first_conv();
    weights.push_back(fc.weight);
    auto p = train::predict_source(net, test_src, "cpu", 0, workers);
    REQUIRE(p.n == 200);
    double correct = 0;
    for (std::size_t i = 0; i < p.n; ++i)
      correct += (p.outputs[0][i] > 0.5f) == (p.targets[0][i] > 0.5f);
    CHECK(correct / 200 > 0.85);
  }
  CHECK(first_loss[0] == Approx(first_loss[1]).epsilon(1e-6));
  CHECK(weights[0] == weights[1]);
}

TEST_CASE("shape mismatches and unknown losses are errors", "[torch]") {
  auto d = motif_data(20, 60, 1);
  data::ArraySource src(d, {8, true, 1});
  nn::Network net(cnn(2001, "linear"), 1);
  train::TrainOptions o;
  o.losses = {{"mse", 1.0, -1}};
  CHECK_THROWS_WITH(train::fit(net, src, nullptr, o, {}), Catch::Contains("(2001, 4)"));
  nn::ModelSpec m;
  m.inputs = {{4, 60}};
  m.layers = {layer("global_maxpool1d", {}, 0), layer("dense", {{"units", 1}}, 1)};
  m.outputs = {2};
  nn::Network small(m, 1);
  o.losses = {{"hinge", 1.0, -1}};
  CHECK_THROWS_WITH(train::fit(small, src, nullptr, o, {}), Catch::Contains("unknown loss"));
}

TEST_CASE("weights round-trip through save_state / load_state", "[torch]") {
  nn::Network a(cnn(201, "linear"), 1), b(cnn(201, "linear"), 2);
  CHECK(a.first_conv().weight != b.first_conv().weight);
  b.load_state(a.save_state());
  CHECK(a.first_conv().weight == b.first_conv().weight);
  CHECK_THROWS_AS(b.load_state("not an archive"), gdl::Error);
}
