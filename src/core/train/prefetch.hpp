// Prefetcher: worker threads fill the batches of one epoch, in order, into a ring of `depth`
// buffers while the trainer consumes them. With workers == 0 batches are filled synchronously
// on the caller's thread (the baseline of bench/train.R). Torch-free.
#pragma once
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "data/batch.hpp"

namespace gdl {
namespace train {

class Prefetcher {
 public:
  // Batches `first` .. `first + count - 1` of `epoch` (indexes modulo batches_per_epoch()).
  Prefetcher(const data::BatchSource& source, std::size_t epoch, std::size_t first,
             std::size_t count, int workers, std::size_t depth = 4)
      : source_(source), epoch_(epoch), first_(first), count_(count),
        depth_(depth < 1 ? 1 : depth), slots_(depth_), ready_(depth_, false) {
    if (workers <= 0) return;
    for (int w = 0; w < workers; ++w) threads_.emplace_back([this] { work(); });
  }
  ~Prefetcher() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  // The k-th batch (k counts from 0 in consumption order); valid until release().
  data::Batch& next(std::size_t k) {
    if (threads_.empty()) {
      source_.fill(epoch_, index(k), slots_[0]);
      return slots_[0];
    }
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return ready_[k % depth_] || error_; });
    if (error_) std::rethrow_exception(error_);
    return slots_[k % depth_];
  }
  // Hands the buffer of batch k back to the workers.
  void release(std::size_t k) {
    if (threads_.empty()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ready_[k % depth_] = false;
      consumed_ = k + 1;
    }
    cv_.notify_all();
  }

 private:
  std::size_t index(std::size_t k) const { return (first_ + k) % source_.batches_per_epoch(); }
  void work() {
    for (;;) {
      std::size_t k;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        if (next_ >= count_ || stop_) return;
        k = next_++;
        cv_.wait(lock, [&] { return stop_ || k < consumed_ + depth_; });
        if (stop_) return;
      }
      try {
        data::Batch& b = slots_[k % depth_];
        source_.fill(epoch_, index(k), b);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!error_) error_ = std::current_exception();
        cv_.notify_all();
        return;
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ready_[k % depth_] = true;
      }
      cv_.notify_all();
    }
  }

  const data::BatchSource& source_;
  std::size_t epoch_, first_, count_, depth_;
  std::vector<data::Batch> slots_;
  std::vector<bool> ready_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::size_t next_ = 0, consumed_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

}  // namespace train
}  // namespace gdl
