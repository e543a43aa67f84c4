// Catch2 tests of the torch-free motif discovery pieces: seqlet calling, continuous Jaccard,
// reverse-complement invariance, the affinity graph.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "interpret/modisco.hpp"
#include "interpret/seqlets.hpp"

using namespace gdl::interpret;

TEST_CASE("window_sums are sliding sums", "[interpret][seqlets]") {
  std::vector<double> t = {1, 2, 3, 4, 5};
  auto s = window_sums(t.data(), t.size(), 3);
  REQUIRE(s.size() == 3);
  CHECK(s[0] == 6);
  CHECK(s[1] == 9);
  CHECK(s[2] == 12);
}

TEST_CASE("isotonic_increasing pools violators", "[interpret][seqlets]") {
  auto f = isotonic_increasing({1, 3, 2, 0, 5}, {1, 1, 1, 1, 1});
  // 3 > 2 pool to 2.5, then 2.5 > 0 pool (3, 2, 0) to 5 / 3 (still above 1)
  REQUIRE(f.size() == 5);
  CHECK(f[0] == Approx(1));
  CHECK(f[1] == Approx(5.0 / 3));
  CHECK(f[3] == Approx(5.0 / 3));
  CHECK(f[4] == Approx(5));
}

TEST_CASE("call_seqlets finds hand-made peaks with their signs", "[interpret][seqlets]") {
  const std::size_t n = 3, len = 200;
  std::vector<double> t(n * len);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t l = 0; l < len; ++l) t[i * len + l] = 0.01 * std::sin(1.7 * l + i);
  auto peak = [&](std::size_t i, int a, double v) {
    for (int l = a; l < a + 10; ++l) t[i * len + l] += v;
  };
  peak(0, 50, 1);
  peak(1, 100, -1);
  peak(2, 30, 1);
  peak(2, 140, 1);
  SeqletOptions opt;
  opt.threads = 2;
  auto r = call_seqlets(t.data(), n, len, opt);
  REQUIRE(r.seqlets.size() == 4);
  const int want_ex[] = {0, 1, 2, 2}, want_at[] = {50, 100, 30, 140}, want_sign[] = {1, -1, 1, 1};
  for (int k = 0; k < 4; ++k) {
    const auto& s = r.seqlets[k];
    CHECK(s.example == static_cast<std::size_t>(want_ex[k]));
    CHECK(s.sign == want_sign[k]);
    CHECK(s.end - s.start == 41);
    // the 21-bp core [start + 10, start + 31) holds the whole 10-bp peak
    CHECK(s.start + 10 <= want_at[k]);
    CHECK(s.start + 31 >= want_at[k] + 10);
  }
  CHECK(r.pos_threshold > 0.3);
  CHECK(r.neg_threshold < -0.3);
  CHECK(r.passing_fraction >= 0.03);
  CHECK(r.passing_fraction <= 0.2);
}

TEST_CASE("call_seqlets caps the number of seqlets and rejects short sequences", "[interpret][seqlets]") {
  const std::size_t n = 4, len = 100;
  std::vector<double> t(n * len, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (int l = 40; l < 50; ++l) t[i * len + l] = 1.0 + i;
  SeqletOptions opt;
  opt.max_seqlets = 2;
  auto r = call_seqlets(t.data(), n, len, opt);
  REQUIRE(r.seqlets.size() == 2);  // the two strongest: examples 2 and 3
  CHECK(r.seqlets[0].example == 2);
  CHECK(r.seqlets[1].example == 3);
  CHECK_THROWS(call_seqlets(t.data(), n, 30, opt));
}

TEST_CASE("continuous_jaccard matches a hand computation", "[interpret][similarity]") {
  const std::vector<float> x = {0.5f, -0.2f, 0.1f, 0.3f, -0.4f, 0.0f};  // 3 columns x 2 channels
  const std::vector<float> y = {0.2f, 0.1f, -0.1f, 0.3f};               // 2 columns x 2 channels
  // offset 0: mins with signs 0.2 - 0.1 - 0.1 + 0.3 = 0.3; maxima 0.5 + 0.2 + 0.1 + 0.3 = 1.1
  CHECK(continuous_jaccard(x.data(), y.data(), 2, 2, 0) == Approx(0.3 / 1.1));
  // offset 1: 0.1 + 0.1 + 0.1 + 0 = 0.3; 0.2 + 0.3 + 0.4 + 0.3 = 1.2
  CHECK(continuous_jaccard(x.data(), y.data(), 2, 2, 1) == Approx(0.25));
  CHECK(continuous_jaccard(x.data(), x.data(), 3, 2, 0) == Approx(1));
}

namespace {
// n random examples of length len; example 2k + 1 is the reverse complement of example 2k.
struct Toy {
  std::vector<float> onehot, hyp;
  std::size_t n, len;
  ContribData data() const { return {onehot.data(), hyp.data(), n, len}; }
};

Toy toy(std::size_t pairs, std::size_t len, unsigned seed) {
  Toy t;
  t.n = 2 * pairs;
  t.len = len;
  t.onehot.assign(t.n * 4 * len, 0.0f);
  t.hyp.assign(t.n * 4 * len, 0.0f);
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0, 1);
  for (std::size_t p = 0; p < pairs; ++p) {
    const std::size_t a = 2 * p, b = 2 * p + 1;
    for (std::size_t l = 0; l < len; ++l) {
      int base = static_cast<int>(rng() % 4);
      t.onehot[(a * 4 + base) * len + l] = 1;
      t.onehot[(b * 4 + (3 - base)) * len + (len - 1 - l)] = 1;
      for (int c = 0; c < 4; ++c) {
        float h = nd(rng);
        t.hyp[(a * 4 + c) * len + l] = h;
        t.hyp[(b * 4 + (3 - c)) * len + (len - 1 - l)] = h;
      }
    }
  }
  return t;
}
}  // namespace

