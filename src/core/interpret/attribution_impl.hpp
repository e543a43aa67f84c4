// Torch side of the attributions, shared by the ISM paths (interpret/attribution.cpp,
// interpret/fast_ism.cpp).
#pragma once
#include <torch/torch.h>

#include <cstddef>

#include "interpret/attribution.hpp"

namespace gdl {
namespace interpret {

// The attributed scalar of each sample (float64, N) from one network output y in the API layout
// ((N, L, C) for sequences, (N, F) flat): value `task`, or with `profile` bpnet-lite's reduction.
// With `paired` (DeepLIFT's [inputs; references] batch), profile weights come from the inputs.
torch::Tensor attributed_value(const torch::Tensor& y, const AttributionOptions& opt,
                               bool paired = false);

// Whether position l of a one-hot sequence x (4 x len, channels-first) is exactly base b.
bool is_base(const float* x, std::size_t len, std::size_t l, std::size_t b);

}  // namespace interpret
}  // namespace gdl
