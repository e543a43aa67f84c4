// Window starts of continuous targets: included chromosomes, regions (renamed under chrPrefix),
// blacklist and maxN, against the starts counted by hand.
#include <catch2/catch.hpp>

#include <cctype>

#include "common/error.hpp"
#include "data/plan.hpp"
#include "data/plan_helpers.hpp"

using namespace gdl::data;

namespace {
std::uint64_t total(const std::vector<Interval>& v) {
  std::uint64_t n = 0;
  for (const auto& x : v) n += static_cast<std::uint64_t>(x.end - x.start);
  return n;
}
}  // namespace

TEST_CASE("window starts: every whole window of the included chromosomes", "[data][plan]") {
  auto g = plantest::small_genome();
  Geometry geo;
  geo.chroms = {0, 1};
  auto st = window_starts(*g, 10, geo);
  REQUIRE(st.size() == 2);
  REQUIRE(st[0].chrom == 0);
  REQUIRE(st[0].end == 91);  // 100 - 10 + 1
  REQUIRE(st[1].end == 31);
  // chrC (8 bases) is shorter than the window: dropped, or an error when asked for strictly
  geo.chroms = {0, 2};
  REQUIRE(total(window_starts(*g, 10, geo)) == 91);
  geo.strict_length = true;
  REQUIRE_THROWS_WITH(window_starts(*g, 10, geo),
                      "the window (10) is longer than chromosome chrC (length 8)");
  geo.chroms = {2};
  geo.strict_length = false;
  REQUIRE_THROWS_AS(window_starts(*g, 10, geo), gdl::Error);  // no chromosome left
}

TEST_CASE("window starts: inside regions (names matched), off the blacklist", "[data][plan]") {
  auto g = plantest::small_genome();
  Geometry geo;
  geo.chroms = {0, 1};
  geo.has_regions = true;
  // "A" is not a genome name: matched to chrA under chrPrefix auto; chrZ has no match (dropped);
  // a region narrower than the window allows no start
  geo.regions = {{"A", 20, 60}, {"chrZ", 0, 50}, {"chrB", 0, 5}};
  geo.chr_prefix = ChrPrefix::Auto;
  auto st = window_starts(*g, 10, geo);
  REQUIRE(st.size() == 1);
  REQUIRE(st[0].start == 20);
  REQUIRE(st[0].end == 51);  // windows [p, p + 10) inside [20, 60)
  geo.chr_prefix = ChrPrefix::AsIs;
  geo.regions = {{"A", 20, 60}, {"chrA", 70, 100}};
  st = window_starts(*g, 10, geo);
  REQUIRE(st.size() == 1);
  REQUIRE(st[0].start == 70);
  // blacklist [40, 45) forbids the starts [31, 45)
  geo.has_regions = false;
  geo.regions.clear();
  geo.blacklist = {{"chrA", 40, 45}};
  st = window_starts(*g, 10, geo);
  REQUIRE(total(st) == 91 - 14 + 31);
  REQUIRE(st[0].end == 31);
  REQUIRE(st[1].start == 45);
}

TEST_CASE("window starts: maxN drops windows with more N than maxN x window", "[data][plan]") {
  auto g = plantest::small_genome();
  Geometry geo;
  geo.chroms = {0};
  geo.max_n = 0.2;  // at most 2 N in a window of 10
  geo.threads = 2;
  auto st = window_starts(*g, 10, geo);
  // brute force over chrA
  std::string a = g->chromosome(0);
  for (auto& c : a) c = static_cast<char>(std::toupper(c));
  auto n = plantest::window_n(a, 10);
  std::uint64_t expect = 0;
  for (auto x : n) expect += x <= 2;
  REQUIRE(total(st) == expect);
  for (const auto& iv : st)
    for (std::int64_t p = iv.start; p < iv.end; ++p) REQUIRE(n[static_cast<std::size_t>(p)] <= 2);
}

TEST_CASE("make_plan: continuous starts and statistics chromosomes from the geometry", "[data][plan]") {
  auto g = plantest::small_genome();
  GeneratorOptions o;
  o.kind = TargetKind::Continuous;
  o.window = 10;
  o.tracks = {"unused.bw"};
  Geometry geo;
  geo.chroms = {1};
  auto p = make_plan(*g, o, geo);
  REQUIRE(p.stat_chroms == std::vector<int>{1});
  REQUIRE(total(p.starts) == 31);
  geo.has_regions = true;  // no region on the included chromosomes: no window
  REQUIRE_THROWS_WITH(make_plan(*g, o, geo), Catch::Contains("no window of length 10"));
}
