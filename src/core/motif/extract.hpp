// gdl::motif::extract_pfms: position frequency matrices from the first convolution layer of a
// network, computed from its weights and bias on one-hot sequences (no network needed).
//  - Method::max (DanQ / FactorNet visualize.py; DeepBind): per sequence, strand and filter the
//    first position of the largest activation; it is a site when the activation exceeds
//    `threshold`; the k (dilated) one-hot columns under it are added to the counts.
//  - Method::threshold (Basset basset_motifs.py): per filter, t = mean + 0.5 (max - mean) of the
//    ReLU'd activations over all sequences, strands and positions; every position above t adds
//    its columns. Counts are raw (Basset's +1 pseudocounts belong to PWM conversion).
// The reverse strand is the reverse complement of the one-hot input (channels A, C, G, T).
#pragma once
#include <cstddef>
#include <vector>

namespace gdl::motif {

struct FirstLayer {
  int filters = 0, width = 0, dilation = 1;
  std::vector<double> weight;  // filters x 4 x width, row-major: weight[(f * 4 + c) * width + j]
  std::vector<double> bias;    // filters (empty: zeros)
};

// One-hot input: element (n, c, l) at data[n * sn + c * sc + l * sl].
struct OneHotView {
  const double* data = nullptr;
  std::size_t n = 0, length = 0;
  std::ptrdiff_t sn = 0, sc = 0, sl = 0;
  double at(std::size_t i, int c, std::size_t l) const {
    return data[static_cast<std::ptrdiff_t>(i) * sn + c * sc + static_cast<std::ptrdiff_t>(l) * sl];
  }
};

struct ExtractOptions {
  enum class Method { max, threshold };
  Method method = Method::max;
  bool both_strands = true;
  double threshold = 0;  // Method::max: minimum activation of a site
  int threads = 1;
};

struct FilterCounts {
  std::vector<double> counts;  // width x 4, row-major (position, letter)
  long nsites = 0;
};

std::vector<FilterCounts> extract_pfms(const FirstLayer& layer, const OneHotView& x,
                                       const ExtractOptions& options);

}  // namespace gdl::motif
