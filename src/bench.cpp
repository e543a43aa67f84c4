// Bridge for the benchmarks in bench/: timed loops that run entirely in the core, so the
// figures measure the core and not R's conversions.
#include "bridge.h"

#include <chrono>
#include <cstring>

#include "common/parallel.hpp"
#include "data/encode.hpp"

// Encodes n random windows of `width` bases in batches of `batch` into one reused float32
// buffer. Returns seconds for encoding and, for scale, seconds for memcpy of the same bytes.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_bench_onehot(SEXP ptr, int n, int width, int batch, int threads,
                                     double seed) {
  auto g = gdlr::genome_of(ptr);
  auto windows = gdl::data::random_windows(*g, static_cast<std::size_t>(n), width,
                                           static_cast<std::uint64_t>(seed));
  const std::size_t per_batch = static_cast<std::size_t>(batch) * 4 * static_cast<std::size_t>(width);
  std::vector<float> buf(per_batch);
  std::vector<float> src(buf.size(), 1.0f);
  using clock = std::chrono::steady_clock;
  // Threads work as the generator's prefetch workers do: each fills whole batches into its own
  // buffer (splitting one 128-window batch between threads costs more in hand-offs than it saves).
  const std::size_t nbatch = (windows.size() + static_cast<std::size_t>(batch) - 1) / static_cast<std::size_t>(batch);
  std::vector<std::vector<float>> bufs(static_cast<std::size_t>(std::max(threads, 1)), std::vector<float>(per_batch));
  auto t0 = clock::now();
  gdl::parallelize(nbatch, threads, [&](int t, std::size_t b0, std::size_t b1) {
    std::vector<float>& out = bufs[static_cast<std::size_t>(t)];
    for (std::size_t bi = b0; bi < b1; ++bi) {
      std::size_t off = bi * static_cast<std::size_t>(batch);
      std::size_t m = std::min<std::size_t>(static_cast<std::size_t>(batch), windows.size() - off);
      std::vector<gdl::data::Window> part(windows.begin() + static_cast<std::ptrdiff_t>(off),
                                          windows.begin() + static_cast<std::ptrdiff_t>(off + m));
      gdl::data::encode_windows(*g, part, out.data(), gdl::genome::Ambiguous::Quarter, 1);
    }
  });
  double t_enc = std::chrono::duration<double>(clock::now() - t0).count();
  buf = bufs[0];
  t0 = clock::now();
  for (std::size_t off = 0; off < windows.size(); off += static_cast<std::size_t>(batch)) {
    std::memcpy(buf.data(), src.data(), buf.size() * sizeof(float));
    __asm__ __volatile__("" : : "r"(buf.data()) : "memory");  // keep the copy
  }
  double t_copy = std::chrono::duration<double>(clock::now() - t0).count();
  return Rcpp::NumericVector::create(Rcpp::Named("encode") = t_enc, Rcpp::Named("memcpy") = t_copy,
                                     Rcpp::Named("checksum") = buf[0] + buf[buf.size() - 1]);
}
