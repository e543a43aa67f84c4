// Bridge for src/core/genome: open genomes, fetch sequences, one-hot encode.
#include "bridge.h"
#include "interrupt.h"

#include <array>
#include <cstring>
#include <chrono>

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

namespace {
// Biostrings' DNA alphabet (DNA_ALPHABET), either case: what DNAStringSet() takes.
constexpr std::array<bool, 256> make_dna_letters() {
  std::array<bool, 256> t{};
  for (const char* p = "ACGTMRWSYKVHDBN-+.acgtmrwsykvhdbn"; *p; ++p)
    t[static_cast<unsigned char>(*p)] = true;
  return t;
}
constexpr std::array<bool, 256> kDnaLetter = make_dna_letters();
bool dna_letter(char c) { return kDnaLetter[static_cast<unsigned char>(c)]; }
}  // namespace

// The sequences of ranges as a character vector, upper case when asked. When `check`, a byte
// outside Biostrings' DNA alphabet is an error naming the range and position (a malformed
// FASTA): checked here as it is copied, where a regexpr over the result took most of
// getSequence()'s time.
// [[Rcpp::export(rng = false)]]
Rcpp::CharacterVector cpp_genome_fetch(SEXP ptr, Rcpp::CharacterVector chroms,
                                       Rcpp::NumericVector starts, Rcpp::NumericVector ends,
                                       Rcpp::LogicalVector minus, bool pad, bool upper,
                                       bool check) {
  auto g = gdlr::genome_of(ptr);
  auto idx = gdlr::chrom_indexes(*g, chroms);
  Rcpp::CharacterVector out(chroms.size());
  std::string buf;
  gdlr::interruptible([&]() {
    for (R_xlen_t i = 0; i < chroms.size(); ++i) {
      if (i % 256 == 0) gdl::check_interrupt();
      buf.assign(static_cast<std::size_t>(ends[i] - starts[i] + 1), 'N');
      read_range(*g, idx[i], starts[i], ends[i], minus[i] == TRUE, pad, &buf[0]);
      if (upper)
        for (auto& c : buf) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
      if (check)
        for (std::size_t p = 0; p < buf.size(); ++p)
          if (!dna_letter(buf[p]))
            gdl::fail("genome: range ", i + 1, " (", Rcpp::as<std::string>(chroms[i]), ") holds '",
                      buf[p], "' at its position ", p + 1, ", not a DNA letter (A, C, G, T, N or ",
                      "an IUPAC code): the FASTA file is malformed");
      out[i] = Rf_mkCharLen(buf.data(), static_cast<int>(buf.size()));
    }
  });
  return out;
}

namespace {
// A fresh (not zeroed: the writer sets every value) column-major R array N x L x 4 ("NLC") or
// N x 4 x L, with its dimnames (channels A, C, G, T; `names` for the sequences when not NULL)
// set here so that R never touches the array again (a dimnames<- on a shared value would copy
// it).
Rcpp::NumericVector r_onehot_array(bool nlc, std::size_t n, std::size_t len, SEXP names) {
  Rcpp::NumericVector out(Rcpp::no_init(static_cast<R_xlen_t>(n * len * 4)));
  const int N = static_cast<int>(n), L = static_cast<int>(len);
  out.attr("dim") = nlc ? Rcpp::IntegerVector::create(N, L, 4) : Rcpp::IntegerVector::create(N, 4, L);
  Rcpp::CharacterVector ch = Rcpp::CharacterVector::create("A", "C", "G", "T");
  out.attr("dimnames") = nlc ? Rcpp::List::create(names, R_NilValue, ch)
                             : Rcpp::List::create(names, ch, R_NilValue);
  return out;
}

gdl::genome::ColumnMajorOneHot geometry(Rcpp::NumericVector& out, bool nlc, std::size_t n,
                                        std::size_t len) {
  gdl::genome::ColumnMajorOneHot g;
  g.out = out.begin();
  g.n = n;
  g.len = len;
  g.nlc = nlc;
  return g;
}
}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_onehot_strings(Rcpp::CharacterVector seqs, bool nlc, bool zero,
                                       int threads, SEXP names) {
  std::size_t n = static_cast<std::size_t>(seqs.size());
  std::size_t len = n ? static_cast<std::size_t>(LENGTH(STRING_ELT(seqs, 0))) : 0;
  // The bytes are read in place by the writer's threads (no R call there).
  std::vector<const char*> ptrs(n);
  for (std::size_t i = 0; i < n; ++i) {
    SEXP s = STRING_ELT(seqs, static_cast<R_xlen_t>(i));
    if (static_cast<std::size_t>(LENGTH(s)) != len)
      gdl::fail("sequences must have equal widths for one-hot encoding: sequence ", i + 1,
                " has width ", LENGTH(s), ", sequence 1 has width ", len);
    ptrs[i] = CHAR(s);
  }
  Rcpp::NumericVector out = r_onehot_array(nlc, n, len, names);
  Ambiguous amb = zero ? Ambiguous::Zero : Ambiguous::Quarter;
  InvalidBase bad = gdlr::interruptible([&]() {
    return one_hot_column_major(ptrs.data(), geometry(out, nlc, n, len), amb,
                                gdlr::threads_arg(threads));
  });
  if (bad.found)
    gdl::fail("sequence ", bad.sequence + 1, " has a character that is not a nucleotide ('",
              ptrs[bad.sequence][bad.position], "') at position ", bad.position + 1);
  return out;
}

