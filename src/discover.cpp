// Bridge for motif discovery (src/core/interpret/seqlets, modisco): seqlets, the affinity graph
// and patterns from one-hot sequences and hypothetical contributions. Torch-free. Coordinates:
// R 1-based closed, core 0-based half-open.
#include "bridge.h"
#include "interrupt.h"

#include <vector>

#include "common/error.hpp"
#include "interpret/modisco.hpp"
#include "interpret/seqlets.hpp"

namespace {

// R double array N x L x 4 -> row-major floats N x 4 x L.
std::vector<float> nlc_to_ncl(const Rcpp::NumericVector& x, std::size_t& n, std::size_t& len) {
  Rcpp::IntegerVector dim = x.attr("dim");
  if (dim.size() != 3 || dim[2] != 4) gdl::fail("arrays must be N x length x 4");
  n = dim[0];
  len = dim[1];
  std::vector<float> out(n * 4 * len);
  for (std::size_t c = 0; c < 4; ++c)
    for (std::size_t l = 0; l < len; ++l)
      for (std::size_t i = 0; i < n; ++i)
        out[(i * 4 + c) * len + l] = static_cast<float>(x[i + n * l + n * len * c]);
  return out;
}

struct Data {
  std::vector<float> onehot, hyp;
  std::size_t n = 0, len = 0;
  gdl::interpret::ContribData view() const { return {onehot.data(), hyp.data(), n, len}; }
};

Data data_of(const Rcpp::NumericVector& onehot, const Rcpp::NumericVector& hyp) {
  Data d;
  std::size_t n2 = 0, len2 = 0;
  d.onehot = nlc_to_ncl(onehot, d.n, d.len);
  d.hyp = nlc_to_ncl(hyp, n2, len2);
  if (n2 != d.n || len2 != d.len) gdl::fail("the one-hot and contribution arrays differ in shape");
  return d;
}

std::vector<gdl::interpret::Seqlet> seqlets_of(const Rcpp::IntegerVector& example,
                                               const Rcpp::IntegerVector& start,
                                               const Rcpp::IntegerVector& end,
                                               const Rcpp::IntegerVector& sign) {
  std::vector<gdl::interpret::Seqlet> s(example.size());
  for (R_xlen_t i = 0; i < example.size(); ++i) {
    s[i].example = static_cast<std::size_t>(example[i] - 1);
    s[i].start = start[i] - 1;
    s[i].end = end[i];
    s[i].sign = sign[i];
  }
  return s;
}

}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_discover_seqlets(Rcpp::NumericVector onehot, Rcpp::NumericVector hyp, int window,
                                int flank, double fdr, double min_frac, double max_frac,
                                double max_seqlets, double seed, int threads) {
  return gdlr::interruptible([&]() -> Rcpp::List {  // the core polls for Ctrl-C
    auto d = data_of(onehot, hyp);
    auto track = gdl::interpret::contribution_track(d.onehot.data(), d.hyp.data(), d.n, d.len);
    gdl::interpret::SeqletOptions opt;
    opt.window = window;
    opt.flank = flank;
    opt.fdr = fdr;
    opt.min_frac = min_frac;
    opt.max_frac = max_frac;
    opt.max_seqlets = static_cast<std::size_t>(max_seqlets);
    opt.seed = static_cast<std::uint64_t>(seed);
    opt.threads = gdlr::threads_arg(threads);
    auto r = gdl::interpret::call_seqlets(track.data(), d.n, d.len, opt);
    const std::size_t m = r.seqlets.size();
    Rcpp::IntegerVector ex(m), st(m), en(m), sg(m);
    Rcpp::NumericVector sc(m);
    for (std::size_t i = 0; i < m; ++i) {
      ex[i] = static_cast<int>(r.seqlets[i].example + 1);
      st[i] = static_cast<int>(r.seqlets[i].start + 1);
      en[i] = static_cast<int>(r.seqlets[i].end);
      sg[i] = r.seqlets[i].sign;
      sc[i] = r.seqlets[i].score;
    }
    return Rcpp::List::create(Rcpp::Named("example") = ex, Rcpp::Named("start") = st,
                              Rcpp::Named("end") = en, Rcpp::Named("sign") = sg,
                              Rcpp::Named("score") = sc,
                              Rcpp::Named("posThreshold") = r.pos_threshold,
                              Rcpp::Named("negThreshold") = r.neg_threshold,
                              Rcpp::Named("passingFraction") = r.passing_fraction);
  });
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_discover_graph(Rcpp::NumericVector onehot, Rcpp::NumericVector hyp,
                              Rcpp::IntegerVector example, Rcpp::IntegerVector start,
                              Rcpp::IntegerVector end, Rcpp::IntegerVector sign, double min_overlap,
                              int neighbors, double perplexity, double exact_max,
                              int coarse_neighbors, int threads) {
  return gdlr::interruptible([&]() -> Rcpp::List {  // the core polls for Ctrl-C
    auto d = data_of(onehot, hyp);
    auto s = seqlets_of(example, start, end, sign);
    gdl::interpret::GraphOptions opt;
    opt.min_overlap = min_overlap;
    opt.neighbors = neighbors;
    opt.perplexity = perplexity;
    opt.exact_max = static_cast<std::size_t>(exact_max);
    opt.coarse_neighbors = coarse_neighbors;
    opt.threads = gdlr::threads_arg(threads);
    auto g = gdl::interpret::affinity_graph(d.view(), s, opt);
    Rcpp::IntegerVector from(g.from.size()), to(g.to.size());
    for (std::size_t e = 0; e < g.from.size(); ++e) {
      from[e] = g.from[e] + 1;
      to[e] = g.to[e] + 1;
    }
    return Rcpp::List::create(Rcpp::Named("from") = from, Rcpp::Named("to") = to,
                              Rcpp::Named("weight") = Rcpp::wrap(g.weight),
                              Rcpp::Named("similarity") = Rcpp::wrap(g.similarity));
  });
}

// merge_threshold > 1: no merging.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_discover_patterns(Rcpp::NumericVector onehot, Rcpp::NumericVector hyp,
                                 Rcpp::IntegerVector example, Rcpp::IntegerVector start,
                                 Rcpp::IntegerVector end, Rcpp::IntegerVector sign,
                                 Rcpp::IntegerVector cluster, Rcpp::IntegerVector from,
                                 Rcpp::IntegerVector to, Rcpp::NumericVector weight,
                                 double min_overlap, double merge_threshold, double min_seqlets,
                                 double support, int trim, int flank, int threads) {
  return gdlr::interruptible([&]() -> Rcpp::List {  // the core polls for Ctrl-C
    auto d = data_of(onehot, hyp);
    auto s = seqlets_of(example, start, end, sign);
    gdl::interpret::Graph g;
    for (R_xlen_t e = 0; e < from.size(); ++e) {
      g.from.push_back(from[e] - 1);
      g.to.push_back(to[e] - 1);
      g.weight.push_back(weight[e]);
    }
    std::vector<int> cl(cluster.begin(), cluster.end());  // R: NA or < 1 -> none; 1-based ids
    for (auto& c : cl) c = (c == NA_INTEGER || c < 1) ? -1 : c - 1;
    if (merge_threshold <= 1) {
      gdl::interpret::MergeOptions mo;
      mo.min_overlap = min_overlap;
      mo.threshold = merge_threshold;
      mo.threads = gdlr::threads_arg(threads);
      cl = gdl::interpret::merge_clusters(d.view(), s, cl, g, mo);
    }
    gdl::interpret::PatternOptions opt;
    opt.min_overlap = min_overlap;
    opt.min_seqlets = static_cast<std::size_t>(min_seqlets);
    opt.support = support;
    opt.trim = trim;
    opt.flank = flank;
    opt.threads = gdlr::threads_arg(threads);
    auto ps = gdl::interpret::build_patterns(d.view(), s, cl, g, opt);
    Rcpp::List out(ps.size());
    for (std::size_t p = 0; p < ps.size(); ++p) {
      const auto& pt = ps[p];
      auto mat = [&](const std::vector<double>& v) {
        Rcpp::NumericMatrix m(4, pt.width);
        for (int c = 0; c < 4; ++c)
          for (int k = 0; k < pt.width; ++k) m(c, k) = v[c * pt.width + k];
        return m;
      };
      Rcpp::IntegerVector mem(pt.members.size()), rc(pt.members.size()), ms(pt.members.size()),
          me(pt.members.size());
      for (std::size_t t = 0; t < pt.members.size(); ++t) {
        mem[t] = static_cast<int>(pt.members[t] + 1);
        rc[t] = pt.member_rc[t];
        ms[t] = static_cast<int>(pt.member_start[t] + 1);
        me[t] = static_cast<int>(pt.member_end[t]);
      }
      out[p] = Rcpp::List::create(
          Rcpp::Named("cluster") = pt.cluster + 1, Rcpp::Named("sign") = pt.sign,
          Rcpp::Named("nSeqlets") = static_cast<double>(pt.n_seqlets), Rcpp::Named("ppm") = mat(pt.ppm),
          Rcpp::Named("cwm") = mat(pt.cwm), Rcpp::Named("hcwm") = mat(pt.hcwm),
          Rcpp::Named("members") = mem, Rcpp::Named("rc") = rc, Rcpp::Named("start") = ms,
          Rcpp::Named("end") = me);
    }
    return out;
  });
}
