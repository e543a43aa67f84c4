#include "data/prefetch.hpp"

#include "common/error.hpp"

namespace gdl {
namespace data {

Prefetcher::Prefetcher(std::shared_ptr<const BatchSource> source, PrefetchOptions options)
    : source_(std::move(source)), opt_(options) {
  if (!source_) fail("the prefetcher needs a batch source");
  per_epoch_ = source_->batches_per_epoch();
  if (per_epoch_ == 0) fail("the batch source has no complete batch");
  if (opt_.threads < 1) opt_.threads = 1;
  if (opt_.depth == 0) opt_.depth = 2 * static_cast<std::size_t>(opt_.threads);
  ring_.resize(opt_.depth);
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
    std::size_t g = opt_.first + k;
    try {
      source_->fill(opt_.epoch + g / per_epoch_, g % per_epoch_, slot.batch);
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

const Batch& Prefetcher::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (opt_.count != 0 && next_read_ >= opt_.count) fail("the prefetcher has produced all its batches");
  if (next_read_ != released_) fail("release() the previous batch before asking for the next");
  Slot& slot = ring_[next_read_ % opt_.depth];
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
