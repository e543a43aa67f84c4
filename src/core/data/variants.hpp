// REF and ALT windows of sequence variants, built from a genome: the torch-free half of variant
// scoring (train/variants.hpp runs them through a network). Coordinates are 0-based, half-open.
//
// Window rule, for a model input of length L and a variant whose first REF base is at `pos`:
//   the window starts at s = pos - L / 2 (integer division), so the first REF base is at window
//   offset L / 2 (1-based position floor(L / 2) + 1: the centre for odd L, the right of the two
//   central bases for even L).
//   REF window: genome [s, s + L).
//   ALT window: genome [s, pos) + ALT + genome [pos + |REF|, ...), cut or extended on the right to
//   L bases. A deletion therefore pulls in extra right flank, an insertion pushes the right end
//   out (an ALT longer than L - L / 2 is itself cut); both windows start at s.
// Bases past a chromosome end read N. A variant is "outside" when either window needs such bases.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "genome/genome.hpp"

namespace gdl {
namespace data {

struct Variant {
  int chrom = 0;
  std::int64_t pos = 0;  // first REF base, 0-based
  std::string ref, alt;  // alleles as given (any case; ALT may be empty for a deletion)
};

struct VariantWindow {
  std::int64_t start = 0;  // window start s (may be < 0 near the chromosome start)
  bool ref_match = false;  // REF equals the genome at [pos, pos + |REF|) (case-insensitive)
  bool outside = false;    // a window reaches past a chromosome end (bases read N)
};

// Where the window of a variant lies, whether REF matches the genome and whether the windows run
// past the chromosome. Throws gdl::Error for an unknown chromosome or a position outside it.
VariantWindow variant_window(const genome::Genome& g, const Variant& v, std::int64_t length);

// Writes the REF and ALT windows (length bytes each; N past chromosome ends) of v.
void variant_sequences(const genome::Genome& g, const Variant& v, std::int64_t length,
                       char* ref_out, char* alt_out);

}  // namespace data
}  // namespace gdl
