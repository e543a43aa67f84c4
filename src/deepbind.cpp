// Bridge for src/core/deepbind: read params files, score sequences, scan genome regions.
// R holds a model as a list of its fields (see cpp_deepbind_read); coordinates come in 1-based.
#include "bridge.h"
#include "interrupt.h"

#include "common/error.hpp"
#include "deepbind/model.hpp"
#include "deepbind/score.hpp"

using namespace gdl::deepbind;

namespace {

Rcpp::NumericVector floats_to_r(const std::vector<float>& v) {
  return Rcpp::NumericVector(v.begin(), v.end());
}

std::vector<float> r_to_floats(const Rcpp::List& x, const char* field) {
  Rcpp::NumericVector v = x[field];
  return std::vector<float>(v.begin(), v.end());
}

Model model_from_list(const Rcpp::List& x) {
  Model m;
  m.id = Rcpp::as<std::string>(x["id"]);
  m.source = Rcpp::as<std::string>(x["source"]);
  m.reverse_complement = Rcpp::as<bool>(x["reverse_complement"]);
  m.num_detectors = Rcpp::as<int>(x["num_detectors"]);
  m.detector_len = Rcpp::as<int>(x["detector_len"]);
  m.has_avg_pooling = Rcpp::as<bool>(x["has_avg_pooling"]);
  m.num_hidden = Rcpp::as<int>(x["num_hidden"]);
  m.detectors = r_to_floats(x, "detectors");
  m.thresholds = r_to_floats(x, "thresholds");
  m.weights1 = r_to_floats(x, "weights1");
  m.biases1 = r_to_floats(x, "biases1");
  m.weights2 = r_to_floats(x, "weights2");
  m.biases2 = r_to_floats(x, "biases2");
  validate_model(m);
  return m;
}

ScoreOptions options_from(int window, bool average, const std::string& padding,
                          const std::string& strands, const std::string& method, bool iupac,
                          int threads) {
  ScoreOptions o;
  o.window = window;
  o.average = average;
  o.padding = padding == "flank" ? Padding::Flank : Padding::N;
  o.strands = strands == "both" ? Strands::Both : strands == "forward" ? Strands::Forward : Strands::Model;
  o.method = method == "reference" ? Method::Reference : Method::Fast;
  o.iupac_as_n = iupac;
  o.threads = gdlr::threads_arg(threads);
  return o;
}

std::vector<Model> models_from(const Rcpp::List& models) {
  std::vector<Model> out;
  for (R_xlen_t i = 0; i < models.size(); ++i) out.push_back(model_from_list(models[i]));
  return out;
}

}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_deepbind_read(std::string path) {
  Model m = read_model(path);
  return Rcpp::List::create(
      Rcpp::Named("id") = m.id, Rcpp::Named("source") = m.source,
      Rcpp::Named("reverse_complement") = m.reverse_complement,
      Rcpp::Named("num_detectors") = m.num_detectors, Rcpp::Named("detector_len") = m.detector_len,
      Rcpp::Named("has_avg_pooling") = m.has_avg_pooling, Rcpp::Named("num_hidden") = m.num_hidden,
      Rcpp::Named("detectors") = floats_to_r(m.detectors),
      Rcpp::Named("thresholds") = floats_to_r(m.thresholds),
      Rcpp::Named("weights1") = floats_to_r(m.weights1), Rcpp::Named("biases1") = floats_to_r(m.biases1),
      Rcpp::Named("weights2") = floats_to_r(m.weights2), Rcpp::Named("biases2") = floats_to_r(m.biases2));
}

// Scores sequences (a character vector) with models (a list of model lists): sequences x models.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_deepbind_score(Rcpp::List models, Rcpp::CharacterVector seqs,
                                       Rcpp::CharacterVector names, int window, bool average,
                                       std::string padding, std::string strands, std::string method,
                                       bool iupac, int threads) {
  return gdlr::interruptible([&]() -> Rcpp::NumericMatrix {  // the core polls for Ctrl-C
    Scorer scorer(models_from(models), options_from(window, average, padding, strands, method, iupac, threads));
    const std::size_t n = static_cast<std::size_t>(seqs.size()), nm = scorer.num_models();
    std::vector<SeqRef> refs(n);
    for (std::size_t i = 0; i < n; ++i) {
      SEXP s = STRING_ELT(seqs, static_cast<R_xlen_t>(i));
      if (s == NA_STRING) gdl::fail("sequence ", i + 1, " is NA");
      refs[i] = {CHAR(s), static_cast<std::size_t>(LENGTH(s))};
    }
    std::vector<std::string> nm_str;
    if (names.size() == seqs.size())
      for (R_xlen_t i = 0; i < names.size(); ++i)
        nm_str.push_back(names[i] == NA_STRING ? std::string() : Rcpp::as<std::string>(names[i]));
    Rcpp::NumericMatrix out(static_cast<int>(n), static_cast<int>(nm));
    // In chunks, checking for an interrupt between them.
    const std::size_t chunk = 4096;
    std::vector<float> buf;
    for (std::size_t b = 0; b < n; b += chunk) {
      std::size_t e = std::min(n, b + chunk);
      std::vector<SeqRef> part(refs.begin() + static_cast<std::ptrdiff_t>(b), refs.begin() + static_cast<std::ptrdiff_t>(e));
      std::vector<std::string> part_names;
      if (!nm_str.empty())
        part_names.assign(nm_str.begin() + static_cast<std::ptrdiff_t>(b), nm_str.begin() + static_cast<std::ptrdiff_t>(e));
      buf.assign((e - b) * nm, 0.0f);
      scorer.score(part, buf.data(), part_names, b + 1);
      for (std::size_t j = 0; j < nm; ++j)
        for (std::size_t i = b; i < e; ++i) out(static_cast<int>(i), static_cast<int>(j)) = buf[(i - b) + (e - b) * j];
      Rcpp::checkUserInterrupt();
    }
    return out;
  });
}

// Scores windows of `width` every `step` over [start, end] (1-based closed) of one chromosome.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_deepbind_scan(Rcpp::List models, SEXP genome, std::string chrom,
                                      double start, double end, int width, int step, int window,
                                      bool average, std::string padding, std::string strands,
                                      std::string method, int threads) {
  return gdlr::interruptible([&]() -> Rcpp::NumericMatrix {  // the core polls for Ctrl-C
    auto g = gdlr::genome_of(genome);
    Scorer scorer(models_from(models), options_from(window, average, padding, strands, method, true, threads));
    auto s0 = static_cast<std::int64_t>(start) - 1, e0 = static_cast<std::int64_t>(end);
    std::size_t nw = Scorer::num_windows(s0, e0, width, step);
    Rcpp::NumericMatrix out(static_cast<int>(nw), static_cast<int>(scorer.num_models()));
    if (nw == 0) return out;
    std::vector<float> buf(nw * scorer.num_models());
    scorer.scan(*g, g->require(chrom), s0, e0, width, step, buf.data());
    std::copy(buf.begin(), buf.end(), out.begin());
    return out;
  });
}
