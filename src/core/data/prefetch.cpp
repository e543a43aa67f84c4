#include "data/prefetch.hpp"

#include "common/error.hpp"

namespace gdl {
namespace data {

Prefetcher::Prefetcher(std::shared_ptr<const BatchSource> source, PrefetchOptions options)
    : source_(std::move(source)), opt_(options) {
  start();
}

// The aliasing constructor with an empty owner: a shared_ptr that points without owning.
Prefetcher::Prefetcher(const BatchSource& source, PrefetchOptions options)
    : source_(std::shared_ptr<const BatchSource>(), &source), opt_(options) {
  start();
}

void Prefetcher::start() {
  if (!source_) fail("the prefetcher needs a batch source");
  per_epoch_ = source_->batches_per_epoch();
  if (per_epoch_ == 0) fail("the batch source has no complete batch");
  if (opt_.threads < 0) opt_.threads = 0;
  if (opt_.threads == 0) opt_.depth = 1;
  if (opt_.depth == 0) opt_.depth = 2 * static_cast<std::size_t>(opt_.threads);
  ring_.resize(opt_.depth);
  // preallocate every buffer of the ring, so that filling never allocates
  const BatchShapes sh = source_->shapes();
  codes_ = opt_.codes && sh.codes;
  const std::size_t n = source_->batch_size();
  for (auto& slot : ring_) {
    Batch& b = slot.batch;
    b.want_codes = codes_;
    if (codes_) b.codes.resize(n * static_cast<std::size_t>(sh.x.empty() ? 0 : sh.x.back()));
    else b.x.resize(n * static_cast<std::size_t>(numel(sh.x)));
    b.targets.resize(sh.targets.size());
    for (std::size_t h = 0; h < sh.targets.size(); ++h)
      b.targets[h].resize(n * static_cast<std::size_t>(numel(sh.targets[h])));
    if (sh.has_weights) b.weights.resize(n * static_cast<std::size_t>(numel(sh.weights)));
    if (sh.has_secondary) b.secondary.resize(n * static_cast<std::size_t>(numel(sh.secondary)));
  }
  for (int t = 0; t < opt_.threads; ++t) workers_.emplace_back([this] { work(); });
}

Prefetcher::~Prefetcher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& w : workers_) w.join();
}

std::size_t Prefetcher::ring_bytes() const {
  std::size_t floats = 0, bytes = 0;
  for (const auto& slot : ring_) {
    floats += slot.batch.x.capacity() + slot.batch.weights.capacity() + slot.batch.secondary.capacity();
    for (const auto& t : slot.batch.targets) floats += t.capacity();
    bytes += slot.batch.codes.capacity();
  }
  return floats * sizeof(float) + bytes;
}

const void* Prefetcher::slot_data(std::size_t k) const {
  const Batch& b = ring_[k % ring_.size()].batch;
  return codes_ ? static_cast<const void*>(b.codes.data()) : static_cast<const void*>(b.x.data());
}

// Batch k of the run into `slot` (on a worker, or on the caller when synchronous).
void Prefetcher::fill(std::size_t k, Slot& slot) {
  std::size_t g = opt_.first + k;
  source_->fill(opt_.epoch + g / per_epoch_, g % per_epoch_, slot.batch);
}

void Prefetcher::work() {
  for (;;) {
    std::size_t k;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // a batch may be claimed when its slot was released by the consumer
      cv_.wait(lock, [&] {
        return stop_ || ((opt_.count == 0 || next_claim_ < opt_.count) &&
                         next_claim_ < released_ + opt_.depth);
      });
      if (stop_) return;
      k = next_claim_++;
    }
    Slot& slot = ring_[k % opt_.depth];
    try {
      fill(k, slot);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      slot.seq = k;
      slot.ready = true;
    }
    cv_.notify_all();
  }
}

Batch& Prefetcher::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (opt_.count != 0 && next_read_ >= opt_.count) fail("the prefetcher has produced all its batches");
  if (next_read_ != released_) fail("release() the previous batch before asking for the next");
  Slot& slot = ring_[next_read_ % opt_.depth];
  if (workers_.empty()) {
    fill(next_read_, slot);
    slot.seq = next_read_;
    slot.ready = true;
  }
  cv_.wait(lock, [&] { return error_ || (slot.ready && slot.seq == next_read_); });
  if (error_) std::rethrow_exception(error_);
  std::size_t g = opt_.first + next_read_;
  cur_epoch_ = opt_.epoch + g / per_epoch_;
  cur_index_ = g % per_epoch_;
  ++next_read_;
  return slot.batch;
}

void Prefetcher::release() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (released_ >= next_read_) return;
    ring_[released_ % opt_.depth].ready = false;
    ++released_;
  }
  cv_.notify_all();
}

}  // namespace data
}  // namespace gdl
