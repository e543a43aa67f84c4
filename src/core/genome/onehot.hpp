// One-hot encoding of sequence bytes into float buffers with arbitrary strides, so the same
// kernel fills the core's row-major N x 4 x L batches and R's column-major N x L x 4 arrays.
#pragma once
#include <cstddef>
#include <cstdint>

namespace gdl {
namespace genome {

enum class Ambiguous { Quarter, Zero };  // value of N / IUPAC codes in every channel

// Strides (in elements) of one sequence, one position and one channel.
struct OneHotStrides {
  std::ptrdiff_t seq;
  std::ptrdiff_t pos;
  std::ptrdiff_t channel;
};

// Channels-first row-major batch N x 4 x L (the layout networks consume).
inline OneHotStrides strides_ncl(std::size_t /*n*/, std::size_t len) {
  return {static_cast<std::ptrdiff_t>(4 * len), 1, static_cast<std::ptrdiff_t>(len)};
}
// Row-major N x L x 4 (keras_dna's layout in C order).
inline OneHotStrides strides_nlc(std::size_t /*n*/, std::size_t len) {
  return {static_cast<std::ptrdiff_t>(4 * len), 4, 1};
}

// Encodes len bytes of seq into out (+ the offset of sequence i already applied by the caller).
// Returns the index of the first byte that is not a nucleotide, or len when all are valid
// (invalid bytes are encoded as N). The caller decides whether that is an error.
template <typename T>
std::size_t one_hot(const char* seq, std::size_t len, T* out, OneHotStrides st, Ambiguous amb);

// Geometry of a column-major (R) one-hot array of n sequences of len bases: element
// (sequence i, position p, channel c) lies at i + n*p + n*len*c (nlc, "N x L x 4") or at
// i + n*c + 4*n*p (N x 4 x L).
struct ColumnMajorOneHot {
  double* out = nullptr;
  std::size_t n = 0, len = 0;
  bool nlc = true;
};

// The first byte that is not a nucleotide, by sequence then position (found == false: none).
struct InvalidBase {
  bool found = false;
  std::size_t sequence = 0, position = 0;
};

// Writes the one-hot encoding of seqs[0..n) (each len bytes) into dst, tiled so that R's
// column-major memory is written in runs of contiguous doubles instead of one cache miss (and,
// for an N x L x 4 array, one page) per value as a sequence-by-sequence loop does. Threads take
// disjoint position ranges, which are disjoint contiguous blocks of every channel's memory, so
// they also fault the fresh pages of the array in in parallel. Polls gdl::check_interrupt()
// every tile. Bytes that are not nucleotides are encoded as N and the first one is returned.
InvalidBase one_hot_column_major(const char* const* seqs, const ColumnMajorOneHot& dst,
                                 Ambiguous amb, int threads);

// The same from base codes (0..3 = A, C, G, T; 4 = N; genome::to_codes), n rows of len
// contiguous bytes: a generator's batch filled as codes goes to R without a float copy. A byte
// above 4 is encoded as N and the first one returned.
InvalidBase codes_to_column_major(const std::uint8_t* codes, const ColumnMajorOneHot& dst,
                                  Ambiguous amb, int threads);

// Dense fast path for the core's batches: writes 4 x len floats, channels-first, contiguous.
// Table-driven (one 16-byte row per base code), about memcpy speed per output byte.
std::size_t one_hot_ncl_f32(const char* seq, std::size_t len, float* out, Ambiguous amb);

}  // namespace genome
}  // namespace gdl
