// Bridge for src/core/interpret: attributions of a SequenceModel's predictions to the bases of
// one-hot sequences, and the dinucleotide shuffle of character sequences. Torch-free.
#include "bridge.h"
#include "interrupt.h"

#include <string>

#include "common/error.hpp"
#include "data/input_array.hpp"
#include "data/shuffle.hpp"
#include "interpret/attribution.hpp"
#include "models.h"
#include "nn/device.hpp"

// x: R array N x L x 4 (nlc) or N x 4 x L; output, task 1-based (profile: task 0 = all tracks);
// ism "fast" (interpret/fast_ism.hpp, where the model allows it) or "batched". Returns the
// attributions as an R array N x L x 4, the per-sequence predictions, references and
// completeness gaps, and for ISM the path taken and why fast ISM was not ("" when it was).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_interpret_attribute(SEXP ptr, SEXP x, bool nlc, std::string method, int output,
                                   double task, bool profile, bool hypothetical, int n_refs, double seed,
                                   double batch, std::string device, int threads,
                                   std::string ism = "fast") {
  return gdlr::interruptible([&]() -> Rcpp::List {  // the core polls for Ctrl-C
    auto net = gdlr_network_of(ptr);
    gdl::interpret::AttributionOptions opt;
    opt.method = gdl::interpret::parse_method(method);
    opt.output = output - 1;
    opt.task = static_cast<std::int64_t>(task) - 1;
    opt.profile = profile;  // task 0 -> -1: every track together
    opt.hypothetical = hypothetical;
    opt.n_refs = n_refs;
    opt.seed = static_cast<std::uint64_t>(seed);
    opt.batch = static_cast<std::size_t>(batch);
    opt.device = device;
    if (ism != "fast" && ism != "batched") gdl::fail("ism must be \"fast\" or \"batched\", not \"", ism, "\"");
    opt.fast_ism = ism == "fast";
    gdl::interpret::check_attribution(*net, opt);
    Rcpp::IntegerVector dim = Rf_getAttrib(x, R_DimSymbol);
    if (dim.size() != 3) gdl::fail("sequences must be a one-hot array N x L x 4");
    const std::size_t N = dim[0], L = nlc ? dim[1] : dim[2], C = nlc ? dim[2] : dim[1];
    const auto want = static_cast<std::size_t>(net->input_shapes()[0][1]);
    if (C != 4) gdl::fail("sequences must have 4 channels (A, C, G, T), not ", C);
    if (L != want)
      gdl::fail("the model reads sequences of ", want, " bases; these have ", L,
                " (resize or crop them to the model's input length)");
    auto buf = gdlr_rowmajor_input(x, nlc);
    gdl::nn::set_torch_threads(gdlr::threads_arg(threads));
    auto res = gdl::interpret::attribute(*net, buf.data(), N, opt);
    Rcpp::NumericVector out(N * L * 4);
    gdl::data::ColumnMajorArray geometry{nullptr, N, 4, L, true};  // the result is N x L x 4
    gdl::data::from_row_major(res.values.data(), N, gdl::data::column_major_offsets(geometry),
                              REAL(out));
    out.attr("dim") = Rcpp::IntegerVector::create(static_cast<int>(N), static_cast<int>(L), 4);
    return Rcpp::List::create(
        Rcpp::Named("values") = out,
        Rcpp::Named("prediction") = Rcpp::NumericVector(res.prediction.begin(), res.prediction.end()),
        Rcpp::Named("reference") = Rcpp::NumericVector(res.reference.begin(), res.reference.end()),
        Rcpp::Named("gap") = Rcpp::NumericVector(res.gap.begin(), res.gap.end()),
        Rcpp::Named("maxGap") = res.max_gap,
        Rcpp::Named("maxRelativeGap") = res.max_relative_gap,
        Rcpp::Named("ismPath") = res.ism_path,
        Rcpp::Named("ismFallback") = res.ism_fallback);
  });
}

// Dinucleotide shuffle of each sequence (sequence i with the seed of reference 0 of sequence i
// in attributions); non-ACGT letters shuffle as N.
// [[Rcpp::export(rng = false)]]
Rcpp::CharacterVector cpp_interpret_shuffle(Rcpp::CharacterVector x, double seed) {
  Rcpp::CharacterVector out(x.size());
  for (R_xlen_t i = 0; i < x.size(); ++i) {
    std::string s = Rcpp::as<std::string>(x[i]);
    if (!s.empty())
      gdl::data::dinucleotide_shuffle(&s[0], s.size(),
                                      gdl::interpret::reference_seed(static_cast<std::uint64_t>(seed),
                                                                     static_cast<std::size_t>(i), 0));
    out[i] = s;
  }
  return out;
}
