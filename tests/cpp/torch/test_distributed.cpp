// Data-parallel training on c10d (train/distributed.hpp): two threads of this process as two
// ranks over a TCPStore and Gloo on loopback. Collectives, faults (a rendezvous that times out,
// a peer that leaves) and fit() on two ranks of batch B against one process of batch 2 B.
#include "torch_catch.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <random>
#include <thread>

#include "common/error.hpp"
#include "data/array_source.hpp"
#include "data/shard.hpp"
#include "nn/network.hpp"
#include "spec_helpers.hpp"
#include "train/distributed.hpp"
#include "train/trainer.hpp"

using namespace gdl;
using gdltest::layer;

namespace {

// A port no one listens on now (bound to 0 and released), so that parallel runs do not collide.
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  close(fd);
  return ntohs(a.sin_port);
}

train::DistributedOptions options(int rank, int world, int port, double timeout = 20) {
  train::DistributedOptions o;
  o.rank = rank;
  o.world_size = world;
  o.master_port = port;
  o.timeout = timeout;
  return o;
}

// Runs fn(rank) on `world` threads; exceptions come back as messages ("" when none).
std::vector<std::string> on_ranks(int world, const std::function<void(int)>& fn) {
  std::vector<std::string> errors(static_cast<std::size_t>(world));
  std::vector<std::thread> threads;
  for (int r = 0; r < world; ++r)
    threads.emplace_back([&, r] {
      try {
        fn(r);
      } catch (const std::exception& e) {
        errors[static_cast<std::size_t>(r)] = e.what();
      }
    });
  for (auto& t : threads) t.join();
  return errors;
}

