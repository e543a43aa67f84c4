// Batch assembly: fetch windows from a genome and one-hot encode them into a caller-owned
// float32 buffer, channels-first (N x 4 x L, row-major), the layout the networks consume.
// Coordinates are 0-based, half-open; windows may run past chromosome ends (padded with N).
#pragma once
#include <cstdint>
#include <vector>

#include "genome/genome.hpp"
#include "genome/onehot.hpp"

namespace gdl {
namespace data {

struct Window {
  int chrom;
  std::int64_t start;
  std::int64_t end;
  bool minus = false;  // reverse complement
};

// out must hold windows.size() * 4 * L floats, L = end - start (equal for all windows).
void encode_windows(const genome::Genome& g, const std::vector<Window>& windows, float* out,
                    genome::Ambiguous amb, int threads);
// The same windows as base codes (genome::to_codes): out holds windows.size() * L bytes.
void encode_windows_codes(const genome::Genome& g, const std::vector<Window>& windows,
                          std::uint8_t* out, int threads);

// n windows of width `width` drawn uniformly over the genome (chromosomes weighted by length),
// reproducible from seed whatever the thread count: window i depends only on (seed, i).
std::vector<Window> random_windows(const genome::Genome& g, std::size_t n, std::int64_t width,
                                   std::uint64_t seed);

// SplitMix64: the small, well-mixed generator behind every per-item seed in the core.
inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace data
}  // namespace gdl
