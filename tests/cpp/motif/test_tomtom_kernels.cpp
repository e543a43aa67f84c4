// Catch2 tests of the inner loops of Tomtom (src/core/motif/tomtom_kernels.*) against the
// plain scalar loops they replace (bit for bit), and of tomtom()'s n_nearest.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "helpers.hpp"
#include "motif/motif.hpp"
#include "motif/tomtom.hpp"
#include "motif/tomtom_kernels.hpp"

using namespace gdl::motif;

TEST_CASE("convolve_taps: the same sums as the scatter loop, to the last bit", "[motif]") {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  for (int trial = 0; trial < 20; ++trial) {
    const long n = 1 + static_cast<long>(rng() % 700);
    std::vector<int> v;
    std::vector<double> p;
    for (int b = 0; b <= 100; ++b)
      if (u(rng) < 0.4) {
        v.push_back(b);
        p.push_back(u(rng) / 50);
      }
    if (v.empty()) {
      v.push_back(3);
      p.push_back(0.5);
    }
    const long pad = 120, m = n + v.back();
    std::vector<double> src(n + 2 * pad + 16, 0.0), out(m + 2 * pad + 16, 0.0);
    const long lo = trial % 3 == 0 ? 0 : static_cast<long>(rng() % n);  // leading zeros
    for (long k = lo; k < n; ++k) src[pad + k] = u(rng) * 1e-3;
    // the former loop: for each tap, dst[v + k] += src[k] * p
    std::vector<double> ref(m, 0.0);
    for (std::size_t t = 0; t < v.size(); ++t)
      for (long k = 0; k < n; ++k) ref[v[t] + k] += src[pad + k] * p[t];
    const long k0 = (lo + v[0]) & ~7L;
    detail::convolve_taps(out.data() + pad, src.data() + pad, v.data(), p.data(),
                          static_cast<int>(v.size()), k0, m);
    for (long k = k0; k < m; ++k) REQUIRE(out[pad + k] == ref[k]);
    for (long k = 0; k < k0; ++k) REQUIRE(ref[k] == 0.0);
  }
}

TEST_CASE("bootstrap_counts: the draws of one drand48 stream", "[motif]") {
  const std::size_t n = 1492;
  std::vector<int> bucket(n);
  for (std::size_t r = 0; r < n; ++r) bucket[r] = static_cast<int>((r * 37) % 101);
  unsigned long long state = drand48_skip(0, 123456), s0 = state;
  const int rounds = 7, samples = 1000, nb = 101;
  std::vector<int> hist(rounds * nb);
  detail::bootstrap_counts(&state, bucket.data(), n, rounds, samples, nb, hist.data());
  std::vector<int> ref(rounds * nb, 0);
  unsigned long long x = s0;
  for (int r = 0; r < rounds; ++r)
    for (int s = 0; s < samples; ++s) {
      x = (0x5DEECE66DULL * x + 0xB) & ((1ULL << 48) - 1);
      double d = static_cast<double>(x) * (1.0 / 281474976710656.0);
      ++ref[r * nb + bucket[static_cast<int>(d * static_cast<double>(n))]];
    }
  CHECK(hist == ref);
  CHECK(state == x);
  CHECK(state == drand48_skip(s0, rounds * samples));
}

TEST_CASE("bracket_values, diagonal_sums and scale_row against plain loops", "[motif]") {
  std::mt19937 rng(9);
  std::normal_distribution<double> g(0, 0.3);
  std::vector<double> x(1003);
  for (auto& v : x) v = g(rng);
  std::vector<double> out(x.size() + 1);
  std::size_t below = 0;
  std::size_t m = detail::bracket_values(x.data(), x.size(), -0.1, 0.2, out.data(), &below);
  std::vector<double> want;
  std::size_t lt = 0;
  for (double v : x) {
    lt += v < -0.1;
    if (v >= -0.1 && v <= 0.2) want.push_back(v);
  }
  CHECK(below == lt);
  REQUIRE(m == want.size());
  CHECK(std::equal(want.begin(), want.end(), out.begin()));

  // two targets side by side (columns 0..10 and 11..16), each with its wq + w - 1 sums
  const int wq = 7, stride = 40;
  const int start[2] = {0, 11}, width[2] = {11, 6};
  std::vector<int> s(wq * stride);
  for (auto& v : s) v = static_cast<int>(rng() % 101);
  std::vector<int> d(17 + 2 * (wq - 1), -5);
  detail::diagonal_sums(d.data(), s.data(), stride, wq, start, width, 2);
  for (int e = 0; e < 2; ++e) {
    std::vector<int> ref(wq + width[e] - 1, 0);
    for (int q = 0; q < wq; ++q)
      for (int t = 0; t < width[e]; ++t) ref[t - q + wq - 1] += s[q * stride + start[e] + t];
    const int* got = d.data() + start[e] + e * (wq - 1);
    CHECK(std::vector<int>(got, got + ref.size()) == ref);
  }

  std::vector<int> sc(x.size()), counts(101);
  const double shift = -0.0123, offset = -2, scale = 33;
  detail::scale_row(sc.data(), x.data(), x.size(), shift, true, offset, scale, counts.data());
  std::vector<int> rc(101, 0);
  for (std::size_t i = 0; i < x.size(); ++i) {
    double v = ((x[i] + shift) - offset) * scale;
    int want_i = static_cast<int>(v >= 0 ? v + 0.5 : v - 0.5);
    REQUIRE(sc[i] == want_i);
    ++rc[want_i];
  }
  CHECK(counts == rc);
}

TEST_CASE("tomtom: n_nearest gives the first k rows of each query's full table", "[motif]") {
  auto f = read_meme(gdltest::extdata("example_motifs.meme"));
  std::vector<Motif> targets;
  for (int copy = 0; copy < 20; ++copy)  // 60 targets: q-values use pi0's bootstrap
    for (const auto& m : f.motifs) {
      Motif t = m;
      t.id += "_" + std::to_string(copy);
      for (auto& p : t.prob) p = 0.8 * p + 0.05 * ((copy * 7 + (&p - t.prob.data())) % 5) / 4.0 + 0.0125;
      targets.push_back(t);
    }
  TomtomOptions opt;
  opt.dist = Distance::pearson;
  opt.thresh = 1;
  auto full = tomtom(f.motifs, targets, opt);
  opt.n_nearest = 4;
  auto near = tomtom(f.motifs, targets, opt);
  std::vector<TomtomHit> want;
  std::vector<int> per(3, 0);
  for (const auto& h : full)
    if (per[h.query]++ < 4) want.push_back(h);
  REQUIRE(near.size() == want.size());
  REQUIRE(near.size() == 12);
  for (std::size_t i = 0; i < near.size(); ++i) {
    CHECK(near[i].query == want[i].query);
    CHECK(near[i].target == want[i].target);
    CHECK(near[i].offset == want[i].offset);
    CHECK(near[i].pvalue == want[i].pvalue);
    CHECK(near[i].qvalue == want[i].qvalue);
    CHECK(near[i].orientation == want[i].orientation);
  }
}
