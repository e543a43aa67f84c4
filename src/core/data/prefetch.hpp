// Prefetcher: worker threads fill batches of a BatchSource ahead of the consumer into a bounded
// ring of preallocated Batch buffers, delivered in order. Batch k of the run is batch
// (first + k) mod batches_per_epoch of epoch epoch0 + (first + k) / batches_per_epoch, so its content
// does not depend on the number of workers. With threads == 0 there are no workers: next()
// fills one buffer on the caller's thread (the synchronous baseline of bench/train.R).
// The generators' R handles, the training loop, evaluation and prediction all read through it.
//
//   Prefetcher p(source, {.threads = 2, .depth = 4});
//   for (std::size_t k = 0; k < n; ++k) { Batch& b = p.next(); ...; p.release(); }
#pragma once
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "data/batch.hpp"

namespace gdl {
namespace data {

struct PrefetchOptions {
  int threads = 2;          // worker threads; 0: fill synchronously in next()
  std::size_t depth = 0;    // ring size; 0: 2 x threads (1 when synchronous)
  std::size_t epoch = 0;    // epoch of the first batch
  std::size_t first = 0;    // index of the first batch within that epoch
  std::size_t count = 0;    // batches to produce; 0: until destroyed
  bool codes = false;       // ask for base codes (Batch::want_codes) when the source can
};

class Prefetcher {
 public:
  Prefetcher(std::shared_ptr<const BatchSource> source, PrefetchOptions options);
  // Non-owning: `source` must outlive the prefetcher.
  Prefetcher(const BatchSource& source, PrefetchOptions options);
  ~Prefetcher();
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  // The next batch in order (blocks until filled); valid until release(). Rethrows a worker's
  // exception. Mutable so that consumers can wrap its buffers without copying (from_blob).
  Batch& next();
  // Gives the current batch's buffer back to the workers.
  void release();
  // The (epoch, index) of the batch last returned by next().
  std::size_t current_epoch() const { return cur_epoch_; }
  std::size_t current_index() const { return cur_index_; }
  // Ring size and the bytes of its preallocated buffers (depth x one batch).
  std::size_t depth() const { return ring_.size(); }
  std::size_t ring_bytes() const;
  // The input buffer of ring slot k (to check that the buffers are reused, not reallocated).
  const void* slot_data(std::size_t k) const;
  // Whether the batches carry base codes (asked for, and the source can).
  bool codes() const { return codes_; }

 private:
  void work();
  struct Slot {
    Batch batch;
    std::size_t seq = 0;  // which batch of the run the slot holds
    bool ready = false;
  };
  void start();
  void fill(std::size_t k, Slot& slot);
  std::shared_ptr<const BatchSource> source_;
  PrefetchOptions opt_;
  std::size_t per_epoch_ = 0;
  bool codes_ = false;
  std::vector<Slot> ring_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::size_t next_claim_ = 0;   // next batch a worker takes
  std::size_t next_read_ = 0;    // next batch the consumer reads
  std::size_t released_ = 0;     // batches released by the consumer
  bool stop_ = false;
  std::exception_ptr error_;
  std::size_t cur_epoch_ = 0, cur_index_ = 0;
  std::vector<std::thread> workers_;
};

}  // namespace data
}  // namespace gdl
