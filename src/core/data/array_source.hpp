// ArraySource: a BatchSource over in-memory arrays (one-hot x, targets per head, optional
// per-sample weights), shuffled per epoch from a seed. Used for training on arrays from R and
// by the tests. Batches are ceil(N / batch_size); the last one may be smaller.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "data/batch.hpp"

namespace gdl {
namespace data {

struct ArrayData {
  std::size_t n = 0;
  Shape x_shape;                   // {4, L}
  std::vector<float> x;            // n x 4 x L, row-major
  std::vector<Shape> target_shapes;
  std::vector<std::vector<float>> targets;  // per head: n x prod(shape)
  std::vector<float> weights;      // n values or empty
};

struct ArraySourceOptions {
  std::size_t batch_size = 32;
  bool shuffle = true;
  std::uint64_t seed = 1;
};

class ArraySource : public BatchSource {
 public:
  // Throws gdl::Error when the buffers do not match n and the shapes.
  ArraySource(std::shared_ptr<const ArrayData> data, ArraySourceOptions options);
  std::size_t batches_per_epoch() const override;
  std::size_t batch_size() const override { return options_.batch_size; }
  BatchShapes shapes() const override;
  void fill(std::size_t epoch, std::size_t i, Batch& out) const override;
  std::string description() const override;
  std::size_t samples() const { return data_->n; }
  // Sample order of an epoch (identity without shuffling).
  std::vector<std::size_t> order(std::size_t epoch) const;

 private:
  std::shared_ptr<const ArrayData> data_;
  ArraySourceOptions options_;
  mutable std::mutex mutex_;
  mutable std::size_t cached_epoch_ = static_cast<std::size_t>(-1);
  mutable std::shared_ptr<const std::vector<std::size_t>> cached_;
};

}  // namespace data
}  // namespace gdl
