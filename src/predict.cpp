// Bridge for src/core/train/predict: prediction over genomic regions (progress bar and interrupts
// served here, on R's main thread) and hand-set parameters. Converts R's 1-based closed
// coordinates to the core's 0-based half-open ones and back.
#include "bridge.h"
#include "interrupt.h"

#include <chrono>
#include <memory>

#include "common/error.hpp"
#include "models.h"
#include "nn/device.hpp"
#include "tracks/bigwig_stream.hpp"
#include "train/predict.hpp"

namespace {

// Column-major R matrix rows x cols from row-major floats.
Rcpp::NumericMatrix matrix_of(const float* v, std::size_t rows, std::size_t cols) {
  Rcpp::NumericMatrix m(static_cast<int>(rows), static_cast<int>(cols));
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) m(static_cast<int>(i), static_cast<int>(j)) = v[i * cols + j];
  return m;
}

}  // namespace

namespace {

struct Call {
  std::vector<gdl::train::Region> regions;
  gdl::train::RegionOptions o;
};

Call parse_call(const gdl::genome::Genome& g, Rcpp::CharacterVector chrom, Rcpp::NumericVector start,
                Rcpp::NumericVector end, Rcpp::List layouts, double step, std::string rc,
                double batch, std::string device, int threads, bool ambiguous_zero,
                std::string encode) {
  Call c;
  auto idx = gdlr::chrom_indexes(g, chrom);
  c.regions.resize(idx.size());
  for (std::size_t i = 0; i < idx.size(); ++i)
    c.regions[i] = {idx[i], static_cast<std::int64_t>(start[i]) - 1, static_cast<std::int64_t>(end[i])};
  auto& o = c.o;
  o.step = static_cast<std::int64_t>(step);
  o.rc = rc;
  o.batch = static_cast<std::size_t>(batch);
  o.device = gdl::nn::resolve_device(device);
  o.workers = gdlr::threads_arg(threads);
  o.encode = encode;
  o.ambiguous = ambiguous_zero ? gdl::genome::Ambiguous::Zero : gdl::genome::Ambiguous::Quarter;
  for (R_xlen_t k = 0; k < layouts.size(); ++k) {
    auto v = Rcpp::as<std::vector<double>>(layouts[k]);
    if (v.size() != 3) gdl::fail("an output layout is c(positions, channels, bin)");
    o.layouts.push_back({static_cast<std::int64_t>(v[0]), static_cast<std::int64_t>(v[1]),
                         static_cast<std::int64_t>(v[2])});
  }
  gdl::nn::set_torch_threads(gdlr::threads_arg(threads));
  return c;
}

// A progress bar (windows done, rate) for work that lasts; false when the user interrupted.
class Progress {
 public:
  explicit Progress(bool verbose) : verbose_(verbose), t0_(std::chrono::steady_clock::now()), last_(t0_) {}
  ~Progress() {
    if (shown_) Rprintf("\n");
  }
  bool operator()(std::size_t done, std::size_t total) {
    if (gdlr::r_interrupt_pending()) return false;  // the core then throws gdl::Interrupted
    auto now = std::chrono::steady_clock::now();
    double secs = std::chrono::duration<double>(now - t0_).count();
    if (verbose_ && secs > 1 &&
        (done == total || std::chrono::duration<double>(now - last_).count() > 0.25)) {
      last_ = now;
      shown_ = true;
      int width = 25, full = static_cast<int>(width * done / std::max<std::size_t>(total, 1));
      std::string bar(static_cast<std::size_t>(full), '=');
      if (full < width) bar += '>' + std::string(static_cast<std::size_t>(width - full - 1), '.');
      double rate = done / secs, left = rate > 0 ? (total - done) / rate : 0;
      Rprintf("\rPredicting %9.0f/%-9.0f windows [%s] %.0f windows/s, %.0f s left   ",
              static_cast<double>(done), static_cast<double>(total), bar.c_str(), rate, left);
    }
    return true;
  }

