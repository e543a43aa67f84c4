// Regression tests of what tests/fuzz (libFuzzer) found in the torch-free, I/O-free parsers:
// each input below once crashed, tripped a sanitizer or broke an invariant; now it is a
// gdl::Error that says what is wrong, or it reads correctly.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

#include "common/error.hpp"
#include "deepbind/model.hpp"
#include "motif/motif.hpp"

using namespace gdl;

namespace {
std::string write_tmp(const std::string& name, const std::string& text) {
  std::string p = "/tmp/gdl_catch_fuzz_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}
const char* kMemeHead = "MEME version 4\n\nALPHABET= ACGT\n\n";
}  // namespace

TEST_CASE("DeepBind params: sizes from a corrupt header are an error, not a huge allocation",
          "[fuzz][deepbind]") {
  // A 40-kB file announcing 8192 x 65536 weights1 values: the parser reserved them (2 GB)
  // before finding the line short. Now the reservation is bounded by the text.
  auto zeros = [](std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += i ? ",0" : "0";
    return s;
  };
  std::string text =
      "# deepbind 0.1\nreverse_complement = 0\nnum_detectors = 4096\ndetector_len = 1\n"
      "has_avg_pooling = 1\nnum_hidden = 65536\ndetectors = " + zeros(16384) +
      "\nthresholds = " + zeros(4096) + "\nweights1 = 1,2\n";
  CHECK_THROWS_WITH(deepbind::parse_model(text, "big.txt"),
                    Catch::Contains("field 'weights1' has 2 values, expected 536870912"));
}

TEST_CASE("MEME: w= and alength= out of int range are errors (no undefined cast)", "[fuzz][motif]") {
  std::string big = write_tmp("w.meme", std::string(kMemeHead) +
      "MOTIF a\nletter-probability matrix: alength= 4 w= 1e300 nsites= 3\n0.25 0.25 0.25 0.25\n");
  CHECK_THROWS_WITH(motif::read_meme(big), Catch::Contains("w= 1e300"));
  std::string half = write_tmp("w2.meme", std::string(kMemeHead) +
      "MOTIF a\nletter-probability matrix: alength= 4 w= 1.5\n0.25 0.25 0.25 0.25\n");
  CHECK_THROWS_WITH(motif::read_meme(half), Catch::Contains("whole number"));
  std::string alen = write_tmp("a.meme", std::string(kMemeHead) +
      "MOTIF a\nletter-probability matrix: alength= nan w= 1\n0.25 0.25 0.25 0.25\n");
  CHECK_THROWS_WITH(motif::read_meme(alen), Catch::Contains("alength= nan"));
  // the ordinary case still reads
  std::string ok = write_tmp("ok.meme", std::string(kMemeHead) +
      "MOTIF a b\nletter-probability matrix: alength= 4 w= 1 nsites= 3\n0.1 0.2 0.3 0.4\n");
  auto f = motif::read_meme(ok);
  REQUIRE(f.motifs.size() == 1);
  CHECK(f.motifs[0].width() == 1);
  CHECK(f.motifs[0].name == "b");
  for (const auto& p : {big, half, alen, ok}) std::remove(p.c_str());
}

TEST_CASE("MEME: a NUL or other control byte in a MOTIF id is an error", "[fuzz][motif]") {
  // write_meme cut such an id at the NUL: the file written did not read back the same.
  std::string text = std::string(kMemeHead) + "MOTIF m2**" + std::string(1, '\0') + "x\n" +
                     "letter-probability matrix: alength= 4 w= 1\n0.25 0.25 0.25 0.25\n";
  std::string p = write_tmp("nul.meme", text);
  CHECK_THROWS_WITH(motif::read_meme(p), Catch::Contains("control character (byte 0)"));
  std::remove(p.c_str());
}

TEST_CASE("JASPAR: infinite counts and column totals that overflow are errors", "[fuzz][motif]") {
  std::string inf = write_tmp("inf.jaspar", ">M1 x\nA [ inf 1 ]\nC [ 0 1 ]\nG [ 0 1 ]\nT [ 0 1 ]\n");
  CHECK_THROWS_WITH(motif::read_jaspar(inf), Catch::Contains("not a finite number"));
  std::string over = write_tmp("over.jaspar",
      ">M2 x\nA [ 1e308 1 ]\nC [ 1e308 1 ]\nG [ 0 1 ]\nT [ 0 1 ]\n");
  CHECK_THROWS_WITH(motif::read_jaspar(over), Catch::Contains("column 1 of matrix M2"));
  // finite counts still give probabilities over the column total
  std::string ok = write_tmp("ok.jaspar", ">M3 x\nA [ 1 1 ]\nC [ 1 1 ]\nG [ 2 1 ]\nT [ 0 1 ]\n");
  auto f = motif::read_jaspar(ok);
  REQUIRE(f.motifs.size() == 1);
  CHECK(f.motifs[0].at(0, 2) == Approx(0.5));
  CHECK(f.motifs[0].at(1, 0) == Approx(0.25));
  CHECK(f.motifs[0].nsites == 4);
  // a column without counts is an error (issue 11: never silently uniform)
  std::string empty = write_tmp("empty.jaspar", ">M4 x\nA [ 1 0 ]\nC [ 1 0 ]\nG [ 2 0 ]\nT [ 0 0 ]\n");
  CHECK_THROWS_WITH(motif::read_jaspar(empty), Catch::Contains("no counts"));
  for (const auto& p : {inf, over, ok, empty}) std::remove(p.c_str());
}
