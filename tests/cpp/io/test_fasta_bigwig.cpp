#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "common/error.hpp"
#include "genome/genome.hpp"
#include "helpers.hpp"
#include "tracks/bigwig.hpp"

using namespace gdl;

namespace {
std::string tmp_path(const std::string& name) {
  return std::string("/tmp/gdl_catch_") + std::to_string(::getpid()) + "_" + name;
}
}  // namespace

TEST_CASE("FASTA through faidx: builds the index, fetches, rejects malformed files", "[io]") {
  std::string fa = tmp_path("g.fa");
  {
    std::ofstream f(fa);
    f << ">chrA desc\nACGTACGTAC\nGTAC\n>chrB\nnnnnGGGG\n";
  }
  std::remove((fa + ".fai").c_str());
  auto g = genome::open_fasta(fa);
  REQUIRE(g->size() == 2);
  CHECK(g->names()[0] == "chrA");
  CHECK(g->lengths()[0] == 14);
  CHECK(g->sequence(0, 8, 13) == "ACGTA");
  CHECK(g->sequence(1, 2, 6) == "nnGG");
  CHECK(gdltest::exists(fa + ".fai"));
  CHECK_THROWS_WITH(g->sequence(0, 10, 20), Catch::Contains("outside the chromosome"));
  std::string bad = tmp_path("bad.fa");
  {
    std::ofstream f(bad);
    f << "ACGT\n";
  }
  CHECK_THROWS_WITH(genome::open_fasta(bad), Catch::Contains("malformed"));
  CHECK_THROWS_WITH(genome::open_fasta(tmp_path("missing.fa")), Catch::Contains("cannot open"));
  std::remove(fa.c_str());
  std::remove((fa + ".fai").c_str());
  std::remove(bad.c_str());
}

TEST_CASE("bigWig writer and reader round-trip values, NaN gaps and bin summaries", "[io]") {
  std::string bw = tmp_path("t.bw");
  {
    tracks::BigWigWriter w(bw, {"c1", "c2"}, {100, 50});
    w.add_intervals("c1", {10, 20}, {20, 30}, {1.5f, 3.0f});
    std::vector<float> v = {1, 2, NAN, 4};
    w.add_span("c2", 0, 1, 1, v.data(), v.size());
    w.close();
  }
  tracks::BigWigReader r(bw);
  REQUIRE(r.chromosomes().size() == 2);
  CHECK(r.lengths()[1] == 50);
  std::vector<float> out(30);
  r.values("c1", 0, 30, out.data());
  CHECK(std::isnan(out[9]));
  CHECK(out[10] == 1.5f);
  CHECK(out[29] == 3.0f);
  std::vector<float> out2(5);
  r.values("c2", 0, 5, out2.data());
  CHECK(out2[1] == 2.0f);
  CHECK(std::isnan(out2[2]));
  CHECK(std::isnan(out2[4]));
  std::vector<double> bins(3);
  r.binned("c1", 0, 30, 3, tracks::Summary::Mean, bins.data());
  CHECK(std::isnan(bins[0]));
  CHECK(bins[1] == Approx(1.5));
  CHECK(bins[2] == Approx(3.0));
  r.binned("c1", 10, 30, 1, tracks::Summary::Sum, bins.data());
  CHECK(bins[0] == Approx(45.0));
  CHECK_THROWS_WITH(r.values("chrZ", 0, 5, out2.data()), Catch::Contains("chrZ"));
  CHECK_THROWS_WITH(tracks::BigWigReader(tmp_path("none.bw")), Catch::Contains("does not exist"));
  std::remove(bw.c_str());
}

TEST_CASE("a bigWig writer that is not closed leaves no file", "[io]") {
  std::string bw = tmp_path("abandoned.bw");
  {
    tracks::BigWigWriter w(bw, {"c1"}, {100});
    w.add_intervals("c1", {0}, {10}, {1.0f});
  }
  CHECK_FALSE(gdltest::exists(bw));
}
