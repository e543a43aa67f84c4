// bigWig access through libBigWig. Coordinates are 0-based, half-open.
// BigWigReader owns one bigWigFile_t (not thread-safe: each thread opens its own reader; opening
// is cheap, it reads the header and chromosome list only). Nor is it shared across processes:
// it records the process that opened it and, used in another one (a forked BiocParallel
// worker), reopens the file, because a forked descriptor shares the parent's file offset.
// A read that libBigWig reports as failed (a corrupt block) throws gdl::Error naming the file
// and the region; it never reads as missing data (NaN). BigWigWriter writes through a
// temporary file that is renamed on close(), so a failed export leaves nothing behind.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gdl {
namespace tracks {

enum class Summary { Mean, Sum, Max, Min };
Summary parse_summary(const std::string& s);  // "mean", "sum", "max", "min"

class BigWigReader {
 public:
  explicit BigWigReader(const std::string& path);
  ~BigWigReader();
  BigWigReader(const BigWigReader&) = delete;
  BigWigReader& operator=(const BigWigReader&) = delete;

  const std::string& path() const { return path_; }
  const std::vector<std::string>& chromosomes() const { return chroms_; }
  const std::vector<std::int64_t>& lengths() const { return lengths_; }
  int index(const std::string& chrom) const;  // -1 when absent

  // Per-base values of [start, end) into out (end - start floats); NaN where the file has no
  // data. Positions outside the chromosome read as NaN. An absent chromosome throws.
  void values(const std::string& chrom, std::int64_t start, std::int64_t end, float* out) const;
  // Summaries of `bins` equal bins of [start, end) (the last bin takes the remainder); NaN for
  // a bin without data. (end - start) must be >= bins.
  void binned(const std::string& chrom, std::int64_t start, std::int64_t end, int bins,
              Summary how, double* out) const;

 private:
  struct File;
  void open() const;
  void ensure_own_process() const;  // reopens the file in a process other than the opener
  std::string path_;
  std::unique_ptr<File> file_;
  std::vector<std::string> chroms_;
  std::vector<std::int64_t> lengths_;
};

// Summaries of per-base values v[0..n) split into `bins` bins, NaN ignored.
void summarise_bins(const float* v, std::int64_t n, int bins, Summary how, double* out);

class BigWigWriter {
 public:
  // Chromosome names and lengths define the header; zoom levels are built by libBigWig.
  BigWigWriter(const std::string& path, const std::vector<std::string>& chroms,
               const std::vector<std::int64_t>& lengths);
  ~BigWigWriter();
  BigWigWriter(const BigWigWriter&) = delete;
  BigWigWriter& operator=(const BigWigWriter&) = delete;

  // Adds intervals of one chromosome; calls must come in header order, sorted and not
  // overlapping within a chromosome. NaN values are skipped.
  void add_intervals(const std::string& chrom, const std::vector<std::uint32_t>& starts,
                     const std::vector<std::uint32_t>& ends, const std::vector<float>& values);
  // Adds a run of fixed-span values starting at start (span bases each, step apart);
  // runs of NaN are skipped, so missing data stays missing.
  void add_span(const std::string& chrom, std::uint32_t start, std::uint32_t span,
                std::uint32_t step, const float* values, std::size_t n);
  // Finishes the file and renames it onto the target path.
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// libBigWig needs one global initialisation (its curl buffer); every entry point calls this.
void ensure_bigwig_init();

}  // namespace tracks
}  // namespace gdl
