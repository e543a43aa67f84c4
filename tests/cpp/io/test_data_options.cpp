// Generator options beyond the core (chrPrefix, seqLen = 'real', outputShape) and the memory a
// generator over the example genome holds.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <vector>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <sys/stat.h>

#include "common/error.hpp"
#include "data/generator.hpp"
#include "data/tracks.hpp"
#include "genome/genome.hpp"
#include "helpers.hpp"
#include "io/io_helpers.hpp"

using namespace gdl;
using namespace gdl::data;

namespace {
using gdltest::example_genome;

std::size_t file_size(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 ? static_cast<std::size_t>(st.st_size) : 0;
}

std::size_t heap_in_use() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;  // small blocks and mmapped ones
#else
  return 0;
#endif
}
}  // namespace

TEST_CASE("chromosome names match with chr added, stripped or as they are", "[data]") {
  std::vector<std::string> genome = {"chr1", "chr2", "MT", "scaffold_1"};
  std::vector<std::string> names = {"1", "chr2", "chrM", "scaffold_1", "chr9", "chr"};
  REQUIRE(match_chromosomes(names, genome, ChrPrefix::AsIs) == std::vector<int>{-1, 1, -1, 3, -1, -1});
  REQUIRE(match_chromosomes(names, genome, ChrPrefix::Auto) == std::vector<int>{0, 1, 2, 3, -1, -1});
  REQUIRE(match_chromosomes(names, genome, ChrPrefix::Add) == std::vector<int>{0, 1, -1, -1, -1, -1});
  std::vector<std::string> bare = {"1", "2", "M"};
  REQUIRE(match_chromosomes({"chr1", "2", "chrM"}, bare, ChrPrefix::Strip) == std::vector<int>{0, 1, 2});
  REQUIRE(parse_chr_prefix("strip") == ChrPrefix::Strip);
  REQUIRE_THROWS_AS(parse_chr_prefix("num"), Error);
}

TEST_CASE("bigWig chromosomes are found under the genome's names with chrPrefix", "[io][data]") {
  std::vector<std::string> bw = {gdltest::extdata("example_coverage_cell1.bw")};
  TrackSet ucsc(bw, {"chr1", "chr2", "chr3"});
  TrackSet asis(bw, {"1", "2", "3"}, ChrPrefix::AsIs);
  TrackSet autom(bw, {"1", "2", "3"}, ChrPrefix::Auto);
  std::vector<float> a(500), b(500), c(500);
  ucsc.values(0, 2, 1000, 1500, a.data());
  asis.values(0, 2, 1000, 1500, b.data());
  autom.values(0, 2, 1000, 1500, c.data());
  int finite = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    REQUIRE(std::isnan(b[i]));
    if (std::isnan(a[i])) {
      REQUIRE(std::isnan(c[i]));
    } else {
      ++finite;
      REQUIRE(c[i] == a[i]);
    }
  }
  REQUIRE(finite > 0);
}

TEST_CASE("seqLen 'real': a positive's input is its feature only, N-padded and centred", "[io][data]") {
  auto g = example_genome();
  GeneratorOptions o;
  o.kind = TargetKind::Sparse;
  o.window = 200;  // the longest feature
  o.batch_size = 2;
  o.annotations = {{0, 1000, 1100, false, 0}, {0, 5000, 5200, false, 0}, {1, 3000, 3051, false, 0}};
  o.negative = Negative::Real;
  o.negative_ratio = 2;
  o.negative_space = {{0, 0, 700000 - 200 + 1}};
  o.real_length = true;
  SequenceGenerator gen(g, o);
  REQUIRE(gen.n_positive() == 3);
  const std::vector<std::int64_t> widths = {100, 200, 51};
  Batch b;
  gen.resize(b, 1);
  for (std::size_t s = 0; s < gen.n_samples(); ++s) {
    gen.fill_sample(0, s, b, 0);
    Window w = gen.window_of(0, s);
    std::string seq = g->sequence(w.chrom, w.start, w.end);
    // bases kept: one-hot of the genome; elsewhere 0.25 in every channel (N)
    std::int64_t kept = 0, first = -1;
    for (std::int64_t p = 0; p < 200; ++p) {
      bool n = b.x[static_cast<std::size_t>(p)] == 0.25f && b.x[200 + static_cast<std::size_t>(p)] == 0.25f;
      if (n && std::string("ACGTacgt").find(seq[static_cast<std::size_t>(p)]) != std::string::npos) continue;
      if (!n) {
        ++kept;
        if (first < 0) first = p;
      }
    }
    std::int64_t len = s < 3 ? widths[s] : -1;
    if (s >= 3) {  // a negative is as long as one of the positives
      REQUIRE((kept == 100 || kept == 200 || kept == 51));
      len = kept;
    }
    REQUIRE(kept == len);
    REQUIRE(first == (200 - len + 1) / 2);  // centred as the window is: ceil((L - len) / 2) before
  }
  o.augmentation = true;
  REQUIRE_THROWS_AS(SequenceGenerator(g, o), Error);
  o.augmentation = false;
  o.window = 150;  // shorter than a feature
  REQUIRE_THROWS_AS(SequenceGenerator(g, o), Error);
}

