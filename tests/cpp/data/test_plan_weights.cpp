// Manual weights: one set of bins per file, n + 1 increasing edges for n weights >= 0.
#include <catch2/catch.hpp>

#include <limits>

#include "common/error.hpp"
#include "data/plan.hpp"

using namespace gdl::data;

TEST_CASE("manual weights checked once", "[data][plan]") {
  BinWeights ok{{-1, 10, 1000}, {2, 7}};
  REQUIRE_NOTHROW(check_manual_bins({ok}, 1));
  REQUIRE_THROWS_WITH(check_manual_bins({ok}, 2), Catch::Contains("each of the 2 bigWig files"));
  REQUIRE_THROWS_WITH(check_manual_bins({BinWeights{{0, 1}, {1, 2}}}, 1), Catch::Contains("n + 1 edges"));
  REQUIRE_THROWS_WITH(check_manual_bins({BinWeights{{0, 5, 3}, {1, 2}}}, 1), Catch::Contains("increasing"));
  REQUIRE_THROWS_WITH(check_manual_bins({BinWeights{{0, 1, 2}, {1, -2}}}, 1), Catch::Contains(">= 0"));
  REQUIRE_NOTHROW(check_manual_sparse(3, 0.5));
  REQUIRE_THROWS_AS(check_manual_sparse(std::numeric_limits<double>::quiet_NaN(), 1), gdl::Error);
  REQUIRE_THROWS_AS(check_manual_sparse(1, 0), gdl::Error);
}
