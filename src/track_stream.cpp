// Bridge to the core's streamed bigWig writers (tracks/bigwig_stream.hpp) for R code that makes
// its values a tile at a time (scanDeepBind(), predictRegions() over BiocParallel workers,
// attributeBases() over regions): R opens a stream, hands it each tile as it comes back, in
// genome order, and commits or aborts it. Memory is what the writer keeps pending (one run of
// bins, or one chromosome's windows), never the genome. The files are the writers' temporary
// files until commit; abort (or the handle's finaliser) removes them.
// R's coordinates (1-based, closed) become the core's (0-based, half-open) here.
#include <Rcpp.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "tracks/bigwig_stream.hpp"

namespace {

// One of the two writers: binned values (profiles, window scores over fixed bins) or
// per-window scores written as nearest-centre tracks.
struct TrackStream {
  std::unique_ptr<gdl::tracks::ProfileStreamWriter> bins;
  std::unique_ptr<gdl::tracks::WindowTrackStreamWriter> windows;
  std::size_t tracks = 0;
};

TrackStream& stream_of(SEXP ptr) {
  Rcpp::XPtr<TrackStream> h(ptr);
  if (!h.get() || (!h->bins && !h->windows))
    gdl::fail("the bigWig stream is closed (committed or aborted)");
  return *h;
}

// Rows of an R matrix (rows x tracks, column-major) as row-major floats.
std::vector<float> rows_of(const Rcpp::NumericMatrix& v, std::size_t tracks) {
  if (static_cast<std::size_t>(v.ncol()) != tracks)
    gdl::fail("the values have ", v.ncol(), " columns for ", tracks, " bigWig tracks");
  const std::size_t n = static_cast<std::size_t>(v.nrow());
  std::vector<float> out(n * tracks);
  for (std::size_t j = 0; j < tracks; ++j)
    for (std::size_t i = 0; i < n; ++i) {
      double x = v(static_cast<int>(i), static_cast<int>(j));
      out[i * tracks + j] = std::isnan(x) ? std::numeric_limits<float>::quiet_NaN()
                                          : static_cast<float>(x);
    }
  return out;
}

}  // namespace

// Opens one bigWig per path (temporary files beside them) over the chromosomes (in the order the
// values will come) and their lengths. kind: "bins" or "windows".
// [[Rcpp::export(rng = false)]]
SEXP cpp_track_stream_open(std::vector<std::string> paths, std::vector<std::string> chroms,
                           std::vector<double> lengths, std::string kind) {
  std::vector<std::int64_t> lens(lengths.begin(), lengths.end());
  auto s = std::make_unique<TrackStream>();
  if (kind == "bins")
    s->bins = std::make_unique<gdl::tracks::ProfileStreamWriter>(paths, chroms, lens);
  else if (kind == "windows")
    s->windows = std::make_unique<gdl::tracks::WindowTrackStreamWriter>(paths, chroms, lens);
  else
    gdl::fail("a bigWig stream is of kind \"bins\" or \"windows\", not \"", kind, "\"");
  s->tracks = paths.size();
  return Rcpp::XPtr<TrackStream>(s.release(), true);
}

// Bins of `bin` bases from `grid` (1-based first base of bin 1): values nbins x tracks, written
// from bin `first` (1-based) on, clipped to the region [lo, hi]; NA stays missing.
// [[Rcpp::export(rng = false)]]
void cpp_track_stream_bins(SEXP stream, std::string chrom, double grid, double bin, double first,
                           Rcpp::NumericMatrix values, double lo, double hi) {
  auto& s = stream_of(stream);
  if (!s.bins) gdl::fail("this bigWig stream takes windows, not bins");
  auto v = rows_of(values, s.tracks);
  s.bins->add_bins(chrom, static_cast<std::int64_t>(grid) - 1, static_cast<std::int64_t>(bin),
                   static_cast<std::int64_t>(first) - 1, values.nrow(), v.data(),
                   static_cast<std::int64_t>(lo) - 1, static_cast<std::int64_t>(hi));
}

// Equal-width intervals [start, start + width - 1] (1-based, increasing, not overlapping), one
// value row each; consecutive touching intervals are gathered into fixed-step runs.
// [[Rcpp::export(rng = false)]]
void cpp_track_stream_intervals(SEXP stream, std::string chrom, Rcpp::NumericVector start,
                                double width, Rcpp::NumericMatrix values) {
  auto& s = stream_of(stream);
  if (!s.bins) gdl::fail("this bigWig stream takes windows, not intervals");
  if (values.nrow() != start.size()) gdl::fail("give one value row per interval");
  auto v = rows_of(values, s.tracks);
  const auto w = static_cast<std::int64_t>(width);
  const std::int64_t all_lo = std::numeric_limits<std::int64_t>::min() / 2,
                     all_hi = std::numeric_limits<std::int64_t>::max() / 2;
  for (R_xlen_t i = 0; i < start.size(); ++i)
    s.bins->add_bins(chrom, static_cast<std::int64_t>(start[i]) - 1, w, 0, 1,
                     v.data() + static_cast<std::size_t>(i) * s.tracks, all_lo, all_hi);
}

// Regions (1-based closed) and windows (1-based closed, with their scores, windows x tracks) of
// one chromosome for the nearest-centre tracks.
// [[Rcpp::export(rng = false)]]
void cpp_track_stream_windows(SEXP stream, std::string chrom, Rcpp::NumericVector regionStart,
                              Rcpp::NumericVector regionEnd, Rcpp::NumericVector start,
                              Rcpp::NumericVector end, Rcpp::NumericMatrix values) {
  auto& s = stream_of(stream);
  if (!s.windows) gdl::fail("this bigWig stream takes bins, not windows");
  if (values.nrow() != start.size() || end.size() != start.size())
    gdl::fail("give one start, end and value row per window");
  for (R_xlen_t i = 0; i < regionStart.size(); ++i)
    s.windows->add_region(chrom, static_cast<std::int64_t>(regionStart[i]) - 1,
                          static_cast<std::int64_t>(regionEnd[i]));
  auto v = rows_of(values, s.tracks);
  for (R_xlen_t i = 0; i < start.size(); ++i)
    s.windows->add_window(chrom, static_cast<std::int64_t>(start[i]) - 1,
                          static_cast<std::int64_t>(end[i]),
                          v.data() + static_cast<std::size_t>(i) * s.tracks);
}

// Writes what is pending and renames every file onto its path; the stream is closed after.
// [[Rcpp::export(rng = false)]]
void cpp_track_stream_commit(SEXP stream) {
  auto& s = stream_of(stream);
  if (s.bins) s.bins->commit();
  if (s.windows) s.windows->commit();
  s.bins.reset();
  s.windows.reset();
}

// Closes the stream without a result: the temporary files are removed (nothing when closed).
// [[Rcpp::export(rng = false)]]
void cpp_track_stream_abort(SEXP stream) {
  Rcpp::XPtr<TrackStream> h(stream);
  if (!h.get()) return;
  h->bins.reset();
  h->windows.reset();
}
