// Interrupts of long loops, without R: the caller of the core (the R bridge) installs a poll
// function with an InterruptHook for the duration of a call; loops of the core call
// gdl::check_interrupt() between pieces of work (a batch, a chunk of windows, a motif).
//
// - On the thread that installed the hook, check_interrupt() calls the poll at most every
//   kInterruptPollSeconds (the poll may be slow: R's runs R_ToplevelExec); when it returns true
//   the stop flag is raised and gdl::Interrupted thrown, which unwinds the core (RAII releases
//   everything) to the caller: the bridge turns it into R's interrupt; the trainer catches it to
//   stop after its last complete step.
// - Worker threads never call the poll (R is single-threaded). While workers run, the calling
//   thread of gdl::parallelize() polls instead; once the flag is up the workers' next
//   check_interrupt() throws, and parallelize throws gdl::Interrupted when they have all returned.
// Without a hook (the standalone build, Catch2), check_interrupt() only reads the stop flag.
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <utility>

#include "common/error.hpp"

namespace gdl {

constexpr double kInterruptPollSeconds = 0.05;

// Thrown in worker threads once the calling thread has seen an interrupt.
class Interrupted : public Error {
 public:
  Interrupted() : Error("interrupted") {}
};

namespace detail {
struct InterruptState {
  std::function<bool()> poll;                 // set and cleared by the owner only
  std::atomic<std::thread::id> owner{};
  std::atomic<bool> stop{false};
  std::chrono::steady_clock::time_point last{};
};
inline InterruptState& interrupt_state() {
  static InterruptState s;
  return s;
}
inline bool on_poll_thread() {
  auto& s = interrupt_state();
  return s.poll && s.owner.load(std::memory_order_relaxed) == std::this_thread::get_id();
}
// Calls the poll now (owner thread only); true (and the stop flag raised) on an interrupt.
inline bool poll_now() {
  auto& s = interrupt_state();
  s.last = std::chrono::steady_clock::now();
  if (s.poll()) s.stop.store(true);
  return s.stop.load();
}
}  // namespace detail

// Installs `poll` on this thread until the hook goes out of scope (nested hooks keep the outer).
class InterruptHook {
 public:
  explicit InterruptHook(std::function<bool()> poll) {
    auto& s = detail::interrupt_state();
    if (s.poll) return;  // an outer call already polls
    s.poll = std::move(poll);
    s.owner.store(std::this_thread::get_id());
    s.stop.store(false);
    s.last = std::chrono::steady_clock::now();
    owns_ = true;
  }
  ~InterruptHook() {
    if (!owns_) return;
    auto& s = detail::interrupt_state();
    s.poll = nullptr;
    s.owner.store(std::thread::id());
    s.stop.store(false);
  }
  InterruptHook(const InterruptHook&) = delete;
  InterruptHook& operator=(const InterruptHook&) = delete;

 private:
  bool owns_ = false;
};

// True once an interrupt has been seen (workers may poll this instead of throwing).
inline bool interrupt_requested() {
  return detail::interrupt_state().stop.load(std::memory_order_relaxed);
}

// The check of long loops: cheap (a flag read, a clock read on the polling thread).
inline void check_interrupt() {
  auto& s = detail::interrupt_state();
  if (s.stop.load(std::memory_order_relaxed)) throw Interrupted();
  if (!detail::on_poll_thread()) return;
  auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - s.last).count() < kInterruptPollSeconds) return;
  if (detail::poll_now()) throw Interrupted();
}

}  // namespace gdl
