// Catch2 tests of common/interrupt.hpp and its use by gdl::parallelize: the poll runs on the
// thread that installed the hook only, an interrupt reaches the workers through the stop flag,
// and the flag is cleared when the hook goes.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "common/interrupt.hpp"
#include "common/parallel.hpp"

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
}  // namespace

TEST_CASE("check_interrupt does nothing without a hook", "[interrupt]") {
  for (int i = 0; i < 1000; ++i) CHECK_NOTHROW(gdl::check_interrupt());
  CHECK_FALSE(gdl::interrupt_requested());
}

TEST_CASE("a serial loop stops at the first poll that reports an interrupt", "[interrupt]") {
  int polls = 0;
  auto start = Clock::now();
  {
    gdl::InterruptHook hook([&] {
      ++polls;
      return since(start) > 0.2;
    });
    auto run = [&] {
      for (;;) {
        gdl::check_interrupt();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    };
    CHECK_THROWS_AS(run(), gdl::Interrupted);
    CHECK(since(start) < 0.2 + 3 * gdl::kInterruptPollSeconds + 0.1);
    CHECK(polls >= 2);
    CHECK(gdl::interrupt_requested());
  }
  CHECK_FALSE(gdl::interrupt_requested());  // the hook's end clears the flag
  CHECK_NOTHROW(gdl::check_interrupt());
}

TEST_CASE("parallelize polls while its workers run and stops them", "[interrupt]") {
  std::atomic<int> worker_polls{0};
  std::thread::id caller = std::this_thread::get_id();
  bool poll_on_caller = true;
  auto start = Clock::now();
  gdl::InterruptHook hook([&] {
    poll_on_caller = poll_on_caller && std::this_thread::get_id() == caller;
    return since(start) > 0.3;
  });
  std::atomic<int> stopped{0};
  auto work = [&](int, std::size_t, std::size_t) {
    try {
      for (;;) {  // would run for ever without the interrupt
        gdl::check_interrupt();
        ++worker_polls;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    } catch (const gdl::Interrupted&) {
      ++stopped;
      throw;
    }
  };
  CHECK_THROWS_AS(gdl::parallelize(4, 4, work), gdl::Interrupted);
  CHECK(since(start) < 1.0);
  CHECK(stopped == 4);
  CHECK(poll_on_caller);
  CHECK(worker_polls > 0);
}

TEST_CASE("parallelize without an interrupt returns every chunk's work", "[interrupt]") {
  gdl::InterruptHook hook([] { return false; });
  std::vector<int> out(1000, 0);
  gdl::parallelize(out.size(), 3, [&](int, std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      gdl::check_interrupt();
      out[i] = static_cast<int>(i);
    }
  });
  for (std::size_t i = 0; i < out.size(); ++i) CHECK(out[i] == static_cast<int>(i));
}