bool have_gloo() {
  auto b = train::distributed_backends();
  return std::find(b.begin(), b.end(), "gloo") != b.end();
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

TEST_CASE("process group: gradients averaged in one buffer, sums, broadcast", "[torch][distributed]") {
  if (!have_gloo()) {
    WARN("skipped: built without c10d's Gloo headers (libgloo-dev)");
    return;
  }
  const int port = free_port();
  std::vector<std::vector<double>> got(2);
  auto errors = on_ranks(2, [&](int r) {
    train::ProcessGroup g(options(r, 2, port));
    REQUIRE(g.backend() == "gloo");
    auto w = torch::zeros({2, 3}).set_requires_grad(true);
    auto b = torch::zeros({3}).set_requires_grad(true);
    auto unused = torch::zeros({4}).set_requires_grad(true);  // no gradient: left alone
    w.mutable_grad() = torch::full({2, 3}, 1.0 + r);
    b.mutable_grad() = torch::arange(3, torch::kFloat32) * (r + 1);
    g.average_gradients({w, unused, b});
    std::vector<double> v{1.0 + r, 10.0};
    g.allreduce(v, false);
    auto state = torch::full({2}, static_cast<double>(r), torch::kFloat64);
    auto count = torch::full({1}, static_cast<std::int64_t>(5 + r), torch::kLong);
    g.broadcast({state, count}, 1);
    g.barrier();
    got[static_cast<std::size_t>(r)] = {w.grad()[1][2].item<double>(), b.grad()[2].item<double>(),
                                        unused.grad().defined() ? 1.0 : 0.0, v[0], v[1],
                                        state[0].item<double>(), static_cast<double>(count[0].item<std::int64_t>())};
  });
  REQUIRE(errors == std::vector<std::string>{"", ""});
  for (const auto& v : got) REQUIRE(v == std::vector<double>{1.5, 3.0, 0.0, 3.0, 20.0, 1.0, 6.0});
}

TEST_CASE("process group: a rank that never comes or leaves is an error, within the timeout",
          "[torch][distributed]") {
  if (!have_gloo()) {
    WARN("skipped: built without c10d's Gloo headers (libgloo-dev)");
    return;
  }
  for (int rank : {0, 1}) {
    auto start = std::chrono::steady_clock::now();
    REQUIRE_THROWS_WITH(train::ProcessGroup(options(rank, 2, free_port(), 1.5)),
                        Catch::Contains("rank " + std::to_string(rank) + " of 2") &&
                            Catch::Contains("rendezvous"));
    REQUIRE(seconds_since(start) < 4);
  }
  // rank 1 leaves after one collective; rank 0's second one fails at once, naming it
  const int port = free_port();
  auto start = std::chrono::steady_clock::now();
  auto errors = on_ranks(2, [&](int r) {
    train::ProcessGroup g(options(r, 2, port, 10));
    std::vector<double> v{1};
    g.allreduce(v, false);
    if (r == 0) g.allreduce(v, false);
  });
  REQUIRE(errors[1].empty());
  REQUIRE_THAT(errors[0], Catch::Contains("rank 0 of 2") && Catch::Contains("all-reduce failed"));
  REQUIRE(seconds_since(start) < 8);
  REQUIRE_THROWS_WITH(train::resolve_backend("mpi", "cpu"), Catch::Contains("unknown distributed backend"));
  REQUIRE(train::resolve_backend("auto", "cpu") == "gloo");
  REQUIRE_THROWS_AS(train::ProcessGroup(options(2, 2, port)), gdl::Error);
}

TEST_CASE("fit on 2 ranks of batch B equals one process of batch 2 B", "[torch][distributed]") {
  if (!have_gloo()) {
    WARN("skipped: built without c10d's Gloo headers (libgloo-dev)");
    return;
  }
  at::set_num_threads(1);
  // 64 random one-hot sequences of length 12, label: the first base is A or C
  auto d = std::make_shared<data::ArrayData>();
  d->n = 64;
  d->x_shape = {4, 12};
  d->x.assign(64 * 4 * 12, 0.0f);
  d->targets = {std::vector<float>(64)};
  d->target_shapes = {{1}};
  std::mt19937 rng(5);
  for (std::size_t i = 0; i < 64; ++i)
    for (std::size_t l = 0; l < 12; ++l) {
      auto b = static_cast<std::size_t>(rng() % 4);
      d->x[i * 48 + b * 12 + l] = 1;
      if (l == 0) d->targets[0][i] = b < 2 ? 1.0f : 0.0f;
    }
  nn::ModelSpec m;
  m.inputs = {{4, 12}};
  m.layers = {layer("conv1d", {{"filters", 6}, {"kernel", 3}}, 0, {{"activation", "relu"}}),
              layer("flatten", {}, 1), layer("dense", {{"units", 1}}, 2, {{"activation", "sigmoid"}})};
  m.outputs = {3};
  auto source = [&](std::size_t batch) {
    data::ArraySourceOptions o;
    o.batch_size = batch;
    o.seed = 3;
    return std::make_shared<data::ArraySource>(d, o);
  };
  train::TrainOptions o;
  o.epochs = 2;
  o.steps_per_epoch = 3;
  o.losses = {{"bce", 1.0, -1}};
  o.workers = 1;
  o.learning_rate = 0.05;
  o.metrics = {"mse"};
  nn::Network single(m, 7);
  auto big = source(8);
  auto ref = train::fit(single, *big, nullptr, o, {});
  std::vector<std::unique_ptr<nn::Network>> nets;
  for (int r = 0; r < 2; ++r) nets.push_back(std::make_unique<nn::Network>(m, 100 + r));  // unequal
  std::vector<train::TrainResult> results(2);
  const int port = free_port();
  auto small = source(4);
  // rank 0's initial weights are those of `single`; rank 1's differ until the broadcast
  nets[0]->load_state(nn::Network(m, 7).save_state());
  auto errors = on_ranks(2, [&](int r) {
    train::ProcessGroup g(options(r, 2, port));
    data::ShardSource shard(small, r, 2);
    auto ro = o;
    ro.distributed = &g;
    results[static_cast<std::size_t>(r)] = train::fit(*nets[static_cast<std::size_t>(r)], shard, nullptr, ro, {});
  });
  REQUIRE(errors == std::vector<std::string>{"", ""});
  auto a = train::replica_state(single);
  double moved = 0;
  for (int r = 0; r < 2; ++r) {
    auto b = train::replica_state(*nets[static_cast<std::size_t>(r)]);
    REQUIRE(b.size() == a.size());
    auto init = train::replica_state(nn::Network(m, 7));
    for (std::size_t k = 0; k < a.size(); ++k) {
      REQUIRE(a[k].first == b[k].first);
      float scale = 0;
      for (float v : a[k].second) scale = std::max(scale, std::abs(v));
      for (std::size_t i = 0; i < a[k].second.size(); ++i) {
        REQUIRE(std::abs(a[k].second[i] - b[k].second[i]) <= 1e-5 * scale);
        moved = std::max(moved, static_cast<double>(std::abs(a[k].second[i] - init[k].second[i])));
      }
    }
    const auto& h = results[static_cast<std::size_t>(r)].history;
    REQUIRE(h.size() == 2);
    for (std::size_t e = 0; e < 2; ++e) {
      CHECK(h[e].samples == ref.history[e].samples);  // 3 steps x 8 samples, over both ranks
      CHECK(h[e].loss == Approx(ref.history[e].loss).epsilon(1e-5));
      CHECK(h[e].metrics[0][0] == Approx(ref.history[e].metrics[0][0]).epsilon(1e-5));
    }
  }
  REQUIRE(moved > 1e-3);  // training moved the weights far more than the tolerance
}
