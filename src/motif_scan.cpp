// Bridge for src/core/motif/scan: FIMO-exact scanning of genome regions, into R vectors or
// streamed to a BED-like file. Regions arrive 1-based closed and hits leave 1-based closed.
#include <cstdio>
#include <fstream>

#include "bridge.h"
#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "motif/scan.hpp"

using namespace gdl::motif;

namespace {

std::vector<Motif> scan_motifs_from_r(const Rcpp::List& x) {
  Rcpp::CharacterVector id = x["id"], name = x["name"];
  Rcpp::NumericVector nsites = x["nsites"];
  Rcpp::List prob = x["prob"];
  std::vector<Motif> out(static_cast<std::size_t>(prob.size()));
  for (R_xlen_t i = 0; i < prob.size(); ++i) {
    Rcpp::NumericMatrix p = prob[i];
    if (p.ncol() != 4) gdl::fail("motif ", i + 1, " does not have 4 letter columns");
    Motif& m = out[static_cast<std::size_t>(i)];
    m.id = Rcpp::as<std::string>(id[i]);
    m.name = Rcpp::as<std::string>(name[i]);
    m.nsites = nsites[i];
    m.prob.resize(4 * static_cast<std::size_t>(p.nrow()));
    for (int r = 0; r < p.nrow(); ++r)
      for (int b = 0; b < 4; ++b) m.prob[4 * static_cast<std::size_t>(r) + b] = p(r, b);
  }
  return out;
}

std::vector<ScanRegion> regions_from_r(const gdl::genome::Genome& g, const Rcpp::CharacterVector& chrom,
                                       const Rcpp::NumericVector& start, const Rcpp::NumericVector& end) {
  std::vector<int> idx = gdlr::chrom_indexes(g, chrom);
  std::vector<ScanRegion> out(idx.size());
  for (std::size_t i = 0; i < idx.size(); ++i)
    out[i] = {idx[i], static_cast<std::int64_t>(start[static_cast<R_xlen_t>(i)]) - 1,
              static_cast<std::int64_t>(end[static_cast<R_xlen_t>(i)])};
  return out;
}

}  // namespace

// Letter frequencies of the regions (both strands averaged when both = TRUE).
// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_motif_scan_background(SEXP genome, Rcpp::CharacterVector chrom,
                                              Rcpp::NumericVector start, Rcpp::NumericVector end, bool both) {
  auto g = gdlr::genome_of(genome);
  auto bg = scan_background(*g, regions_from_r(*g, chrom, start, end), both);
  return Rcpp::NumericVector(bg.begin(), bg.end());
}

