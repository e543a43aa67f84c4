#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "data/generator.hpp"
#include "data/prefetch.hpp"
#include "genome/genome.hpp"
#include "helpers.hpp"
#include "io/io_helpers.hpp"
#include "tracks/bigwig.hpp"

using namespace gdl;
using namespace gdl::data;

namespace {
using gdltest::example_genome;

GeneratorOptions continuous_options() {
  GeneratorOptions o;
  o.kind = TargetKind::Continuous;
  o.window = 501;
  o.target_window = 10;
  o.batch_size = 16;
  o.seed = 5;
  o.tracks = {gdltest::extdata("example_coverage_cell1.bw"), gdltest::extdata("example_coverage_cell2.bw")};
  o.normalization = {Norm::Max};
  o.weighting = Weighting::Balanced;
  o.stat_chroms = {0, 2};
  o.starts = {{0, 0, 700000 - 501 + 1}, {2, 0, 300000 - 501 + 1}};
  return o;
}

// One annotation type in one file, 300 bp windows centred on it, real negatives from chr1-2.
GeneratorOptions sparse_options(std::vector<Annotation> annotations) {
  GeneratorOptions o;
  o.kind = TargetKind::Sparse;
  o.window = 300;
  o.batch_size = 8;
  o.n_files = 1;
  o.n_ann = 1;
  o.annotations = std::move(annotations);
  o.negative = Negative::Real;
  o.negative_space = {{0, 0, 700000 - 300 + 1}, {1, 0, 500000 - 300 + 1}};
  return o;
}
}  // namespace

TEST_CASE("continuous generator: labels are the normalised centre values of each window", "[io][data]") {
  auto g = example_genome();
  SequenceGenerator gen(g, continuous_options());
  REQUIRE(gen.n_samples() == (700000 - 500) + (300000 - 500));
  BatchShapes sh = gen.shapes();
  REQUIRE(sh.x == Shape{4, 501});
  REQUIRE(sh.targets.size() == 1);
  REQUIRE(sh.targets[0] == Shape{10, 2});
  REQUIRE(sh.weights == Shape{10});
  Batch b;
  gen.fill(0, 3, b);
  REQUIRE(b.size == 16);
  tracks::BigWigReader r1(gdltest::extdata("example_coverage_cell1.bw"));
  double mx = gen.normalisation()[0][0].a;
  REQUIRE(mx > 0);
  for (std::size_t k = 0; k < 16; ++k) {
    Window w = gen.window_of(0, gen.sample_index(0, 3, k));
    std::vector<float> v(10);
    r1.values(g->names()[static_cast<std::size_t>(w.chrom)], w.start + 245, w.start + 255, v.data());
    for (int p = 0; p < 10; ++p) {
      float expect = std::isnan(v[p]) ? 0.0f : v[p] / static_cast<float>(mx);
      REQUIRE(b.targets[0][k * 20 + static_cast<std::size_t>(p) * 2] == Approx(expect));
    }
    // one-hot columns sum to 1 (or 4 x 0.25)
    for (int p = 0; p < 501; p += 50) {
      float s = 0;
      for (int c = 0; c < 4; ++c) s += b.x[(k * 4 + static_cast<std::size_t>(c)) * 501 + static_cast<std::size_t>(p)];
      REQUIRE(s == Approx(1));
    }
  }
}

TEST_CASE("prefetcher: the same batches in order whatever the number of threads", "[io][data]") {
  auto src = std::make_shared<SequenceGenerator>(example_genome(), continuous_options());
  auto run = [&](int threads) {
    PrefetchOptions po;
    po.threads = threads;
    po.count = 12;
    po.epoch = 1;
    po.first = src->batches_per_epoch() - 5;  // crosses into epoch 2
    Prefetcher p(src, po);
    std::vector<std::vector<float>> out;
    for (int k = 0; k < 12; ++k) {
      const Batch& b = p.next();
      out.push_back(b.targets[0]);
      out.back().insert(out.back().end(), b.x.begin(), b.x.begin() + 2000);
      out.back().insert(out.back().end(), b.weights.begin(), b.weights.end());
      p.release();
    }
    return out;
  };
  auto one = run(1), three = run(3);
  REQUIRE(one == three);
  Batch direct;
  src->fill(2, 0, direct);  // batch 6 of the run is batch 0 of epoch 2
  REQUIRE(std::equal(direct.targets[0].begin(), direct.targets[0].end(), one[5].begin()));
}

