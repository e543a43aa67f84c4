// Features of sparse targets: selection by chromosomes, regions and blacklist; maxN of the
// centred window; real negatives' space.
#include <catch2/catch.hpp>

#include "common/error.hpp"
#include "data/plan.hpp"
#include "data/plan_helpers.hpp"

using namespace gdl::data;

TEST_CASE("centred window start: keras_dna's start - wx // 2 - wx % 2", "[data][plan]") {
  REQUIRE(centred_start(100, 110, 20) == 95);   // wx = 10
  REQUIRE(centred_start(100, 111, 20) == 95);   // wx = 9: 4 + 1
  REQUIRE(centred_start(100, 130, 20) == 105);  // wx = -10
  REQUIRE(centred_start(100, 131, 20) == 105);  // wx = -11: -6 + 1 = -5
}

TEST_CASE("select_features: included chromosomes, inside one region, no blacklist overlap",
          "[data][plan]") {
  auto g = plantest::small_genome();
  std::vector<Annotation> all = {{0, 5, 8, false, 0},   {0, 30, 40, false, 0}, {1, 2, 6, true, 1},
                                 {0, 60, 70, false, 0}, {2, 1, 3, false, 0}};
  Geometry geo;
  geo.chroms = {0, 1};
  auto k = select_features(*g, all, geo);
  REQUIRE(k.size() == 4);  // chrC is not included
  geo.has_regions = true;
  geo.regions = {{"chrA", 0, 35}, {"chrA", 28, 45}, {"chrB", 0, 40}};
  k = select_features(*g, all, geo);
  REQUIRE(k.size() == 3);  // [60, 70) is in no region; [30, 40) is inside the second
  REQUIRE(k[1].start == 30);
  geo.blacklist = {{"chrA", 39, 41}};
  k = select_features(*g, all, geo);
  REQUIRE(k.size() == 2);
  REQUIRE(k[1].chrom == 1);
  geo.chroms = {2};
  REQUIRE_THROWS_WITH(select_features(*g, all, geo), Catch::Contains("empty annotations"));
}

TEST_CASE("max_n_features: the centred window's N against maxN x window, by threads", "[data][plan]") {
  auto g = plantest::small_genome();
  // windows of 10 centred on: [12, 14) -> [8, 18) 8 N; [30, 32) -> [26, 36) 0 N;
  // [49, 51) -> [45, 55) 3 N
  std::vector<Annotation> f = {{0, 12, 14, false, 0}, {0, 30, 32, false, 0}, {0, 49, 51, false, 0},
                               {1, 3, 5, false, 0}};
  REQUIRE(max_n_features(*g, f, 10, 1, 2).size() == 4);
  auto k = max_n_features(*g, f, 10, 0.3, 2);
  REQUIRE(k.size() == 3);
  REQUIRE(k[0].start == 30);
  k = max_n_features(*g, f, 10, 0.2, 2);
  REQUIRE(k.size() == 2);
  std::vector<Annotation> only = {f[0]};
  REQUIRE_THROWS_WITH(max_n_features(*g, only, 10, 0.1, 1),
                      "every annotation window has more than maxN N");
}

TEST_CASE("make_plan: sparse features filtered, real negatives' space planned", "[data][plan]") {
  auto g = plantest::small_genome();
  GeneratorOptions o;
  o.kind = TargetKind::Sparse;
  o.window = 10;
  o.annotations = {{0, 12, 14, false, 0}, {0, 30, 32, false, 0}};
  o.negative = Negative::Real;
  Geometry geo;
  geo.chroms = {0, 2};  // chrC is too short for a window: no negative there, no error
  geo.max_n = 0.5;
  auto p = make_plan(*g, o, geo);
  REQUIRE(p.annotations.size() == 1);
  REQUIRE(p.negative_space.size() >= 1);
  for (const auto& iv : p.negative_space) REQUIRE(iv.chrom == 0);
  o.negative = Negative::None;
  REQUIRE(make_plan(*g, o, geo).negative_space.empty());
  o.weighting = Weighting::Manual;
  o.weight_positive = 0;
  REQUIRE_THROWS_WITH(make_plan(*g, o, geo), Catch::Contains("two finite weights > 0"));
}
