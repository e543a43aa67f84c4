// Batches onto the device: the torch side of the data::Batch contract, shared by training,
// evaluation and prediction (LibTorch translation units only).
//
// Sequence reaches the device in one of two encodings. On the CPU the loader's one-hot floats
// are wrapped in place (from_blob, no copy). On a GPU the loader fills one byte per base instead
// (data::Batch::codes) and the one-hot expansion runs on the device: 16 times fewer bytes cross
// the bus and the loader threads skip the widest write. "auto" picks the first on the CPU and
// the second elsewhere; "device" forces codes anywhere (how the CPU tests check that path).
#pragma once
#include <torch/torch.h>

#include <string>

#include "common/error.hpp"
#include "data/batch.hpp"
#include "data/prefetch.hpp"

namespace gdl {
namespace train {

// Whether sequences travel as base codes: `mode` is "auto", "host" or "device".
inline bool encode_on_device(const std::string& mode, const torch::Device& dev) {
  if (mode == "auto") return !dev.is_cpu();
  if (mode == "device") return true;
  if (mode == "host") return false;
  fail("unknown sequence encoding '", mode, "' (use auto, host or device)");
}

// A prefetcher over batches [0, count) of `epoch`, asking for base codes when `codes`.
inline data::PrefetchOptions prefetch_options(std::size_t epoch, std::size_t count, int workers,
                                              bool codes) {
  data::PrefetchOptions po;
  po.threads = workers;
  po.epoch = epoch;
  po.count = count;
  po.codes = codes;
  return po;
}

// One-hot N x 4 x L (float32) of base codes N x L (uint8) already on the device: channel c is 1
// where the code is c; code 4 (N and other ambiguity codes) gives `ambiguous` in all four.
inline torch::Tensor decode_codes(const torch::Tensor& codes, float ambiguous) {
  auto c = codes.unsqueeze(1);  // N x 1 x L
  auto channels = torch::arange(4, codes.options()).view({1, 4, 1});
  auto x = c.eq(channels).to(torch::kFloat32);
  if (ambiguous != 0.0f) x.add_(c.eq(4).to(torch::kFloat32), ambiguous);
  return x;
}

// The batch's sequence input (N x 4 x L float32) on `dev`, from either encoding.
inline torch::Tensor sequence_tensor(data::Batch& b, std::int64_t length, float ambiguous,
                                     const torch::Device& dev) {
  auto n = static_cast<std::int64_t>(b.size);
  if (data::has_codes(b)) {
    if (static_cast<std::int64_t>(b.codes.size()) != n * length)
      fail("the batch source gave ", b.codes.size(), " base codes for ", n, " windows of ", length);
    auto codes = torch::from_blob(b.codes.data(), {n, length}, torch::kUInt8);
    return decode_codes(dev.is_cpu() ? codes : codes.to(dev, /*non_blocking=*/true), ambiguous);
  }
  if (static_cast<std::int64_t>(b.x.size()) != n * 4 * length)
    fail("the batch source gave ", b.x.size(), " values of x for ", n, " windows of ", length);
  auto x = torch::from_blob(b.x.data(), {n, 4, length}, torch::kFloat32);
  return dev.is_cpu() ? x : x.to(dev, /*non_blocking=*/true);
}

}  // namespace train
}  // namespace gdl
