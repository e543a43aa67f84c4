// The contract between data generation (data/) and training (train/): batches as plain float
// buffers, torch-free. Samplers implement BatchSource; the trainer wraps a Batch's buffers as
// tensors (from_blob, then a non_blocking copy to the device).
// All shapes are row-major and exclude the batch axis.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gdl {
namespace data {

using Shape = std::vector<std::int64_t>;

struct BatchShapes {
  Shape x;                     // one-hot input, channels-first: {4, L}
  std::vector<Shape> targets;  // one per output head, e.g. {tasks} or {Lout, tracks}
  Shape weights;               // per-sample {} (one value), per-position {Lout}; empty = none
  Shape secondary;             // secondary input {channels, Ls}; empty = none
  bool has_weights = false;
  bool has_secondary = false;
};

struct Batch {
  std::size_t size = 0;                     // N, the number of samples filled
  std::vector<float> x;                     // N x 4 x L
  std::vector<std::vector<float>> targets;  // per head: N x prod(shape)
  std::vector<float> weights;               // N x prod(weights shape), empty if none
  std::vector<float> secondary;             // N x prod(secondary shape), empty if none
};

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual std::size_t batches_per_epoch() const = 0;
  virtual std::size_t batch_size() const = 0;
  virtual BatchShapes shapes() const = 0;
  // Fills batch i of epoch `epoch` (buffers resized as needed). Deterministic: the same
  // (epoch, i) gives the same batch whatever thread calls it and whatever ran before. Safe to
  // call concurrently on distinct Batch objects (the trainer prefetches with worker threads).
  virtual void fill(std::size_t epoch, std::size_t i, Batch& out) const = 0;
  virtual std::string description() const = 0;
};

inline std::int64_t numel(const Shape& s) {
  std::int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

}  // namespace data
}  // namespace gdl