namespace {
// The windows of cpp_onehot_ranges, checked for equal widths.
struct Windows {
  std::vector<int> chrom;
  const double *start, *end;
  const int* minus;
  std::size_t n, len;
};

Windows windows_of(const Genome& g, Rcpp::CharacterVector& chroms, Rcpp::NumericVector& starts,
                   Rcpp::NumericVector& ends, Rcpp::LogicalVector& minus) {
  Windows w{gdlr::chrom_indexes(g, chroms), starts.begin(), ends.begin(), minus.begin(),
            static_cast<std::size_t>(chroms.size()), 0};
  w.len = w.n ? static_cast<std::size_t>(ends[0] - starts[0] + 1) : 0;
  for (std::size_t i = 0; i < w.n; ++i)
    if (static_cast<std::size_t>(w.end[i] - w.start[i] + 1) != w.len)
      gdl::fail("ranges must have equal widths for one-hot encoding: range ", i + 1, " has width ",
                w.end[i] - w.start[i] + 1, ", range 1 has width ", w.len);
  return w;
}

// The windows' bytes (1/32 of the one-hot array's size) in threads over windows, then the tiled
// writer in threads over positions. Fetch errors (a range past the end) come back from the
// workers as gdl::Error. Runs under gdlr::interruptible.
void one_hot_windows(const Genome& g, const Windows& w, bool pad, int threads,
                     const ColumnMajorOneHot& dst, Ambiguous amb, std::string& bytes) {
  bytes.assign(w.n * w.len, 'N');
  gdl::parallelize(w.n, threads, [&](int, std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      if (i % 1024 == 0) gdl::check_interrupt();
      read_range(g, w.chrom[i], w.start[i], w.end[i], w.minus[i] == TRUE, pad, &bytes[i * w.len]);
    }
  });
  std::vector<const char*> ptrs(w.n);
  for (std::size_t i = 0; i < w.n; ++i) ptrs[i] = bytes.data() + i * w.len;
  one_hot_column_major(ptrs.data(), dst, amb, threads);
}
}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_onehot_ranges(SEXP ptr, Rcpp::CharacterVector chroms,
                                      Rcpp::NumericVector starts, Rcpp::NumericVector ends,
                                      Rcpp::LogicalVector minus, bool nlc, bool zero, bool pad,
                                      int threads, SEXP names) {
  auto g = gdlr::genome_of(ptr);
  Windows w = windows_of(*g, chroms, starts, ends, minus);
  Rcpp::NumericVector out = r_onehot_array(nlc, w.n, w.len, names);
  std::string bytes;
  gdlr::interruptible([&]() {
    one_hot_windows(*g, w, pad, gdlr::threads_arg(threads), geometry(out, nlc, w.n, w.len),
                    zero ? Ambiguous::Zero : Ambiguous::Quarter, bytes);
  });
  return out;
}

// For bench/onehot.R: the seconds of each stage of cpp_onehot_ranges (NLC, quarter): R's
// allocation of the array (with the garbage collection it triggers), fetch + write into that
// fresh array (its pages faulted in by the writer), and the same again into the now-resident
// array (the kernel alone).
// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_onehot_stages(SEXP ptr, Rcpp::CharacterVector chroms,
                                      Rcpp::NumericVector starts, Rcpp::NumericVector ends,
                                      Rcpp::LogicalVector minus, int threads) {
  using clock = std::chrono::steady_clock;
  auto secs = [](clock::time_point a, clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };
  auto g = gdlr::genome_of(ptr);
  Windows w = windows_of(*g, chroms, starts, ends, minus);
  auto t0 = clock::now();
  Rcpp::NumericVector out = r_onehot_array(true, w.n, w.len, R_NilValue);
  auto t1 = clock::now();
  std::string bytes;
  clock::time_point t2, t3;
  gdlr::interruptible([&]() {
    one_hot_windows(*g, w, false, gdlr::threads_arg(threads), geometry(out, true, w.n, w.len),
                    Ambiguous::Quarter, bytes);
    t2 = clock::now();
    one_hot_windows(*g, w, false, gdlr::threads_arg(threads), geometry(out, true, w.n, w.len),
                    Ambiguous::Quarter, bytes);
    t3 = clock::now();
  });
  return Rcpp::NumericVector::create(Rcpp::Named("allocate") = secs(t0, t1),
                                     Rcpp::Named("fresh") = secs(t1, t2),
                                     Rcpp::Named("resident") = secs(t2, t3));
}
