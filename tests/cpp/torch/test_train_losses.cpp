// Losses and options of the trainer over array sources: categorical cross-entropy (one-hot and
// class indices), unweighted evaluation unless asked, epoch metrics against predict_source().
#include "torch_catch.hpp"

#include <cmath>
#include <memory>
#include <random>

#include "common/error.hpp"
#include "data/array_source.hpp"
#include "nn/network.hpp"
#include "spec_helpers.hpp"
#include "train/metrics.hpp"
#include "train/trainer.hpp"

using namespace gdl;
using gdltest::layer;

namespace {

// n random one-hot sequences of length len (channels-first); class = the first base, 0..3.
std::shared_ptr<data::ArrayData> class_data(std::size_t n, std::int64_t len, unsigned seed) {
  auto d = std::make_shared<data::ArrayData>();
  d->n = n;
  d->x_shape = {4, len};
  d->x.assign(n * 4 * static_cast<std::size_t>(len), 0.0f);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> base(0, 3);
  std::vector<float> cls(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::int64_t l = 0; l < len; ++l) {
      int b = base(rng);
      d->x[i * 4 * len + b * len + l] = 1.0f;
      if (l == 0) cls[i] = static_cast<float>(b);
    }
  d->target_shapes = {{1}};
  d->targets = {cls};
  return d;
}

nn::ModelSpec softmax_model(std::int64_t len, std::int64_t classes) {
  nn::ModelSpec m;
  m.inputs = {{4, len}};
  m.layers = {layer("flatten", {}, 0),
              layer("dense", {{"units", static_cast<double>(classes)}}, 1, {{"activation", "softmax"}})};
  m.outputs = {2};
  return m;
}

data::ArraySource source(std::shared_ptr<data::ArrayData> d, std::size_t batch) {
  data::ArraySourceOptions o;
  o.batch_size = batch;
  o.shuffle = false;
  return data::ArraySource(d, o);
}

}  // namespace

TEST_CASE("cce is -mean log p[true class], from class indices or one-hot rows", "[train][cce]") {
  auto d = class_data(50, 8, 3);
  nn::Network net(softmax_model(8, 4), 1);
  std::vector<train::LossSpec> cce{{"cce", 1.0, -1}};
  auto idx = source(d, 16);
  auto p = train::predict_source(net, idx, "cpu", 0, 1);
  double ref = 0;
  for (std::size_t i = 0; i < 50; ++i)
    ref -= std::log(p.outputs[0][i * 4 + static_cast<std::size_t>(d->targets[0][i])]);
  ref /= 50;
  train::EvalOptions eo;
  eo.workers = 1;
  eo.metrics = {"accuracy"};
  auto e = train::evaluate(net, idx, cce, "cpu", eo);
  CHECK(e.losses[0] == Approx(ref).epsilon(1e-5));
  double correct = 0;
  for (std::size_t i = 0; i < 50; ++i) {
    const float* r = p.outputs[0].data() + i * 4;
    correct += static_cast<float>(std::max_element(r, r + 4) - r) == d->targets[0][i];
  }
  CHECK(e.metrics[0][0] == Approx(correct / 50));
  // the same labels one-hot
  auto h = std::make_shared<data::ArrayData>(*d);
  h->target_shapes = {{4}};
  h->targets = {std::vector<float>(200, 0.0f)};
  for (std::size_t i = 0; i < 50; ++i) h->targets[0][i * 4 + static_cast<std::size_t>(d->targets[0][i])] = 1;
  auto oh = source(h, 16);
  auto e2 = train::evaluate(net, oh, cce, "cpu", eo);
  CHECK(e2.losses[0] == Approx(e.losses[0]).epsilon(1e-6));
  CHECK(e2.metrics == e.metrics);
  // a class index out of range is an error, not a gather out of bounds
  auto bad = std::make_shared<data::ArrayData>(*d);
  bad->targets[0][7] = 4;
  auto bs = source(bad, 16);
  REQUIRE_THROWS_WITH(train::evaluate(net, bs, cce, "cpu", eo), Catch::Contains("0-based"));
  // cce needs K >= 2 classes
  nn::Network one(softmax_model(8, 1), 1);
  REQUIRE_THROWS_AS(train::evaluate(one, idx, cce, "cpu", eo), gdl::Error);
}

TEST_CASE("evaluation and validation ignore sample weights unless asked", "[train][weights]") {
  auto d = class_data(40, 8, 5);
  for (auto& c : d->targets[0]) c = c < 2 ? 0.0f : 1.0f;  // binary labels
  d->weights.resize(40);
  for (std::size_t i = 0; i < 40; ++i) d->weights[i] = i % 2 ? 3.0f : 0.5f;
  nn::ModelSpec m;
  m.inputs = {{4, 8}};
  m.layers = {layer("flatten", {}, 0), layer("dense", {{"units", 1}}, 1, {{"activation", "sigmoid"}})};
  m.outputs = {2};
  nn::Network net(m, 2);
  std::vector<train::LossSpec> bce{{"bce", 1.0, -1}};
  auto src = source(d, 16);
  auto p = train::predict_source(net, src, "cpu", 0, 1);
  double plain = 0, weighted = 0;
  for (std::size_t i = 0; i < 40; ++i) {
    double q = p.outputs[0][i], y = d->targets[0][i];
    double l = -(y * std::log(q) + (1 - y) * std::log(1 - q));
    plain += l / 40;
    weighted += d->weights[i] * l / 40;
  }
  train::EvalOptions eo;
  eo.workers = 1;
  CHECK(train::evaluate(net, src, bce, "cpu", eo).losses[0] == Approx(plain).epsilon(1e-5));
  eo.weighted = true;
  CHECK(train::evaluate(net, src, bce, "cpu", eo).losses[0] == Approx(weighted).epsilon(1e-5));
  // fit: validation unweighted by default; its metrics per output
  train::TrainOptions o;
  o.epochs = 1;
  o.losses = bce;
  o.workers = 1;
  o.metrics = {"mse", "auroc"};
  auto r = train::fit(net, src, &src, o, {});
  eo.weighted = false;
  eo.metrics = o.metrics;
  auto e = train::evaluate(net, src, bce, "cpu", eo);
  CHECK(r.history[0].val_loss == Approx(e.losses[0]).epsilon(1e-6));
  REQUIRE(r.history[0].val_metrics.size() == 1);
  CHECK(r.history[0].val_metrics[0] == e.metrics[0]);
  REQUIRE(r.history[0].metrics[0].size() == 2);
  o.validation_weights = true;
  auto r2 = train::fit(net, src, &src, o, {});
  eo.weighted = true;
  CHECK(r2.history[0].val_loss == Approx(train::evaluate(net, src, bce, "cpu", eo).losses[0]).epsilon(1e-6));
  o.metrics = {"spearman"};
  REQUIRE_THROWS_WITH(train::fit(net, src, &src, o, {}), Catch::Contains("unknown metric"));
}
