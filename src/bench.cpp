// Bridge for the benchmarks in bench/: timed loops that run entirely in the core, so the
// figures measure the core and not R's conversions.
#include "bridge.h"

#include <chrono>
#include <cstring>

#include "data/encode.hpp"

// Encodes n random windows of `width` bases in batches of `batch` into one reused float32
// buffer. Returns seconds for encoding and, for scale, seconds for memcpy of the same bytes.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_bench_onehot(SEXP ptr, int n, int width, int batch, int threads,
                                     double seed) {
  auto g = gdlr::genome_of(ptr);
  auto windows = gdl::data::random_windows(*g, static_cast<std::size_t>(n), width,
                                           static_cast<std::uint64_t>(seed));
  std::vector<float> buf(static_cast<std::size_t>(batch) * 4 * static_cast<std::size_t>(width));
  std::vector<float> src(buf.size(), 1.0f);
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  for (std::size_t off = 0; off < windows.size(); off += static_cast<std::size_t>(batch)) {
    std::size_t m = std::min<std::size_t>(static_cast<std::size_t>(batch), windows.size() - off);
    std::vector<gdl::data::Window> part(windows.begin() + static_cast<std::ptrdiff_t>(off),
                                        windows.begin() + static_cast<std::ptrdiff_t>(off + m));
    gdl::data::encode_windows(*g, part, buf.data(), gdl::genome::Ambiguous::Quarter, threads);
  }
  double t_enc = std::chrono::duration<double>(clock::now() - t0).count();
  t0 = clock::now();
  for (std::size_t off = 0; off < windows.size(); off += static_cast<std::size_t>(batch)) {
    std::memcpy(buf.data(), src.data(), buf.size() * sizeof(float));
    __asm__ __volatile__("" : : "r"(buf.data()) : "memory");  // keep the copy
  }
  double t_copy = std::chrono::duration<double>(clock::now() - t0).count();
  return Rcpp::NumericVector::create(Rcpp::Named("encode") = t_enc, Rcpp::Named("memcpy") = t_copy,
                                     Rcpp::Named("checksum") = buf[0] + buf[buf.size() - 1]);
}
