// Seqlet calling (see seqlets.hpp).
#include "interpret/seqlets.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "common/error.hpp"
#include "common/interrupt.hpp"
#include "common/parallel.hpp"

namespace gdl {
namespace interpret {

namespace {

// numpy's default (linear) quantile of sorted values, q in [0, 1].
double quantile_sorted(const std::vector<double>& s, double q) {
  if (s.empty()) return 0;
  double h = q * static_cast<double>(s.size() - 1);
  auto lo = static_cast<std::size_t>(std::floor(h));
  std::size_t hi = std::min(lo + 1, s.size() - 1);
  return s[lo] + (h - static_cast<double>(lo)) * (s[hi] - s[lo]);
}

// Laplace rate of one side: values already shifted by mu and made non-negative.
double laplace_rate(std::vector<double> v) {
  if (v.empty()) return 1;
  std::sort(v.begin(), v.end());
  double best = 0;
  for (int pc = 5; pc <= 95; pc += 5) {
    double q = quantile_sorted(v, pc / 100.0);
    if (q > 0) best = std::max(best, -std::log(1 - pc / 100.0) / q);
  }
  return best > 0 ? best : 1;
}

// Smallest real value whose isotonic precision reaches 1 - fdr (+inf when none).
double isotonic_threshold(std::vector<double> real, std::vector<double> null, double fdr) {
  if (real.empty()) return std::numeric_limits<double>::infinity();
  if (null.empty()) return *std::min_element(real.begin(), real.end());
  const double wnull = static_cast<double>(real.size()) / static_cast<double>(null.size());
  struct P {
    double x, y, w;
  };
  std::vector<P> pts;
  pts.reserve(real.size() + null.size());
  for (double v : real) pts.push_back({v, 1, 1});
  for (double v : null) pts.push_back({v, 0, wnull});
  std::sort(pts.begin(), pts.end(), [](const P& a, const P& b) { return a.x < b.x; });
  // tied x values are pooled first (isotonic regression treats them as one point)
  std::vector<double> xs, ys, ws;
  for (const auto& p : pts) {
    if (!xs.empty() && xs.back() == p.x) {
      ys.back() = (ys.back() * ws.back() + p.y * p.w) / (ws.back() + p.w);
      ws.back() += p.w;
    } else {
      xs.push_back(p.x);
      ys.push_back(p.y);
      ws.push_back(p.w);
    }
  }
  auto fit = isotonic_increasing(ys, ws);
  const double min_prec = std::max(fit.front(), 1e-7);
  double frac_neg = min_prec < 1 ? min_prec / (1 - min_prec) : 1.0;  // -1 / (1 - 1 / p)
  frac_neg = std::min(1.0, std::max(0.95, frac_neg));
  std::sort(real.begin(), real.end());
  const double xmax = real.back();
  std::size_t k = 0;
  for (double v : real) {
    while (k + 1 < xs.size() && xs[k] < v) ++k;
    double prec = 1 + frac_neg * (1 - 1 / std::max(fit[k], 1e-7));
    prec = std::min(1.0, std::max(0.0, prec));
    if (v == xmax) prec = 1;
    if (prec >= 1 - fdr) return v;
  }
  return xmax;
}

}  // namespace

std::vector<double> contribution_track(const float* onehot, const float* hyp, std::size_t n,
                                       std::size_t len) {
  std::vector<double> out(n * len, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < 4; ++c) {
      const std::size_t off = (i * 4 + c) * len;
      for (std::size_t l = 0; l < len; ++l)
        out[i * len + l] += static_cast<double>(onehot[off + l]) * hyp[off + l];
    }
  return out;
}

std::vector<double> window_sums(const double* track, std::size_t len, int window) {
  if (window < 1 || static_cast<std::size_t>(window) > len) return {};
  std::vector<double> out(len - window + 1);
  double s = 0;
  for (int l = 0; l < window; ++l) s += track[l];
  out[0] = s;
  // recomputed every 1,000 steps so that rounding errors do not accumulate
  for (std::size_t p = 1; p < out.size(); ++p) {
    if (p % 1000 == 0) {
      s = 0;
      for (int l = 0; l < window; ++l) s += track[p + l];
    } else {
      s += track[p + window - 1] - track[p - 1];
    }
    out[p] = s;
  }
  return out;
}

std::vector<double> isotonic_increasing(const std::vector<double>& y, const std::vector<double>& w) {
  // blocks of pooled values: mean, weight, length
  std::vector<double> mean, wt;
  std::vector<std::size_t> count;
  for (std::size_t i = 0; i < y.size(); ++i) {
    mean.push_back(y[i]);
    wt.push_back(w[i]);
    count.push_back(1);
    while (mean.size() > 1 && mean[mean.size() - 2] > mean.back()) {
      std::size_t b = mean.size() - 1;
      double nw = wt[b - 1] + wt[b];
      mean[b - 1] = nw > 0 ? (mean[b - 1] * wt[b - 1] + mean[b] * wt[b]) / nw : mean[b];
      wt[b - 1] = nw;
      count[b - 1] += count[b];
      mean.pop_back();
      wt.pop_back();
      count.pop_back();
    }
  }
  std::vector<double> out;
  out.reserve(y.size());
  for (std::size_t b = 0; b < mean.size(); ++b) out.insert(out.end(), count[b], mean[b]);
  return out;
}

SeqletCalls call_seqlets(const double* track, std::size_t n, std::size_t len,
                         const SeqletOptions& opt) {
  if (opt.window < 1) fail("window must be at least 1, not ", opt.window);
  if (opt.flank < 0) fail("flank must be >= 0, not ", opt.flank);
  if (len < static_cast<std::size_t>(opt.window + 2 * opt.flank))
    fail("sequences of ", len, " bases are shorter than a seqlet (window + 2 x flank = ",
         opt.window + 2 * opt.flank, ")");
  if (!(opt.min_frac >= 0 && opt.min_frac <= opt.max_frac && opt.max_frac <= 1))
    fail("the passing fractions must satisfy 0 <= min_frac <= max_frac <= 1");
  const std::size_t d = len - opt.window + 1;
  std::vector<double> sm(n * d);
  gdl::parallelize(n, opt.threads, [&](int, std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      gdl::check_interrupt();
      auto s = window_sums(track + i * len, len, opt.window);
      std::copy(s.begin(), s.end(), sm.begin() + i * d);
    }
  });
  SeqletCalls out;
  if (sm.empty()) return out;
  // Laplace null around the mode
  const auto mm = std::minmax_element(sm.begin(), sm.end());
  double lo = *mm.first, hi = *mm.second, mu = 0;
  if (hi > lo) {
    const int bins = 1000;
    std::vector<std::size_t> hist(bins, 0);
    const double bw = (hi - lo) / bins;
    for (double v : sm) hist[std::min(bins - 1, static_cast<int>((v - lo) / bw))]++;
    int peak = static_cast<int>(std::max_element(hist.begin(), hist.end()) - hist.begin());
    mu = lo + (peak + 0.5) * bw;
  } else {
    mu = lo;
  }
  std::vector<double> up, down, pos, neg;
  for (double v : sm) {
    if (v >= mu) up.push_back(v - mu);
    if (v <= mu) down.push_back(mu - v);
    if (v > 0) pos.push_back(v);
    if (v < 0) neg.push_back(-v);
  }
  const double lp = laplace_rate(up), ln = laplace_rate(down);
  const double prob_pos = static_cast<double>(up.size()) / static_cast<double>(up.size() + down.size());
  std::mt19937_64 rng(opt.seed);
  std::uniform_real_distribution<double> unif(0, 1);
  std::exponential_distribution<double> ep(lp), en(ln);
  std::vector<double> null_pos, null_neg;
  for (std::size_t k = 0; k < opt.n_null; ++k) {
    double v = unif(rng) < prob_pos ? mu + ep(rng) : mu - en(rng);
    if (v > 0) null_pos.push_back(v);
    if (v < 0) null_neg.push_back(-v);
  }
  double tpos = isotonic_threshold(pos, null_pos, opt.fdr);
  double tneg = isotonic_threshold(neg, null_neg, opt.fdr);
  // force the passing fraction into [min_frac, max_frac]
  std::size_t passing = 0;
  for (double v : sm) passing += (v > 0 && v >= tpos) || (v < 0 && -v >= tneg);
  double frac = static_cast<double>(passing) / static_cast<double>(sm.size());
  if (frac < opt.min_frac || frac > opt.max_frac) {
    std::vector<double> a(sm.size());
    for (std::size_t k = 0; k < sm.size(); ++k) a[k] = std::fabs(sm[k]);
    std::sort(a.begin(), a.end());
    double t = quantile_sorted(a, 1 - (frac < opt.min_frac ? opt.min_frac : opt.max_frac));
    tpos = tneg = t;
    passing = 0;
    for (double v : sm) passing += (v > 0 && v >= tpos) || (v < 0 && -v >= tneg);
    frac = static_cast<double>(passing) / static_cast<double>(sm.size());
  }
  out.pos_threshold = tpos;
  out.neg_threshold = -tneg;
  out.passing_fraction = frac;
  // greedy extraction per example
  const long flank = opt.flank, suppress = opt.window / 2 + opt.flank;
  std::vector<std::vector<Seqlet>> per(n);
  gdl::parallelize(n, opt.threads, [&](int, std::size_t b, std::size_t e) {
    const double ninf = -std::numeric_limits<double>::infinity();
    std::vector<double> score(d);
    for (std::size_t i = b; i < e; ++i) {
      gdl::check_interrupt();
      const double* s = sm.data() + i * d;
      for (std::size_t p = 0; p < d; ++p) {
        bool pass = (s[p] > 0 && s[p] >= tpos) || (s[p] < 0 && -s[p] >= tneg);
        bool inside = static_cast<long>(p) >= flank && static_cast<long>(p) < static_cast<long>(d) - flank;
        score[p] = pass && inside ? std::fabs(s[p]) : ninf;
      }
      for (;;) {
        auto it = std::max_element(score.begin(), score.end());
        if (*it == ninf) break;
        const long p = static_cast<long>(it - score.begin());
        Seqlet q;
        q.example = i;
        q.start = p - flank;
        q.end = p + opt.window + flank;
        q.sign = s[p] > 0 ? 1 : -1;
        q.score = s[p];
        per[i].push_back(q);
        long l = std::max(0L, static_cast<long>(std::floor(p + 0.5 - suppress)));
        long r = std::min(static_cast<long>(d), static_cast<long>(std::ceil(p + 0.5 + suppress)));
        for (long k = l; k < r; ++k) score[k] = ninf;
      }
      std::sort(per[i].begin(), per[i].end(),
                [](const Seqlet& a, const Seqlet& c) { return a.start < c.start; });
    }
  });
  for (auto& v : per) out.seqlets.insert(out.seqlets.end(), v.begin(), v.end());
  if (out.seqlets.size() > opt.max_seqlets) {
    std::vector<Seqlet> all = out.seqlets;
    std::stable_sort(all.begin(), all.end(), [](const Seqlet& a, const Seqlet& c) {
      return std::fabs(a.score) > std::fabs(c.score);
    });
    all.resize(opt.max_seqlets);
    std::stable_sort(all.begin(), all.end(), [](const Seqlet& a, const Seqlet& c) {
      return a.example != c.example ? a.example < c.example : a.start < c.start;
    });
    out.seqlets = std::move(all);
  }
  return out;
}

}  // namespace interpret
}  // namespace gdl
