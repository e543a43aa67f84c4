// Shared helpers of the Rcpp bridge: handles held by external pointers and conversions.
// The bridge converts coordinates (R: 1-based closed; core: 0-based half-open) and nothing else.
#pragma once
#include <Rcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "data/batch.hpp"
#include "genome/genome.hpp"

namespace gdlr {

// What an R GenomeSource's external pointer holds.
struct GenomeHandle {
  std::shared_ptr<gdl::genome::Genome> genome;
};

// What an R SequenceGenerator's (or any batch provider's) external pointer holds.
struct SourceHandle {
  std::shared_ptr<gdl::data::BatchSource> source;
};

inline std::shared_ptr<gdl::data::BatchSource> source_of(SEXP ptr) {
  Rcpp::XPtr<SourceHandle> h(ptr);
  if (!h.get() || !h->source) Rcpp::stop("the batch source handle is not valid");
  return h->source;
}

inline std::shared_ptr<gdl::genome::Genome> genome_of(SEXP ptr) {
  Rcpp::XPtr<GenomeHandle> h(ptr);
  if (!h.get() || !h->genome) Rcpp::stop("the genome handle is not valid (was it saved and reloaded?)");
  return h->genome;
}

// Chromosome indexes for a character vector of names; unknown names are an error naming them.
inline std::vector<int> chrom_indexes(const gdl::genome::Genome& g, const Rcpp::CharacterVector& chroms) {
  std::vector<int> idx(chroms.size());
  for (R_xlen_t i = 0; i < chroms.size(); ++i) idx[i] = g.require(Rcpp::as<std::string>(chroms[i]));
  return idx;
}

inline int threads_arg(int threads) { return threads < 1 ? 1 : threads; }

}  // namespace gdlr
