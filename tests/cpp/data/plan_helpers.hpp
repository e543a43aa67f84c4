// Small in-memory genomes for the plan tests, and brute-force references.
#pragma once
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "genome/genome.hpp"

namespace plantest {
// chrA: 100 bases, N at [10, 20) and [50, 53); chrB: 40 bases, no N; chrC: 8 bases.
inline std::shared_ptr<gdl::genome::MemoryGenome> small_genome() {
  std::string a(100, 'A');
  for (int i = 10; i < 20; ++i) a[static_cast<std::size_t>(i)] = 'N';
  for (int i = 50; i < 53; ++i) a[static_cast<std::size_t>(i)] = 'n';
  return std::make_shared<gdl::genome::MemoryGenome>(
      std::vector<std::string>{"chrA", "chrB", "chrC"},
      std::vector<std::string>{a, std::string(40, 'C'), std::string(8, 'G')});
}

// A chromosome of `len` bases with random runs of N.
inline std::string random_chromosome(std::int64_t len, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(static_cast<std::size_t>(len), 'A');
  std::uniform_int_distribution<std::int64_t> pos(0, len - 1), run(1, 30);
  for (int k = 0; k < 25; ++k) {
    std::int64_t p = pos(rng), n = run(rng);
    for (std::int64_t i = p; i < std::min(len, p + n); ++i) s[static_cast<std::size_t>(i)] = 'N';
  }
  return s;
}

// N count of every window start (brute force).
inline std::vector<std::int64_t> window_n(const std::string& s, std::int64_t window) {
  std::vector<std::int64_t> out;
  for (std::int64_t p = 0; p + window <= static_cast<std::int64_t>(s.size()); ++p) {
    std::int64_t n = 0;
    for (std::int64_t i = p; i < p + window; ++i) n += s[static_cast<std::size_t>(i)] == 'N';
    out.push_back(n);
  }
  return out;
}
}  // namespace plantest
