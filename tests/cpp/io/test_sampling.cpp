#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "data/sampling.hpp"
#include "data/shuffle.hpp"
#include "data/tracks.hpp"

using namespace gdl::data;

TEST_CASE("Permutation is a bijection of [0, n), keyed", "[data]") {
  for (std::uint64_t n : {1ULL, 2ULL, 7ULL, 64ULL, 1000ULL, 4097ULL}) {
    Permutation p(n, 123);
    std::vector<char> seen(n, 0);
    for (std::uint64_t i = 0; i < n; ++i) {
      auto v = p(i);
      REQUIRE(v < n);
      REQUIRE_FALSE(seen[v]);
      seen[v] = 1;
    }
  }
  Permutation a(1000, 1), b(1000, 2);
  int same = 0;
  for (std::uint64_t i = 0; i < 1000; ++i) same += a(i) == b(i);
  CHECK(same < 20);  // different keys: about 1 fixed agreement expected
}

TEST_CASE("PositionSet merges, indexes and subtracts intervals", "[data]") {
  PositionSet s({{0, 10, 20}, {0, 15, 25}, {1, 0, 5}, {0, 40, 42}});
  REQUIRE(s.size() == 15 + 2 + 5);
  int c;
  std::int64_t p;
  s.at(0, &c, &p);
  CHECK((c == 0 && p == 10));
  s.at(15, &c, &p);
  CHECK((c == 0 && p == 40));
  s.at(17, &c, &p);
  CHECK((c == 1 && p == 0));
  CHECK_THROWS_AS(s.at(22, &c, &p), gdl::Error);
  PositionSet d = s.subtract({{0, 12, 14}, {1, 3, 100}, {0, 0, 11}});
  // chr0: [11,12) [14,25) [40,42); chr1: [0,3)
  CHECK(d.size() == 1 + 11 + 2 + 3);
  d.at(0, &c, &p);
  CHECK(p == 11);
  d.at(1, &c, &p);
  CHECK(p == 14);
}

TEST_CASE("IntervalIndex finds every overlapping interval of a channel", "[data]") {
  std::vector<LabelledInterval> iv = {{0, 0, 100, 0}, {0, 50, 60, 0}, {0, 200, 300, 1}, {0, 90, 95, 0},
                                      {1, 0, 10, 0}};
  IntervalIndex idx(iv, 2, 2);
  auto query = [&](int chrom, int ch, std::int64_t s, std::int64_t e) {
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    idx.overlapping(chrom, ch, s, e, [&](std::int64_t a, std::int64_t b) { out.emplace_back(a, b); });
    std::sort(out.begin(), out.end());
    return out;
  };
  CHECK(query(0, 0, 55, 92).size() == 3);
  CHECK(query(0, 0, 96, 100).size() == 1);
  CHECK(query(0, 0, 100, 200).empty());
  CHECK(query(0, 1, 0, 1000).size() == 1);
  CHECK(query(1, 0, 9, 10).size() == 1);
  CHECK(query(1, 1, 0, 10).empty());
}

TEST_CASE("dinucleotide shuffle keeps dinucleotide counts and the end letters", "[data]") {
  std::string s = "ACGTTGCAAACCCGGGTTTACGATCGATCGNNACGTACGTAGCTAGCTAGGATCCA";
  auto counts = [](const std::string& x) {
    std::map<std::string, int> m;
    for (std::size_t i = 0; i + 1 < x.size(); ++i) m[x.substr(i, 2)]++;
    return m;
  };
  int changed = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    std::string t = s;
    dinucleotide_shuffle(&t[0], t.size(), seed);
    REQUIRE(counts(t) == counts(s));
    REQUIRE(t.front() == s.front());
    REQUIRE(t.back() == s.back());
    changed += t != s;
  }
  CHECK(changed >= 18);
  std::string a = "ACGTACGTTTGACCA", b = a;
  dinucleotide_shuffle(&a[0], a.size(), 5);
  dinucleotide_shuffle(&b[0], b.size(), 5);
  CHECK(a == b);
}

TEST_CASE("balanced weights follow numpy.histogram and inverse frequencies", "[data]") {
  // values 0..9 each once plus 9 nine more times: 10 bins over (-0.001, 9)
  std::vector<double> v;
  for (int i = 0; i < 10; ++i) v.push_back(i);
  for (int i = 0; i < 9; ++i) v.push_back(9);
  BinWeights w = balanced_weights(v, 10);
  REQUIRE(w.edges.size() == 11);
  CHECK(w.edges.front() == Approx(-0.001));
  CHECK(w.edges.back() == Approx(9));
  // bins 0..8 hold one value each (p = 1/19), bin 9 holds 10 (p = 10/19); w = 1 / (p * 10)
  CHECK(w.weights[0] == Approx(1.9));
  CHECK(w.weights[9] == Approx(0.19));
  CHECK(w.lookup(-5) == Approx(1.9));   // at or below the first edge: first bin (not the last)
  CHECK(w.lookup(9) == Approx(0.19));
  CHECK(w.lookup(100) == Approx(0.19));
  // 'auto': the smaller of the Sturges (99 / 7.64) and Freedman-Diaconis (21.3) widths
  std::vector<double> u;
  for (int i = 0; i < 100; ++i) u.push_back(i);
  BinWeights a = balanced_weights(u, 0);
  // numpy.histogram_bin_edges(np.arange(100), 'auto') -> 8 bins (Sturges: log2(100) + 1 = 7.64)
  CHECK(a.weights.size() == 8);
  // empty bins take the smallest non-zero probability
  BinWeights e = balanced_weights({0, 0, 0, 10}, 4);
  CHECK(e.weights[1] == Approx(e.weights[3]));
}

TEST_CASE("normalisation steps apply in order", "[data]") {
  std::vector<NormStep> s = {{Norm::Perctrim, 10, 0}, {Norm::Max, 10, 0}};
  CHECK(normalise(s, 20) == Approx(1));
  CHECK(normalise(s, 5) == Approx(0.5));
  std::vector<NormStep> z = {{Norm::Log, 0, 0}, {Norm::Zscore, 1, 2}};
  CHECK(normalise(z, std::exp(3.0f) - 1) == Approx(1));
  CHECK_THROWS_AS(parse_norm("nope"), gdl::Error);
}