// Scans regions with motifs. path == "": hits come back as R vectors; else they are written to
// `path` (tab-separated, BED-like, 0-based starts) as they are found and only counts return.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_motif_scan(SEXP genome, Rcpp::CharacterVector chrom, Rcpp::NumericVector start,
                          Rcpp::NumericVector end, Rcpp::List motifs, Rcpp::NumericVector background,
                          double thresh, double pseudocount, bool both, bool qvalues, bool sequence,
                          std::string path, int threads) {
  auto g = gdlr::genome_of(genome);
  std::vector<ScanRegion> regions = regions_from_r(*g, chrom, start, end);
  std::vector<Motif> m = scan_motifs_from_r(motifs);
  if (background.size() != 4) gdl::fail("background must give 4 frequencies (A, C, G, T)");
  ScanOptions opt;
  opt.threshold = thresh;
  opt.pseudocount = pseudocount;
  opt.both_strands = both;
  opt.matched_sequence = sequence;
  opt.threads = gdlr::threads_arg(threads);
  std::array<double, 4> bg{{background[0], background[1], background[2], background[3]}};
  ScanSet set = prepare_scan(m, bg, opt);
  auto poll = [] { Rcpp::checkUserInterrupt(); };

  std::vector<ScanHit> hits;
  ScanCounts counts;
  std::int64_t written = 0;
  if (path.empty()) {
    counts = scan_genome(*g, regions, set, opt, [&](std::vector<ScanHit>& h) {
      for (auto& x : h) hits.push_back(std::move(x));
    }, poll);
  } else {
    gdl::AtomicFile file(path);
    {
      std::ofstream os(file.temp_path());
      if (!os) gdl::fail("cannot write '", path, "'");
      os << "#chrom\tstart\tend\tmotif_id\tscore\tstrand\tp-value\tmotif_alt_id\tmatched_sequence\n";
      char buf[64];
      counts = scan_genome(*g, regions, set, opt, [&](std::vector<ScanHit>& h) {
        for (const auto& x : h) {
          const ScanRegion& r = regions[static_cast<std::size_t>(x.region)];
          const Motif& mm = m[static_cast<std::size_t>(x.motif)];
          os << g->names()[static_cast<std::size_t>(r.chrom)] << '\t' << x.start << '\t'
             << x.start + mm.width() << '\t' << mm.id << '\t';
          std::snprintf(buf, sizeof buf, "%.6g\t%c\t%.3g\t", x.score, x.strand, x.pvalue);
          os << buf << mm.name << '\t' << (x.sequence.empty() ? "." : x.sequence) << '\n';
        }
        written += static_cast<std::int64_t>(h.size());
        if (!os) gdl::fail("writing '", path, "' failed (disk full?)");
      }, poll);
      os.close();
      if (!os) gdl::fail("writing '", path, "' failed (disk full?)");
    }
    file.commit();
  }

  const std::size_t n = hits.size();
  std::vector<double> q;
  if (qvalues && n > 0) q = scan_qvalues(hits, counts);
  Rcpp::IntegerVector mi(n), ri(n);
  Rcpp::NumericVector st(n), sc(n), pv(n), qv(n, NA_REAL);
  Rcpp::CharacterVector strand(n), seq(n);
  for (std::size_t i = 0; i < n; ++i) {
    const ScanHit& h = hits[i];
    mi[i] = h.motif + 1;
    ri[i] = h.region + 1;
    st[i] = static_cast<double>(h.start + 1);
    sc[i] = h.score;
    pv[i] = h.pvalue;
    if (!q.empty()) qv[i] = q[i];
    strand[i] = h.strand == '+' ? "+" : "-";
    seq[i] = h.sequence;
  }
  Rcpp::NumericVector windows(counts.windows.begin(), counts.windows.end());
  Rcpp::NumericVector above(counts.above_half.begin(), counts.above_half.end());
  return Rcpp::List::create(Rcpp::Named("motif") = mi, Rcpp::Named("region") = ri,
                            Rcpp::Named("start") = st, Rcpp::Named("strand") = strand,
                            Rcpp::Named("score") = sc, Rcpp::Named("pvalue") = pv,
                            Rcpp::Named("qvalue") = qv, Rcpp::Named("sequence") = seq,
                            Rcpp::Named("windows") = windows, Rcpp::Named("above_half") = above,
                            Rcpp::Named("written") = static_cast<double>(written));
}

// The scaled PSSM and p-value table FIMO builds for one motif (tests, teaching).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_motif_scan_pssm(Rcpp::List motifs, Rcpp::NumericVector background, double thresh,
                               double pseudocount, bool both) {
  std::vector<Motif> m = scan_motifs_from_r(motifs);
  ScanOptions opt;
  opt.threshold = thresh;
  opt.pseudocount = pseudocount;
  opt.both_strands = both;
  std::array<double, 4> bg{{background[0], background[1], background[2], background[3]}};
  ScanSet set = prepare_scan(m, bg, opt);
  Rcpp::List out(set.fwd.size());
  for (std::size_t i = 0; i < set.fwd.size(); ++i) {
    const ScanPssm& p = set.fwd[i];
    Rcpp::IntegerMatrix s(p.width, 4);
    for (int r = 0; r < p.width; ++r)
      for (int b = 0; b < 4; ++b) s(r, b) = p.score[4 * static_cast<std::size_t>(r) + b];
    out[i] = Rcpp::List::create(Rcpp::Named("score") = s, Rcpp::Named("scale") = p.scale,
                                Rcpp::Named("offset") = p.offset,
                                Rcpp::Named("pv") = Rcpp::NumericVector(p.pv.begin(), p.pv.end()),
                                Rcpp::Named("min_hit") = p.min_hit);
  }
  return out;
}