 private:
  bool verbose_, shown_ = false;
  std::chrono::steady_clock::time_point t0_, last_;
};

Rcpp::List results_list(std::vector<gdl::train::RegionResult>& res, const gdl::train::RegionOptions& o,
                        const std::vector<std::vector<std::int64_t>>& oshapes) {
  std::size_t nwin = 0;
  for (auto& r : res) nwin += r.windows.size();
  Rcpp::IntegerVector win_region(nwin);
  Rcpp::NumericVector win_start(nwin), win_end(nwin), grid(res.size()), bins(res.size());
  std::size_t w = 0;
  for (std::size_t r = 0; r < res.size(); ++r) {
    grid[r] = static_cast<double>(res[r].grid_start + 1);
    bins[r] = static_cast<double>(res[r].bins);
    for (auto& win : res[r].windows) {
      win_region[w] = static_cast<int>(r + 1);
      win_start[w] = static_cast<double>(win.start + 1);
      win_end[w] = static_cast<double>(win.end);
      ++w;
    }
  }
  Rcpp::List per_window(oshapes.size()), tracks(oshapes.size());
  for (std::size_t k = 0; k < oshapes.size(); ++k) {
    const auto& lay = o.layouts.empty() ? gdl::train::OutputLayout{} : o.layouts[k];
    if (lay.positions <= 0) {
      std::size_t per = 1;
      for (auto dd : oshapes[k]) per *= static_cast<std::size_t>(dd);
      std::vector<float> all;
      all.reserve(nwin * per);
      for (auto& r : res) all.insert(all.end(), r.per_window[k].begin(), r.per_window[k].end());
      per_window[k] = matrix_of(all.data(), nwin, per);
    } else {
      Rcpp::List per_region(res.size());
      for (std::size_t r = 0; r < res.size(); ++r)
        per_region[r] = matrix_of(res[r].tracks[k].data(), static_cast<std::size_t>(res[r].bins),
                                  static_cast<std::size_t>(lay.channels));
      tracks[k] = per_region;
    }
  }
  return Rcpp::List::create(Rcpp::Named("windowRegion") = win_region,
                            Rcpp::Named("windowStart") = win_start,
                            Rcpp::Named("windowEnd") = win_end, Rcpp::Named("grid") = grid,
                            Rcpp::Named("bins") = bins, Rcpp::Named("perWindow") = per_window,
                            Rcpp::Named("tracks") = tracks, Rcpp::Named("device") = o.device);
}

// The sink of a streamed run: profile outputs and per-window tracks go to bigWig writers as
// they become final; per-window values go to an R function in chunks of rows (it writes them to
// an HDF5 dataset or an R matrix); with `keep`, everything is also collected as
// cpp_predict_regions() returns it.
class StreamSink : public gdl::train::PredictSink {
 public:
  StreamSink(const gdl::genome::Genome& g, const std::vector<gdl::train::Region>& regions,
             std::size_t outputs, bool keep)
      : g_(g), regions_(regions), profiles_(outputs), windows_(outputs), rows_(outputs),
        next_row_(outputs, 1), pending_(outputs) {
    if (keep) keep_ = std::make_unique<gdl::train::RegionCollector>(outputs);
  }
  std::vector<std::unique_ptr<gdl::tracks::ProfileStreamWriter>> profiles_;
  std::vector<std::unique_ptr<gdl::tracks::WindowTrackStreamWriter>> windows_;
  std::unique_ptr<Rcpp::Function> on_rows_;
  std::size_t chunk_ = 4096;

