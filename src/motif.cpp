// Bridge for src/core/motif: MEME / JASPAR files, Tomtom comparison, PFMs from filters.
// Motifs cross the bridge as list(id, name, url, nsites, prob = list of width x 4 matrices).
#include "bridge.h"
#include "interrupt.h"

#include "common/error.hpp"
#include "common/parallel.hpp"
#include "motif/extract.hpp"
#include "motif/motif.hpp"
#include "motif/tomtom.hpp"

using namespace gdl::motif;

namespace {

Rcpp::List motifs_to_r(const MotifFile& f) {
  const auto& m = f.motifs;
  Rcpp::CharacterVector id(m.size()), name(m.size()), url(m.size());
  Rcpp::NumericVector nsites(m.size());
  Rcpp::List prob(m.size());
  for (std::size_t i = 0; i < m.size(); ++i) {
    id[i] = m[i].id;
    name[i] = m[i].name;
    url[i] = m[i].url;
    nsites[i] = m[i].nsites;
    Rcpp::NumericMatrix p(m[i].width(), 4);
    for (int r = 0; r < m[i].width(); ++r)
      for (int b = 0; b < 4; ++b) p(r, b) = m[i].at(r, b);
    prob[i] = p;
  }
  Rcpp::NumericVector bg(f.background.begin(), f.background.end());
  return Rcpp::List::create(Rcpp::Named("id") = id, Rcpp::Named("name") = name,
                            Rcpp::Named("url") = url, Rcpp::Named("nsites") = nsites,
                            Rcpp::Named("prob") = prob, Rcpp::Named("background") = bg);
}

std::vector<Motif> motifs_from_r(const Rcpp::List& x) {
  Rcpp::CharacterVector id = x["id"], name = x["name"];
  Rcpp::NumericVector nsites = x["nsites"];
  Rcpp::List prob = x["prob"];
  std::vector<Motif> out(prob.size());
  for (R_xlen_t i = 0; i < prob.size(); ++i) {
    Rcpp::NumericMatrix p = prob[i];
    if (p.ncol() != 4) gdl::fail("motif ", i + 1, " does not have 4 letter columns");
    out[i].id = Rcpp::as<std::string>(id[i]);
    out[i].name = Rcpp::as<std::string>(name[i]);
    out[i].nsites = nsites[i];
    out[i].prob.resize(4 * static_cast<std::size_t>(p.nrow()));
    for (int r = 0; r < p.nrow(); ++r)
      for (int b = 0; b < 4; ++b) out[i].prob[4 * r + b] = p(r, b);
  }
  return out;
}

Distance distance_of(const std::string& d) {
  if (d == "pearson") return Distance::pearson;
  if (d == "ed") return Distance::ed;
  if (d == "sandelin") return Distance::sandelin;
  if (d == "kullback") return Distance::kullback;
  gdl::fail("unknown distance '", d, "'");
}

}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_motif_read_meme(std::string path) { return motifs_to_r(read_meme(path)); }

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_motif_read_jaspar(std::string path) { return motifs_to_r(read_jaspar(path)); }

// [[Rcpp::export(rng = false)]]
void cpp_motif_write_meme(Rcpp::List motifs, std::string path) { write_meme(motifs_from_r(motifs), path); }

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_motif_tomtom(Rcpp::List query, Rcpp::List target, std::string dist, int min_overlap,
                            double thresh, bool evalue, bool complete, bool reference, bool exact,
                            Rcpp::NumericVector background, int n_nearest, int threads) {
  return gdlr::interruptible([&]() -> Rcpp::List {  // the core polls for Ctrl-C
    TomtomOptions opt;
    opt.dist = distance_of(dist);
    opt.min_overlap = min_overlap;
    opt.thresh = thresh;
    opt.evalue = evalue;
    opt.complete_scores = complete;
    opt.reference = reference;
    opt.exact_rounding = exact;
    opt.n_nearest = n_nearest;
    opt.threads = gdlr::threads_arg(threads);
    std::array<double, 4> bg{{background[0], background[1], background[2], background[3]}};
    auto q = motifs_from_r(query), t = motifs_from_r(target);
    auto hits = tomtom(q, t, opt, bg);
    const std::size_t n = hits.size();
    Rcpp::IntegerVector qi(n), ti(n), off(n), ov(n);
    Rcpp::NumericVector pv(n), ev(n), qv(n);
    Rcpp::CharacterVector qc(n), tc(n), orient(n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& h = hits[i];
      qi[i] = h.query + 1;
      ti[i] = h.target + 1;
      off[i] = h.offset;
      pv[i] = h.pvalue;
      ev[i] = h.evalue;
      qv[i] = h.qvalue;
      ov[i] = h.overlap;
      qc[i] = h.query_consensus;
      tc[i] = h.target_consensus;
      orient[i] = std::string(1, h.orientation);
    }
    return Rcpp::List::create(Rcpp::Named("query") = qi, Rcpp::Named("target") = ti,
                              Rcpp::Named("offset") = off, Rcpp::Named("pvalue") = pv,
                              Rcpp::Named("evalue") = ev, Rcpp::Named("qvalue") = qv,
                              Rcpp::Named("overlap") = ov, Rcpp::Named("query_consensus") = qc,
                              Rcpp::Named("target_consensus") = tc, Rcpp::Named("orientation") = orient);
  });
}

