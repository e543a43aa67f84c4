// Test fixtures that need htslib: the package's example genome, opened once per test binary.
#pragma once
#include <memory>

#include "genome/genome.hpp"
#include "helpers.hpp"

namespace gdltest {
inline std::shared_ptr<const gdl::genome::Genome> example_genome() {
  static auto g = gdl::genome::open_fasta(extdata("example_genome.fa"));
  return g;
}
}  // namespace gdltest
