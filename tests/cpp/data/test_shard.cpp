// ShardSource: rank r's batches are the source's batches g N + r, disjoint across ranks, and
// together those of one process reading batches of N x B (data/shard.hpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <set>

#include "common/error.hpp"
#include "data/array_source.hpp"
#include "data/shard.hpp"

using namespace gdl;

namespace {

// n samples of length 1 whose single target is the sample's index, so a batch names its samples.
std::shared_ptr<data::ArrayData> indexed(std::size_t n) {
  auto d = std::make_shared<data::ArrayData>();
  d->n = n;
  d->x_shape = {4, 1};
  d->x.assign(n * 4, 0.25f);
  d->target_shapes = {{1}};
  d->targets = {std::vector<float>(n)};
  for (std::size_t i = 0; i < n; ++i) d->targets[0][i] = static_cast<float>(i);
  return d;
}

std::shared_ptr<data::ArraySource> shuffled(std::shared_ptr<data::ArrayData> d, std::size_t batch) {
  data::ArraySourceOptions o;
  o.batch_size = batch;
  o.seed = 11;
  return std::make_shared<data::ArraySource>(d, o);
}

std::vector<float> samples(const data::BatchSource& s, std::size_t epoch, std::size_t i) {
  data::Batch b;
  s.fill(epoch, i, b);
  return b.targets[0];
}

}  // namespace

TEST_CASE("shards are disjoint, cover the epoch and match one process with N x B", "[data][shard]") {
  auto d = indexed(23);  // 7 full batches of 3 (and a partial one of 2, dropped)
  const std::size_t B = 3;
  for (int world : {1, 2, 3}) {
    auto local = shuffled(d, B);
    auto global = shuffled(d, B * static_cast<std::size_t>(world));
    std::vector<data::ShardSource> ranks;
    for (int r = 0; r < world; ++r) ranks.emplace_back(local, r, world);
    const std::size_t steps = (23 / B) / static_cast<std::size_t>(world);
    for (auto& s : ranks) REQUIRE(s.batches_per_epoch() == steps);
    for (std::size_t epoch : {0u, 1u}) {
      std::set<float> seen;
      for (std::size_t g = 0; g < steps; ++g) {
        std::vector<float> joined;
        for (const auto& s : ranks) {
          auto v = samples(s, epoch, g);
          REQUIRE(v.size() == B);
          joined.insert(joined.end(), v.begin(), v.end());
          for (float x : v) REQUIRE(seen.insert(x).second);  // no sample twice in an epoch
        }
        // global step g = batch g of one process reading N x B samples, in rank order
        REQUIRE(joined == samples(*global, epoch, g));
      }
      REQUIRE(seen.size() == steps * B * static_cast<std::size_t>(world));
    }
  }
  // epochs differ (the shuffle is per epoch), shards follow it
  data::ShardSource r0(shuffled(d, B), 0, 2);
  REQUIRE(samples(r0, 0, 0) != samples(r0, 1, 0));
}

TEST_CASE("a shard needs a batch per rank and a rank in range", "[data][shard]") {
  auto d = indexed(5);
  REQUIRE_THROWS_WITH(data::ShardSource(shuffled(d, 2), 0, 3), Catch::Contains("fewer than one per rank"));
  REQUIRE_THROWS_WITH(data::ShardSource(shuffled(d, 2), 2, 2), Catch::Contains("rank must be"));
  data::ShardSource ok(shuffled(d, 2), 1, 2);
  REQUIRE(ok.batches_per_epoch() == 1);
  REQUIRE_THROWS_AS(samples(ok, 0, 1), gdl::Error);
}
