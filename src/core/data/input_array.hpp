// Input arrays handed to the core by a caller (R): the one-hot check and the conversion of a
// column-major N x L x C ("NLC") or N x C x L ("NCL") array of doubles to the row-major
// N x C x L floats the networks take.
//
// Why here and not in R: for a genome-scale input (20,000 x 1 kb x 4 = 80 M values) R's
// anyNA / is.infinite / range / rowSums and the element-by-element conversion took ~0.7 s
// without a chance to see Ctrl-C (issue 11 asks for <= 0.5 s), and allocated three temporary
// arrays of the input's size. Both passes below read the input once, in chunks, in its own
// memory order (cache lines used whole), and call gdl::check_interrupt() between chunks.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace gdl {
namespace data {

// Column-major (R) geometry of an input: element (n, c, l) is at n + N*c + N*C*l ("NCL") or
// n + N*l + N*L*c ("NLC"). A 2-D N x F matrix is N x F x 1 with nlc = false.
struct ColumnMajorArray {
  const double* x = nullptr;
  std::size_t n = 0, c = 0, l = 0;
  bool nlc = true;
  std::size_t at(std::size_t i, std::size_t ch, std::size_t pos) const {
    return nlc ? i + n * pos + n * l * ch : i + n * ch + n * c * pos;
  }
};

// The first problem of a would-be one-hot array, in the order R users are told about them:
// non-finite values (counted over the whole array), values outside [0, 1] (the whole range),
// then the first position (by position, then sample: R's which(arr.ind) order) whose channels
// sum to more than 1 + 1e-4. kind == kNone when the array is fine.
struct OneHotProblem {
  enum Kind { kNone, kNonFinite, kRange, kSum } kind = kNone;
  std::size_t non_finite = 0;   // kNonFinite: how many
  double min = 0, max = 0;      // kRange: the range of the finite values
  std::size_t sample = 0, position = 0;  // kSum: 0-based
  double sum = 0;
};

// one_hot = false checks only that the values are finite (inputs of other shapes, which the
// network's input shape will judge).
OneHotProblem check_one_hot(const ColumnMajorArray& a, bool one_hot);

// Row-major N x C x L floats (N x F for a matrix), tiled over samples so that both the reads
// and the writes run along cache lines.
std::vector<float> to_row_major(const ColumnMajorArray& a);

// The way back, for results: row-major N x F floats `in` into a column-major R array `out`,
// feature f of sample n going to out[n + offsets[f]] (offsets: the column-major offset of each
// trailing index; see column_major_offsets). Tiled over samples like to_row_major: writing
// feature by feature for every sample (the obvious loop) misses the cache at each value, 1-2 s
// unpolled for a 120 M-value attribution array.
void from_row_major(const float* in, std::size_t n, const std::vector<std::size_t>& offsets,
                    double* out);

// The offsets of from_row_major for an N x C x L result written as the R array `a` describes
// ("NLC" or "NCL"; a.x is not used).
std::vector<std::size_t> column_major_offsets(const ColumnMajorArray& a);

}  // namespace data
}  // namespace gdl
