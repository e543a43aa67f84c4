// N runs and the N content of windows: the sweep over runs against a brute-force count of every
// window.
#include <catch2/catch.hpp>

#include "data/plan.hpp"
#include "data/plan_helpers.hpp"

using namespace gdl::data;

TEST_CASE("N runs: read per chromosome by threads, lower case included", "[data][plan]") {
  auto g = plantest::small_genome();
  auto runs = ambiguous_runs(*g, std::vector<int>{0, 1, 2}, 3);
  REQUIRE(runs.size() == 3);
  REQUIRE(runs[0].size() == 2);
  REQUIRE(runs[0][0].start == 10);
  REQUIRE(runs[0][0].end == 20);
  REQUIRE(runs[0][1].start == 50);
  REQUIRE(runs[0][1].end == 53);
  REQUIRE(runs[1].empty());
  std::vector<std::int64_t> cum = {10, 13};
  REQUIRE(n_count(runs[0], cum, 0, 100) == 13);
  REQUIRE(n_count(runs[0], cum, 15, 51) == 6);
  REQUIRE(n_count(runs[0], cum, 20, 50) == 0);
  REQUIRE(n_count(runs[0], cum, 52, 53) == 1);
}

TEST_CASE("N-rich window starts: the sweep equals a brute-force count of every window", "[data][plan]") {
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    std::int64_t len = 300 + seed * 7;
    std::string s = plantest::random_chromosome(len, seed);
    gdl::genome::MemoryGenome g({"c"}, {s});
    auto runs = ambiguous_runs(g, 0);
    for (std::int64_t window : {1, 5, 37, 120}) {
      for (double max_n : {0.0, 0.1, 0.5}) {
        std::int64_t T = max_n_count(max_n, window);
        auto bad = n_rich_starts(runs, 0, len - window + 1, window, T);
        auto n = plantest::window_n(s, window);
        std::vector<char> flagged(n.size(), 0);
        for (const auto& iv : bad) {
          REQUIRE(iv.start >= 0);
          REQUIRE(iv.end <= static_cast<std::int64_t>(n.size()));
          for (std::int64_t p = iv.start; p < iv.end; ++p) flagged[static_cast<std::size_t>(p)] = 1;
        }
        for (std::size_t p = 0; p < n.size(); ++p) REQUIRE((flagged[p] == 1) == (n[p] > T));
        for (std::size_t k = 1; k < bad.size(); ++k) REQUIRE(bad[k].start > bad[k - 1].end);  // disjoint
      }
    }
  }
}

TEST_CASE("maxN as a count: floor(maxN x window); outside [0, 1] an error", "[data][plan]") {
  REQUIRE(max_n_count(0.1, 1001) == 100);
  REQUIRE(max_n_count(0, 50) == 0);
  REQUIRE(max_n_count(1, 50) == 50);
  REQUIRE_THROWS_WITH(max_n_count(1.5, 10), Catch::Contains("maxN must be a fraction between 0 and 1"));
}
