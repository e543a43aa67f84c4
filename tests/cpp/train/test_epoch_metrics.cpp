// EpochMetrics (train/metrics.hpp): batch-by-batch accumulation gives the whole-set values of
// the definitions, binary and categorical, NaN targets skipped.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "train/metrics.hpp"

using gdl::train::Column;
using gdl::train::EpochMetrics;

TEST_CASE("epoch metrics fed in batches equal the definitions on the pooled values", "[metrics]") {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(0, 1);
  const std::size_t n = 97, width = 3;  // 97 samples x 3 tasks, in batches of 10 (last partial)
  std::vector<float> p(n * width), y(n * width);
  for (std::size_t i = 0; i < p.size(); ++i) {
    p[i] = u(rng);
    y[i] = u(rng) < 0.3f + 0.4f * p[i] ? 1.0f : 0.0f;
  }
  y[5] = NAN;  // skipped by every metric
  EpochMetrics m({"accuracy", "mae", "mse", "auroc", "aupr", "pearson"}, false);
  for (std::size_t s = 0; s < n; s += 10) {
    std::size_t b = std::min<std::size_t>(10, n - s);
    m.add(p.data() + s * width, y.data() + s * width, b, width, width);
  }
  auto v = m.values();
  REQUIRE(v.size() == 6);
  double correct = 0, abs = 0, sq = 0, k = 0;
  std::vector<float> pp, yy;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (std::isnan(y[i])) continue;
    k += 1;
    correct += (p[i] > 0.5f) == (y[i] >= 0.5f);
    abs += std::abs(p[i] - y[i]);
    sq += (p[i] - y[i]) * (p[i] - y[i]);
    pp.push_back(p[i]);
    yy.push_back(y[i]);
  }
  Column a{pp.data(), pp.size()}, b{yy.data(), yy.size()};
  CHECK(v[0] == Approx(correct / k));
  CHECK(v[1] == Approx(abs / k));
  CHECK(v[2] == Approx(sq / k));
  CHECK(v[3] == Approx(gdl::train::auroc(a, b)));
  CHECK(v[4] == Approx(gdl::train::aupr(a, b)));
  CHECK(v[5] == Approx(gdl::train::pearson(a, b)));
  CHECK(v[3] > 0.6);  // the labels follow the scores
}

TEST_CASE("categorical metrics: arg-max accuracy, one-hot and class indices alike", "[metrics]") {
  // 4 samples x 3 classes; true classes 2, 0, 1, 1; arg-max 2, 0, 2, 1: accuracy 3/4
  std::vector<float> p{0.1f, 0.2f, 0.7f, 0.8f, 0.1f, 0.1f, 0.2f, 0.3f, 0.5f, 0.3f, 0.6f, 0.1f};
  std::vector<float> idx{2, 0, 1, 1};
  std::vector<float> onehot{0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0};
  EpochMetrics a({"accuracy", "mse", "auroc"}, true), b({"accuracy", "mse", "auroc"}, true);
  a.add(p.data(), idx.data(), 4, 3, 1);
  b.add(p.data(), onehot.data(), 2, 3, 3);  // two batches
  b.add(p.data() + 6, onehot.data() + 6, 2, 3, 3);
  auto va = a.values(), vb = b.values();
  CHECK(va[0] == Approx(0.75));
  double sq = 0;
  for (std::size_t i = 0; i < p.size(); ++i) sq += (p[i] - onehot[i]) * (p[i] - onehot[i]);
  CHECK(va[1] == Approx(sq / 12));
  CHECK(va == vb);
  Column s{p.data(), p.size()}, l{onehot.data(), onehot.size()};
  CHECK(va[2] == Approx(gdl::train::auroc(s, l)));
}

TEST_CASE("unknown metric names are errors listing the valid ones", "[metrics]") {
  REQUIRE_THROWS_WITH(EpochMetrics({"acc"}, false),
                      Catch::Contains("accuracy, mae, mse, auroc, aupr, pearson"));
  REQUIRE(gdl::train::epoch_metric_names().size() == 6);
  EpochMetrics m({"mse"}, false);
  std::vector<float> p{1, 2}, y{1};
  REQUIRE_THROWS_AS(m.add(p.data(), y.data(), 1, 2, 1), gdl::Error);
}
