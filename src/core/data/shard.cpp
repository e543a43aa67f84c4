#include "data/shard.hpp"

#include <sstream>

#include "common/error.hpp"
#include "data/array_source.hpp"

namespace gdl {
namespace data {

namespace {

// Batches of exactly batch_size() samples: an ArraySource's epoch ends with a partial batch when
// the sample count is not a multiple of the batch size (the generators' epochs have none).
std::size_t full_batches(const BatchSource& s) {
  if (const auto* a = dynamic_cast<const ArraySource*>(&s)) return a->samples() / a->batch_size();
  return s.batches_per_epoch();
}

}  // namespace

ShardSource::ShardSource(std::shared_ptr<const BatchSource> source, int rank, int world_size)
    : source_(std::move(source)) {
  if (!source_) fail("ShardSource: no source");
  if (world_size < 1 || rank < 0 || rank >= world_size)
    fail("rank must be 0 to worldSize - 1 (", world_size - 1, "), not ", rank);
  rank_ = static_cast<std::size_t>(rank);
  world_ = static_cast<std::size_t>(world_size);
  const std::size_t full = full_batches(*source_);
  steps_ = full / world_;
  if (steps_ == 0)
    fail("the training data hold ", full, " full batch(es) of ", source_->batch_size(),
         " samples: fewer than one per rank (", world_, " ranks); lower batchSize or use fewer ranks");
}

std::size_t ShardSource::source_batch(std::size_t i) const { return i * world_ + rank_; }

void ShardSource::fill(std::size_t epoch, std::size_t i, Batch& out) const {
  if (i >= steps_)
    fail("batch ", i + 1, " does not exist: rank ", rank_, "'s shard has ", steps_, " batches per epoch");
  source_->fill(epoch, source_batch(i), out);
}

std::string ShardSource::description() const {
  std::ostringstream os;
  os << "rank " << rank_ << " of " << world_ << " (" << steps_ << " batches per epoch) of "
     << source_->description();
  return os.str();
}

}  // namespace data
}  // namespace gdl