  void begin(const std::vector<gdl::train::RegionTiling>& t, const gdl::train::TilePlan& p) override {
    tilings_ = t;
    plan_ = p;
    if (keep_) keep_->begin(t, p);
  }
  void window(std::size_t r, std::size_t k, std::int64_t index, const gdl::data::Window& w,
              const float* v, std::size_t n) override {
    if (keep_) keep_->window(r, k, index, w, v, n);
    const auto& chrom = g_.names()[static_cast<std::size_t>(w.chrom)];
    const std::int64_t len = g_.lengths()[static_cast<std::size_t>(w.chrom)];
    const std::int64_t s = std::max<std::int64_t>(0, w.start), e = std::min(len, w.end);
    if (windows_[k]) {
      if (index == 0) windows_[k]->add_region(chrom, regions_[r].start, regions_[r].end);
      windows_[k]->add_window(chrom, s, e, v);
    }
    if (on_rows_) {
      auto& p = pending_[k];
      p.region.push_back(static_cast<int>(r + 1));
      p.start.push_back(static_cast<double>(s + 1));
      p.end.push_back(static_cast<double>(e));
      p.values.insert(p.values.end(), v, v + n);
      p.per = n;
      if (p.region.size() >= chunk_) send(k);
    }
  }
  void bins(std::size_t r, std::size_t k, std::int64_t first, std::int64_t n, const float* v,
            std::int64_t channels) override {
    if (keep_) keep_->bins(r, k, first, n, v, channels);
    if (!profiles_[k]) return;
    const auto& reg = regions_[r];
    profiles_[k]->add_bins(g_.names()[static_cast<std::size_t>(reg.chrom)], tilings_[r].first_span,
                           plan_.bin, first, n, v, reg.start, reg.end);
  }
  void finish() {
    for (std::size_t k = 0; k < pending_.size(); ++k) send(k);
    for (auto& p : profiles_)
      if (p) p->commit();
    for (auto& w : windows_)
      if (w) w->commit();
  }
  gdl::train::RegionCollector* kept() { return keep_.get(); }

 private:
  struct Rows {
    std::vector<int> region;
    std::vector<double> start, end;
    std::vector<float> values;
    std::size_t per = 0;
  };
  // Hands rows of output k to R: on_rows(output, first row, region, start, end, values matrix).
  void send(std::size_t k) {
    auto& p = pending_[k];
    if (!on_rows_ || p.region.empty()) return;
    const std::size_t n = p.region.size();
    Rcpp::NumericMatrix m = matrix_of(p.values.data(), n, p.per);
    (*on_rows_)(static_cast<int>(k + 1), next_row_[k], Rcpp::wrap(p.region), Rcpp::wrap(p.start),
                Rcpp::wrap(p.end), m);
    next_row_[k] += static_cast<double>(n);
    p = Rows();
  }
  const gdl::genome::Genome& g_;
  const std::vector<gdl::train::Region>& regions_;
  std::vector<gdl::train::RegionTiling> tilings_;
  gdl::train::TilePlan plan_;
  std::vector<std::size_t> rows_;
  std::vector<double> next_row_;
  std::vector<Rows> pending_;
  std::unique_ptr<gdl::train::RegionCollector> keep_;
};

}  // namespace

// layouts: list of c(positions, channels, bin) per output (positions 0: per window).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_predict_regions(SEXP model, SEXP genome, Rcpp::CharacterVector chrom,
                               Rcpp::NumericVector start, Rcpp::NumericVector end,
                               Rcpp::List layouts, double step, std::string rc, double batch,
                               std::string device, int threads, bool ambiguous_zero,
                               bool verbose, std::string encode) {
  return gdlr::interruptible([&]() -> Rcpp::List {  // Ctrl-C ends the call as R's interrupt
    auto net = gdlr_network_of(model);
    auto g = gdlr::genome_of(genome);
    auto c = parse_call(*g, chrom, start, end, layouts, step, rc, batch, device, threads,
                        ambiguous_zero, encode);
    std::vector<gdl::train::RegionResult> res;
    {
      Progress progress(verbose);
      res = gdl::train::predict_regions(*net, *g, c.regions, c.o, std::ref(progress));
    }
    return results_list(res, c.o, net->output_shapes());
  });
}

