// Bridge for src/core/train/predict: prediction over genomic regions (progress bar and interrupts
// served here, on R's main thread) and hand-set parameters. Converts R's 1-based closed
// coordinates to the core's 0-based half-open ones and back.
#include "bridge.h"

#include <R_ext/Utils.h>

#include <chrono>

#include "common/error.hpp"
#include "models.h"
#include "nn/device.hpp"
#include "train/predict.hpp"

namespace {

void check_interrupt_fn(void*) { R_CheckUserInterrupt(); }
bool user_interrupted() { return !R_ToplevelExec(check_interrupt_fn, nullptr); }

// Column-major R matrix rows x cols from row-major floats.
Rcpp::NumericMatrix matrix_of(const float* v, std::size_t rows, std::size_t cols) {
  Rcpp::NumericMatrix m(static_cast<int>(rows), static_cast<int>(cols));
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) m(static_cast<int>(i), static_cast<int>(j)) = v[i * cols + j];
  return m;
}

}  // namespace

// layouts: list of c(positions, channels, bin) per output (positions 0: per window).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_predict_regions(SEXP model, SEXP genome, Rcpp::CharacterVector chrom,
                               Rcpp::NumericVector start, Rcpp::NumericVector end,
                               Rcpp::List layouts, double step, std::string rc, double batch,
                               std::string device, int threads, bool ambiguous_zero,
                               bool verbose, std::string encode) {
  auto net = gdlr_network_of(model);
  auto g = gdlr::genome_of(genome);
  auto idx = gdlr::chrom_indexes(*g, chrom);
  std::vector<gdl::train::Region> regions(idx.size());
  for (std::size_t i = 0; i < idx.size(); ++i)
    regions[i] = {idx[i], static_cast<std::int64_t>(start[i]) - 1, static_cast<std::int64_t>(end[i])};
  gdl::train::RegionOptions o;
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

  auto last = std::chrono::steady_clock::now();
  auto t0 = last;
  bool shown = false;
  auto progress = [&](std::size_t done, std::size_t total) {
    if (user_interrupted()) return false;
    auto now = std::chrono::steady_clock::now();
    double secs = std::chrono::duration<double>(now - t0).count();
    // a bar only for work that lasts
    if (verbose && secs > 1 && (done == total || std::chrono::duration<double>(now - last).count() > 0.25)) {
      last = now;
      shown = true;
      int width = 25, full = static_cast<int>(width * done / std::max<std::size_t>(total, 1));
      std::string bar(static_cast<std::size_t>(full), '=');
      if (full < width) bar += '>' + std::string(static_cast<std::size_t>(width - full - 1), '.');
      Rprintf("\rPredicting %9.0f/%-9.0f windows [%s] %.0f windows/s   ", static_cast<double>(done),
              static_cast<double>(total), bar.c_str(), done / secs);
    }
    return true;
  };
  auto res = gdl::train::predict_regions(*net, *g, regions, o, progress);
  if (shown) Rprintf("\n");

  auto oshapes = net->output_shapes();
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

// values: row-major, the parameter's shape.
// [[Rcpp::export(rng = false)]]
void cpp_predict_set_parameter(SEXP model, std::string key, Rcpp::NumericVector values) {
  std::vector<float> v(values.begin(), values.end());
  gdl::train::set_parameter(*gdlr_network_of(model), key, v);
}
