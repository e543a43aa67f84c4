#include "genome/genome.hpp"

#include <algorithm>
#include <cstring>

#include "common/error.hpp"

namespace gdl {
namespace genome {

void Genome::set_index(std::vector<std::string> names, std::vector<std::int64_t> lengths) {
  names_ = std::move(names);
  lengths_ = std::move(lengths);
  by_name_.clear();
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (!by_name_.emplace(names_[i], static_cast<int>(i)).second)
      fail("sequence name '", names_[i], "' occurs twice in ", description());
  }
}

int Genome::index(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? -1 : it->second;
}

int Genome::require(const std::string& name) const {
  int i = index(name);
  if (i < 0) fail("chromosome '", name, "' is not in the genome (", description(), ")");
  return i;
}

void Genome::fetch(int chrom, std::int64_t start, std::int64_t end, char* out) const {
  if (chrom < 0 || static_cast<std::size_t>(chrom) >= size())
    fail("sequence index ", chrom, " out of range in ", description());
  std::int64_t len = lengths_[static_cast<std::size_t>(chrom)];
  if (start < 0 || end > len || start > end)
    fail("range ", names_[static_cast<std::size_t>(chrom)], ":", start + 1, "-", end,
         " is outside the chromosome (length ", len, ")");
  if (end > start) fetch_impl(chrom, start, end, out);
}

void Genome::fetch_padded(int chrom, std::int64_t start, std::int64_t end, char* out) const {
  if (chrom < 0 || static_cast<std::size_t>(chrom) >= size())
    fail("sequence index ", chrom, " out of range in ", description());
  std::int64_t len = lengths_[static_cast<std::size_t>(chrom)];
  std::int64_t a = std::max<std::int64_t>(start, 0), b = std::min<std::int64_t>(end, len);
  if (b <= a) {
    std::memset(out, 'N', static_cast<std::size_t>(end - start));
    return;
  }
  std::memset(out, 'N', static_cast<std::size_t>(a - start));
  fetch_impl(chrom, a, b, out + (a - start));
  std::memset(out + (b - start), 'N', static_cast<std::size_t>(end - b));
}

std::string Genome::sequence(int chrom, std::int64_t start, std::int64_t end) const {
  std::string s(static_cast<std::size_t>(std::max<std::int64_t>(end - start, 0)), 'N');
  fetch(chrom, start, end, &s[0]);
  return s;
}

MemoryGenome::MemoryGenome(std::vector<std::string> names, std::vector<std::string> sequences)
    : seqs_(std::move(sequences)) {
  if (names.size() != seqs_.size()) fail("MemoryGenome: ", names.size(), " names for ",
                                         seqs_.size(), " sequences");
  if (names.empty()) fail("the genome has no sequences");
  std::vector<std::int64_t> lengths;
  lengths.reserve(seqs_.size());
  for (const auto& s : seqs_) lengths.push_back(static_cast<std::int64_t>(s.size()));
  set_index(std::move(names), std::move(lengths));
}

std::string MemoryGenome::description() const {
  return "in-memory genome of " + std::to_string(size()) + " sequences";
}

void MemoryGenome::fetch_impl(int chrom, std::int64_t start, std::int64_t end, char* out) const {
  std::memcpy(out, seqs_[static_cast<std::size_t>(chrom)].data() + start,
              static_cast<std::size_t>(end - start));
}

}  // namespace genome
}  // namespace gdl
