// Tomtom's motif comparison statistics (see tomtom.hpp for the method and its provenance).
#include "motif/tomtom.hpp"
#include "common/interrupt.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "common/error.hpp"
#include "common/parallel.hpp"

namespace gdl::motif {

namespace {

constexpr int kBins = 100;                 // Tomtom's BINS
constexpr int kBootstraps = 100;           // qvalue.h NUM_BOOTSTRAPS
constexpr int kBootstrapSamples = 1000;    // qvalue.h NUM_BOOTSTRAP_SAMPLES
constexpr int kLambdas = 100;              // qvalue.h NUM_LAMBDA
constexpr float kMaxLambda = 0.5f;         // qvalue.h MAX_LAMBDA (MEME 5.x)
constexpr int kMinSamples = 100;           // qvalue.c MIN_SAMPLES
constexpr int kDefaultSites = 20;          // motif.h DEFAULT_SITE_COUNT
constexpr unsigned long long kMask48 = (1ULL << 48) - 1;
constexpr unsigned long long kDrandA = 0x5DEECE66DULL, kDrandC = 0xB;

// MEME's RND(x, 14, y): round to 14 significant digits (macros.h, mylog10 = log(x)/2.30258509299405).
double rnd14(double x) {
  if (x > 0) {
    double z = std::pow(10.0, std::ceil(13 - std::log(x) / 2.30258509299405));
    return std::rint(z * x) / z;
  } else if (x < 0) {
    double z = std::pow(10.0, std::ceil(13 - std::log(-x) / 2.30258509299405));
    return -std::rint(z * (-x)) / z;
  }
  return 0;
}

// One column of a motif after the pseudocount, plus what Pearson needs.
struct Column {
  double p[4];
  double u[4];   // p - 1/4
  double d;      // sum u^2 with MEME's rounding of partial sums
  double inv;    // 1 / sqrt(d) (0 when d == 0): the fast Pearson path
};

Column make_column(const double* p) {
  Column c{};
  double d = 0;
  for (int b = 0; b < 4; ++b) {
    c.p[b] = p[b];
    c.u[b] = p[b] - 0.25;
    d += c.u[b] * c.u[b];
    d = rnd14(d);
  }
  c.d = d;
  c.inv = d != 0 ? 1.0 / std::sqrt(d) : 0.0;
  return c;
}

// MEME's column scores (tomtom.c ed_scores, sandelin_scores, kullback_scores, pearson_scores).
inline double column_score(Distance dist, const Column& q, const Column& t, bool exact) {
  switch (dist) {
    case Distance::ed: {
      double s = 0;
      for (int b = 0; b < 4; ++b) { double x = q.p[b] - t.p[b]; s = s + x * x; }
      return -std::sqrt(s);
    }
    case Distance::sandelin: {
      double s = 0;
      for (int b = 0; b < 4; ++b) { double x = q.p[b] - t.p[b]; s = s + x * x; }
      return 2 - s;
    }
    case Distance::kullback: {
      double s = 0;
      for (int b = 0; b < 4; ++b)
        s = s + ((q.p[b] * std::log10(q.p[b] / t.p[b])) + (t.p[b] * std::log10(t.p[b] / q.p[b]))) / 2;
      return s * -1;
    }
    case Distance::pearson:
    default: {
      double num = 0;
      if (exact) {
        for (int b = 0; b < 4; ++b) num = rnd14(num + q.u[b] * t.u[b]);
      } else {
        num = ((q.u[0] * t.u[0] + q.u[1] * t.u[1]) + q.u[2] * t.u[2]) + q.u[3] * t.u[3];
      }
      double den = std::sqrt(q.d * t.d);
      return den != 0 ? num / den : 0;
    }
  }
}

// Pseudocount as MEME's apply_pseudocount_to_motif: int(nsites) sites (20 when unknown).
std::vector<double> with_pseudocount(const Motif& m, const std::array<double, 4>& bg, double pseudo) {
  std::vector<double> p = m.prob;
  if (pseudo == 0) return p;
  int sites = m.nsites > 0 ? static_cast<int>(m.nsites) : kDefaultSites;
  double total = sites + pseudo;
  for (std::size_t i = 0; i < p.size(); ++i) {
    double count = (p[i] * sites) + (pseudo * bg[i % 4]);
    p[i] = count / total;
  }
  return p;
}

// Affine composition for drand48 skip-ahead.
struct Affine { unsigned long long a, c; };
Affine compose(Affine f, Affine g) {  // f(g(x))
  return {(f.a * g.a) & kMask48, (f.a * g.c + f.c) & kMask48};
}

// The expanded target set: each target then its reverse complement (Tomtom's odd indexes).
struct Targets {
  std::vector<Column> cols;        // all columns, target by target
  std::vector<int> start, width;   // per expanded target
  std::vector<std::string> st_id;  // "+id" / "-id": Tomtom's final sort key
  std::vector<std::string> cons;
  std::vector<int> unique_widths;
  int n_original = 0;
};

Targets build_targets(const std::vector<Motif>& targets, const std::array<double, 4>& bg, double pseudo) {
  Targets T;
  T.n_original = static_cast<int>(targets.size());
  std::set<int> widths;
  for (const auto& m : targets) {
    std::vector<double> fwd = with_pseudocount(m, bg, pseudo);
    std::vector<double> rc = reverse_complement(fwd);
    for (int strand = 0; strand < 2; ++strand) {
      const std::vector<double>& p = strand == 0 ? fwd : rc;
      T.start.push_back(static_cast<int>(T.cols.size()));
      T.width.push_back(m.width());
      for (int i = 0; i < m.width(); ++i) T.cols.push_back(make_column(&p[4 * i]));
      T.st_id.push_back(std::string(strand == 0 ? "+" : "-") + m.id);
      T.cons.push_back(consensus(p));
    }
    widths.insert(m.width());
  }
  T.unique_widths.assign(widths.begin(), widths.end());
  return T;
}

struct Match {
  int target;      // expanded index
  int offset, overlap;
  double pvalue, evalue, qvalue;
};

// The k-th smallest value (0-based) of v, exactly: values are bucketed on [min, max] (a
// monotone map), and only the bucket holding rank k is partially sorted. v is scratch.
double select(std::vector<double>& v, long k) {
  double lo = v[0], hi = v[0];
  for (double x : v) {
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
  }
  if (lo == hi) return lo;
  constexpr int kBuckets = 1024;
  const double f = kBuckets / (hi - lo);
  int counts[kBuckets + 1] = {0};
  for (double x : v) ++counts[static_cast<int>((x - lo) * f)];
  long before = 0;
  int b = 0;
  while (before + counts[b] <= k) before += counts[b++];
  std::size_t m = 0;
  for (double x : v)
    if (static_cast<int>((x - lo) * f) == b) v[m++] = x;
  std::nth_element(v.begin(), v.begin() + (k - before), v.begin() + m);
  return v[k - before];
}

// Everything computed for one query.
class QueryComparison {
 public:
  QueryComparison(const Targets& T, const TomtomOptions& opt) : T_(T), opt_(opt) {}

