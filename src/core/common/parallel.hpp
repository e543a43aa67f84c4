// gdl::parallelize: the single hook through which all parallel work of the core runs.
// Work items [0, n) are split into contiguous chunks, one per thread; fn(thread, begin, end) is
// called once per chunk. Exceptions thrown by any worker are rethrown on the calling thread
// (the first one wins), so a gdl::Error in a worker reaches R as an R error.
// Results must not depend on the number of threads: callers give each item its own seed or
// output slot, never a shared running state.
// Interrupts (common/interrupt.hpp): while the workers run, the calling thread serves the
// interrupt poll every kInterruptPollSeconds; an interrupt stops the workers at their next
// check_interrupt() and becomes gdl::Interrupted here once they have all returned.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/interrupt.hpp"

namespace gdl {

// Number of threads to use when the caller passes 0: hardware concurrency, at least 1.
inline int default_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

template <typename Fn>
void parallelize(std::size_t n, int threads, Fn&& fn) {
  if (threads <= 0) threads = default_threads();
  if (n == 0) return;
  std::size_t nt = std::min<std::size_t>(static_cast<std::size_t>(threads), n);
  if (nt == 1) {
    fn(0, std::size_t{0}, n);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(nt);
  std::exception_ptr first_error;
  std::mutex error_mutex;
  std::mutex done_mutex;
  std::condition_variable done_cv;
  std::size_t done = 0;
  std::size_t chunk = n / nt, extra = n % nt, begin = 0;
  for (std::size_t t = 0; t < nt; ++t) {
    std::size_t end = begin + chunk + (t < extra ? 1 : 0);
    pool.emplace_back([&, t, begin, end] {
      try {
        fn(static_cast<int>(t), begin, end);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!first_error) first_error = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(done_mutex);
      ++done;
      done_cv.notify_one();
    });
    begin = end;
  }
  bool interrupted = false;
  if (detail::on_poll_thread()) {
    const auto wait = std::chrono::duration<double>(kInterruptPollSeconds);
    std::unique_lock<std::mutex> lock(done_mutex);
    while (done < nt && !interrupted) {
      if (done_cv.wait_for(lock, wait, [&] { return done == nt; })) break;
      lock.unlock();
      interrupted = detail::poll_now();  // raises the flag the workers read
      lock.lock();
    }
  }
  for (auto& th : pool) th.join();
  if (interrupted) throw Interrupted();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace gdl
