// Secondary tracks (keras_dna's sec_inputs): bigWig values read over the centre of each window,
// as inputs beside the sequence or as a second target.
#include "common/error.hpp"
#include "data/plan.hpp"

namespace gdl {
namespace data {

std::int64_t secondary_length(std::int64_t wanted, std::int64_t window) {
  if (wanted < 0) fail("secondaryLength must be >= 1, not ", wanted);
  std::int64_t Ls = wanted > 0 ? wanted : window;
  if (Ls > window) fail("secondaryLength (", Ls, ") is larger than the window (", window, ")");
  return Ls;
}

std::int64_t secondary_offset(std::int64_t length, std::int64_t window) { return (window - length) / 2; }

Shape secondary_shape(int n, std::int64_t wanted_length, int types, std::int64_t window) {
  std::int64_t Ls = secondary_length(wanted_length, window);
  if (n < 1) fail("secondary needs at least one bigWig track");
  if (types < 0 || (types > 0 && n % types != 0))
    fail("secondaryNAnnotationTypes (", types, ") must divide the number of secondary files (", n, ")");
  if (types > 0) return {Ls, n / types, types};
  return {Ls, n};
}

}  // namespace data
}  // namespace gdl
