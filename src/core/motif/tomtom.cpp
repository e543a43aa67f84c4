// Tomtom's motif comparison statistics (see tomtom.hpp for the method and its provenance).
#include "motif/tomtom.hpp"
#include "common/interrupt.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <set>

#include "common/error.hpp"
#include "common/parallel.hpp"
#include "motif/tomtom_kernels.hpp"

namespace gdl::motif {

namespace {

using detail::convolve_taps;
using detail::pearson_row;
using detail::scale_row;

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
  std::vector<double> soa;         // u[0..3] and inv of cols as five arrays (pearson_row)
  std::vector<int> start, width;   // per expanded target
  std::vector<std::string> st_id;  // "+id" / "-id": Tomtom's final sort key
  std::vector<int> st_rank;        // rank of st_id among all (the sort compares ints)
  std::vector<int> id_group;       // per original target: one number per distinct id
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
  std::map<std::string, int> ids;
  for (const auto& m : targets) T.id_group.push_back(ids.emplace(m.id, static_cast<int>(ids.size())).first->second);
  std::vector<int> order(T.st_id.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return T.st_id[a] < T.st_id[b]; });
  T.st_rank.resize(order.size());
  for (std::size_t r = 0; r < order.size(); ++r) T.st_rank[order[r]] = static_cast<int>(r);
  const std::size_t n = T.cols.size();
  T.soa.resize(5 * n);
  for (std::size_t t = 0; t < n; ++t) {
    for (int b = 0; b < 4; ++b) T.soa[b * n + t] = T.cols[t].u[b];
    T.soa[4 * n + t] = T.cols[t].inv;
  }
  return T;
}

struct Match {
  int target;      // expanded index
  int offset, overlap;
  double pvalue, evalue, qvalue;
};

// The k-th smallest value (0-based) of x[0, n), exactly, given its minimum lo and maximum hi:
// values are bucketed on [lo, hi] (a monotone map), and only the bucket holding rank k is
// partially sorted (in scratch).
double select(const double* x, std::size_t n, double lo, double hi, long k, std::vector<double>& scratch) {
  if (lo == hi) return lo;
  constexpr int kBuckets = 1024;
  const double f = kBuckets / (hi - lo);
  // four histograms, one per lane: runs of one bucket do not wait on each other's increment
  int h[4][kBuckets + 1] = {{0}};
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int j = 0; j < 4; ++j) ++h[j][static_cast<int>((x[i + j] - lo) * f)];
  for (; i < n; ++i) ++h[0][static_cast<int>((x[i] - lo) * f)];
  int counts[kBuckets + 1];
  for (int c = 0; c <= kBuckets; ++c) counts[c] = h[0][c] + h[1][c] + h[2][c] + h[3][c];
  long before = 0;
  int b = 0;
  while (before + counts[b] <= k) before += counts[b++];
  scratch.resize(counts[b]);
  std::size_t m = 0;
  for (i = 0; i < n; ++i)
    if (static_cast<int>((x[i] - lo) * f) == b) scratch[m++] = x[i];
  std::nth_element(scratch.begin(), scratch.begin() + (k - before), scratch.begin() + m);
  return scratch[k - before];
}

// Everything computed for one query.
class QueryComparison {
 public:
  QueryComparison(const Targets& T, const TomtomOptions& opt) : T_(T), opt_(opt) {}

  std::vector<Match> run(const std::vector<double>& qprob);

 private:
  void column_scores(const std::vector<double>& qprob);
  void shift_and_scale();
  double select_pearson(const double* x, int r, long k);
  void span_distributions();
  void best_alignment(int et, int& offset, int& overlap, double& value, int& configs);
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
  std::vector<double> row_lo_, row_hi_, shift_, scratch_;  // per row: extremes, minus median
  std::vector<int> counts_;              // wq x (kBins + 1): scaled scores per row
  bool fast_pearson_ = false;            // pearson without MEME's rounding: the SIMD kernels
  std::vector<double> sample_;           // scratch of the median search
  std::vector<int> diag_;                // per target and configuration: the summed score
  std::vector<int> scaled_;              // wq x nt
  double offset_ = 0, scale_ = 0;
  long C_ = 0;                           // -offset * scale: the scaled score of an unaligned column
  std::vector<std::vector<double>> surv_;  // per span (s, e): P(sum >= j)
  std::vector<int> tap_start_, tap_v_;     // per query column: non-zero bins of its null
  std::vector<double> tap_p_;              //   and their probabilities
  std::vector<double> buf_[2];             // padded convolution buffers
  std::vector<std::vector<double>> pmf_;   // per span, kept for the reference path only
};

