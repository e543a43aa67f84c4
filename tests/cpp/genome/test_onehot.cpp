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

namespace {
// Reference for the tiled writer: the strided kernel, one sequence at a time, into a
// column-major N x L x 4 (nlc) or N x 4 x L array.
std::vector<double> strided_reference(const std::vector<std::string>& seqs, bool nlc, Ambiguous amb) {
  const std::size_t n = seqs.size(), len = seqs[0].size();
  std::vector<double> out(n * len * 4, -1.0);
  const auto N = static_cast<std::ptrdiff_t>(n), L = static_cast<std::ptrdiff_t>(len);
  OneHotStrides st = nlc ? OneHotStrides{1, N, N * L} : OneHotStrides{1, N * 4, N};
  for (std::size_t i = 0; i < n; ++i) one_hot<double>(seqs[i].data(), len, out.data() + i, st, amb);
  return out;
}

std::vector<std::string> random_sequences(std::size_t n, std::size_t len, unsigned seed) {
  const char alphabet[] = "ACGTacgtNRYuU";
  std::vector<std::string> s(n, std::string(len, 'A'));
  unsigned x = seed;
  for (auto& q : s)
    for (auto& c : q) {
      x = x * 1103515245u + 12345u;
      c = alphabet[(x >> 16) % 13];
    }
  return s;
}

std::vector<double> tiled(const std::vector<std::string>& seqs, bool nlc, Ambiguous amb, int threads,
                          InvalidBase* bad = nullptr) {
  std::vector<const char*> ptrs;
  for (const auto& q : seqs) ptrs.push_back(q.data());
  std::vector<double> out(seqs.size() * seqs[0].size() * 4, -1.0);
  ColumnMajorOneHot dst;
  dst.out = out.data();
  dst.n = seqs.size();
  dst.len = seqs[0].size();
  dst.nlc = nlc;
  InvalidBase b = one_hot_column_major(ptrs.data(), dst, amb, threads);
  if (bad) *bad = b;
  return out;
}
}  // namespace

TEST_CASE("the tiled column-major writer equals the strided kernel", "[genome]") {
  // 1037 sequences: two full tiles of 512 and a partial one (odd, for the pair stores); 300
  // positions split over 1 to 3 threads. 3 x 4100: positions beyond one position block.
  for (auto dims : {std::pair<std::size_t, std::size_t>{1037, 300}, {3, 4100}, {1, 1}}) {
    auto seqs = random_sequences(dims.first, dims.second, 7);
    for (bool nlc : {true, false})
      for (Ambiguous amb : {Ambiguous::Quarter, Ambiguous::Zero}) {
        auto ref = strided_reference(seqs, nlc, amb);
        for (int threads : {1, 2, 3}) {
          InvalidBase bad;
          CHECK(tiled(seqs, nlc, amb, threads, &bad) == ref);
          CHECK_FALSE(bad.found);
        }
      }
  }
}

TEST_CASE("the tiled writer reports the first invalid byte by sequence, then position", "[genome]") {
  auto seqs = random_sequences(1200, 260, 11);
  seqs[1100][2] = '-';   // a later sequence at an early position (first thread's positions)
  seqs[600][250] = '*';  // the first sequence with an invalid byte, in the last thread's positions
  seqs[600][251] = '!';
  auto ref = strided_reference(seqs, true, Ambiguous::Quarter);  // invalid bytes encode as N
  for (int threads : {1, 2, 4}) {
    InvalidBase bad;
    CHECK(tiled(seqs, true, Ambiguous::Quarter, threads, &bad) == ref);
    CHECK(bad.found);
    CHECK(bad.sequence == 600);
    CHECK(bad.position == 250);
  }
}

TEST_CASE("base codes written column-major equal the letters they code", "[genome]") {
  auto seqs = random_sequences(700, 90, 3);
  std::vector<std::uint8_t> codes(700 * 90);
  for (std::size_t i = 0; i < seqs.size(); ++i) to_codes(seqs[i].data(), 90, codes.data() + i * 90);
  for (bool nlc : {true, false}) {
    std::vector<double> out(700 * 90 * 4, -1.0);
    ColumnMajorOneHot dst;
    dst.out = out.data();
    dst.n = 700;
    dst.len = 90;
    dst.nlc = nlc;
    CHECK_FALSE(codes_to_column_major(codes.data(), dst, Ambiguous::Zero, 2).found);
    CHECK(out == strided_reference(seqs, nlc, Ambiguous::Zero));
    const std::uint8_t kept = codes[5 * 90 + 7];
    codes[5 * 90 + 7] = 9;  // not a base code
    InvalidBase bad = codes_to_column_major(codes.data(), dst, Ambiguous::Zero, 2);
    CHECK(bad.found);
    CHECK(bad.sequence == 5);
    CHECK(bad.position == 7);
    codes[5 * 90 + 7] = kept;
  }
}
