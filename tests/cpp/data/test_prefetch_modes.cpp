// The prefetcher's synchronous mode (threads = 0) and base-code batches.
#include <catch2/catch.hpp>

#include <cstring>
#include <memory>
#include <vector>

#include "data/batch.hpp"
#include "data/prefetch.hpp"
#include "genome/bases.hpp"

using namespace gdl::data;

namespace {
// Batch i of epoch e: sequence bytes derived from (e, i); fills codes when asked, else x.
class SeqSource : public BatchSource {
 public:
  std::size_t batches_per_epoch() const override { return 10; }
  std::size_t batch_size() const override { return 4; }
  BatchShapes shapes() const override {
    BatchShapes s;
    s.x = {4, 16};
    s.targets = {{1}};
    s.codes = codes_ok;
    return s;
  }
  void fill(std::size_t epoch, std::size_t i, Batch& out) const override {
    out.size = 4;
    bool codes = out.want_codes && codes_ok;
    out.x.resize(codes ? 0 : 4 * 4 * 16);
    out.codes.resize(codes ? 4 * 16 : 0);
    out.targets.assign(1, std::vector<float>(4, static_cast<float>(epoch * 100 + i)));
    for (std::size_t k = 0; k < 4 * 16; ++k) {
      auto c = static_cast<std::uint8_t>((epoch + i + k) % 5);
      if (codes) out.codes[k] = c;
      else out.x[k] = c;  // stand-in: the test only compares batches
    }
  }
  std::string description() const override { return "seq"; }
  bool codes_ok = true;
};
}  // namespace

TEST_CASE("prefetcher: synchronous mode gives the threaded batches", "[data]") {
  SeqSource src;  // non-owning constructor: the source outlives the prefetchers
  for (bool codes : {false, true}) {
    PrefetchOptions sync, threaded;
    sync.threads = 0;
    threaded.threads = 2;
    sync.epoch = threaded.epoch = 1;
    sync.first = threaded.first = 7;
    sync.count = threaded.count = 12;
    sync.codes = threaded.codes = codes;
    Prefetcher a(src, sync), b(src, threaded);
    REQUIRE(a.depth() == 1);
    REQUIRE(a.codes() == codes);
    for (std::size_t k = 0; k < 12; ++k) {
      Batch& x = a.next();
      Batch& y = b.next();
      REQUIRE(has_codes(x) == codes);
      REQUIRE(x.targets[0] == y.targets[0]);
      REQUIRE(x.x == y.x);
      REQUIRE(x.codes == y.codes);
      REQUIRE(a.current_epoch() == 1 + (7 + k) / 10);
      a.release();
      b.release();
    }
    REQUIRE_THROWS(a.next());  // all produced
  }
}

TEST_CASE("prefetcher: codes are asked for only from sources that can give them", "[data]") {
  SeqSource src;
  src.codes_ok = false;
  PrefetchOptions po;
  po.threads = 1;
  po.count = 2;
  po.codes = true;
  Prefetcher p(src, po);
  REQUIRE_FALSE(p.codes());
  Batch& b = p.next();
  REQUIRE_FALSE(has_codes(b));
  REQUIRE(b.x.size() == 4 * 4 * 16);
  p.release();
  // a ring of codes holds L bytes per sample instead of 4 L floats
  SeqSource csrc;
  PrefetchOptions pc;
  pc.threads = 2;
  pc.count = 1;
  pc.codes = true;
  Prefetcher q(csrc, pc);
  REQUIRE(q.ring_bytes() == 4 * (4 * 16 + 4 * sizeof(float)));
}

TEST_CASE("base codes: A C G T (any case, U), 4 for N, IUPAC and other bytes", "[genome]") {
  const char s[] = "ACGTacgtUuNnRyK-*";
  std::vector<std::uint8_t> c(sizeof(s) - 1);
  gdl::genome::to_codes(s, c.size(), c.data());
  std::vector<std::uint8_t> want{0, 1, 2, 3, 0, 1, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4};
  REQUIRE(c == want);
}