void QueryComparison::column_scores(const std::vector<double>& qprob) {
  wq_ = static_cast<int>(qprob.size() / 4);
  nt_ = T_.cols.size();
  raw_.resize(static_cast<std::size_t>(wq_) * nt_);
  bool exact = opt_.exact_rounding || opt_.reference;
  fast_pearson_ = opt_.dist == Distance::pearson && !exact;
  row_lo_.resize(wq_);
  row_hi_.resize(wq_);
  for (int r = 0; r < wq_; ++r) {
    Column q = make_column(&qprob[4 * r]);
    double* out = &raw_[static_cast<std::size_t>(r) * nt_];
    if (fast_pearson_) {
      pearson_row(out, T_.soa.data(), nt_, q.u, q.inv, &row_lo_[r], &row_hi_[r]);
      continue;
    }
    for (std::size_t t = 0; t < nt_; ++t) out[t] = column_score(opt_.dist, q, T_.cols[t], exact);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (std::size_t t = 0; t < nt_; ++t) {
      lo = out[t] < lo ? out[t] : lo;
      hi = out[t] > hi ? out[t] : hi;
    }
    row_lo_[r] = lo;
    row_hi_[r] = hi;
  }
}

// The k-th smallest score of row r, exactly. Every 8th score is a sample; its histogram on
// [min, max] gives a bracket [a, b] around sample rank k / 8 (3 standard deviations of a
// sample quantile's rank, and 2 more); one vectorised pass counts the scores below a and
// gathers those in [a, b] (a few percent), and select() finds the k-th among these. Exact
// whatever the sample: a bracket that misses (rare) falls back to select() on the whole row.
// (Selecting in the row itself costs a scattered increment per score; nth_element on the
// gathered scores mispredicts a branch per comparison.)
double QueryComparison::select_pearson(const double* x, int r, long k) {
  const std::size_t m = nt_ / 8;
  const double lo = row_lo_[r], hi = row_hi_[r];
  if (m >= 64 && hi > lo) {
    constexpr int kBuckets = 1024;
    const double f = kBuckets / (hi - lo);
    int counts[kBuckets + 1] = {0};
    for (std::size_t i = 0; i < m; ++i) ++counts[static_cast<int>((x[8 * i] - lo) * f)];
    const long ks = static_cast<long>(static_cast<double>(k) * m / nt_);
    const long d = static_cast<long>(1.5 * std::sqrt(static_cast<double>(m))) + 2;  // sd: sqrt(m) / 2
    const long rlo = std::max(0L, ks - d), rhi = std::min(static_cast<long>(m) - 1, ks + d);
    long seen = 0;
    int bl = 0;
    while (seen + counts[bl] <= rlo) seen += counts[bl++];
    int bh = bl;
    while (seen + counts[bh] <= rhi) seen += counts[bh++];
    const double a = lo + bl / f, b = lo + (bh + 1) / f;
    scratch_.resize(nt_ + 1);
    std::size_t below = 0;
    const std::size_t in = detail::bracket_values(x, nt_, a, b, scratch_.data(), &below);
    if (static_cast<long>(below) <= k && k < static_cast<long>(below + in))
      return select(scratch_.data(), in, a, b, k - static_cast<long>(below), sample_);
  }
  return select(x, nt_, lo, hi, k, scratch_);
}

