// Fast in-silico saturation mutagenesis: fastISM's idea (Sharma, Shrikumar & Kundaje,
// Bioinformatics 2022): a mutation at one base changes only the positions of each layer's
// output within that base's receptive field, so each mutant recomputes only those.
//
// For each sequence, every node of the network is computed once for the sequence itself (the
// reference). A batch of mutants then carries, node by node, only a window per mutant: the
// positions that may differ from the reference (the mutated base at the input). Each layer
// turns its input windows into output windows:
//   conv1d, max / average pooling: the layer on the input window padded by the kernel's reach,
//     read from the reference outside the mutant's window (the layer's padding value beyond the
//     sequence);
//   batch norm, dropout, activations, per-position dense layers: the layer on the window;
//   crop, add / concatenate / logsumexp: the windows shifted to the output's coordinates (the
//     union of the inputs' windows for merges);
//   flatten of a window then a dense layer: reference pre-activation + the product of the
//     flattened difference with the weight columns of the window;
//   global max pooling: the larger of the window's maximum and the reference's outside it
//     (prefix and suffix maxima); global average pooling: reference + the window's change / L;
//   any other layer (reshape, flat merges, a dense layer on a whole flat input): the whole input,
//     rebuilt from the reference and the window.
// Windows have one width per batch (the widest a mutant needs, at most the length), so that a
// layer runs once per batch; a window that reaches the whole length becomes the full tensor and
// the rest of the network runs as usual.
//
// Departures from fastISM: windows are rebuilt against the reference by index (no per-edge
// special models), a dense layer after a flatten uses the difference (linearity) instead of the
// whole flattened input, and the results equal whole-network ISM to
// float rounding (different summation order), not bit for bit. Layers whose every output depends
// on every input position (lstm, gru) or whose windows are not handled (conv_transpose1d) make
// the whole model fall back to batched ISM.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "interpret/attribution.hpp"
#include "nn/network.hpp"

namespace gdl {
namespace interpret {

// "" when fast ISM covers every layer that output `output` (0-based) depends on; otherwise the
// first layer it does not cover, as "layer 'lstm_4' (lstm)".
std::string fast_ism_obstacle(const nn::ModelSpec& spec, int output);

// ISM of n one-hot sequences x (n x 4 x L, the network's input length) for the value chosen by
// opt (output, task, profile): prediction[i] = f(x_i); delta (n x 4 x L) = f(x_i with base b at l)
// - f(x_i), 0 where base b is already there. The network must be in evaluation mode on
// opt.device. A pass holds 8 x opt.batch mutants, its convolutions run opt.batch at a time;
// interrupts are polled between layers and between those convolutions.
void fast_ism(const nn::Network& net, const float* x, std::size_t n, const AttributionOptions& opt,
              std::vector<double>& prediction, std::vector<double>& delta);

}  // namespace interpret
}  // namespace gdl
