#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <random>

#include "common/error.hpp"
#include "genome/genome.hpp"
#include "nn/network.hpp"
#include "train/predict.hpp"

using namespace gdl;

namespace {
nn::LayerSpec layer(const std::string& type, const std::string& name,
                    std::map<std::string, double> num, int input) {
  nn::LayerSpec s;
  s.type = type;
  s.name = name;
  s.num = std::move(num);
  s.inputs = {input};
  return s;
}

// conv1d(1 filter, kernel 1, no bias) with channel weights w (A, C, G, T), then a centre crop to
// `crop` positions (profile output) or a global average (per-window output when crop == 0).
std::unique_ptr<nn::Network> base_counter(std::int64_t len, std::int64_t crop,
                                          std::vector<float> w) {
  nn::ModelSpec m;
  m.inputs = {{4, len}};
  m.layers = {layer("conv1d", "count", {{"filters", 1}, {"kernel", 1}, {"bias", 0}}, 0)};
  if (crop > 0) m.layers.push_back(layer("crop", "crop", {{"length", static_cast<double>(crop)}}, 1));
  else m.layers.push_back(layer("global_avgpool1d", "mean", {}, 1));
  m.outputs = {2};
  auto net = std::make_unique<nn::Network>(m, 1);
  net->set_parameter("count.conv.weight", w);
  return net;
}

std::string random_dna(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, 'A');
  for (auto& c : s) c = "ACGT"[rng() % 4];
  return s;
}
}  // namespace

TEST_CASE("tiling covers regions, the last span flush with the end", "[torch]") {
  train::TilePlan p{20, 10, 10, 1};
  std::int64_t grid = -1;
  auto w = train::tile_region({0, 0, 95}, p, &grid);
  REQUIRE(w.size() == 10);  // spans 0, 10, ..., 80, then 85
  CHECK(grid == 0);
  CHECK(w.front().start == -5);  // offset (20 - 10) / 2: N-padded before the chromosome
  CHECK(w.back().start + 5 + 10 == 95);
  CHECK(w.back().end - w.back().start == 20);
  // a region shorter than the span: one window, its span centred on it
  w = train::tile_region({0, 40, 44}, p, &grid);
  REQUIRE(w.size() == 1);
  CHECK(grid == 37);
  // bins of 5: the last span is moved onto the bin grid
  train::TilePlan pb{20, 10, 10, 5};
  w = train::tile_region({0, 0, 93}, pb, &grid);
  CHECK((w.back().start + 5) % 5 == 0);
  CHECK(w.back().start + 5 + 10 >= 93);
}

TEST_CASE("a base-counting convolution predicts the base track exactly", "[torch]") {
  auto chr1 = random_dna(1003, 7), chr2 = random_dna(9, 8);
  genome::MemoryGenome g({"chr1", "chr2"}, {chr1, chr2});
  auto net = base_counter(40, 20, {1, 0, 0, 0});  // A
  // sequence one-hot encoded by the loader ("host") or sent as base codes ("device")
  for (std::string encode : {"host", "device"})
  for (std::int64_t step : {20, 7, 1}) {
    train::RegionOptions o;
    o.encode = encode;
    o.step = step;
    o.layouts = {{20, 1, 1}};
    o.batch = 16;
    o.workers = 2;
    auto res = train::predict_regions(*net, g, {{0, 0, 1003}, {1, 0, 9}, {0, 500, 510}}, o);
    REQUIRE(res.size() == 3);
    const auto& t = res[0].tracks[0];
    REQUIRE(res[0].grid_start == 0);
    REQUIRE(res[0].bins == 1003);
    for (std::size_t i = 0; i < chr1.size(); ++i)
      REQUIRE(t[i] == (chr1[i] == 'A' ? 1.0f : 0.0f));
    // chr2 (9 bases) is shorter than the span: the single window is N-padded on both sides
    auto off = static_cast<std::size_t>(-res[1].grid_start);
    for (std::size_t i = 0; i < chr2.size(); ++i)
      REQUIRE(res[1].tracks[0][off + i] == (chr2[i] == 'A' ? 1.0f : 0.0f));
    auto off3 = static_cast<std::size_t>(500 - res[2].grid_start);
    for (std::size_t i = 0; i < 10; ++i)
      REQUIRE(res[2].tracks[0][off3 + i] == (chr1[500 + i] == 'A' ? 1.0f : 0.0f));
  }
}