// shift_all_pairwise_scores (median, Tomtom's index choice) and scale_score_matrix, in one
// pass over each row after the medians: x - median is rounded as Tomtom's shifted matrix
// holds it, and the extremes of the shifted matrix are those of the rows shifted (x - c is
// monotone in x). Also counts the scaled scores of each row (the nulls of the columns).
void QueryComparison::shift_and_scale() {
  shift_.assign(wq_, 0.0);
  double small = std::numeric_limits<double>::infinity(), large = -small;
  if (opt_.complete_scores) {
    long i1 = static_cast<long>(std::floor(0.5 * static_cast<double>(nt_))) - 1;
    long i2 = static_cast<long>(std::ceil(0.5 * static_cast<double>(nt_))) - 1;
    if (i1 < 0) i1 = 0;
    if (i2 < i1) i2 = i1;
    for (int r = 0; r < wq_; ++r) {
      const double* x = &raw_[static_cast<std::size_t>(r) * nt_];
      double v1, v2;
      if (opt_.reference || i2 != i1) {
        scratch_.assign(x, x + nt_);
        std::sort(scratch_.begin(), scratch_.end());
        v1 = scratch_[i1];
        v2 = scratch_[i2];
      } else if (fast_pearson_) {
        v1 = v2 = select_pearson(x, r, i1);
      } else {
        v1 = v2 = select(x, nt_, row_lo_[r], row_hi_[r], i1, scratch_);
      }
      shift_[r] = -((v1 + v2) / 2.0);
      small = std::min(small, row_lo_[r] + shift_[r]);
      large = std::max(large, row_hi_[r] + shift_[r]);
    }
  } else {
    for (int r = 0; r < wq_; ++r) {
      small = std::min(small, row_lo_[r]);
      large = std::max(large, row_hi_[r]);
    }
  }
  if (large == small) small = large - 1;
  offset_ = small = std::floor(small);
  scale_ = std::floor(kBins / (large - small));
  scaled_.resize(raw_.size());
  counts_.assign(static_cast<std::size_t>(wq_) * (kBins + 1), 0);
  for (int r = 0; r < wq_; ++r) {
    const std::size_t o = static_cast<std::size_t>(r) * nt_;
    scale_row(&scaled_[o], &raw_[o], nt_, shift_[r], opt_.complete_scores, offset_, scale_,
              &counts_[static_cast<std::size_t>(r) * (kBins + 1)]);
  }
  C_ = static_cast<long>(std::lround(-offset_ * scale_));
}

// get_pv_lookup_new: the distribution of the summed scaled scores of each span of query
// columns under the per-column empirical null, stored as survival functions. A span [s, e] is
// span [s, e - 1] convolved with column e's null (detail::convolve_taps, the same sums as
// MEME's loop); buffers are padded with zeros so that the kernel reads no bounds.
void QueryComparison::span_distributions() {
  const double ubg = 1.0 / static_cast<double>(nt_);
  tap_start_.assign(wq_ + 1, 0);
  tap_v_.clear();
  tap_p_.clear();
  for (int r = 0; r < wq_; ++r) {
    const int* counts = &counts_[static_cast<std::size_t>(r) * (kBins + 1)];
    for (int v = 0; v <= kBins; ++v)
      if (counts[v]) {
        tap_v_.push_back(v);
        tap_p_.push_back(static_cast<double>(counts[v]) * ubg);
      }
    tap_start_[r + 1] = static_cast<int>(tap_v_.size());
  }
  if (surv_.size() < static_cast<std::size_t>(wq_) * wq_) surv_.resize(static_cast<std::size_t>(wq_) * wq_);
  if (opt_.reference) pmf_.assign(static_cast<std::size_t>(wq_) * wq_, {});
  constexpr long kPad = kBins + 16;  // zeros before (the largest tap) and after (a block of 8)
  const std::size_t len_max = static_cast<std::size_t>(kBins) * wq_ + 1 + 2 * kPad;
  buf_[0].resize(len_max);
  buf_[1].resize(len_max);
  for (int s = wq_ - 1; s >= 0; --s) {
    double* cur = buf_[0].data() + kPad;
    double* next = buf_[1].data() + kPad;
    std::fill(cur - kPad, cur + 1 + kPad, 0.0);  // all that the first step reads
    cur[0] = 1.0;
    long n = 1, lo = 0;  // cur holds values on [lo, n); zeros elsewhere
    for (int e = s; e < wq_; ++e) {
      const int* v = tap_v_.data() + tap_start_[e];
      const double* pv = tap_p_.data() + tap_start_[e];
      const int ntaps = tap_start_[e + 1] - tap_start_[e];
      const long m = n + v[ntaps - 1];  // support of the sum: [lo + v[0], n - 1 + v[last]]
      const long k0 = (lo + v[0]) & ~7L;
      const long k1 = k0 + ((m - k0 + 7) & ~7L);  // the kernel writes [k0, k1)
      std::fill(next - kPad, next + k0, 0.0);
      convolve_taps(next, cur, v, pv, ntaps, k0, m);
      std::fill(next + k1, next + m + kPad, 0.0);
      // trim the zero tail so the next convolution is shorter (next is 0 from there on)
      long used = m;
      while (used > 1 && next[used - 1] == 0) --used;
      lo = k0;
      n = used;
      if (opt_.reference) pmf_[span_index(s, e)].assign(next, next + used);
      std::vector<double>& sv = surv_[span_index(s, e)];
      sv.resize(used);
      double acc = 0;
      for (long k = used; k-- > 0;) {
        acc = std::min(1.0, acc + next[k]);
        sv[k] = acc;
      }
      std::swap(cur, next);
    }
  }
}