  std::vector<Match> run(const std::vector<double>& qprob);

 private:
  void column_scores(const std::vector<double>& qprob);
  void shift_and_scale();
  void span_distributions();
  void best_alignment(int et, int& offset, int& overlap, double& value, int& configs) const;
  double complete_pvalue(int width, int score) const;
  std::vector<double> reference_max_pvalues(const std::vector<std::pair<int, int>>& needed) const;
  int span_index(int s, int e) const { return s * wq_ + e; }
  // Query columns [s, e] aligned in alignment i of a target of this width (Tomtom's order).
  void alignment_span(int i, int width, int& s, int& e) const {
    if (i < wq_) {
      s = wq_ - i - 1;
      e = std::min(wq_, s + width) - 1;
    } else {
      s = 0;
      e = std::min(wq_, width + wq_ - i - 1) - 1;
    }
  }
  double survival(int s, int e, long j) const {
    const std::vector<double>& v = surv_[span_index(s, e)];
    if (j <= 0) return v.empty() ? 1.0 : std::min(1.0, v[0]);
    if (j >= static_cast<long>(v.size())) return 0.0;
    return v[j];
  }

  const Targets& T_;
  const TomtomOptions& opt_;
  int wq_ = 0;
  std::size_t nt_ = 0;                   // number of target columns
  std::vector<double> raw_;              // wq x nt
  std::vector<int> scaled_;              // wq x nt
  double offset_ = 0, scale_ = 0;
  long C_ = 0;                           // -offset * scale: the scaled score of an unaligned column
  std::vector<std::vector<double>> surv_;  // per span (s, e): P(sum >= j)
  std::vector<std::vector<double>> pmf_;   // per span, kept for the reference path only
};

void QueryComparison::column_scores(const std::vector<double>& qprob) {
  wq_ = static_cast<int>(qprob.size() / 4);
  nt_ = T_.cols.size();
  raw_.resize(static_cast<std::size_t>(wq_) * nt_);
  bool exact = opt_.exact_rounding || opt_.reference;
  for (int r = 0; r < wq_; ++r) {
    Column q = make_column(&qprob[4 * r]);
    double* out = &raw_[static_cast<std::size_t>(r) * nt_];
    if (opt_.dist == Distance::pearson && !exact) {
      for (std::size_t t = 0; t < nt_; ++t) {
        const Column& c = T_.cols[t];
        double num = ((q.u[0] * c.u[0] + q.u[1] * c.u[1]) + q.u[2] * c.u[2]) + q.u[3] * c.u[3];
        out[t] = num * q.inv * c.inv;
      }
    } else {
      for (std::size_t t = 0; t < nt_; ++t) out[t] = column_score(opt_.dist, q, T_.cols[t], exact);
    }
  }
}

// shift_all_pairwise_scores (median, Tomtom's index choice) and scale_score_matrix.
void QueryComparison::shift_and_scale() {
  if (opt_.complete_scores) {
    long i1 = static_cast<long>(std::floor(0.5 * static_cast<double>(nt_))) - 1;
    long i2 = static_cast<long>(std::ceil(0.5 * static_cast<double>(nt_))) - 1;
    if (i1 < 0) i1 = 0;
    if (i2 < i1) i2 = i1;
    std::vector<double> row(nt_);
    for (int r = 0; r < wq_; ++r) {
      double* x = &raw_[static_cast<std::size_t>(r) * nt_];
      std::copy(x, x + nt_, row.begin());
      double v1, v2;
      if (opt_.reference || i2 != i1) {
        std::sort(row.begin(), row.end());
        v1 = row[i1];
        v2 = row[i2];
      } else {
        v1 = v2 = select(row, i1);
      }
      double quantile = (v1 + v2) / 2.0;
      for (std::size_t t = 0; t < nt_; ++t) x[t] += -quantile;
    }
  }
  double small = std::numeric_limits<double>::infinity(), large = -small;
  for (double x : raw_) {
    small = x < small ? x : small;
    large = x > large ? x : large;
  }
  if (large == small) small = large - 1;
  offset_ = small = std::floor(small);
  scale_ = std::floor(kBins / (large - small));
  scaled_.resize(raw_.size());
  for (std::size_t i = 0; i < raw_.size(); ++i) {
    double v = (raw_[i] - offset_) * scale_;
    scaled_[i] = static_cast<int>(v >= 0 ? v + 0.5 : v - 0.5);  // MEME's nint
  }
  C_ = static_cast<long>(std::lround(-offset_ * scale_));
}

// get_pv_lookup_new: the distribution of the summed scaled scores of each span of query
// columns under the per-column empirical null, stored as survival functions.
void QueryComparison::span_distributions() {
  const double ubg = 1.0 / static_cast<double>(nt_);
  std::vector<std::vector<std::pair<int, double>>> colpmf(wq_);
  std::vector<long> counts(kBins + 1);
  for (int r = 0; r < wq_; ++r) {
    std::fill(counts.begin(), counts.end(), 0);
    const int* s = &scaled_[static_cast<std::size_t>(r) * nt_];
    for (std::size_t t = 0; t < nt_; ++t) ++counts[s[t]];
    for (int v = 0; v <= kBins; ++v)
      if (counts[v]) colpmf[r].emplace_back(v, static_cast<double>(counts[v]) * ubg);
  }
  surv_.assign(static_cast<std::size_t>(wq_) * wq_, {});
  if (opt_.reference) pmf_.assign(surv_.size(), {});
  std::vector<double> cur, next;
  for (int s = wq_ - 1; s >= 0; --s) {
    cur.assign(1, 1.0);
    for (int e = s; e < wq_; ++e) {
      int len = e - s + 1;
      next.assign(static_cast<std::size_t>(kBins) * len + 1, 0.0);
      std::size_t n = cur.size();
      for (const auto& [v, pv] : colpmf[e]) {
        double* dst = next.data() + v;
        const double* src = cur.data();
        for (std::size_t k = 0; k < n; ++k) dst[k] += src[k] * pv;
      }
      // trim the zero tail so the next convolution is shorter
      std::size_t used = next.size();
      while (used > 1 && next[used - 1] == 0) --used;
      cur.assign(next.begin(), next.begin() + used);
      if (opt_.reference) pmf_[span_index(s, e)] = cur;
      std::vector<double>& sv = surv_[span_index(s, e)];
      sv.resize(used);
      double acc = 0;
      for (std::size_t k = used; k-- > 0;) {
        acc = std::min(1.0, acc + cur[k]);
        sv[k] = acc;
      }
    }
  }
}

// compare_motifs: best configuration of one (expanded) target.
void QueryComparison::best_alignment(int et, int& best_offset, int& best_overlap, double& best_value,
                                     int& configs) const {
  const int wt = T_.width[et], col0 = T_.start[et];
  int start = 1, end = wq_ + wt - 1;
  if (opt_.min_overlap > 1) {
    int mo = std::min({opt_.min_overlap, wq_, wt});
    start = mo;
    end = wq_ + wt - mo;
  }
  configs = end - start + 1;
  best_value = std::numeric_limits<double>::infinity();
  best_overlap = -1;
  best_offset = 0;
  for (int cfg = start; cfg <= end; ++cfg) {
    int tcol, qcol;
    if (cfg <= wq_) {
      tcol = 0;
      qcol = wq_ - cfg;
    } else {
      qcol = 0;
      tcol = cfg - wq_;
    }
    int i_start = qcol;
    long score = 0;
    do {
      score += scaled_[static_cast<std::size_t>(qcol) * nt_ + col0 + tcol];
      ++qcol;
      ++tcol;
    } while (qcol < wq_ && tcol < wt);
    int overlap = qcol - i_start;
    double value;
    if (opt_.complete_scores) {
      value = -static_cast<double>(score - static_cast<long>(overlap) * C_);
    } else {
      value = survival(i_start, qcol - 1, score);
    }
    if (value == best_value) {
      if (best_overlap < overlap) {
        best_offset = cfg - wq_;
        best_value = value;
        best_overlap = overlap;
      }
    } else if (value < best_value) {
      best_offset = cfg - wq_;
      best_value = value;
      best_overlap = overlap;
    }
  }
}

// P(max over the wq + width - 1 alignments and two strands of the complete score >= score).
double QueryComparison::complete_pvalue(int width, int score) const {
  const int nalgns = wq_ + width - 1;
  double prod = 1.0;
  std::vector<double> tails;
  tails.reserve(nalgns);
  for (int i = 0; i < nalgns; ++i) {
    int s, e;
    alignment_span(i, width, s, e);
    long corr = static_cast<long>(wq_ - 1 - (e - s)) * C_;
    double S = survival(s, e, static_cast<long>(score) - corr);
    tails.push_back(S);
    double c = 1.0 - S;
    prod *= c * c;
  }
  double p = 1.0 - prod;
  if (p < 1e-3) {  // avoid cancellation: 1 - prod (1 - S)^2 = -expm1(2 sum log1p(-S))
    double lg = 0;
    for (double S : tails) lg += std::log1p(-S);
    p = -std::expm1(2 * lg);
  }
  return p;
}

// calc_shifted_scores_pvalues_per_query, literally: pmf recursion of the maximum over
// alignments and strands for each needed target width, then 1 - cdf at the needed scores.
std::vector<double> QueryComparison::reference_max_pvalues(
    const std::vector<std::pair<int, int>>& needed) const {
  long pmf_len = static_cast<long>(kBins) * wq_ + 1;
  long ext_len = static_cast<long>(std::ceil(pmf_len - (wq_ - 1) * offset_ * scale_));
  // extended pmfs from the survival functions
  std::vector<std::vector<double>> ext(static_cast<std::size_t>(wq_) * wq_);
  for (int s = 0; s < wq_; ++s)
    for (int e = s; e < wq_; ++e) {
      const std::vector<double>& pm = pmf_[span_index(s, e)];
      std::vector<double>& x = ext[span_index(s, e)];
      x.assign(ext_len, 0.0);
      long corr = static_cast<long>(wq_ - 1 - (e - s)) * C_;
      for (std::size_t j = 0; j < pm.size(); ++j)
        if (static_cast<long>(j) + corr < ext_len) x[j + corr] = pm[j];
    }
  std::vector<double> out(needed.size());
  std::vector<double> pmf_new(ext_len), pmf_old(ext_len), cdf_old(ext_len), cdf_cur(ext_len);
  for (std::size_t n = 0; n < needed.size(); ++n) {
    int len = needed[n].first;
    std::fill(pmf_new.begin(), pmf_new.end(), 0.0);
    pmf_new[0] = 1.0;
    int nalgns = wq_ + len - 1;
    for (int i = 0; i < nalgns; ++i) {
      int s, e;
      alignment_span(i, len, s, e);
      const std::vector<double>& cur = ext[span_index(s, e)];
      double last = 0;
      for (long k = 0; k < ext_len; ++k) cdf_cur[k] = (last += cur[k]);
      for (int orient = 0; orient < 2; ++orient) {
        std::swap(pmf_new, pmf_old);
        last = 0;
        for (long k = 0; k < ext_len; ++k) cdf_old[k] = (last += pmf_old[k]);
        pmf_new[0] = cur[0] * pmf_old[0];
        for (long k = 1; k < ext_len; ++k)
          pmf_new[k] = cur[k] * cdf_old[k - 1] + pmf_old[k] * cdf_cur[k - 1] + cur[k] * pmf_old[k];
      }
    }
    double acc = 0;
    for (long k = ext_len - 1; k >= needed[n].second && k >= 0; --k) acc += pmf_new[k];
    out[n] = acc;
  }
  return out;
}

std::vector<Match> QueryComparison::run(const std::vector<double>& qprob) {
  column_scores(qprob);
  shift_and_scale();
  span_distributions();
  const int ne = static_cast<int>(T_.width.size());
  std::vector<Match> m(ne);
  std::vector<int> score(ne);
  for (int et = 0; et < ne; ++et) {
    int configs;
    double value;
    best_alignment(et, m[et].offset, m[et].overlap, value, configs);
    m[et].target = et;
    if (opt_.complete_scores) {
      score[et] = static_cast<int>(-value) + static_cast<int>(static_cast<long>(wq_) * C_);
    } else {
      // Tomtom: EV(p, 2 x configurations); E uses target_count / 2 (integer division)
      double p = value, n = 2.0 * configs;
      double ev = (p * n < .001) ? p * n : 1.0 - std::pow(1.0 - p, n);
      m[et].pvalue = ev;
      m[et].evalue = ev * (ne / 2);
    }
  }
  if (opt_.complete_scores) {
    std::vector<double> pv(ne);
    if (opt_.reference) {
      std::vector<std::pair<int, int>> needed(ne);
      for (int et = 0; et < ne; ++et) needed[et] = {T_.width[et], score[et]};
      pv = reference_max_pvalues(needed);
    } else {
      for (int et = 0; et < ne; ++et) pv[et] = complete_pvalue(T_.width[et], score[et]);
    }
    for (int et = 0; et < ne; ++et) {
      float tp = static_cast<float>(pv[et]);  // Tomtom keeps the p-value as a float
      m[et].pvalue = tp;
      float ev = tp * static_cast<float>(ne);
      ev = ev / 2.0f;
      m[et].evalue = ev;
    }
  }
  return m;
}

}  // namespace

std::string consensus(const std::vector<double>& prob) {
  std::size_t w = prob.size() / 4;
  std::string out(w, 'A');
  for (std::size_t i = 0; i < w; ++i) {
    float best = static_cast<float>(prob[4 * i]);
    for (int b = 1; b < 4; ++b)
      if (prob[4 * i + b] > best) {
        best = static_cast<float>(prob[4 * i + b]);
        out[i] = "ACGT"[b];
      }
  }
  return out;
}

unsigned long long drand48_skip(unsigned long long x, unsigned long long n) {
  Affine result{1, 0}, step{kDrandA, kDrandC};
  while (n) {
    if (n & 1) result = compose(step, result);
    step = compose(step, step);
    n >>= 1;
  }
  return (result.a * x + result.c) & kMask48;
}

std::vector<double> qvalues(const std::vector<double>& p, unsigned long long state) {
  const std::size_t n = p.size();
  std::vector<double> q(p);
  if (n == 0) return q;
  double pi_zero = 1.0;
  if (static_cast<long>(n) > kMinSamples) {
    double lambda[kLambdas], pi0s[kLambdas], mse[kLambdas];
    for (int i = 0; i < kLambdas; ++i) {
      lambda[i] = (static_cast<double>(i + 1) / static_cast<double>(kLambdas)) * kMaxLambda;
      std::size_t start = std::lower_bound(p.begin(), p.end(), lambda[i]) - p.begin();
      double pz = static_cast<double>(n - start) / ((1.0 - lambda[i]) * static_cast<double>(n));
      pi0s[i] = pz == 0.0 ? HUGE_VAL : pz;
      mse[i] = 0;
    }
    double min_pi0 = pi0s[0];
    for (int i = 1; i < kLambdas; ++i) min_pi0 = std::min(min_pi0, pi0s[i]);
    // bucket[r] = number of lambdas <= p[r]; a draw of r counts for lambda j when bucket > j
    std::vector<int> bucket(n);
    for (std::size_t r = 0; r < n; ++r)
      bucket[r] = static_cast<int>(std::upper_bound(lambda, lambda + kLambdas, p[r]) - lambda);
    int hist[kLambdas + 1];
    for (int b = 0; b < kBootstraps; ++b) {
      std::fill(hist, hist + kLambdas + 1, 0);
      for (int s = 0; s < kBootstrapSamples; ++s) {
        state = (kDrandA * state + kDrandC) & kMask48;
        double x = static_cast<double>(state) * (1.0 / 281474976710656.0);
        int idx = static_cast<int>(x * static_cast<double>(n));
        ++hist[bucket[idx]];
      }
      int greater = 0;
      for (int j = kLambdas - 1; j >= 0; --j) {
        greater += hist[j + 1];
        double pz = static_cast<double>(greater) / ((1.0 - lambda[j]) * static_cast<double>(kBootstrapSamples));
        if (pz == 0.0) pz = HUGE_VAL;
        double err = pz - min_pi0;
        mse[j] += err * err;
      }
    }
    int best = 0;
    double minimal = mse[0];
    for (int i = 1; i < kLambdas; ++i)
      if (mse[i] < minimal) {
        best = i;
        minimal = mse[i];
      }
    pi_zero = std::max(std::min(pi0s[best], 1.0), 0.0);
  }
  for (std::size_t i = 0; i < n; ++i) {
    double fdr = (pi_zero * p[i] * static_cast<float>(n)) / static_cast<float>(i + 1);
    q[i] = std::min(1.0, fdr);
  }
  if (n == 1) return q;
  double prev = q[n - 1];
  for (std::size_t i = n - 1; i-- > 0;) {
    if (prev < q[i]) q[i] = prev;
    prev = q[i];
  }
  return q;
}

std::vector<TomtomHit> tomtom(const std::vector<Motif>& queries, const std::vector<Motif>& targets,
                              const TomtomOptions& opt, std::array<double, 4> bg) {
  if (targets.empty()) fail("no target motifs to compare with");
  for (const auto& m : queries)
    if (m.width() < 1) fail("query motif '", m.id, "' has no columns");
  for (const auto& m : targets)
    if (m.width() < 1) fail("target motif '", m.id, "' has no columns");
  if (opt.dist == Distance::kullback && opt.pseudocount <= 0)
    fail("dist = \"kullback\" needs a positive pseudocount (zero probabilities)");
  // Tomtom makes the query background strand-symmetric.
  double at = (bg[0] + bg[3]) / 2, cg = (bg[1] + bg[2]) / 2;
  bg = {at, cg, cg, at};
  const Targets T = build_targets(targets, bg, opt.pseudocount);
  const int ne = static_cast<int>(T.width.size());
  const unsigned long long draws_per_query =
      ne > kMinSamples ? static_cast<unsigned long long>(kBootstraps) * kBootstrapSamples : 0;
  std::vector<std::vector<TomtomHit>> per_query(queries.size());
  parallelize(queries.size(), opt.threads, [&](int, std::size_t begin, std::size_t end) {
    QueryComparison qc(T, opt);
    for (std::size_t qi = begin; qi < end; ++qi) {
      check_interrupt();
      std::vector<double> qprob = with_pseudocount(queries[qi], bg, opt.pseudocount);
      std::vector<Match> m = qc.run(qprob);
      std::sort(m.begin(), m.end(), [&](const Match& a, const Match& b) {
        if (a.pvalue != b.pvalue) return a.pvalue < b.pvalue;
        if (a.overlap != b.overlap) return a.overlap > b.overlap;
        return T.st_id[a.target] < T.st_id[b.target];
      });
      std::vector<double> p(m.size());
      for (std::size_t i = 0; i < m.size(); ++i) p[i] = m[i].pvalue;
      std::vector<double> q = qvalues(p, drand48_skip(0, draws_per_query * qi));
      std::string qcons = consensus(qprob);
      std::set<std::string> seen;
      for (std::size_t i = 0; i < m.size(); ++i) {
        double sig = opt.evalue ? m[i].evalue : q[i];
        if (sig > opt.thresh) break;
        const std::string& sid = T.st_id[m[i].target];
        if (!seen.insert(sid.substr(1)).second) continue;
        TomtomHit h;
        h.query = static_cast<int>(qi);
        h.target = m[i].target / 2;
        h.offset = m[i].offset;
        h.pvalue = static_cast<float>(m[i].pvalue);
        h.evalue = static_cast<float>(m[i].evalue);
        h.qvalue = static_cast<float>(q[i]);
        h.overlap = m[i].overlap;
        h.query_consensus = qcons;
        h.target_consensus = T.cons[m[i].target];
        h.orientation = sid[0];
        per_query[qi].push_back(std::move(h));
      }
    }
  });
  std::vector<TomtomHit> out;
  for (auto& v : per_query)
    for (auto& h : v) out.push_back(std::move(h));
  return out;
}

}  // namespace gdl::motif
