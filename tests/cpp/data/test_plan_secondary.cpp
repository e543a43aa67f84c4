// Secondary tracks: length over the window's centre, shape by types.
#include <catch2/catch.hpp>

#include "common/error.hpp"
#include "data/plan.hpp"

using namespace gdl::data;

TEST_CASE("secondary tracks: length (0: the window), centre offset and shape", "[data][plan]") {
  REQUIRE(secondary_length(0, 301) == 301);
  REQUIRE(secondary_length(100, 301) == 100);
  REQUIRE_THROWS_WITH(secondary_length(400, 301), "secondaryLength (400) is larger than the window (301)");
  REQUIRE(secondary_offset(100, 301) == 100);  // bases [100, 200) of the window
  REQUIRE(secondary_offset(301, 301) == 0);
  REQUIRE(secondary_shape(4, 0, 0, 50) == Shape{50, 4});
  REQUIRE(secondary_shape(4, 20, 2, 50) == Shape{20, 2, 2});
  REQUIRE_THROWS_WITH(secondary_shape(3, 20, 2, 50), Catch::Contains("must divide the number of secondary files (3)"));
}