// weight: R array filters x 4 x width; x: R array N x 4 x L (column-major).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_motif_extract(Rcpp::NumericVector weight, Rcpp::NumericVector bias, int dilation,
                             Rcpp::NumericVector x, std::string method, bool both_strands,
                             double threshold, int threads) {
  return gdlr::interruptible([&]() -> Rcpp::List {  // the core polls for Ctrl-C
    Rcpp::IntegerVector wd = weight.attr("dim"), xd = x.attr("dim");
    if (wd.size() != 3 || wd[1] != 4) gdl::fail("weights must be an array filters x 4 x width");
    if (xd.size() != 3 || xd[1] != 4) gdl::fail("sequences must be an array N x 4 x L");
    FirstLayer layer;
    layer.filters = wd[0];
    layer.width = wd[2];
    layer.dilation = dilation;
    layer.weight.resize(weight.size());
    const std::size_t F = wd[0], K = wd[2];
    for (std::size_t f = 0; f < F; ++f)
      for (std::size_t c = 0; c < 4; ++c)
        for (std::size_t j = 0; j < K; ++j) layer.weight[(f * 4 + c) * K + j] = weight[f + F * c + F * 4 * j];
    layer.bias.assign(bias.begin(), bias.end());
    OneHotView v;
    v.data = x.begin();
    v.n = xd[0];
    v.length = xd[2];
    v.sn = 1;
    v.sc = xd[0];
    v.sl = static_cast<std::ptrdiff_t>(xd[0]) * 4;
    ExtractOptions opt;
    opt.method = method == "threshold" ? ExtractOptions::Method::threshold : ExtractOptions::Method::max;
    opt.both_strands = both_strands;
    opt.threshold = threshold;
    opt.threads = gdlr::threads_arg(threads);
    auto res = extract_pfms(layer, v, opt);
    Rcpp::List counts(res.size());
    Rcpp::NumericVector nsites(res.size());
    for (std::size_t f = 0; f < res.size(); ++f) {
      Rcpp::NumericMatrix m(4, layer.width);  // rows A, C, G, T
      for (int j = 0; j < layer.width; ++j)
        for (int c = 0; c < 4; ++c) m(c, j) = res[f].counts[4 * j + c];
      counts[f] = m;
      nsites[f] = static_cast<double>(res[f].nsites);
    }
    return Rcpp::List::create(Rcpp::Named("counts") = counts, Rcpp::Named("nsites") = nsites);
  });
}

// Mean first-layer convolution output (bias included) of each filter over all sequences and
// positions of the forward strand: the value a "mean" knockout puts in place of a channel.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_motif_filter_means(Rcpp::NumericVector weight, Rcpp::NumericVector bias,
                                           int dilation, Rcpp::NumericVector x, int threads) {
  return gdlr::interruptible([&]() -> Rcpp::NumericVector {  // the core polls for Ctrl-C
    Rcpp::IntegerVector wd = weight.attr("dim"), xd = x.attr("dim");
    const std::size_t F = wd[0], K = wd[2], N = xd[0], L = xd[2];
    const std::size_t span = (K - 1) * dilation + 1;
    if (L < span) gdl::fail("sequences are shorter than the filter span");
    const std::size_t P = L - span + 1;
    std::vector<double> w(weight.begin(), weight.end()), xv(x.begin(), x.end()), out(F);
    gdl::parallelize(F, gdlr::threads_arg(threads), [&](int, std::size_t fb, std::size_t fe) {
      for (std::size_t f = fb; f < fe; ++f) {
        // sum over positions of the convolution = sum_c,j w[f,c,j] * (sum over p of x[n, c, p + j d])
        double total = 0;
        for (std::size_t c = 0; c < 4; ++c)
          for (std::size_t j = 0; j < K; ++j) {
            double s = 0;
            for (std::size_t n = 0; n < N; ++n)
              for (std::size_t p = 0; p < P; ++p) s += xv[n + N * c + N * 4 * (p + j * dilation)];
            total += w[f + F * c + F * 4 * j] * s;
          }
        out[f] = (bias.size() ? bias[f] : 0.0) + total / static_cast<double>(N * P);
      }
    });
    return Rcpp::NumericVector(out.begin(), out.end());
  });
}
