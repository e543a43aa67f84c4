// Bridge for src/core/tracks: read bigWig values and summaries, write bigWig files.
#include "bridge.h"

#include <cmath>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/parallel.hpp"
#include "tracks/bigwig.hpp"

using namespace gdl::tracks;

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_bigwig_info(std::string path) {
  BigWigReader r(path);
  Rcpp::NumericVector len(r.lengths().begin(), r.lengths().end());
  return Rcpp::List::create(Rcpp::Named("names") = Rcpp::wrap(r.chromosomes()),
                            Rcpp::Named("lengths") = len);
}

// Values of 1-based closed ranges. bins = 0: per-base values; otherwise `bins` summaries per
// range. Returns a list of numeric vectors (one per range). One reader per thread.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_bigwig_values(std::string path, Rcpp::CharacterVector chroms,
                             Rcpp::NumericVector starts, Rcpp::NumericVector ends, int bins,
                             std::string summary, int threads) {
  std::size_t n = static_cast<std::size_t>(chroms.size());
  Summary how = parse_summary(summary);
  std::vector<std::string> cn(n);
  for (std::size_t i = 0; i < n; ++i) cn[i] = Rcpp::as<std::string>(chroms[i]);
  {
    BigWigReader check(path);  // fail early, on the main thread, on a bad file or chromosome
    for (const auto& c : cn)
      if (check.index(c) < 0) gdl::fail("chromosome '", c, "' is not in bigWig '", path, "'");
  }
  std::vector<std::vector<double>> res(n);
  gdl::parallelize(n, gdlr::threads_arg(threads), [&](int, std::size_t b, std::size_t e) {
    BigWigReader r(path);
    std::vector<float> buf;
    for (std::size_t i = b; i < e; ++i) {
      auto s = static_cast<std::int64_t>(starts[i]) - 1, en = static_cast<std::int64_t>(ends[i]);
      if (bins > 0) {
        res[i].resize(static_cast<std::size_t>(bins));
        r.binned(cn[i], s, en, bins, how, res[i].data());
      } else {
        buf.resize(static_cast<std::size_t>(en - s));
        r.values(cn[i], s, en, buf.data());
        res[i].assign(buf.begin(), buf.end());
      }
    }
  });
  Rcpp::List out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = Rcpp::wrap(res[i]);
  return out;
}

// Writes a bigWig: chromosome names/lengths, then per chromosome the intervals (0-based starts,
// ends) and values, in the order given. Atomic: nothing is left behind on error. exportTrack()
// writes through rtracklayer instead (as fast: bench/tracks-io.R); this entry stays as that
// benchmark's baseline, and the core's writer it wraps serves streamed prediction.
// [[Rcpp::export(rng = false)]]
void cpp_bigwig_write(std::string path, Rcpp::CharacterVector names, Rcpp::NumericVector lengths,
                      Rcpp::List intervals) {
  std::vector<std::string> cn = Rcpp::as<std::vector<std::string>>(names);
  std::vector<std::int64_t> cl(lengths.begin(), lengths.end());
  BigWigWriter w(path, cn, cl);
  for (R_xlen_t i = 0; i < intervals.size(); ++i) {
    Rcpp::List iv = intervals[i];
    std::string chrom = Rcpp::as<std::string>(iv["chrom"]);
    Rcpp::NumericVector s = iv["start"], e = iv["end"], v = iv["value"];
    std::vector<std::uint32_t> ss(s.begin(), s.end()), ee(e.begin(), e.end());
    std::vector<float> vv(v.begin(), v.end());
    w.add_intervals(chrom, ss, ee, vv);
    Rcpp::checkUserInterrupt();
  }
  w.close();
}

// Removes temporary files "<target>.tmp<pid>.*" left beside target by writers that were killed
// (their pid is gone); the R writers (saveModel) call it before writing, as AtomicFile does.
// [[Rcpp::export(rng = false)]]
int cpp_remove_stale_temps(std::string target) { return gdl::remove_stale_temps(target); }
