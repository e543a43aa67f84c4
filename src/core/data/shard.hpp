// ShardSource: one rank's share of a BatchSource in data-parallel training (train/distributed).
//
// Every source here draws an epoch as one order of its samples fixed by (seed, epoch) alone, and
// batch i of batch size B holds positions [i B, (i + 1) B) of that order. With N ranks each
// reading batches of B, global step g is the N x B positions [g N B, (g + 1) N B): rank r takes
// the source's batch g N + r. So the ranks' batches are disjoint, together they cover the
// epoch's order, and the samples of global step g are those of batch g of one process reading
// batches of N x B: the samples seen depend on the global batch size, not on the number of
// ranks. An epoch has floor(full batches / N) steps (full batches: those of exactly B samples;
// an array source's last partial batch is dropped, as the generators drop theirs), so that
// every rank takes the same number of steps. Torch-free.
#pragma once
#include <memory>

#include "data/batch.hpp"

namespace gdl {
namespace data {

class ShardSource : public BatchSource {
 public:
  // Throws gdl::Error when rank is out of range or the source has fewer full batches than ranks.
  ShardSource(std::shared_ptr<const BatchSource> source, int rank, int world_size);
  std::size_t batches_per_epoch() const override { return steps_; }
  std::size_t batch_size() const override { return source_->batch_size(); }
  BatchShapes shapes() const override { return source_->shapes(); }
  // Batch i of this rank: the source's batch i * world_size + rank.
  void fill(std::size_t epoch, std::size_t i, Batch& out) const override;
  std::string description() const override;
  // The source's batch index read for this rank's batch i.
  std::size_t source_batch(std::size_t i) const;

 private:
  std::shared_ptr<const BatchSource> source_;
  std::size_t rank_, world_, steps_;
};

}  // namespace data
}  // namespace gdl
