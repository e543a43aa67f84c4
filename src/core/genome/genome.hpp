// Genome: named sequences with random access. Coordinates are 0-based, half-open.
// Two implementations: FastaGenome (htslib faidx, plain or bgzip FASTA, a handle per thread)
// and MemoryGenome (sequences handed over by the caller, e.g. from an R DNAStringSet).
// fetch() is safe to call from several threads at once.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace gdl {
namespace genome {

class Genome {
 public:
  virtual ~Genome() = default;

  std::size_t size() const { return names_.size(); }
  const std::vector<std::string>& names() const { return names_; }
  const std::vector<std::int64_t>& lengths() const { return lengths_; }
  // Index of a sequence name, or -1 when absent.
  int index(const std::string& name) const;
  // Index of a sequence name; throws gdl::Error naming the chromosome when absent.
  int require(const std::string& name) const;

  // Copies bases [start, end) of sequence `chrom` to out (end - start bytes, as stored: case
  // kept). Throws gdl::Error when the interval is not inside the sequence.
  void fetch(int chrom, std::int64_t start, std::int64_t end, char* out) const;
  // As fetch, but positions outside [0, length) read as 'N' (windows near chromosome ends).
  void fetch_padded(int chrom, std::int64_t start, std::int64_t end, char* out) const;
  std::string sequence(int chrom, std::int64_t start, std::int64_t end) const;

  virtual std::string description() const = 0;

 protected:
  void set_index(std::vector<std::string> names, std::vector<std::int64_t> lengths);
  // Implementations copy an in-bounds interval.
  virtual void fetch_impl(int chrom, std::int64_t start, std::int64_t end, char* out) const = 0;

 private:
  std::vector<std::string> names_;
  std::vector<std::int64_t> lengths_;
  std::unordered_map<std::string, int> by_name_;
};

class MemoryGenome : public Genome {
 public:
  MemoryGenome(std::vector<std::string> names, std::vector<std::string> sequences);
  std::string description() const override;
  const std::string& chromosome(int i) const { return seqs_[static_cast<std::size_t>(i)]; }

 protected:
  void fetch_impl(int chrom, std::int64_t start, std::int64_t end, char* out) const override;

 private:
  std::vector<std::string> seqs_;
};

struct FastaOptions {
  bool build_index = true;  // build <path>.fai (and .gzi for bgzip) when missing
};

class FastaGenome : public Genome {
 public:
  explicit FastaGenome(const std::string& path, FastaOptions options = {});
  ~FastaGenome() override;
  std::string description() const override;
  const std::string& path() const { return path_; }

 protected:
  void fetch_impl(int chrom, std::int64_t start, std::int64_t end, char* out) const override;

 private:
  struct Pool;  // faidx handles, one per concurrent reader (htslib handles are not thread-safe)
  std::string path_;
  std::unique_ptr<Pool> pool_;
};

// Opens a FASTA (plain or bgzip) or throws gdl::Error saying what is wrong with it.
std::shared_ptr<Genome> open_fasta(const std::string& path, FastaOptions options = {});

}  // namespace genome
}  // namespace gdl
