// Catch2 tests of src/core/motif/scan: FIMO's PSSM scaling and exact p-values against a brute
// force over all words, and the vectorised scan against the plain reference scan.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "common/error.hpp"
#include "genome/genome.hpp"
#include "motif/scan.hpp"

using namespace gdl::motif;

namespace {

Motif small_motif() {
  Motif m;
  m.id = "m1";
  m.nsites = 10;
  m.prob = {0.7, 0.1, 0.1, 0.1,  0.0, 0.9, 0.1, 0.0,  0.2, 0.2, 0.5, 0.1};
  return m;
}

std::string random_dna(std::size_t n, unsigned seed, bool with_n) {
  std::mt19937 rng(seed);
  const char* letters = "ACGTacgt";
  std::string s(n, 'A');
  for (std::size_t i = 0; i < n; ++i) s[i] = letters[rng() % 8];
  if (with_n)
    for (std::size_t i = 0; i < n; i += 997) s[i] = 'N';
  return s;
}

}  // namespace

TEST_CASE("FIMO's pseudocount and scaling", "[motif][scan]") {
  std::array<double, 4> bg{{0.3, 0.2, 0.2, 0.3}};
  auto p = fimo_pseudocount(small_motif(), bg, 0.1);
  CHECK(p[4] == Approx((0.0 * 10 + 0.1 * 0.3) / 10.1));
  ScanPssm s = build_scan_pssm(p, bg, 1e-2);
  // offset = floor(min log-odds), scale = floor(1000 / (max - offset))
  double mn = 1e9, mx = -1e9;
  for (std::size_t i = 0; i < p.size(); ++i) {
    double lo = std::log(p[i] / bg[i % 4]) * 1.44269504;
    mn = std::min(mn, lo);
    mx = std::max(mx, lo);
  }
  CHECK(s.offset == std::floor(mn));
  CHECK(s.scale == std::floor(1000 / (mx - std::floor(mn))));
  CHECK(s.pv.size() == 3001);
  CHECK(s.pv[0] == Approx(1.0));
}

TEST_CASE("p-values equal the brute-force distribution over all words", "[motif][scan]") {
  std::array<double, 4> bg{{0.3, 0.2, 0.2, 0.3}};
  ScanPssm s = build_scan_pssm(fimo_pseudocount(small_motif(), bg, 0.1), bg, 1e-2);
  std::vector<double> pdf(s.pv.size(), 0.0);
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 4; ++b)
      for (int c = 0; c < 4; ++c)
        pdf[static_cast<std::size_t>(s.score[a] + s.score[4 + b] + s.score[8 + c])] += bg[a] * bg[b] * bg[c];
  double tail = 0;
  for (std::size_t x = pdf.size(); x-- > 0;) {
    tail += pdf[x];
    CHECK(s.pv[x] == Approx(std::min(1.0, tail)).epsilon(1e-12));
  }
  // the threshold is the first score whose p-value is <= 1e-2
  CHECK(s.pvalue(s.min_hit) <= 1e-2);
  CHECK(s.pvalue(s.min_hit - 1) > 1e-2);
}

TEST_CASE("the vectorised scan finds what the reference scan finds", "[motif][scan]") {
  std::vector<std::string> seqs = {random_dna(20000, 1, true), random_dna(37, 2, false),
                                   random_dna(5000, 3, false)};
  gdl::genome::MemoryGenome g({"a", "b", "c"}, seqs);
  std::vector<Motif> motifs = {small_motif()};
  Motif wide;  // 70 columns: the scalar path
  wide.id = "wide";
  wide.nsites = 100;
  for (int j = 0; j < 70; ++j) {
    std::vector<double> col = {0.1, 0.1, 0.1, 0.1};
    col[static_cast<std::size_t>(j % 4)] = 0.7;
    wide.prob.insert(wide.prob.end(), col.begin(), col.end());
  }
  motifs.push_back(wide);
  std::array<double, 4> bg{{0.25, 0.25, 0.25, 0.25}};
  std::vector<ScanRegion> regions = {{0, 0, 20000}, {1, 0, 37}, {2, 100, 4000}};
  ScanOptions opt;
  opt.threshold = 0.05;
  opt.chunk = 777;
  ScanSet set = prepare_scan(motifs, bg, opt);
  std::vector<ScanHit> hits;
  auto sink = [&](std::vector<ScanHit>& h) { hits.insert(hits.end(), h.begin(), h.end()); };
  ScanCounts counts = scan_genome(g, regions, set, opt, sink);

  std::size_t expected = 0;
  std::int64_t windows = 0;
  for (std::size_t r = 0; r < regions.size(); ++r) {
    std::string sub = seqs[static_cast<std::size_t>(regions[r].chrom)].substr(
        static_cast<std::size_t>(regions[r].start),
        static_cast<std::size_t>(regions[r].end - regions[r].start));
    for (std::size_t k = 0; k < motifs.size(); ++k)
      for (int strand = 0; strand < 2; ++strand) {
        const ScanPssm& p = strand == 0 ? set.fwd[k] : set.rev[k];
        auto ref = scan_reference(p, sub);
        for (std::size_t i = 0; i < ref.size(); ++i) {
          if (ref[i] < 0) continue;
          if (k == 0) ++windows;
          if (ref[i] >= p.min_hit) {
            ++expected;
            bool found = false;
            for (const auto& h : hits)
              if (h.region == static_cast<int>(r) && h.motif == static_cast<int>(k) &&
                  h.start == regions[r].start + static_cast<std::int64_t>(i) &&
                  h.strand == (strand == 0 ? '+' : '-')) {
                found = h.scaled == ref[i] && h.pvalue == p.pvalue(ref[i]);
                break;
              }
            CHECK(found);
          }
        }
      }
  }
  CHECK(hits.size() == expected);
  CHECK(counts.windows[0] == windows);
  CHECK(expected > 100);

  // threads and chunk sizes do not change the result
  opt.threads = 3;
  opt.chunk = 65536;
  std::vector<ScanHit> hits2;
  scan_genome(g, regions, set, opt, [&](std::vector<ScanHit>& h) { hits2.insert(hits2.end(), h.begin(), h.end()); });
  CHECK(hits2.size() == hits.size());

  auto q = scan_qvalues(hits, counts);
  for (std::size_t i = 0; i < q.size(); ++i) {
    CHECK(q[i] > 0);
    CHECK(q[i] <= 1);
  }
}

TEST_CASE("bad scan options are errors", "[motif][scan]") {
  std::array<double, 4> bg{{0.25, 0.25, 0.25, 0.25}};
  ScanOptions opt;
  opt.threshold = 0;
  CHECK_THROWS_AS(prepare_scan({small_motif()}, bg, opt), gdl::Error);
  opt.threshold = 1e-4;
  opt.pseudocount = 0;
  CHECK_THROWS_AS(prepare_scan({small_motif()}, bg, opt), gdl::Error);  // a zero probability
}