TEST_CASE("similarities are invariant to reverse complementing a seqlet", "[interpret][similarity]") {
  auto t = toy(2, 41, 3);
  auto d = t.data();
  Seqlet s0{0, 0, 41, 1, 0}, s1{1, 0, 41, 1, 0}, s2{2, 0, 41, 1, 0}, s3{3, 0, 41, 1, 0};
  CHECK(seqlet_similarity(d, s0, s1, 0.7) == Approx(1));
  const double ref = seqlet_similarity(d, s0, s2, 0.7);
  CHECK(ref < 0.9);
  CHECK(seqlet_similarity(d, s0, s3, 0.7) == Approx(ref));
  CHECK(seqlet_similarity(d, s1, s2, 0.7) == Approx(ref));
  CHECK(seqlet_similarity(d, s2, s0, 0.7) == Approx(ref));
  // the best alignment of a seqlet on its own reverse complement is the reverse strand, shift 0
  auto f0 = seqlet_features(d, s0, false);
  auto al = best_alignment(f0, seqlet_features(d, s1, false), seqlet_features(d, s1, true), 41, 0.7);
  CHECK(al.rc);
  CHECK(al.shift == 0);
  CHECK(al.similarity == Approx(1));
}

TEST_CASE("the coarse prefilter with every neighbour gives the exact graph", "[interpret][similarity]") {
  auto t = toy(6, 60, 5);
  auto d = t.data();
  std::vector<Seqlet> s;
  // the twin of [5, 46) in a reverse-complemented example is [14, 55)
  for (std::size_t i = 0; i < t.n; ++i) s.push_back({i, i % 2 ? 14L : 5L, i % 2 ? 55L : 46L, 1, 0});
  GraphOptions exact;
  exact.neighbors = 4;
  exact.perplexity = 3;
  auto g1 = affinity_graph(d, s, exact);
  GraphOptions coarse = exact;
  coarse.exact_max = 0;
  coarse.coarse_neighbors = 100;
  auto g2 = affinity_graph(d, s, coarse);
  REQUIRE(g1.from.size() == g2.from.size());
  REQUIRE(!g1.from.empty());
  for (std::size_t e = 0; e < g1.from.size(); ++e) {
    CHECK(g1.from[e] == g2.from[e]);
    CHECK(g1.to[e] == g2.to[e]);
    CHECK(g1.weight[e] == Approx(g2.weight[e]));
  }
  // every reverse-complement twin is an edge with similarity 1
  for (std::size_t p = 0; p < 6; ++p) {
    bool found = false;
    for (std::size_t e = 0; e < g1.from.size(); ++e)
      if (g1.from[e] == static_cast<int>(2 * p) && g1.to[e] == static_cast<int>(2 * p + 1)) {
        found = true;
        CHECK(g1.similarity[e] == Approx(1));
      }
    CHECK(found);
  }
}

TEST_CASE("merge_clusters joins clusters of the same seqlets on either strand only", "[interpret][modisco]") {
  auto t = toy(3, 41, 7);
  auto d = t.data();
  std::vector<Seqlet> s;
  for (std::size_t i = 0; i < t.n; ++i) s.push_back({i, 0, 41, 1, 0});
  // examples 0/1, 2/3, 4/5 are reverse-complement twins; each example its own cluster
  std::vector<int> cl = {0, 1, 2, 3, 4, 5};
  Graph g;
  MergeOptions mo;
  mo.min_size = 1;
  mo.threshold = 0.9;
  auto m = merge_clusters(d, s, cl, g, mo);
  CHECK(m == std::vector<int>({0, 0, 2, 2, 4, 4}));
  PatternOptions po;
  po.min_seqlets = 2;
  po.trim = 10;
  po.flank = 2;
  auto ps = build_patterns(d, s, m, g, po);
  REQUIRE(ps.size() == 3);
  for (const auto& p : ps) {
    CHECK(p.n_seqlets == 2);
    // every column holds 2 bits: the first 10-column window wins and has no room for a left flank
    CHECK(p.width == 12);
    // the twins align on opposite strands, and their one-hot agrees: every column is one base
    CHECK(p.member_rc[0] != p.member_rc[1]);
    for (int k = 0; k < p.width; ++k) {
      double mx = 0, sum = 0;
      for (int c = 0; c < 4; ++c) {
        mx = std::max(mx, p.ppm[c * p.width + k]);
        sum += p.ppm[c * p.width + k];
      }
      CHECK(mx == Approx(1));
      CHECK(sum == Approx(1));
    }
  }
}
