// Option strings: every allowed value maps to its enum; anything else is an error naming the
// option, the value and the allowed values.
#include <catch2/catch.hpp>

#include "common/error.hpp"
#include "data/plan.hpp"

using namespace gdl::data;

TEST_CASE("plan options: allowed strings map to their enums", "[data][plan]") {
  REQUIRE(parse_kind("continuous") == TargetKind::Continuous);
  REQUIRE(parse_kind("sparse") == TargetKind::Sparse);
  REQUIRE(parse_downsampling("none") == Downsampling::None);
  REQUIRE(parse_downsampling("mean") == Downsampling::Mean);
  REQUIRE(parse_downsampling("first") == Downsampling::First);
  REQUIRE(parse_weighting("manual") == Weighting::Manual);
  REQUIRE(parse_weighting("balanced") == Weighting::Balanced);
  REQUIRE(parse_positive("match_any") == Positive::MatchAny);
  REQUIRE(parse_negative("shuffled") == Negative::Shuffled);
  REQUIRE(parse_negative("none") == Negative::None);
  REQUIRE(parse_ambiguous("zero") == gdl::genome::Ambiguous::Zero);
  REQUIRE(parse_chr_prefix("strip") == ChrPrefix::Strip);
}

TEST_CASE("plan options: an unknown string is an error naming the option and the allowed values",
          "[data][plan]") {
  REQUIRE_THROWS_WITH(parse_downsampling("avg"),
                      "generator option 'downsampling' is 'avg': it must be one of 'none', 'mean', 'first'");
  REQUIRE_THROWS_WITH(parse_kind("Sparse"), Catch::Contains("'continuous', 'sparse'"));
  REQUIRE_THROWS_WITH(parse_weighting("balance"), Catch::Contains("'weighting' is 'balance'"));
  REQUIRE_THROWS_WITH(parse_positive("all"), Catch::Contains("'match_all', 'match_any'"));
  REQUIRE_THROWS_WITH(parse_negative("reel"), Catch::Contains("'none', 'real', 'random', 'shuffled'"));
  REQUIRE_THROWS_AS(parse_ambiguous(""), gdl::Error);
  REQUIRE_THROWS_AS(parse_chr_prefix("num"), gdl::Error);
  REQUIRE_THROWS_AS(parse_norm("maxi"), gdl::Error);
}
