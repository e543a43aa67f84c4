// Track targets of the generators: bigWig files read through a cache of decoded chunks (stored as
// runs of equal values) shared by
// all worker threads (each thread borrows its own BigWigReader from a pool), normalisation
// (keras_dna's modes, with its bugs fixed) and histogram weights. Coordinates are 0-based,
// half-open; bases without data read as NaN.
#pragma once
#include <cmath>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "data/chrom_names.hpp"

namespace gdl {
namespace tracks {
class BigWigReader;
}
namespace data {

enum class Norm { Max, Perctrim, Zscore, MinMax, Log };
Norm parse_norm(const std::string& s);  // "max", "perctrim", "zscore", "minmax", "log"
const char* norm_name(Norm n);

// One normalisation step with its statistics (computed on the included chromosomes).
//   max: x / a;  perctrim: min(x, a) (a = 99th percentile, no rescaling, as keras_dna);
//   zscore: (x - a) / b;  minmax: (x - a) / (b - a);  log: log(x + 1).
struct NormStep {
  Norm kind = Norm::Max;
  double a = 0, b = 1;
};
inline float normalise(const std::vector<NormStep>& steps, float x);

// Histogram weights of one file ("balanced": w_bin = 1 / (p_bin * n_bins), empty bins get the
// smallest non-zero probability). A value is looked up with edges[i-1] < y <= edges[i]; values
// at or below the first edge take the first bin, values above the last edge the last bin.
struct BinWeights {
  std::vector<double> edges;    // n_bins + 1
  std::vector<double> weights;  // n_bins
  double lookup(double y) const;
};
// numpy.histogram's bins: n_bins > 0 a count, n_bins = 0 'auto' (max of Sturges and
// Freedman-Diaconis bin counts), over (min(v) - 0.001, max(v)).
BinWeights balanced_weights(std::vector<double> values, int n_bins);

class TrackSet {
 public:
  // genome_names: chromosome names of the genome, indexed as the genome indexes them; the files'
  // chromosome names are matched to them under `prefix` (an exact match wins over a renamed one).
  TrackSet(std::vector<std::string> paths, std::vector<std::string> genome_names,
           ChrPrefix prefix = ChrPrefix::AsIs, std::size_t cache_bytes = std::size_t{256} << 20);
  ~TrackSet();
  std::size_t size() const { return paths_.size(); }
  const std::vector<std::string>& paths() const { return paths_; }
  // Bytes held: decoded chunks in the cache (bounded by cache_bytes), the chunk tables and name
  // maps. The pooled libBigWig readers (one per file and concurrent reader, see readers()) hold
  // their own header and index buffers on top.
  std::size_t memory_bytes() const;
  std::size_t cached_bytes() const;
  std::size_t readers() const;
  // Raw values of file f over [start, end) of genome chromosome `chrom`; NaN without data,
  // outside the chromosome or on a chromosome the file lacks.
  void values(std::size_t f, int chrom, std::int64_t start, std::int64_t end, float* out) const;

  // Statistics for the normalisation `kinds` (applied in order; each step's statistics are
  // computed on the values transformed by the steps before it), per file, over the chromosomes
  // `chroms`. Exact max / min / mean / sd over bases with data; the percentile from `sample_per_chrom`
  // random bases per chromosome (seeded), non-finite values dropped (keras_dna's perctrim).
  std::vector<std::vector<NormStep>> normalisation(const std::vector<Norm>& kinds,
                                                   const std::vector<int>& chroms,
                                                   const std::vector<std::int64_t>& lengths,
                                                   std::uint64_t seed, int threads,
                                                   int sample_per_chrom = 1000) const;
  // The seeded sample (sample_per_chrom random bases per chromosome) of file f, normalised by
  // steps, non-finite values dropped: what balanced weights are computed from.
  std::vector<double> sample(std::size_t f, const std::vector<NormStep>& steps,
                             const std::vector<int>& chroms, const std::vector<std::int64_t>& lengths,
                             std::uint64_t seed, int sample_per_chrom = 1000) const;

 private:
  // A chunk of decoded values kept as runs of equal values (bigWig data come in steps, so a run
  // costs 8 bytes for many bases): run i covers [ends[i-1], ends[i]) of the chunk.
  struct Runs {
    std::vector<std::uint32_t> ends;
    std::vector<float> values;
    std::size_t bytes() const { return ends.capacity() * 4 + values.capacity() * 4 + sizeof(Runs); }
  };
  using Chunk = std::shared_ptr<const Runs>;
  Chunk chunk(std::size_t f, int chrom, std::int64_t k) const;
  std::unique_ptr<tracks::BigWigReader> borrow(std::size_t f) const;
  void give_back(std::size_t f, std::unique_ptr<tracks::BigWigReader> r) const;

  std::vector<std::string> paths_;
  std::vector<std::vector<std::string>> names_;  // [file][genome chrom]: its name in the file
  std::vector<std::vector<int>> present_;  // [file][genome chrom]: 1 when the file has it
  std::vector<std::int64_t> chrom_len_;    // from the first file that has each chromosome
  mutable std::vector<std::vector<std::vector<Chunk>>> slots_;  // [file][chrom][chunk]
  std::size_t cache_bytes_;
  mutable std::mutex mutex_;  // guards the reader pools, the eviction queue and the byte count
  mutable std::vector<std::vector<std::unique_ptr<tracks::BigWigReader>>> pool_;
  mutable std::deque<std::pair<std::uint64_t, std::size_t>> fifo_;  // (file, chrom, chunk), bytes
  mutable std::size_t cached_ = 0;
};

inline float normalise(const std::vector<NormStep>& steps, float x) {
  for (const auto& s : steps) {
    switch (s.kind) {
      case Norm::Max: x = static_cast<float>(x / s.a); break;
      case Norm::Perctrim: x = x > s.a ? static_cast<float>(s.a) : x; break;
      case Norm::Zscore: x = static_cast<float>((x - s.a) / s.b); break;
      case Norm::MinMax: x = static_cast<float>((x - s.a) / (s.b - s.a)); break;
      case Norm::Log: x = static_cast<float>(std::log1p(static_cast<double>(x))); break;
    }
  }
  return x;
}

}  // namespace data
}  // namespace gdl
