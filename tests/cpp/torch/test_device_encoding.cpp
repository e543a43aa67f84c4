// Sequence sent to the device as base codes and one-hot encoded there, and mixed precision:
// both must leave the numbers a user sees unchanged (codes) or close (bfloat16).
#include "torch_catch.hpp"

#include <memory>
#include <random>
#include <string>

#include "data/batch.hpp"
#include "genome/bases.hpp"
#include "genome/onehot.hpp"
#include "nn/network.hpp"
#include "nn/network_impl.hpp"
#include "train/device_batch.hpp"
#include "train/precision.hpp"
#include "train/trainer.hpp"
#include "spec_helpers.hpp"

using namespace gdl;
using gdltest::layer;

namespace {

// Sequences with a planted GATAAG (label 1) or none (label 0), served like the generators
// serve them: one-hot x, or base codes when the consumer asks (Batch::want_codes).
class StringSource : public data::BatchSource {
 public:
  StringSource(std::size_t n, std::size_t len, unsigned seed, std::size_t batch)
      : len_(len), batch_(batch) {
    std::mt19937 rng(seed);
    for (std::size_t i = 0; i < n; ++i) {
      std::string s(len, 'A');
      for (auto& c : s) c = "ACGT"[rng() % 4];
      bool pos = rng() % 2;
      if (pos) s.replace(rng() % (len - 6), 6, "GATAAG");
      if (i % 7 == 0) s[rng() % len] = 'N';  // ambiguous bases travel as code 4
      seqs_.push_back(s);
      labels_.push_back(pos ? 1.0f : 0.0f);
    }
  }
  std::size_t batches_per_epoch() const override { return seqs_.size() / batch_; }
  std::size_t batch_size() const override { return batch_; }
  data::BatchShapes shapes() const override {
    data::BatchShapes s;
    s.x = {4, static_cast<std::int64_t>(len_)};
    s.targets = {{1}};
    s.codes = true;
    s.ambiguous = 0.25f;
    return s;
  }
  void fill(std::size_t epoch, std::size_t i, data::Batch& out) const override {
    out.size = batch_;
    out.x.resize(out.want_codes ? 0 : batch_ * 4 * len_);
    out.codes.resize(out.want_codes ? batch_ * len_ : 0);
    out.targets.assign(1, std::vector<float>(batch_));
    for (std::size_t k = 0; k < batch_; ++k) {
      std::size_t j = (i * batch_ + k + epoch * 13) % seqs_.size();  // a shift per epoch
      const std::string& s = seqs_[j];
      if (out.want_codes) genome::to_codes(s.data(), len_, out.codes.data() + k * len_);
      else genome::one_hot_ncl_f32(s.data(), len_, out.x.data() + k * 4 * len_, genome::Ambiguous::Quarter);
      out.targets[0][k] = labels_[j];
    }
  }
  std::string description() const override { return "strings"; }

 private:
  std::size_t len_, batch_;
  std::vector<std::string> seqs_;
  std::vector<float> labels_;
};

nn::ModelSpec motif_model(std::int64_t len) {
  nn::ModelSpec m;
  m.inputs = {{4, len}};
  m.layers = {layer("conv1d", {{"filters", 8}, {"kernel", 6}}, 0, {{"activation", "relu"}}),
              layer("global_maxpool1d", {}, 1),
              layer("dense", {{"units", 1}}, 2, {{"activation", "sigmoid"}})};
  m.outputs = {3};
  return m;
}

train::TrainOptions motif_options() {
  train::TrainOptions o;
  o.epochs = 6;
  o.learning_rate = 0.02;
  o.losses = {{"bce", 1.0, -1}};
  o.workers = 2;
  return o;
}

double accuracy(const train::Predictions& p) {
  double correct = 0;
  for (std::size_t i = 0; i < p.n; ++i) correct += (p.outputs[0][i] > 0.5f) == (p.targets[0][i] > 0.5f);
  return correct / static_cast<double>(p.n);
}

}  // namespace

TEST_CASE("base codes decoded on the device give the loader's one-hot", "[torch][encode]") {
  std::mt19937 rng(5);
  const std::string letters = "ACGTacgtuUNnRYKMSWBDHVrykm-*.";
  std::string s(3000, 'A');
  for (auto& c : s) c = letters[rng() % letters.size()];
  const auto L = static_cast<std::int64_t>(s.size());
  std::vector<std::uint8_t> codes(s.size());
  genome::to_codes(s.data(), s.size(), codes.data());
  for (auto amb : {genome::Ambiguous::Quarter, genome::Ambiguous::Zero}) {
    std::vector<float> want(4 * s.size());
    genome::one_hot_ncl_f32(s.data(), s.size(), want.data(), amb);
    auto t = torch::from_blob(codes.data(), {1, L}, torch::kUInt8);
    auto got = train::decode_codes(t, amb == genome::Ambiguous::Quarter ? 0.25f : 0.0f).contiguous();
    REQUIRE(got.sizes() == torch::IntArrayRef({1, 4, L}));
    REQUIRE(got.scalar_type() == torch::kFloat32);
    std::vector<float> v(got.data_ptr<float>(), got.data_ptr<float>() + got.numel());
    REQUIRE(v == want);
  }
  REQUIRE_THROWS_WITH(train::encode_on_device("gpu", torch::Device(torch::kCPU)),
                      Catch::Contains("unknown sequence encoding"));
  CHECK(!train::encode_on_device("auto", torch::Device(torch::kCPU)));
}

