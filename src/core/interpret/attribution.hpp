// Attribution of a network's predictions to the bases of its input (tangermeme's conventions):
// in-silico saturation mutagenesis (ISM), gradient x input ("saliency") and DeepLIFT / DeepSHAP
// with the rescale rule against dinucleotide-shuffled references. Torch-free interface: one-hot
// sequences in as row-major floats N x 4 x L (channels A, C, G, T), attributions out in the same
// layout. The attributed value is one scalar of the network per sequence: `task` (0-based, the
// flattened index within output `output`, positions-first for sequence outputs: l * C + c).
//
// Conventions (what each method returns at position l, base b; x the one-hot input):
//   ism:          d[b, l] = f(x with base b at l) - f(x) (0 for the base already there),
//                 h = d - mean_b d[., l]; attribution x * h (hypothetical: h).
//   saliency:     g = df/dx; attribution x * g (hypothetical: g, no mean subtracted).
//   deepliftshap: m = DeepLIFT multipliers against reference r (rescale rule, linear layers and
//                 max pooling keep their gradient); h[b, l] = m[b, l] - sum_c r[c, l] m[c, l]
//                 averaged over the references; attribution x * h (hypothetical: h). The sum of
//                 x * h over a sequence equals f(x) - mean_r f(r) for networks of linear layers
//                 and elementwise activations (max pooling breaks it); `gap` reports it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nn/network.hpp"

namespace gdl {
namespace interpret {

enum class Method { Ism, Saliency, DeepLiftShap };

// "ism", "saliency" (or "gradient_x_input"), "deepliftshap" (or "deeplift"); throws otherwise.
Method parse_method(const std::string& name);

struct AttributionOptions {
  Method method = Method::DeepLiftShap;
  int output = 0;            // which network output (0-based)
  std::int64_t task = 0;     // flattened index within it (0-based); with `profile`, the track
                             // (channel) of a sequence output, or -1 for all tracks together
  // BPNet profile logits (bpnet-lite's wrapper): f = sum_l w_l (z_l - mean z) over the positions
  // (and tracks) of a sequence output, w = softmax(z - mean z) held constant in the gradient.
  // DeepLIFT uses the input's weights w for its references too, so that summation-to-delta holds.
  bool profile = false;
  bool hypothetical = false;
  int n_refs = 20;           // deepliftshap: dinucleotide-shuffled references per sequence
  std::uint64_t seed = 1;    // of the references
  std::size_t batch = 128;   // network samples per forward pass (mutants; inputs + references)
  // ism: recompute only what a mutation changes (interpret/fast_ism.hpp) where every layer the
  // output depends on allows it; otherwise, or when false, every mutant runs the whole network.
  bool fast_ism = true;
  std::string device = "cpu";
};

struct Attribution {
  std::vector<float> values;      // N x 4 x L
  std::vector<double> prediction; // f(x) per sequence
  std::vector<double> reference;  // deepliftshap: mean_r f(r) per sequence
  std::vector<double> gap;        // deepliftshap: |sum attribution - (f(x) - mean_r f(r))|
  double max_gap = 0;             // largest gap
  double max_relative_gap = 0;    // largest gap / max(1, |f(x) - mean_r f(r)|)
  std::string ism_path;           // ism: "fast" or "batched"
  std::string ism_fallback;       // ism: why fast ISM was asked for but not used ("" otherwise)
};

// Checks that the network takes one DNA input (4 x L) and has output `output`, task `task`;
// for DeepLIFT also that every layer is supported (throws naming the first that is not:
// lstm, gru, logsumexp, softmax / log_softmax activations).
void check_attribution(const nn::Network& net, const AttributionOptions& opt);

// x: n x 4 x L one-hot floats (L the network's input length).
Attribution attribute(const nn::Network& net, const float* x, std::size_t n,
                      const AttributionOptions& opt);

// The seed of reference r of sequence i (also what dinucleotideShuffle() uses, with r = 0).
std::uint64_t reference_seed(std::uint64_t seed, std::size_t i, std::size_t r);

// n_refs dinucleotide shuffles of each sequence of x (n x 4 x L) -> (n * n_refs) x 4 x L,
// sequence i's references at rows i * n_refs + r. Positions that are not one-hot shuffle as N
// and come back as 0.25 in every channel. `first` is the index of x's first sequence in the whole
// input: the seeds are those of sequences first..first+n-1, so that references made one pass at
// a time equal those made for all sequences at once.
std::vector<float> shuffled_references(const float* x, std::size_t n, std::size_t len, int n_refs,
                                       std::uint64_t seed, std::size_t first = 0);

}  // namespace interpret
}  // namespace gdl