TEST_CASE("sparse generator: centred windows, labels, negatives outside positive windows", "[io][data]") {
  auto g = example_genome();
  GeneratorOptions o =
      sparse_options({{0, 1000, 1200, false, 0}, {0, 5000, 5200, true, 0}, {1, 20000, 20100, false, 0}});
  o.negative_ratio = 3;
  o.weighting = Weighting::Balanced;
  SequenceGenerator gen(g, o);
  REQUIRE(gen.n_positive() == 3);
  REQUIRE(gen.n_negative() == 9);
  CHECK(gen.weight_positive() == Approx(12.0 / 6));
  CHECK(gen.weight_negative() == Approx(12.0 / 18));
  // positives first: start - ceil((L - len) / 2)
  CHECK(gen.window_of(0, 0).start == 1000 - 50);
  CHECK(gen.window_of(0, 2).start == 20000 - 100);
  for (std::size_t s = 3; s < 12; ++s) {
    Window w = gen.window_of(0, s);
    bool clash = (w.chrom == 0 && w.start < 950 + 300 && w.end > 950) ||
                 (w.chrom == 0 && w.start < 4950 + 300 && w.end > 4950) ||
                 (w.chrom == 1 && w.start < 19900 + 300 && w.end > 19900);
    REQUIRE_FALSE(clash);
  }
  Batch b;
  gen.fill(0, 0, b);
  for (std::size_t k = 0; k < 8; ++k) {
    std::size_t s = gen.sample_index(0, 0, k);
    REQUIRE(b.targets[0][k] == (s < 3 ? 1.0f : 0.0f));
    REQUIRE(b.weights[k] == Approx(s < 3 ? 2.0 : 12.0 / 18));
  }
  o.augmentation = true;
  o.negative = Negative::None;
  o.batch_size = 1;
  SequenceGenerator aug(g, o);
  REQUIRE(aug.n_samples() == 101 + 101 + 201);
  CHECK(aug.window_of(0, 0).start == 1200 - 300);
  CHECK(aug.window_of(0, 100).start == 1000);
  o.augmentation = false;
  o.annotations.push_back({5, 0, 10, false, 0});
  CHECK_THROWS_AS(SequenceGenerator(g, o), Error);
}

TEST_CASE("multi source: mixes generators with the same shapes, rejects others", "[io][data]") {
  auto g = example_genome();
  auto a = std::make_shared<const SequenceGenerator>(g, continuous_options());
  auto ob = continuous_options();
  ob.rc = true;
  auto b = std::make_shared<const SequenceGenerator>(g, ob);
  MultiSource m({a, b}, {32, 32}, 16, 1);
  REQUIRE(m.batches_per_epoch() == 4);
  Batch x;
  m.fill(0, 0, x);
  REQUIRE(x.size == 16);
  auto oc = continuous_options();
  oc.target_window = 20;
  auto c = std::make_shared<const SequenceGenerator>(g, oc);
  CHECK_THROWS_AS(MultiSource({a, c}, {10, 10}, 4, 1), Error);
}

TEST_CASE("generator: base codes for the device decode to the one-hot batches", "[io][data]") {
  auto g = example_genome();
  for (auto neg : {Negative::Real, Negative::Shuffled, Negative::Random}) {
    GeneratorOptions o = sparse_options(
        {{0, 1000, 1200, false, 0}, {0, 5000, 5200, true, 0}, {1, 102000, 102100, false, 0}});
    o.negative = neg;
    o.negative_ratio = 2;
    o.augmentation = true;  // reverse complements travel as codes too
    for (auto amb : {genome::Ambiguous::Quarter, genome::Ambiguous::Zero}) {
      o.ambiguous = amb;
      SequenceGenerator gen(g, o);
      REQUIRE(gen.shapes().codes);
      const float n_value = gen.shapes().ambiguous;
      REQUIRE(n_value == (amb == genome::Ambiguous::Quarter ? 0.25f : 0.0f));
      Batch x, c;
      c.want_codes = true;
      std::size_t ns = 0;
      for (std::size_t i = 0; i < gen.batches_per_epoch(); ++i) {
        gen.fill(1, i, x);
        gen.fill(1, i, c);
        REQUIRE(has_codes(c));
        REQUIRE_FALSE(has_codes(x));
        REQUIRE(c.targets == x.targets);
        REQUIRE(c.codes.size() * 4 == x.x.size());
        const std::size_t L = 300;
        std::size_t wrong = 0;
        for (std::size_t k = 0; k < x.size; ++k)
          for (std::size_t p = 0; p < L; ++p) {
            std::uint8_t code = c.codes[k * L + p];
            ns += code == 4;
            for (std::size_t ch = 0; ch < 4; ++ch) {
              float want = code == ch ? 1.0f : code == 4 ? n_value : 0.0f;
              wrong += x.x[(k * 4 + ch) * L + p] != want;
            }
          }
        REQUIRE(wrong == 0);
      }
      REQUIRE(ns >= 300);  // the peak on chr2 lies in its N gap: its window is all code 4
    }
  }
}
