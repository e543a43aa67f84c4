// Bridge for the first convolution layer of a SequenceModel seen from motif analysis
// (src/core/motif/first_layer.hpp): mean first-layer activations (the values of "mean" filter
// knockouts) and filters set by hand. Torch-free.
#include "bridge.h"

#include "common/error.hpp"
#include "models.h"
#include "motif/first_layer.hpp"

// x: R array N x 4 x L (nlc = false) or N x L x 4 (nlc = true) of the model's input length.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_activations_means(SEXP ptr, SEXP x, bool nlc, double batch) {
  auto net = gdlr_network_of(ptr);
  auto shapes = net->input_shapes();
  Rcpp::IntegerVector dim = Rf_getAttrib(x, R_DimSymbol);
  if (dim.size() != 3) gdl::fail("sequences must be a one-hot array N x 4 x L");
  auto buf = gdlr_rowmajor_input(x, nlc);
  const std::size_t n = dim[0];
  std::size_t per = 1;
  for (auto d : shapes[0]) per *= static_cast<std::size_t>(d);
  if (shapes[0].size() != 2 || buf.size() != n * per)
    gdl::fail("the model's input is ", shapes[0].size() == 2 ? std::to_string(shapes[0][1]) : "?",
              " x ", shapes[0].size() == 2 ? std::to_string(shapes[0][0]) : "?",
              " (length x channels); the sequences hold ", n ? buf.size() / n : 0,
              " values per sample");
  auto m = gdl::motif::first_layer_means(*net, buf.data(), n, static_cast<std::size_t>(batch));
  return Rcpp::NumericVector(m.begin(), m.end());
}

// weight: R array filters x channels x kernel; bias: filters (empty for a layer without bias).
// [[Rcpp::export(rng = false)]]
void cpp_activations_set_first_conv(SEXP ptr, Rcpp::NumericVector weight, Rcpp::NumericVector bias) {
  Rcpp::IntegerVector wd = weight.attr("dim");
  if (wd.size() != 3) gdl::fail("weights must be an array filters x channels x width");
  const std::size_t F = wd[0], C = wd[1], K = wd[2];
  std::vector<float> w(weight.size());
  for (std::size_t f = 0; f < F; ++f)
    for (std::size_t c = 0; c < C; ++c)
      for (std::size_t k = 0; k < K; ++k)
        w[(f * C + c) * K + k] = static_cast<float>(weight[f + F * c + F * C * k]);
  std::vector<float> b(bias.begin(), bias.end());
  gdl::motif::set_first_conv(*gdlr_network_of(ptr), w, b);
}