TEST_CASE("training on base codes encoded on the device gives the host-encoded model",
          "[torch][encode]") {
  StringSource train_src(320, 50, 21, 32), test_src(160, 50, 22, 32);
  std::vector<std::vector<float>> weights;
  std::vector<std::vector<float>> outputs;
  std::vector<double> losses;
  for (std::string encode : {"host", "device"}) {
    nn::Network net(motif_model(50), 3);
    auto o = motif_options();
    o.encode = encode;
    auto r = train::fit(net, train_src, &test_src, o, {});
    REQUIRE(r.history.size() == 6);
    losses.push_back(r.history.back().val_loss);
    weights.push_back(net.first_conv().weight);
    auto p = train::predict_source(net, test_src, "cpu", 0, 2, encode);
    REQUIRE(p.n == 160);
    CHECK(accuracy(p) > 0.85);
    outputs.push_back(p.outputs[0]);
    train::EvalOptions eo;
    eo.workers = 1;
    eo.encode = encode;
    auto e = train::evaluate(net, test_src, o.losses, "cpu", eo).losses;
    CHECK(e[0] == Approx(r.history.back().val_loss).epsilon(1e-6));
  }
  CHECK(weights[0] == weights[1]);
  CHECK(outputs[0] == outputs[1]);
  CHECK(losses[0] == losses[1]);
}

TEST_CASE("mixed precision (bfloat16 autocast on the CPU) learns and keeps float32 weights",
          "[torch][precision]") {
  StringSource train_src(320, 50, 31, 32), test_src(160, 50, 32, 32);
  nn::Network full(motif_model(50), 3), mixed(motif_model(50), 3);
  auto o = motif_options();
  auto r_full = train::fit(full, train_src, &test_src, o, {});
  o.mixed_precision = true;
  auto r_mixed = train::fit(mixed, train_src, &test_src, o, {});
  CHECK(r_mixed.loss_scale == 1.0);  // no loss scale with bfloat16
  CHECK(r_mixed.history.back().loss < r_mixed.history.front().loss);
  for (auto& p : mixed.impl().module->parameters()) CHECK(p.scalar_type() == torch::kFloat32);
  CHECK(accuracy(train::predict_source(mixed, test_src, "cpu", 0, 2)) > 0.85);
  // the first epoch starts from the same weights: bfloat16 (8 bits of mantissa) moves its loss
  // by a little, not by much
  CHECK(r_mixed.history.front().loss == Approx(r_full.history.front().loss).epsilon(0.05));
  // inside the scope the network computes in bfloat16; autocast is off again after it
  auto x = torch::rand({2, 4, 50});
  {
    train::AutocastScope scope(true, torch::Device(torch::kCPU));
    CHECK(mixed.impl().module->forward({x})[0].scalar_type() == torch::kBFloat16);
  }
  CHECK(mixed.impl().module->forward({x})[0].scalar_type() == torch::kFloat32);
}

TEST_CASE("loss scaling: exact without overflow, skips steps with inf gradients",
          "[torch][precision]") {
  StringSource src(128, 40, 41, 32);
  std::vector<std::vector<float>> weights;
  for (int scaling : {0, 1}) {
    nn::Network net(motif_model(40), 5);
    auto o = motif_options();
    o.epochs = 2;
    o.loss_scaling = scaling;
    auto r = train::fit(net, src, nullptr, o, {});
    CHECK(r.skipped_steps == 0);
    CHECK(r.loss_scale == (scaling ? 65536.0 : 1.0));
    weights.push_back(net.first_conv().weight);
  }
  // scaling by a power of two and back is exact in floating point
  CHECK(weights[0] == weights[1]);

  train::LossScaler s(true, 1024.0, 3);
  auto p = torch::ones({3}).set_requires_grad(true);
  p.mutable_grad() = torch::tensor({1024.0f, 2048.0f, std::numeric_limits<float>::infinity()});
  CHECK_FALSE(s.unscale({p}));
  CHECK(s.scale() == 512.0);
  for (int k = 0; k < 3; ++k) {
    p.mutable_grad() = torch::full({3}, 512.0f);
    CHECK(s.unscale({p}));
    CHECK(p.grad()[0].item<float>() == 1.0f);
  }
  CHECK(s.scale() == 1024.0);  // doubled after `interval` good steps
}