// compare_motifs: best configuration of one (expanded) target.
void QueryComparison::best_alignment(int et, int& best_offset, int& best_overlap, double& best_value,
                                     int& configs) {
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
  // The score of configuration cfg is the sum of its diagonal of the scaled matrix: summed
  // row by row (contiguous target columns) for all targets in run(), or, on the reference path,
  // walked along the diagonal as Tomtom does. Integer sums: the same either way.
  const int* diag = diag_.data() + col0 + static_cast<std::size_t>(et) * (wq_ - 1);  // see run()
  for (int cfg = start; cfg <= end; ++cfg) {
    const int i_start = cfg <= wq_ ? wq_ - cfg : 0;
    const int overlap = cfg <= wq_ ? std::min(cfg, wt) : std::min(wq_, wt - (cfg - wq_));
    long score = 0;
    if (opt_.reference) {
      for (int k = 0, tcol = cfg <= wq_ ? 0 : cfg - wq_; k < overlap; ++k)
        score += scaled_[static_cast<std::size_t>(i_start + k) * nt_ + col0 + tcol + k];
    } else {
      score = diag[cfg - 1];
    }
    const int qcol = i_start + overlap;
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
  auto tail = [&](int i) {
    int s, e;
    alignment_span(i, width, s, e);
    long corr = static_cast<long>(wq_ - 1 - (e - s)) * C_;
    return survival(s, e, static_cast<long>(score) - corr);
  };
  double prod = 1.0;
  for (int i = 0; i < nalgns; ++i) {
    double c = 1.0 - tail(i);
    prod *= c * c;
  }
  double p = 1.0 - prod;
  if (p < 1e-3) {  // avoid cancellation: 1 - prod (1 - S)^2 = -expm1(2 sum log1p(-S))
    double lg = 0;
    for (int i = 0; i < nalgns; ++i) lg += std::log1p(-tail(i));
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
  if (!opt_.reference) {
    diag_.resize(nt_ + static_cast<std::size_t>(ne) * (wq_ - 1));
    detail::diagonal_sums(diag_.data(), scaled_.data(), nt_, wq_, T_.start.data(), T_.width.data(), ne);
  }
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

// Tomtom's order of (target, strand) pairs: p-value ascending, overlap descending, then "+id"
// before "-id" (the rank of st_id). With float p-values (complete scores) the three fit one
// 64-bit key, (float bits of p, 2047 - overlap, rank), and integer keys sort several times
// faster than the comparisons of the records; both give the same order (it is total).
class MatchOrder {
 public:
  MatchOrder(const Targets& T, bool float_pvalues) : T_(T) {
    int wmax = 0;
    for (int w : T.width) wmax = std::max(wmax, w);
    keyed_ = float_pvalues && wmax < 2048 && T.width.size() < (1u << 21);
  }
  bool operator()(const Match& a, const Match& b) const {
    if (a.pvalue != b.pvalue) return a.pvalue < b.pvalue;
    if (a.overlap != b.overlap) return a.overlap > b.overlap;
    return T_.st_rank[a.target] < T_.st_rank[b.target];
  }
  // Puts m[begin, end) in order, at least its first n (a partial sort, the rest after them).
  void sort(std::vector<Match>& m, std::size_t begin, std::size_t n) {
    const auto b = m.begin() + static_cast<std::ptrdiff_t>(begin);
    const std::size_t len = m.size() - begin;
    n = std::min(n, len);
    if (!keyed_) {
      if (n < len) std::partial_sort(b, b + static_cast<std::ptrdiff_t>(n), m.end(), *this);
      else std::sort(b, m.end(), *this);
      return;
    }
    keys_.resize(len);
    pos_.resize(T_.width.size());
    tmp_.assign(b, m.end());
    for (std::size_t i = 0; i < len; ++i) {
      const float pf = static_cast<float>(tmp_[i].pvalue);
      std::uint32_t bits;
      std::memcpy(&bits, &pf, sizeof bits);  // p >= 0: the bits order as the values
      const std::uint32_t rank = static_cast<std::uint32_t>(T_.st_rank[tmp_[i].target]);
      keys_[i] = (static_cast<std::uint64_t>(bits) << 32) |
                 (static_cast<std::uint64_t>(2047 - tmp_[i].overlap) << 21) | rank;
      pos_[rank] = static_cast<int>(i);
    }
    if (n < len) std::partial_sort(keys_.begin(), keys_.begin() + static_cast<std::ptrdiff_t>(n), keys_.end());
    else std::sort(keys_.begin(), keys_.end());
    for (std::size_t i = 0; i < len; ++i) b[static_cast<std::ptrdiff_t>(i)] = tmp_[pos_[keys_[i] & ((1u << 21) - 1)]];
  }

 private:
  const Targets& T_;
  bool keyed_ = false;
  std::vector<std::uint64_t> keys_;
  std::vector<int> pos_;
  std::vector<Match> tmp_;
};

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
    std::vector<int> hist(static_cast<std::size_t>(kBootstraps) * (kLambdas + 1));
    detail::bootstrap_counts(&state, bucket.data(), n, kBootstraps, kBootstrapSamples, kLambdas + 1,
                             hist.data());
    for (int b = 0; b < kBootstraps; ++b) {
      const int* h = &hist[static_cast<std::size_t>(b) * (kLambdas + 1)];
      int greater = 0;
      for (int j = kLambdas - 1; j >= 0; --j) {
        greater += h[j + 1];
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
    MatchOrder order(T, opt.complete_scores);
    std::vector<int> seen_at(T.n_original, -1);  // per id group: the last query that reported it
    int stamp = 0;
    for (std::size_t qi = begin; qi < end; ++qi) {
      check_interrupt();
      std::vector<double> qprob = with_pseudocount(queries[qi], bg, opt.pseudocount);
      std::vector<Match> m = qc.run(qprob);
      // The k best distinct targets are among the 2k best (target, strand) pairs. The order
      // is total, so the partial sort (a heap of 2k) gives the full sort's first 2k rows.
      std::size_t keep = m.size();
      if (opt.n_nearest > 0) keep = std::min(keep, 2 * static_cast<std::size_t>(opt.n_nearest));
      std::vector<double> p(m.size());
      order.sort(m, 0, keep);
      for (std::size_t i = 0; i < m.size(); ++i) p[i] = m[i].pvalue;
      if (keep < m.size()) std::sort(p.begin() + static_cast<std::ptrdiff_t>(keep), p.end());
      // q-values need every p-value; a q-value depends on its p-value only (ties share one)
      std::vector<double> q = qvalues(p, drand48_skip(0, draws_per_query * qi));
      std::string qcons = consensus(qprob);
      ++stamp;
      std::size_t kept = 0;
      for (std::size_t i = 0; i < m.size(); ++i) {
        if (i == keep) {  // repeated target ids left fewer than k distinct ones: sort the rest
          order.sort(m, keep, m.size());
          keep = m.size();
        }
        double sig = opt.evalue ? m[i].evalue : q[i];
        if (sig > opt.thresh) break;
        if (opt.n_nearest > 0 && kept == static_cast<std::size_t>(opt.n_nearest)) break;
        const std::string& sid = T.st_id[m[i].target];
        int& seen = seen_at[T.id_group[m[i].target / 2]];
        if (seen == stamp) continue;  // the same id (Tomtom keys on it) on its better strand
        seen = stamp;
        ++kept;
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