// A streamed run. paths: per output, NULL or the bigWig paths of its tracks (profile outputs:
// one per channel; per-window outputs: one per value, written as nearest-centre tracks);
// header: the chromosomes (and lengths) of the files, in the order of the regions; onRows: NULL
// or an R function(output, firstRow, region, start, end, values) given the per-window values in
// chunks of `chunk` rows; keep: also return every value as cpp_predict_regions() does (else
// NULL). The files are renamed onto their paths only when every region is done.
// [[Rcpp::export(rng = false)]]
SEXP cpp_predict_stream(SEXP model, SEXP genome, Rcpp::CharacterVector chrom,
                        Rcpp::NumericVector start, Rcpp::NumericVector end, Rcpp::List layouts,
                        double step, std::string rc, double batch, std::string device,
                        int threads, bool ambiguous_zero, bool verbose, std::string encode,
                        Rcpp::List paths, Rcpp::CharacterVector headerChroms,
                        Rcpp::NumericVector headerLengths, SEXP onRows, double chunk, bool keep) {
  // Ctrl-C ends the call as R's interrupt; the writers' temporary files go with the sink
  return gdlr::interruptible([&]() -> SEXP {
    auto net = gdlr_network_of(model);
    auto g = gdlr::genome_of(genome);
    auto c = parse_call(*g, chrom, start, end, layouts, step, rc, batch, device, threads,
                        ambiguous_zero, encode);
    auto oshapes = net->output_shapes();
    if (static_cast<std::size_t>(paths.size()) != oshapes.size())
      gdl::fail("give export paths (or NULL) for each of the ", oshapes.size(), " outputs");
    std::vector<std::string> hc = Rcpp::as<std::vector<std::string>>(headerChroms);
    std::vector<std::int64_t> hl;
    for (double x : headerLengths) hl.push_back(static_cast<std::int64_t>(x));
    StreamSink sink(*g, c.regions, oshapes.size(), keep);
    for (std::size_t k = 0; k < oshapes.size(); ++k) {
      if (Rf_isNull(paths[k])) continue;
      auto p = Rcpp::as<std::vector<std::string>>(paths[k]);
      const auto& lay = c.o.layouts[k];
      if (lay.positions > 0) {
        if (static_cast<std::int64_t>(p.size()) != lay.channels)
          gdl::fail("output ", k + 1, " has ", lay.channels, " tracks but ", p.size(), " export paths");
        sink.profiles_[k] = std::make_unique<gdl::tracks::ProfileStreamWriter>(p, hc, hl);
      } else {
        std::int64_t per = 1;
        for (auto d : oshapes[k]) per *= d;
        if (static_cast<std::int64_t>(p.size()) != per)
          gdl::fail("output ", k + 1, " has ", per, " values per window but ", p.size(), " export paths");
        sink.windows_[k] = std::make_unique<gdl::tracks::WindowTrackStreamWriter>(p, hc, hl);
      }
    }
    if (!Rf_isNull(onRows)) sink.on_rows_ = std::make_unique<Rcpp::Function>(onRows);
    if (chunk >= 1) sink.chunk_ = static_cast<std::size_t>(chunk);
    {
      Progress progress(verbose);
      gdl::train::predict_regions_stream(*net, *g, c.regions, c.o, sink, std::ref(progress));
    }
    sink.finish();
    if (!keep) return R_NilValue;
    return results_list(sink.kept()->results(), c.o, oshapes);
  });
}

// Windows of each region (1-based closed region bounds) for an input of `window` bases whose
// outputs cover `span` bases in bins of `bin`: how many predictRegions() runs.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_predict_window_counts(Rcpp::NumericVector start, Rcpp::NumericVector end,
                                              double window, double span, double step, double bin) {
  gdl::train::TilePlan p{static_cast<std::int64_t>(window), static_cast<std::int64_t>(span),
                         static_cast<std::int64_t>(step), static_cast<std::int64_t>(bin)};
  Rcpp::NumericVector out(start.size());
  for (R_xlen_t i = 0; i < start.size(); ++i)
    out[i] = static_cast<double>(gdl::train::tiling_of({0, static_cast<std::int64_t>(start[i]) - 1,
                                                        static_cast<std::int64_t>(end[i])}, p).count);
  return out;
}
