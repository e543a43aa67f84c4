// FIMO's PSSM and p-value table (MEME pssm.c: build_motif_pssm, scale_score_matrix,
// get_pdf_table, get_pv_lookup), the pseudocount, q-values and a plain reference scan.
// See scan.hpp for the method and its departures. Torch-free.
#include <algorithm>
#include <cmath>
#include <limits>

#include "common/error.hpp"
#include "motif/scan.hpp"

namespace gdl::motif {

namespace {

constexpr int kDefaultSites = 20;         // MEME's sites when a motif gives none
constexpr double kLog2Factor = 1.44269504;  // MEME's my_log2(x) = log(x) * 1.44269504

// MEME's nint(): round half away from zero.
double nint(double x) { return x >= 0 ? std::floor(x + 0.5) : -std::floor(-x + 0.5); }

// y[k] += x[k] * b: a multiply then an add (no fused multiply-add), as FIMO's C does.
__attribute__((target_clones("avx2", "default")))
void axpy(double* __restrict y, const double* __restrict x, std::size_t n, double b) {
  for (std::size_t k = 0; k < n; ++k) y[k] += x[k] * b;
}

double round_significant_(double x);

// Smallest s with round(pv[s]) <= x (pv.size() when none): pv does not increase, so neither
// does its rounding, and a binary search finds it.
int first_at_most(const std::vector<double>& pv, double x) {
  std::size_t lo = 0, hi = pv.size();
  while (lo < hi) {
    std::size_t mid = lo + (hi - lo) / 2;
    if (round_significant_(pv[mid]) <= x) hi = mid;
    else lo = mid + 1;
  }
  return static_cast<int>(lo);
}

}  // namespace

double round_significant(double x, int digits) {
  if (x == 0 || !std::isfinite(x)) return x;
  int e = static_cast<int>(std::floor(std::log10(std::fabs(x))));
  int k = digits - 1 - e;
  // 10^k overflows past ~1e308: scale in two steps for tiny p-values.
  if (k > 300) {
    double f1 = std::pow(10.0, 300), f2 = std::pow(10.0, k - 300);
    return std::nearbyint(x * f1 * f2) / f2 / f1;
  }
  double f = std::pow(10.0, k);
  return std::nearbyint(x * f) / f;
}

namespace {
double round_significant_(double x) { return round_significant(x, 10); }
}  // namespace

double ScanPssm::raw_score(int s) const {
  return round_significant(s / scale + width * offset, 10);
}

double ScanPssm::pvalue(int s) const {
  return round_significant(pv[static_cast<std::size_t>(s)], 10);
}

std::vector<double> fimo_pseudocount(const Motif& m, const std::array<double, 4>& bg,
                                     double pseudocount) {
  std::vector<double> p = m.prob;
  if (pseudocount == 0) return p;
  const int sites = m.nsites > 0 ? static_cast<int>(m.nsites) : kDefaultSites;
  const double total = sites + pseudocount;
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = (p[i] * sites + pseudocount * bg[i % 4]) / total;
  return p;
}

ScanPssm build_scan_pssm(const std::vector<double>& prob, const std::array<double, 4>& bg,
                         double threshold) {
  ScanPssm out;
  const int w = static_cast<int>(prob.size() / 4);
  if (w < 1) fail("a motif has no positions");
  out.width = w;
  // Log-odds, then MEME's scaling: integer offset and scale so that LO = 0 maps to an integer.
  std::vector<double> lo(prob.size());
  double small = std::numeric_limits<double>::infinity(), large = -small;
  for (std::size_t i = 0; i < prob.size(); ++i) {
    if (!(prob[i] > 0))
      fail("a motif has a zero probability at position ", i / 4 + 1,
           ": give pseudocount > 0 (FIMO's default is 0.1)");
    lo[i] = std::log(prob[i] / bg[i % 4]) * kLog2Factor;
    small = std::min(small, lo[i]);
    large = std::max(large, lo[i]);
  }
  if (large == small) small = large - 1;
  out.offset = small = std::floor(small);
  out.scale = std::floor(kScanRange / (large - small));
  out.score.resize(prob.size());
  for (std::size_t i = 0; i < prob.size(); ++i)
    out.score[i] = static_cast<int>(nint((lo[i] - out.offset) * out.scale));

  // Exact null of the integer score: convolution over columns, letters in the outer loop as
  // get_pdf_table adds them (the order fixes the last bits of the sums). Only the support of
  // the running distribution is visited; adding the zeros FIMO skips changes no bit.
  const std::size_t size = static_cast<std::size_t>(w) * kScanRange + 1;
  std::vector<double> pdf_new(size, 0.0), pdf_old(size, 0.0);
  pdf_new[0] = 1;
  std::size_t sup_lo = 0, sup_hi = 0;  // support [lo, hi]
  for (int i = 0; i < w; ++i) {
    const int* col = &out.score[4 * static_cast<std::size_t>(i)];
    std::swap(pdf_new, pdf_old);
    const std::size_t cmin = static_cast<std::size_t>(*std::min_element(col, col + 4));
    const std::size_t cmax = static_cast<std::size_t>(*std::max_element(col, col + 4));
    std::fill(pdf_new.begin() + static_cast<std::ptrdiff_t>(sup_lo + cmin),
              pdf_new.begin() + static_cast<std::ptrdiff_t>(sup_hi + cmax + 1), 0.0);
    for (int j = 0; j < 4; ++j)
      axpy(&pdf_new[sup_lo + static_cast<std::size_t>(col[j])], &pdf_old[sup_lo],
           sup_hi - sup_lo + 1, bg[static_cast<std::size_t>(j)]);
    // the used buffer is cleared so that it is all zeros when it is written next
    std::fill(pdf_old.begin() + static_cast<std::ptrdiff_t>(sup_lo), pdf_old.begin() + static_cast<std::ptrdiff_t>(sup_hi + 1), 0.0);
    sup_lo += cmin;
    sup_hi += cmax;
  }
  // 1 - cdf.
  for (std::size_t i = size - 1; i-- > 0;) pdf_new[i] = std::min(1.0, pdf_new[i] + pdf_new[i + 1]);
  out.pv = std::move(pdf_new);

  out.min_hit = first_at_most(out.pv, threshold);
  out.half = first_at_most(out.pv, 0.5);
  return out;
}

std::vector<int> scan_reference(const ScanPssm& p, const std::string& seq) {
  const int w = p.width;
  const std::int64_t n = static_cast<std::int64_t>(seq.size()) - w + 1;
  std::vector<int> out(n > 0 ? static_cast<std::size_t>(n) : 0, -1);
  for (std::int64_t i = 0; i < n; ++i) {
    int s = 0;
    bool ok = true;
    for (int j = 0; j < w && ok; ++j) {
      int c;
      switch (seq[static_cast<std::size_t>(i + j)]) {
        case 'A': case 'a': c = 0; break;
        case 'C': case 'c': c = 1; break;
        case 'G': case 'g': c = 2; break;
        case 'T': case 't': c = 3; break;
        default: c = -1;
      }
      if (c < 0) ok = false;
      else s += p.score[4 * static_cast<std::size_t>(j) + c];
    }
    if (ok) out[static_cast<std::size_t>(i)] = s;
  }
  return out;
}

std::vector<double> scan_qvalues(const std::vector<ScanHit>& hits, const ScanCounts& counts) {
  std::vector<double> q(hits.size(), 1.0);
  std::vector<std::size_t> order(hits.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  // by motif, then p-value
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (hits[a].motif != hits[b].motif) return hits[a].motif < hits[b].motif;
    return hits[a].pvalue < hits[b].pvalue;
  });
  std::size_t g = 0;
  while (g < order.size()) {
    const int k = hits[order[g]].motif;
    std::size_t e = g;
    while (e < order.size() && hits[order[e]].motif == k) ++e;
    const double m = static_cast<double>(counts.windows[static_cast<std::size_t>(k)]);
    double pi0 = m > 0 ? counts.above_half[static_cast<std::size_t>(k)] / (0.5 * m) : 1.0;
    pi0 = std::min(1.0, pi0);
    // rank of a p-value: the number of windows with a p-value <= it (ties share the largest)
    double running = 1.0;
    std::size_t i = e;
    while (i > g) {
      std::size_t j = i;  // tie block [t, i)
      const double p = hits[order[i - 1]].pvalue;
      std::size_t t = i - 1;
      while (t > g && hits[order[t - 1]].pvalue == p) --t;
      double rank = static_cast<double>(j - g);
      double v = std::min(1.0, pi0 * m * p / rank);
      running = std::min(running, v);
      for (std::size_t u = t; u < j; ++u) q[order[u]] = running;
      i = t;
    }
    g = e;
  }
  return q;
}

}  // namespace gdl::motif
