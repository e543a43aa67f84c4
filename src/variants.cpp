// Bridge for variant scoring (src/core/data/variants, src/core/train/variants). Converts R's
// 1-based positions to the core's 0-based ones and back; serves interrupts on R's main thread.
#include "bridge.h"
#include "interrupt.h"

#include "common/error.hpp"
#include "data/variants.hpp"
#include "models.h"
#include "nn/device.hpp"
#include "train/variants.hpp"

namespace {

std::vector<gdl::data::Variant> variants_of(const gdl::genome::Genome& g, Rcpp::CharacterVector chrom,
                                            Rcpp::NumericVector pos, Rcpp::CharacterVector ref,
                                            Rcpp::CharacterVector alt) {
  const auto n = static_cast<std::size_t>(chrom.size());
  if (static_cast<std::size_t>(pos.size()) != n || static_cast<std::size_t>(ref.size()) != n ||
      static_cast<std::size_t>(alt.size()) != n)
    gdl::fail("chrom, pos, ref and alt must have the same length");
  auto idx = gdlr::chrom_indexes(g, chrom);
  std::vector<gdl::data::Variant> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = {idx[i], static_cast<std::int64_t>(pos[i]) - 1, Rcpp::as<std::string>(ref[i]),
            Rcpp::as<std::string>(alt[i])};
  return v;
}

// Column-major R matrix rows x cols from row-major floats.
Rcpp::NumericMatrix matrix_of(const std::vector<float>& v, std::size_t rows) {
  const std::size_t cols = rows ? v.size() / rows : 0;
  Rcpp::NumericMatrix m(static_cast<int>(rows), static_cast<int>(cols));
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) m(static_cast<int>(i), static_cast<int>(j)) = v[i * cols + j];
  return m;
}

}  // namespace

// Window start (1-based), REF match and whether the windows run past the chromosome.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_variant_windows(SEXP genome, Rcpp::CharacterVector chrom, Rcpp::NumericVector pos,
                               Rcpp::CharacterVector ref, Rcpp::CharacterVector alt, double length) {
  auto g = gdlr::genome_of(genome);
  auto v = variants_of(*g, chrom, pos, ref, alt);
  Rcpp::NumericVector start(v.size());
  Rcpp::LogicalVector match(v.size()), outside(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto w = gdl::data::variant_window(*g, v[i], static_cast<std::int64_t>(length));
    start[i] = static_cast<double>(w.start + 1);
    match[i] = w.ref_match;
    outside[i] = w.outside;
  }
  return Rcpp::List::create(Rcpp::Named("start") = start, Rcpp::Named("refMatch") = match,
                            Rcpp::Named("outside") = outside);
}

// The REF and ALT window sequences.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_variant_sequences(SEXP genome, Rcpp::CharacterVector chrom, Rcpp::NumericVector pos,
                                 Rcpp::CharacterVector ref, Rcpp::CharacterVector alt, double length) {
  auto g = gdlr::genome_of(genome);
  auto v = variants_of(*g, chrom, pos, ref, alt);
  const auto L = static_cast<std::int64_t>(length);
  if (L < 1) gdl::fail("the window length must be at least 1");
  Rcpp::CharacterVector rs(v.size()), as(v.size());
  std::string r(static_cast<std::size_t>(L), 'N'), a(static_cast<std::size_t>(L), 'N');
  for (std::size_t i = 0; i < v.size(); ++i) {
    gdl::data::variant_sequences(*g, v[i], L, &r[0], &a[0]);
    rs[i] = r;
    as[i] = a;
  }
  return Rcpp::List::create(Rcpp::Named("ref") = rs, Rcpp::Named("alt") = as);
}

// outputs: list of c(positions, channels, logits) per output (positions 0: per window).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_variant_score(SEXP model, SEXP genome, Rcpp::CharacterVector chrom,
                             Rcpp::NumericVector pos, Rcpp::CharacterVector ref,
                             Rcpp::CharacterVector alt, Rcpp::List outputs, std::string rc,
                             double batch, std::string device, int threads, bool ambiguous_zero,
                             std::string encode) {
  auto net = gdlr_network_of(model);
  auto g = gdlr::genome_of(genome);
  auto v = variants_of(*g, chrom, pos, ref, alt);
  gdl::train::VariantOptions o;
  o.rc = rc;
  o.batch = static_cast<std::size_t>(batch);
  o.device = gdl::nn::resolve_device(device);
  o.workers = gdlr::threads_arg(threads);
  o.encode = encode;
  o.ambiguous = ambiguous_zero ? gdl::genome::Ambiguous::Zero : gdl::genome::Ambiguous::Quarter;
  for (R_xlen_t k = 0; k < outputs.size(); ++k) {
    auto d = Rcpp::as<std::vector<double>>(outputs[k]);
    if (d.size() != 3) gdl::fail("an output description is c(positions, channels, logits)");
    o.outputs.push_back({static_cast<std::int64_t>(d[0]), static_cast<std::int64_t>(d[1]), d[2] != 0});
  }
  gdl::nn::set_torch_threads(gdlr::threads_arg(threads));
  auto res = gdlr::interruptible([&]() {  // Ctrl-C ends the call as R's interrupt
    return gdl::train::score_variants(*net, *g, v, o, [](std::size_t, std::size_t) {
      return !gdlr::r_interrupt_pending();
    });
  });
  const auto nout = res.ref.size();
  Rcpp::List r(nout), a(nout), j(nout);
  for (std::size_t k = 0; k < nout; ++k) {
    r[k] = matrix_of(res.ref[k], v.size());
    a[k] = matrix_of(res.alt[k], v.size());
    if (!res.jsd[k].empty()) j[k] = matrix_of(res.jsd[k], v.size());
  }
  return Rcpp::List::create(Rcpp::Named("ref") = r, Rcpp::Named("alt") = a, Rcpp::Named("jsd") = j,
                            Rcpp::Named("device") = o.device);
}