TEST_CASE("output_shape reshapes the labels, checked at construction", "[io][data]") {
  auto g = example_genome();
  GeneratorOptions o;
  o.kind = TargetKind::Continuous;
  o.window = 201;
  o.target_window = 10;
  o.batch_size = 4;
  o.tracks = {gdltest::extdata("example_coverage_cell1.bw"), gdltest::extdata("example_coverage_cell2.bw")};
  o.starts = {{0, 0, 100000}};
  SequenceGenerator plain(g, o);
  o.output_shape = {20, 1};
  SequenceGenerator flat(g, o);
  REQUIRE(plain.shapes().targets[0] == Shape{10, 2});
  REQUIRE(flat.shapes().targets[0] == Shape{20, 1});
  Batch a, c;
  plain.fill(0, 1, a);
  flat.fill(0, 1, c);
  REQUIRE(a.targets[0] == c.targets[0]);  // the same row-major values
  o.output_shape = {3, 7};
  REQUIRE_THROWS_AS(SequenceGenerator(g, o), Error);
}

TEST_CASE("a generator over the example genome holds less than twice the genome and its tracks",
          "[io][data]") {
  auto g = example_genome();
  std::size_t genome_bytes = 0;
  for (auto l : g->lengths()) genome_bytes += static_cast<std::size_t>(l);
  std::vector<std::string> bw = {gdltest::extdata("example_coverage_cell1.bw"),
                                 gdltest::extdata("example_coverage_cell2.bw")};
  const std::size_t bound = 2 * (genome_bytes + file_size(bw[0]) + file_size(bw[1]));
  {  // warm the genome's reader and the thread's buffers outside the measure
    Batch w;
    std::vector<char> tmp(2001);
    g->fetch(0, 0, 2001, tmp.data());
  }
  GeneratorOptions o;
  o.kind = TargetKind::Continuous;
  o.window = 2001;
  o.target_window = 100;
  o.batch_size = 16;
  o.stride = 1000;  // an epoch reads every chunk of both tracks
  o.tracks = bw;
  o.normalization = {Norm::Perctrim, Norm::Max};
  o.weighting = Weighting::Balanced;
  o.stat_chroms = {0, 1, 2};
  for (int c = 0; c < 3; ++c) o.starts.push_back({c, 0, g->lengths()[static_cast<std::size_t>(c)] - 2001 + 1});
  std::size_t before = heap_in_use();
  auto gen = std::make_unique<SequenceGenerator>(g, o);
  {
    Batch b;
    for (std::size_t i = 0; i < gen->batches_per_epoch(); ++i) gen->fill(0, i, b);
  }
  std::size_t after = heap_in_use();
  auto m = gen->memory();
  INFO("accessor " << m.total(1) << " bytes (tracks " << m.tracks << "), heap growth " << after - before
                   << " bytes, bound " << bound);
  CHECK(m.total(2) <= bound);
  CHECK(m.tracks > 0);
  CHECK(m.readers == 2);
  if (before > 0) {  // glibc: the heap's own account, libBigWig's buffers included
    // (the thread's scratch buffers were allocated by earlier tests, so they are not in the growth)
    std::size_t held = m.total(1) - m.per_thread;
    CHECK(after - before <= bound);
    CHECK(held <= after - before);
    CHECK(after - before <= held + m.readers * (std::size_t{128} << 10));  // readers: small
  }
}
