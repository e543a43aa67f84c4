// Dinucleotide shuffle (Altschul & Erickson 1985, by the random Eulerian walk of Kandel et al.
// 1996 with Wilson's loop-erased walks for the last-edge tree): a random sequence with exactly
// the dinucleotide counts (and first / last letter) of the input. Any byte other than A, C, G, T
// (either case) is treated as one further letter 'N'. Deterministic from the seed.
#pragma once
#include <cstddef>
#include <cstdint>

namespace gdl {
namespace data {

// Shuffles seq[0..n) in place (upper-case ACGTN out).
void dinucleotide_shuffle(char* seq, std::size_t n, std::uint64_t seed);

}  // namespace data
}  // namespace gdl
