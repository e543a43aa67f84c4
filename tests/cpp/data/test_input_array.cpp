// The one-hot check and the tiled conversions of caller (R) arrays: against element-by-element
// references on sizes that do not divide the tile (256 samples).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "data/input_array.hpp"

using gdl::data::ColumnMajorArray;
using gdl::data::OneHotProblem;

namespace {
// A column-major one-hot array (N x L x 4 or N x 4 x L) of random bases.
std::vector<double> random_one_hot(std::size_t N, std::size_t L, bool nlc, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<double> x(N * L * 4, 0.0);
  ColumnMajorArray a{nullptr, N, 4, L, nlc};
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t l = 0; l < L; ++l) x[a.at(n, rng() % 4, l)] = 1.0;
  return x;
}
}  // namespace

TEST_CASE("to_row_major and from_row_major match the element-by-element loops", "[input_array]") {
  for (bool nlc : {true, false}) {
    const std::size_t N = 517, L = 33;
    auto x = random_one_hot(N, L, nlc, 3);
    for (std::size_t k = 0; k < x.size(); ++k) x[k] += 0.001 * static_cast<double>(k % 97);
    ColumnMajorArray a{x.data(), N, 4, L, nlc};
    auto rm = gdl::data::to_row_major(a);
    REQUIRE(rm.size() == N * 4 * L);
    for (std::size_t n = 0; n < N; ++n)
      for (std::size_t c = 0; c < 4; ++c)
        for (std::size_t l = 0; l < L; ++l)
          REQUIRE(rm[(n * 4 + c) * L + l] == static_cast<float>(x[a.at(n, c, l)]));
    std::vector<double> back(x.size(), -1.0);
    gdl::data::from_row_major(rm.data(), N, gdl::data::column_major_offsets(a), back.data());
    for (std::size_t k = 0; k < x.size(); ++k) REQUIRE(back[k] == static_cast<double>(static_cast<float>(x[k])));
  }
}

TEST_CASE("check_one_hot reports the first problem as R users are told", "[input_array]") {
  const std::size_t N = 300, L = 20;
  for (bool nlc : {true, false}) {
    auto x = random_one_hot(N, L, nlc, 5);
    ColumnMajorArray a{x.data(), N, 4, L, nlc};
    CHECK(gdl::data::check_one_hot(a, true).kind == OneHotProblem::kNone);
    // N as 0.25 everywhere is fine.
    auto y = x;
    for (std::size_t c = 0; c < 4; ++c) y[a.at(7, c, 3)] = 0.25;
    a.x = y.data();
    CHECK(gdl::data::check_one_hot(a, true).kind == OneHotProblem::kNone);
    // Two channels set at (sample 9, position 4) and at (sample 2, position 6): the first by
    // position, then sample, is (9, 4).
    y = x;
    for (std::size_t c = 0; c < 4; ++c) y[a.at(9, c, 4)] = c < 2 ? 1.0 : 0.0;
    for (std::size_t c = 0; c < 4; ++c) y[a.at(2, c, 6)] = 1.0;
    a.x = y.data();
    auto p = gdl::data::check_one_hot(a, true);
    CHECK(p.kind == OneHotProblem::kSum);
    CHECK(p.sample == 9);
    CHECK(p.position == 4);
    CHECK(p.sum == 2.0);
    // Out of range, whole range reported.
    y = x;
    y[a.at(1, 1, 1)] = -0.5;
    y[a.at(5, 2, 7)] = 7;
    a.x = y.data();
    p = gdl::data::check_one_hot(a, true);
    CHECK(p.kind == OneHotProblem::kRange);
    CHECK(p.min == -0.5);
    CHECK(p.max == 7);
    // Non-finite values come first and are all counted, whatever else is wrong.
    y[a.at(0, 0, 0)] = std::numeric_limits<double>::quiet_NaN();
    y[a.at(3, 3, 19)] = std::numeric_limits<double>::infinity();
    y[a.at(4, 0, 19)] = -std::numeric_limits<double>::infinity();
    p = gdl::data::check_one_hot(a, true);
    CHECK(p.kind == OneHotProblem::kNonFinite);
    CHECK(p.non_finite == 3);
    // Without the one-hot rule only the finite check applies.
    y[a.at(0, 0, 0)] = 0;
    y[a.at(3, 3, 19)] = 0;
    y[a.at(4, 0, 19)] = 0;
    CHECK(gdl::data::check_one_hot(a, false).kind == OneHotProblem::kNone);
  }
}
