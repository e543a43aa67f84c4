// The first convolution layer of a gdl::nn::Network seen from motif analysis (the LibTorch side
// of motif/, in first_layer_torch.cpp; this header is torch-free):
//  - first_layer_means: the mean activation of each first-layer filter, the value a "mean"
//    knockout (Basset, AI-TAC) puts in place of the filter's output;
//  - set_first_conv: filters set to given matrices (known motifs as filters, tests).
// "First convolution" is the first layer of type conv1d in the spec, the layer an
// nn::Knockout acts on.
#pragma once
#include <cstddef>
#include <vector>

#include "nn/network.hpp"

namespace gdl::motif {

// Mean over samples and positions of each output channel of the first convolution layer, after
// its activation and with its padded positions: exactly the tensor an nn::Knockout replaces.
// x holds n samples of the network's single input, row-major n x C x L floats. Runs on the CPU,
// `batch` samples at a time, the network in evaluation mode. Sums are accumulated in double.
std::vector<double> first_layer_means(const nn::Network& net, const float* x, std::size_t n,
                                      std::size_t batch);

// Replaces the weights (filters x channels x kernel, row-major) and the bias (filters; must be
// empty when the layer has none) of the first convolution layer.
void set_first_conv(nn::Network& net, const std::vector<float>& weight,
                    const std::vector<float>& bias);

}  // namespace gdl::motif
