// Bridge for src/core/genome: open genomes, fetch sequences, one-hot encode.
#include "bridge.h"

#include <cstring>

#include "common/error.hpp"
#include "common/parallel.hpp"
#include "genome/bases.hpp"
#include "genome/onehot.hpp"

using namespace gdl::genome;

// [[Rcpp::export(rng = false)]]
SEXP cpp_genome_fasta(std::string path, bool build_index) {
  FastaOptions opt;
  opt.build_index = build_index;
  auto h = std::make_unique<gdlr::GenomeHandle>();
  h->genome = open_fasta(path, opt);
  return Rcpp::XPtr<gdlr::GenomeHandle>(h.release(), true);
}

// [[Rcpp::export(rng = false)]]
SEXP cpp_genome_memory(Rcpp::CharacterVector names, Rcpp::CharacterVector seqs) {
  std::vector<std::string> n(names.size()), s(seqs.size());
  for (R_xlen_t i = 0; i < names.size(); ++i) n[i] = Rcpp::as<std::string>(names[i]);
  for (R_xlen_t i = 0; i < seqs.size(); ++i) {
    const char* p = CHAR(STRING_ELT(seqs, i));
    s[i].assign(p, static_cast<std::size_t>(LENGTH(STRING_ELT(seqs, i))));
    std::size_t bad = first_invalid(s[i].data(), s[i].size());
    if (bad < s[i].size())
      gdl::fail("sequence '", n[i], "' has a character that is not a nucleotide ('", s[i][bad],
                "') at position ", bad + 1);
  }
  auto h = std::make_unique<gdlr::GenomeHandle>();
  h->genome = std::make_shared<MemoryGenome>(std::move(n), std::move(s));
  return Rcpp::XPtr<gdlr::GenomeHandle>(h.release(), true);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_genome_info(SEXP ptr) {
  auto g = gdlr::genome_of(ptr);
  Rcpp::NumericVector len(g->lengths().begin(), g->lengths().end());
  return Rcpp::List::create(Rcpp::Named("names") = Rcpp::wrap(g->names()),
                            Rcpp::Named("lengths") = len,
                            Rcpp::Named("description") = g->description());
}

namespace {
// Reads one range (1-based closed start/end) with optional N padding outside the chromosome.
void read_range(const Genome& g, int chrom, double start, double end, bool minus, bool pad,
                char* out) {
  auto s = static_cast<std::int64_t>(start) - 1, e = static_cast<std::int64_t>(end);
  if (pad) g.fetch_padded(chrom, s, e, out);
  else g.fetch(chrom, s, e, out);
  if (minus) reverse_complement(out, static_cast<std::size_t>(e - s));
}
}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::CharacterVector cpp_genome_fetch(SEXP ptr, Rcpp::CharacterVector chroms,
                                       Rcpp::NumericVector starts, Rcpp::NumericVector ends,
                                       Rcpp::LogicalVector minus, bool pad, bool upper) {
  auto g = gdlr::genome_of(ptr);
  auto idx = gdlr::chrom_indexes(*g, chroms);
  Rcpp::CharacterVector out(chroms.size());
  std::string buf;
  for (R_xlen_t i = 0; i < chroms.size(); ++i) {
    buf.assign(static_cast<std::size_t>(ends[i] - starts[i] + 1), 'N');
    read_range(*g, idx[i], starts[i], ends[i], minus[i] == TRUE, pad, &buf[0]);
    if (upper)
      for (auto& c : buf) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    out[i] = Rf_mkCharLen(buf.data(), static_cast<int>(buf.size()));
  }
  return out;
}

namespace {
// Column-major R arrays: N x L x 4 ("NLC") has strides (1, N, N*L); N x 4 x L ("NCL") (1, N*4, N).
OneHotStrides r_strides(bool nlc, std::size_t n, std::size_t len) {
  auto N = static_cast<std::ptrdiff_t>(n), L = static_cast<std::ptrdiff_t>(len);
  if (nlc) return {1, N, N * L};
  return {1, N * 4, N};
}
Rcpp::NumericVector r_array(bool nlc, std::size_t n, std::size_t len) {
  Rcpp::NumericVector out(Rcpp::no_init(static_cast<R_xlen_t>(n * len * 4)));
  if (nlc) out.attr("dim") = Rcpp::IntegerVector::create(n, len, 4);
  else out.attr("dim") = Rcpp::IntegerVector::create(n, 4, len);
  return out;
}
}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_onehot_strings(Rcpp::CharacterVector seqs, bool nlc, bool zero) {
  std::size_t n = static_cast<std::size_t>(seqs.size());
  std::size_t len = n ? static_cast<std::size_t>(LENGTH(STRING_ELT(seqs, 0))) : 0;
  Rcpp::NumericVector out = r_array(nlc, n, len);
  OneHotStrides st = r_strides(nlc, n, len);
  Ambiguous amb = zero ? Ambiguous::Zero : Ambiguous::Quarter;
  for (std::size_t i = 0; i < n; ++i) {
    SEXP s = STRING_ELT(seqs, static_cast<R_xlen_t>(i));
    if (static_cast<std::size_t>(LENGTH(s)) != len)
      gdl::fail("sequences must have equal widths for one-hot encoding: sequence ", i + 1,
                " has width ", LENGTH(s), ", sequence 1 has width ", len);
    std::size_t bad = one_hot<double>(CHAR(s), len, out.begin() + i, st, amb);
    if (bad < len)
      gdl::fail("sequence ", i + 1, " has a character that is not a nucleotide ('", CHAR(s)[bad],
                "') at position ", bad + 1);
  }
  return out;
}

// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_onehot_ranges(SEXP ptr, Rcpp::CharacterVector chroms,
                                      Rcpp::NumericVector starts, Rcpp::NumericVector ends,
                                      Rcpp::LogicalVector minus, bool nlc, bool zero, bool pad,
                                      int threads) {
  auto g = gdlr::genome_of(ptr);
  auto idx = gdlr::chrom_indexes(*g, chroms);
  std::size_t n = static_cast<std::size_t>(chroms.size());
  std::size_t len = n ? static_cast<std::size_t>(ends[0] - starts[0] + 1) : 0;
  for (std::size_t i = 0; i < n; ++i)
    if (static_cast<std::size_t>(ends[i] - starts[i] + 1) != len)
      gdl::fail("ranges must have equal widths for one-hot encoding: range ", i + 1, " has width ",
                ends[i] - starts[i] + 1, ", range 1 has width ", len);
  Rcpp::NumericVector out = r_array(nlc, n, len);
  OneHotStrides st = r_strides(nlc, n, len);
  Ambiguous amb = zero ? Ambiguous::Zero : Ambiguous::Quarter;
  double* base = out.begin();
  // Fetch errors (a range past the end) come back from the workers as gdl::Error.
  gdl::parallelize(n, gdlr::threads_arg(threads), [&](int, std::size_t b, std::size_t e) {
    std::string buf(len, 'N');
    for (std::size_t i = b; i < e; ++i) {
      read_range(*g, idx[i], starts[i], ends[i], minus[i] == TRUE, pad, &buf[0]);
      one_hot<double>(buf.data(), len, base + i, st, amb);
    }
  });
  return out;
}