TEST_CASE("reverse-complement averaging of a strand-symmetric model changes nothing", "[torch]") {
  auto chr = random_dna(500, 3);
  genome::MemoryGenome g({"chr1"}, {chr});
  auto gc = base_counter(30, 10, {0, 1, 1, 0});  // G or C: symmetric under reverse complement
  train::RegionOptions o;
  o.step = 5;
  o.layouts = {{10, 1, 1}};
  auto none = train::predict_regions(*gc, g, {{0, 0, 500}}, o);
  o.rc = "average";
  auto avg = train::predict_regions(*gc, g, {{0, 0, 500}}, o);
  o.rc = "max";
  auto mx = train::predict_regions(*gc, g, {{0, 0, 500}}, o);
  CHECK(none[0].tracks[0] == avg[0].tracks[0]);
  CHECK(none[0].tracks[0] == mx[0].tracks[0]);
  // A is not symmetric: the rc pass reads T at the same place, so the average is (A + T) / 2
  auto a = base_counter(30, 10, {1, 0, 0, 0});
  o.rc = "average";
  auto at = train::predict_regions(*a, g, {{0, 0, 500}}, o);
  for (std::size_t i = 0; i < chr.size(); ++i)
    REQUIRE(at[0].tracks[0][i] == (chr[i] == 'A' || chr[i] == 'T' ? 0.5f : 0.0f));
}

TEST_CASE("per-window outputs: one value per window", "[torch]") {
  auto chr = random_dna(300, 5);
  genome::MemoryGenome g({"chr1"}, {chr});
  auto net = base_counter(50, 0, {1, 0, 0, 0});  // fraction of A in the window
  train::RegionOptions o;
  o.step = 25;
  auto res = train::predict_regions(*net, g, {{0, 0, 300}}, o);
  const auto& w = res[0].windows;
  REQUIRE(w.size() == 11);  // 0, 25, ..., 225, then 250 flush
  CHECK(w.back().end == 300);
  for (std::size_t i = 0; i < w.size(); ++i) {
    int n = 0;
    for (auto p = w[i].start; p < w[i].end; ++p) n += chr[static_cast<std::size_t>(p)] == 'A';
    CHECK(res[0].per_window[0][i] == Approx(n / 50.0).margin(1e-6));
  }
}

TEST_CASE("prediction over regions rejects bad input", "[torch]") {
  genome::MemoryGenome g({"chr1"}, {random_dna(100, 1)});
  auto net = base_counter(20, 10, {1, 0, 0, 0});
  train::RegionOptions o;
  o.layouts = {{10, 1, 1}};
  o.step = 0;
  CHECK_THROWS_AS(train::predict_regions(*net, g, {{0, 0, 100}}, o), gdl::Error);
  o.step = 5;
  CHECK_THROWS_AS(train::predict_regions(*net, g, {{0, 0, 101}}, o), gdl::Error);
  o.layouts = {{5, 2, 2}};  // 5 bins of 2 bases
  o.step = 3;
  CHECK_THROWS_AS(train::predict_regions(*net, g, {{0, 0, 100}}, o), gdl::Error);
  o.layouts = {{7, 1, 1}};
  CHECK_THROWS_AS(train::predict_regions(*net, g, {{0, 0, 100}}, o), gdl::Error);
  CHECK_THROWS_WITH(net->set_parameter("nope", {1}),
                    Catch::Contains("no parameter 'nope'") && Catch::Contains("count.conv.weight"));
}
