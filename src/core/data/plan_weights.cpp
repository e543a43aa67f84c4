// Manual weights checked once, before any statistics are read.
#include <cmath>

#include "common/error.hpp"
#include "data/plan.hpp"

namespace gdl {
namespace data {

void check_manual_bins(const std::vector<BinWeights>& bins, std::size_t n_files) {
  if (bins.size() != n_files)
    fail("manual weighting needs edges and weights for each of the ", n_files, " bigWig files, not ",
         bins.size());
  for (std::size_t f = 0; f < bins.size(); ++f) {
    const auto& b = bins[f];
    if (b.weights.empty() || b.edges.size() != b.weights.size() + 1)
      fail("manual weights of file ", f + 1, ": n + 1 edges are needed for n weights (", b.edges.size(),
           " edges, ", b.weights.size(), " weights)");
    for (std::size_t i = 0; i < b.edges.size(); ++i)
      if (!std::isfinite(b.edges[i]) || (i > 0 && b.edges[i] <= b.edges[i - 1]))
        fail("manual weights of file ", f + 1, ": the edges must be finite and increasing");
    for (double w : b.weights)
      if (!std::isfinite(w) || w < 0) fail("manual weights of file ", f + 1, " must be finite and >= 0");
  }
}

void check_manual_sparse(double positive, double negative) {
  if (!std::isfinite(positive) || !std::isfinite(negative) || positive <= 0 || negative <= 0)
    fail("weighting c(positive, negative) needs two finite weights > 0, not (", positive, ", ", negative, ")");
}

}  // namespace data
}  // namespace gdl
