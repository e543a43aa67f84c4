// Catch2 tests of src/core/motif: formats, Tomtom pieces, PFM extraction.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "helpers.hpp"
#include "motif/extract.hpp"
#include "motif/motif.hpp"
#include "motif/tomtom.hpp"

using namespace gdl::motif;

TEST_CASE("read_meme reads the example motifs", "[motif]") {
  auto f = read_meme(gdltest::extdata("example_motifs.meme"));
  REQUIRE(f.motifs.size() == 3);
  CHECK(f.motifs[0].id == "MA0139.1");
  CHECK(f.motifs[0].name == "CTCF");
  CHECK(f.motifs[0].width() == 19);
  CHECK(f.motifs[0].nsites == 913);
  CHECK(f.motifs[0].at(0, 3) == Approx(0.502738));
  CHECK(f.background[0] == 0.25);
}

TEST_CASE("write_meme then read_meme keeps probabilities to 6 decimals", "[motif]") {
  Motif m;
  m.id = "filter1";
  m.nsites = 8;
  m.prob = {0.125, 0.375, 0.5, 0, 1, 0, 0, 0};
  std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/gdl_test.meme";
  write_meme({m}, path);
  auto back = read_meme(path);
  REQUIRE(back.motifs.size() == 1);
  CHECK(back.motifs[0].id == "filter1");
  CHECK(back.motifs[0].nsites == 8);
  for (std::size_t i = 0; i < m.prob.size(); ++i) CHECK(back.motifs[0].prob[i] == m.prob[i]);
}

TEST_CASE("consensus and reverse complement", "[motif]") {
  std::vector<double> p = {0.1, 0.2, 0.6, 0.1, 0.25, 0.25, 0.25, 0.25, 0, 0, 0.1, 0.9};
  CHECK(consensus(p) == "GAT");
  CHECK(consensus(reverse_complement(p)) == "AAC");
}

TEST_CASE("drand48 skip-ahead matches glibc drand48", "[motif]") {
  srand48(12345);  // glibc: X = (seed << 16) | 0x330E
  unsigned long long x = (12345ULL << 16) | 0x330E;
  for (int i = 0; i < 1000; ++i) {
    double d = drand48();
    x = drand48_skip(x, 1);
    CHECK(d == static_cast<double>(x) / 281474976710656.0);
  }
  unsigned long long y = (12345ULL << 16) | 0x330E;
  CHECK(drand48_skip(y, 1000) == x);
  CHECK(drand48_skip(0, 1) == 11);
}

TEST_CASE("q-values: Benjamini-Hochberg with pi0 = 1 below 101 p-values", "[motif]") {
  std::vector<double> p = {0.01, 0.02, 0.03, 0.5};
  auto q = qvalues(p, 0);
  CHECK(q[0] == Approx(0.04));
  CHECK(q[1] == Approx(0.04));
  CHECK(q[2] == Approx(0.04));
  CHECK(q[3] == Approx(0.5));
  // many null p-values: pi0 estimate <= 1, q monotone
  std::vector<double> u(1000);
  for (int i = 0; i < 1000; ++i) u[i] = (i + 0.5) / 1000.0;
  auto qu = qvalues(u, 0);
  for (int i = 1; i < 1000; ++i) CHECK(qu[i] >= qu[i - 1]);
  CHECK(qu[999] <= 1.0);
}

TEST_CASE("tomtom: a motif matches itself best, forward, offset 0", "[motif]") {
  auto f = read_meme(gdltest::extdata("example_motifs.meme"));
  TomtomOptions opt;
  opt.dist = Distance::pearson;
  opt.thresh = 1;
  auto hits = tomtom(f.motifs, f.motifs, opt);
  for (int q = 0; q < 3; ++q) {
    const TomtomHit* first = nullptr;
    for (const auto& h : hits)
      if (h.query == q) { first = &h; break; }
    REQUIRE(first);
    CHECK(first->target == q);
    CHECK(first->offset == 0);
    CHECK(first->orientation == '+');
    CHECK(first->overlap == f.motifs[q].width());
  }
  // the reference path gives the same table
  opt.reference = true;
  auto ref = tomtom(f.motifs, f.motifs, opt);
  REQUIRE(ref.size() == hits.size());
  for (std::size_t i = 0; i < hits.size(); ++i) {
    CHECK(ref[i].target == hits[i].target);
    CHECK(ref[i].pvalue == hits[i].pvalue);
  }
}

TEST_CASE("extract_pfms: max method on a known filter", "[motif]") {
  // filter = indicator of "GA", bias -1.5: a site needs both bases
  FirstLayer layer;
  layer.filters = 1;
  layer.width = 2;
  layer.weight = {0, 1, 0, 0, 1, 0, 0, 0};  // [f][c][j]: A at j=1, G at j=0
  layer.bias = {-1.5};
  // one sequence "TGAT" as 4 x L row-major (n, c, l)
  std::vector<double> x(16, 0.0);
  const char* s = "TGAT";
  for (int l = 0; l < 4; ++l) x[std::string("ACGT").find(s[l]) * 4 + l] = 1;
  OneHotView v{x.data(), 1, 4, 16, 4, 1};
  ExtractOptions opt;
  opt.both_strands = false;
  auto r = extract_pfms(layer, v, opt);
  REQUIRE(r.size() == 1);
  CHECK(r[0].nsites == 1);
  CHECK(r[0].counts == std::vector<double>{0, 0, 1, 0, 1, 0, 0, 0});
  opt.both_strands = true;  // reverse complement ATCA has no GA
  CHECK(extract_pfms(layer, v, opt)[0].nsites == 1);
}

TEST_CASE("read_meme refuses rows that do not sum to 1 and renormalises rounding", "[motif]") {
  std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/gdl_rows.meme";
  auto write = [&](const char* row) {
    FILE* f = std::fopen(path.c_str(), "w");
    std::fprintf(f, "MEME version 4\n\nALPHABET= ACGT\n\nMOTIF m1\n"
                    "letter-probability matrix: alength= 4 w= 2 nsites= 10\n%s\n0.25 0.25 0.25 0.25\n", row);
    std::fclose(f);
  };
  write("0.5 0.5 0.5 0.5");
  CHECK_THROWS_WITH(read_meme(path), Catch::Contains("row 1 of motif m1 sums to 2"));
  write("0 0 0 0");
  CHECK_THROWS_WITH(read_meme(path), Catch::Contains("sums to 0"));
  write("0.503 0.2 0.2 0.1");
  auto m = read_meme(path).motifs.at(0);
  CHECK(m.at(0, 0) == Approx(0.503 / 1.003));
  CHECK(m.at(0, 0) + m.at(0, 1) + m.at(0, 2) + m.at(0, 3) == Approx(1.0));
  std::remove(path.c_str());
}
