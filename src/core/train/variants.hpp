// Variant effect scoring: the REF and ALT windows of each variant (data/variants.hpp) run through
// a network in batches (encoded by Prefetcher worker threads, as prediction over regions does),
// with an optional reverse-complement pass. Torch-free interface; the work is in variants.cpp.
//
// Strands: with rc = "average" or "max" each window is also scored reverse-complemented; a
// per-window output takes the mean (or the larger) of the two values, a profile output is
// combined position by position after reversing the reverse pass (position j of the reverse
// pass is position P - 1 - j; channels are kept, as predict_regions does).
//
// Profile outputs (positions x channels) are summarised per channel, so that a chunk's memory
// does not grow with the profile length:
//   total: the sum over positions of the (strand-combined) values, REF and ALT;
//   jsd:   the Jensen-Shannon distance (square root of the divergence, log base 2, in [0, 1])
//          between the REF and ALT profiles as distributions over positions: softmax of the
//          values for logits (BPNet's multinomial heads), else the values clamped at 0 and
//          divided by their sum (uniform when the sum is 0).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/variants.hpp"
#include "genome/genome.hpp"
#include "genome/onehot.hpp"
#include "nn/network.hpp"

namespace gdl {
namespace train {

struct VariantOutput {
  std::int64_t positions = 0;  // 0: per window (any shape, flattened); else a profile
  std::int64_t channels = 0;   // tracks of a profile
  bool logits = false;         // a profile's values are logits over positions (softmax)
};

struct VariantOptions {
  std::string rc = "average";          // "none", "average", "max"
  std::vector<VariantOutput> outputs;  // one per output (empty: all per window)
  std::size_t batch = 128;             // variants per forward pass (x 2 windows, x 2 with rc)
  std::string device = "cpu";          // resolved already
  int workers = 1;                     // encoding threads (Prefetcher workers)
  std::string encode = "auto";         // "host", "device" or "auto" (train/device_batch.hpp)
  genome::Ambiguous ambiguous = genome::Ambiguous::Quarter;
};

struct VariantScores {
  // Per output, row-major, variants first. Per-window outputs: ref / alt hold n x values.
  // Profile outputs: ref / alt hold n x channels totals, jsd n x channels.
  std::vector<std::vector<float>> ref, alt, jsd;
};

// Called after each batch with (variants done, variants in all); false stops (gdl::Error).
using VariantProgress = std::function<bool(std::size_t, std::size_t)>;

// Scores every variant (windows as data/variants.hpp). Throws gdl::Error when the model does not
// take one-hot DNA alone or an output description disagrees with the output's size.
VariantScores score_variants(nn::Network& net, const genome::Genome& genome,
                             const std::vector<data::Variant>& variants,
                             const VariantOptions& options,
                             const VariantProgress& progress = nullptr);

}  // namespace train
}  // namespace gdl
