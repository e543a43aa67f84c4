// The prefetcher's ring: bounded (workers stay at most `depth` batches ahead of the consumer),
// preallocated (its buffers are reused, never reallocated), in order.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "data/batch.hpp"
#include "data/prefetch.hpp"

using namespace gdl::data;

namespace {
// Batch i of epoch e: x filled with e * 1000 + i; counts the fills.
class CountingSource : public BatchSource {
 public:
  std::size_t batches_per_epoch() const override { return 50; }
  std::size_t batch_size() const override { return 8; }
  BatchShapes shapes() const override {
    BatchShapes s;
    s.x = {4, 100};
    s.targets = {{3}};
    s.has_weights = true;
    s.weights = {};
    return s;
  }
  void fill(std::size_t epoch, std::size_t i, Batch& out) const override {
    ++fills;
    // a source that resizes like the generators do (a no-op on a preallocated buffer)
    out.size = 8;
    out.x.resize(8 * 400);
    out.targets.resize(1);
    out.targets[0].resize(8 * 3);
    out.weights.resize(8);
    std::fill(out.x.begin(), out.x.end(), static_cast<float>(epoch * 1000 + i));
  }
  std::string description() const override { return "counting"; }
  mutable std::atomic<int> fills{0};
};
}  // namespace

TEST_CASE("prefetcher: a bounded ring of preallocated buffers, filled ahead in order", "[data]") {
  auto src = std::make_shared<CountingSource>();
  PrefetchOptions po;
  po.threads = 3;
  po.depth = 4;
  po.epoch = 2;
  po.first = 48;  // crosses into epoch 3
  Prefetcher p(src, po);
  REQUIRE(p.depth() == 4);
  REQUIRE(p.ring_bytes() == 4 * (8 * 400 + 8 * 3 + 8) * sizeof(float));
  std::vector<const void*> buffers;
  for (std::size_t k = 0; k < 4; ++k) buffers.push_back(p.slot_data(k));
  // the consumer waits: the workers fill the ring and stop
  auto t0 = std::chrono::steady_clock::now();
  while (src->fills.load() < 4 && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(src->fills.load() == 4);
  for (std::size_t k = 0; k < 20; ++k) {
    const Batch& b = p.next();
    std::size_t g = 48 + k;
    REQUIRE(b.x[0] == static_cast<float>((2 + g / 50) * 1000 + g % 50));
    REQUIRE(p.current_epoch() == 2 + g / 50);
    REQUIRE(b.x.data() == buffers[k % 4]);  // the same buffers, reused
    p.release();
    REQUIRE(src->fills.load() <= static_cast<int>(k + 1 + 4));  // never more than depth ahead
  }
}
