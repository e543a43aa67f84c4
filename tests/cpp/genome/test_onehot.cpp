#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/parallel.hpp"
#include "genome/bases.hpp"
#include "genome/genome.hpp"
#include "genome/onehot.hpp"

using namespace gdl::genome;

TEST_CASE("base codes fold case, read U as T and mark IUPAC as N", "[genome]") {
  CHECK(base_code('A') == 0);
  CHECK(base_code('c') == 1);
  CHECK(base_code('G') == 2);
  CHECK(base_code('u') == 3);
  CHECK(base_code('N') == kCodeN);
  CHECK(base_code('r') == kCodeN);
  CHECK(base_code('-') == kCodeInvalid);
  CHECK(first_invalid("ACGTN", 5) == 5);
  CHECK(first_invalid("ACxT", 4) == 2);
}

TEST_CASE("reverse complement keeps case and IUPAC pairs", "[genome]") {
  std::string s = "AACGtnRY";
  reverse_complement(s);
  CHECK(s == "RYnaCGTT");
  std::string odd = "ACG";
  reverse_complement(odd);
  CHECK(odd == "CGT");
}

TEST_CASE("one-hot NCL and NLC layouts agree with the channel order A, C, G, T", "[genome]") {
  const std::string seq = "ACGTN";
  std::vector<float> ncl(4 * seq.size()), nlc(4 * seq.size()), fast(4 * seq.size());
  one_hot<float>(seq.data(), seq.size(), ncl.data(), strides_ncl(1, seq.size()), Ambiguous::Quarter);
  one_hot<float>(seq.data(), seq.size(), nlc.data(), strides_nlc(1, seq.size()), Ambiguous::Quarter);
  one_hot_ncl_f32(seq.data(), seq.size(), fast.data(), Ambiguous::Quarter);
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t c = 0; c < 4; ++c) {
      float expect = (i == c) ? 1.0f : 0.0f;
      CHECK(ncl[c * seq.size() + i] == expect);
      CHECK(nlc[i * 4 + c] == expect);
      CHECK(fast[c * seq.size() + i] == expect);
    }
  }
  for (std::size_t c = 0; c < 4; ++c) {
    CHECK(ncl[c * seq.size() + 4] == 0.25f);
    CHECK(fast[c * seq.size() + 4] == 0.25f);
  }
  std::vector<float> zero(4 * seq.size());
  one_hot_ncl_f32(seq.data(), seq.size(), zero.data(), Ambiguous::Zero);
  for (std::size_t c = 0; c < 4; ++c) CHECK(zero[c * seq.size() + 4] == 0.0f);
}

TEST_CASE("one-hot reports the first invalid byte", "[genome]") {
  std::vector<float> out(16);
  CHECK(one_hot_ncl_f32("AC*T", 4, out.data(), Ambiguous::Quarter) == 2);
}

TEST_CASE("memory genome fetches, pads with N and names missing chromosomes", "[genome]") {
  MemoryGenome g({"chr1", "chr2"}, {"ACGTACGTAC", "GGGCCC"});
  CHECK(g.size() == 2);
  CHECK(g.lengths()[1] == 6);
  CHECK(g.sequence(0, 2, 6) == "GTAC");
  std::string buf(6, '?');
  g.fetch_padded(1, -2, 4, &buf[0]);
  CHECK(buf == "NNGGGC");
  g.fetch_padded(1, 4, 10, &buf[0]);
  CHECK(buf == "CCNNNN");
  CHECK_THROWS_WITH(g.require("chr9"), Catch::Contains("chr9"));
  CHECK_THROWS_WITH(g.sequence(1, 2, 7), Catch::Contains("outside the chromosome"));
  CHECK_THROWS_AS(MemoryGenome({"a", "a"}, {"A", "C"}), gdl::Error);
}

TEST_CASE("parallelize covers every item once and rethrows worker errors", "[common]") {
  std::vector<int> hits(1000, 0);
  gdl::parallelize(hits.size(), 3, [&](int, std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) hits[i] += 1;
  });
  CHECK(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
  CHECK_THROWS_AS(gdl::parallelize(10, 2, [](int t, std::size_t, std::size_t) {
                    if (t == 1) gdl::fail("worker ", t, " failed");
                  }),
                  gdl::Error);
}
