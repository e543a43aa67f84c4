// gdl::interpret attributions against analytic values (linear models), brute-force mutants (ISM)
// and DeepLIFT's summation-to-delta (nonlinear models).
#include "torch_catch.hpp"

#include <array>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "interpret/attribution.hpp"
#include "nn/network.hpp"
#include "spec_helpers.hpp"

using namespace gdl;
using gdltest::layer;
using gdltest::random_onehot;

namespace {

// Linear model: conv1d with 2 filters of width L (valid) -> flatten: f_t(x) = sum W_t x + b_t.
struct LinearModel {
  static constexpr std::size_t L = 12;
  nn::ModelSpec spec;
  std::unique_ptr<nn::Network> net;
  std::vector<float> w;  // 2 x 4 x L
  LinearModel() {
    spec.inputs = {{4, static_cast<std::int64_t>(L)}};
    spec.layers = {layer("conv1d", {{"filters", 2}, {"kernel", static_cast<double>(L)}}, 0),
                   layer("flatten", {}, 1)};
    spec.outputs = {2};
    net = std::make_unique<nn::Network>(spec, 3);
    w.resize(2 * 4 * L);
    for (std::size_t k = 0; k < w.size(); ++k) w[k] = static_cast<float>(std::sin(0.7 * k + 0.3));
    for (const auto& [key, shape] : net->parameter_shapes()) {
      if (key.find("weight") != std::string::npos) net->set_parameter(key, w);
      else net->set_parameter(key, {0.5f, -1.25f});
    }
  }
  double W(int task, std::size_t c, std::size_t l) const { return w[(task * 4 + c) * L + l]; }
};

// A nonlinear model: conv (relu) -> conv (tanh/sigmoid/...) -> global average -> dense (2 tasks).
std::unique_ptr<nn::Network> nonlinear_model(std::size_t len, const std::string& act2,
                                             const std::string& pool = "global_avgpool1d") {
  nn::ModelSpec spec;
  spec.inputs = {{4, static_cast<std::int64_t>(len)}};
  spec.layers = {
      layer("conv1d", {{"filters", 6}, {"kernel", 5}}, 0, {{"activation", "relu"}, {"init", "torch"}}),
      layer("conv1d", {{"filters", 4}, {"kernel", 3}}, 1, {{"activation", act2}, {"init", "torch"}}),
      layer(pool, {}, 2),
      layer("dense", {{"units", 2}}, 3, {{"init", "torch"}})};
  spec.outputs = {4};
  return std::make_unique<nn::Network>(spec, 11);
}

}  // namespace

TEST_CASE("attributions of a linear model equal its weights under each method's convention", "[torch]") {
  LinearModel m;
  const std::size_t n = 3, L = LinearModel::L, per = 4 * L;
  auto x = random_onehot(n, L, 7);
  interpret::AttributionOptions opt;
  opt.task = 1;
  opt.batch = 7;  // mutants straddle sequences
  const int t = 1;

  SECTION("ISM: x * (w - mean over bases of w)") {
    opt.method = interpret::Method::Ism;
    auto a = interpret::attribute(*m.net, x.data(), n, opt);
    opt.hypothetical = true;
    auto h = interpret::attribute(*m.net, x.data(), n, opt);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t l = 0; l < L; ++l) {
        double mean = (m.W(t, 0, l) + m.W(t, 1, l) + m.W(t, 2, l) + m.W(t, 3, l)) / 4;
        for (std::size_t c = 0; c < 4; ++c) {
          auto at = i * per + c * L + l;
          CHECK(h.values[at] == Approx(m.W(t, c, l) - mean).margin(1e-5));
          CHECK(a.values[at] == Approx(x[at] * (m.W(t, c, l) - mean)).margin(1e-5));
        }
      }
  }
  SECTION("gradient x input: x * w; hypothetical: w") {
    opt.method = interpret::Method::Saliency;
    auto a = interpret::attribute(*m.net, x.data(), n, opt);
    opt.hypothetical = true;
    auto h = interpret::attribute(*m.net, x.data(), n, opt);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t c = 0; c < 4; ++c)
        for (std::size_t l = 0; l < L; ++l) {
          auto at = i * per + c * L + l;
          CHECK(h.values[at] == Approx(m.W(t, c, l)).margin(1e-6));
          CHECK(a.values[at] == Approx(x[at] * m.W(t, c, l)).margin(1e-6));
        }
  }
  SECTION("DeepLIFT: x * (w - mean over references of w at the reference base), complete") {
    opt.method = interpret::Method::DeepLiftShap;
    opt.n_refs = 5;
    opt.seed = 42;
    auto refs = interpret::shuffled_references(x.data(), n, L, opt.n_refs, opt.seed);
    auto a = interpret::attribute(*m.net, x.data(), n, opt);
    opt.hypothetical = true;
    auto h = interpret::attribute(*m.net, x.data(), n, opt);
    for (std::size_t i = 0; i < n; ++i) {
      double fx = 0.0, fr = 0.0;
      for (std::size_t l = 0; l < L; ++l) {
        double base = 0.0;  // mean over references of w at the reference's base
        for (int r = 0; r < opt.n_refs; ++r)
          for (std::size_t c = 0; c < 4; ++c)
            base += refs[(i * opt.n_refs + r) * per + c * L + l] * m.W(t, c, l) / opt.n_refs;
        fr += base;
        for (std::size_t c = 0; c < 4; ++c) {
          auto at = i * per + c * L + l;
          fx += x[at] * m.W(t, c, l);
          CHECK(h.values[at] == Approx(m.W(t, c, l) - base).margin(1e-5));
          CHECK(a.values[at] == Approx(x[at] * (m.W(t, c, l) - base)).margin(1e-5));
        }
      }
      CHECK(a.prediction[i] == Approx(fx - 1.25).margin(1e-5));
      CHECK(a.reference[i] == Approx(fr - 1.25).margin(1e-5));
    }
    CHECK(a.max_gap < 1e-5);
    // the same seed, the same references and attributions; another seed, other ones
    auto b = interpret::attribute(*m.net, x.data(), n, opt);
    CHECK(b.values == h.values);
    opt.seed = 43;
    auto c = interpret::attribute(*m.net, x.data(), n, opt);
    CHECK(c.values != h.values);
  }
}

TEST_CASE("ISM equals single-mutation forward passes of a nonlinear model", "[torch]") {
  const std::size_t n = 2, L = 20, per = 4 * L;
  auto net = nonlinear_model(L, "tanh", "global_maxpool1d");
  auto x = random_onehot(n, L, 5);
  x[0 * per + 0 * L + 3] = x[0 * per + 1 * L + 3] = x[0 * per + 2 * L + 3] = x[0 * per + 3 * L + 3] = 0.25f;  // an N
  interpret::AttributionOptions opt;
  opt.method = interpret::Method::Ism;
  opt.task = 0;
  opt.hypothetical = true;
  opt.batch = 13;
  auto h = interpret::attribute(*net, x.data(), n, opt);
  auto base = net->predict({x.data()}, n, 8, "cpu")[0];  // n x 2
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(h.prediction[i] == Approx(base[i * 2]).margin(1e-5));
    for (std::size_t l = 0; l < L; ++l) {
      std::array<double, 4> d{};
      for (std::size_t b = 0; b < 4; ++b) {
        std::vector<float> mut(x.begin() + static_cast<std::ptrdiff_t>(i * per),
                               x.begin() + static_cast<std::ptrdiff_t>((i + 1) * per));
        for (std::size_t c = 0; c < 4; ++c) mut[c * L + l] = c == b ? 1.0f : 0.0f;
        d[b] = net->predict({mut.data()}, 1, 1, "cpu")[0][0] - base[i * 2];
      }
      double mean = (d[0] + d[1] + d[2] + d[3]) / 4;
      for (std::size_t b = 0; b < 4; ++b)
        CHECK(h.values[i * per + b * L + l] == Approx(d[b] - mean).margin(1e-5));
    }
  }
}

TEST_CASE("DeepLIFT sums to the difference from the references; gradient x input does not", "[torch]") {
  const std::size_t n = 4, L = 30, per = 4 * L;
  auto x = random_onehot(n, L, 9);
  for (std::string act : {"sigmoid", "tanh", "elu", "softplus", "exp"}) {
    auto net = nonlinear_model(L, act);
    interpret::AttributionOptions opt;
    opt.method = interpret::Method::DeepLiftShap;
    opt.task = 1;
    opt.n_refs = 8;
    opt.batch = 40;  // 2 sequences per pass
    auto a = interpret::attribute(*net, x.data(), n, opt);
    INFO(act);
    CHECK(a.max_relative_gap < 1e-4);
    for (std::size_t i = 0; i < n; ++i) {
      double sum = 0.0;
      for (std::size_t k = 0; k < per; ++k) sum += a.values[i * per + k];
      CHECK(sum == Approx(a.prediction[i] - a.reference[i]).margin(1e-4));
    }
    // gradient x input misses the same sums
    opt.method = interpret::Method::Saliency;
    auto s = interpret::attribute(*net, x.data(), n, opt);
    double miss = 0.0, scale = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      double sum = 0.0;
      for (std::size_t k = 0; k < per; ++k) sum += s.values[i * per + k];
      miss += std::abs(sum - (a.prediction[i] - a.reference[i]));
      scale += std::abs(a.prediction[i] - a.reference[i]);
    }
    CHECK(miss > 0.2 * scale);
  }
}

TEST_CASE("attribution inputs are checked", "[torch]") {
  LinearModel m;
  std::vector<float> x(4 * LinearModel::L, 0.25f);
  interpret::AttributionOptions opt;
  opt.task = 2;
  CHECK_THROWS_AS(interpret::attribute(*m.net, x.data(), 1, opt), Error);
  opt.task = 0;
  opt.output = 1;
  CHECK_THROWS_AS(interpret::attribute(*m.net, x.data(), 1, opt), Error);
  CHECK_THROWS_AS(interpret::parse_method("shap"), Error);
  CHECK(interpret::parse_method("ism") == interpret::Method::Ism);

  nn::ModelSpec spec;
  spec.inputs = {{4, 10}};
  spec.layers = {layer("flatten", {}, 0),
                 layer("dense", {{"units", 2}}, 1, {{"activation", "softmax"}})};
  spec.outputs = {2};
  nn::Network lse(spec, 1);
  interpret::AttributionOptions dl;
  std::vector<float> y(40, 0.25f);
  REQUIRE_THROWS_WITH(interpret::attribute(lse, y.data(), 1, dl), Catch::Contains("softmax"));
  dl.method = interpret::Method::Ism;  // ISM runs on any model
  CHECK(interpret::attribute(lse, y.data(), 1, dl).values.size() == 40);
}

TEST_CASE("DeepLIFT through LSTM and GRU layers (rescaled gates, Shapley products) sums to delta", "[torch]") {
  const std::size_t n = 3, L = 24, per = 4 * L;
  auto x = random_onehot(n, L, 5);
  for (const char* type : {"lstm", "gru"})
    for (double bidir : {0.0, 1.0}) {
      nn::ModelSpec spec;
      spec.inputs = {{4, static_cast<std::int64_t>(L)}};
      spec.layers = {layer("conv1d", {{"filters", 4}, {"kernel", 5}}, 0, {{"activation", "relu"}}),
                     layer("maxpool1d", {{"pool", 2}}, 1),
                     layer(type, {{"units", 6}, {"bidirectional", bidir}}, 2),
                     layer("dense", {{"units", 1}}, 3, {{"activation", "sigmoid"}})};
      spec.outputs = {4};
      nn::Network net(spec, 11);
      interpret::AttributionOptions opt;
      opt.method = interpret::Method::DeepLiftShap;
      opt.n_refs = 5;
      auto a = interpret::attribute(net, x.data(), n, opt);
      INFO(type << " bidirectional " << bidir);
      CHECK(a.max_relative_gap < 1e-4);
      for (std::size_t i = 0; i < n; ++i) {
        double sum = 0.0;
        for (std::size_t k = 0; k < per; ++k) sum += a.values[i * per + k];
        CHECK(sum == Approx(a.prediction[i] - a.reference[i]).margin(1e-5));
      }
      // the prediction is the network's own (the steps compute the fused layer's values)
      auto p = net.predict({x.data()}, n, 1, "cpu")[0];
      for (std::size_t i = 0; i < n; ++i) CHECK(a.prediction[i] == Approx(p[i]).margin(1e-5));
    }
}

TEST_CASE("shuffled references keep dinucleotide counts and the first and last bases", "[torch]") {
  const std::size_t n = 2, L = 50, per = 4 * L;
  auto x = random_onehot(n, L, 3);
  auto refs = interpret::shuffled_references(x.data(), n, L, 4, 1);
  REQUIRE(refs.size() == n * 4 * per);
  auto base = [&](const float* s, std::size_t l) {
    for (int c = 0; c < 4; ++c)
      if (s[static_cast<std::size_t>(c) * L + l] == 1.0f) return c;
    return -1;
  };
  bool differs = false;
  for (std::size_t i = 0; i < n; ++i) {
    const float* xi = x.data() + i * per;
    std::array<int, 16> want{};
    for (std::size_t l = 0; l + 1 < L; ++l) ++want[static_cast<std::size_t>(base(xi, l) * 4 + base(xi, l + 1))];
    for (std::size_t r = 0; r < 4; ++r) {
      const float* ri = refs.data() + (i * 4 + r) * per;
      std::array<int, 16> got{};
      for (std::size_t l = 0; l + 1 < L; ++l) ++got[static_cast<std::size_t>(base(ri, l) * 4 + base(ri, l + 1))];
      CHECK(got == want);
      CHECK(base(ri, 0) == base(xi, 0));
      CHECK(base(ri, L - 1) == base(xi, L - 1));
      for (std::size_t l = 0; l < L; ++l) differs = differs || base(ri, l) != base(xi, l);
    }
  }
  CHECK(differs);
}

TEST_CASE("profile outputs: softmax-weighted logits, complete DeepLIFT, ISM of the reduction", "[torch]") {
  const std::size_t n = 2, L = 24, per = 4 * L;
  nn::ModelSpec spec;
  spec.inputs = {{4, static_cast<std::int64_t>(L)}};
  spec.layers = {layer("conv1d", {{"filters", 5}, {"kernel", 5}}, 0,
                       {{"activation", "relu"}, {"padding", "same"}, {"init", "torch"}}),
                 layer("conv1d", {{"filters", 2}, {"kernel", 3}}, 1, {{"padding", "same"}, {"init", "torch"}})};
  spec.outputs = {2};
  nn::Network net(spec, 4);
  auto x = random_onehot(n, L, 21);
  // f = sum_l softmax(z - mean z)_l (z_l - mean z) over track `track` (-1: both) of x's profile
  auto reduce = [&](const std::vector<float>& prof, std::size_t i, int track) {
    std::vector<double> z;
    for (std::size_t l = 0; l < L; ++l)
      for (std::size_t c = 0; c < 2; ++c)
        if (track < 0 || static_cast<int>(c) == track) z.push_back(prof[(i * L + l) * 2 + c]);
    double mean = 0.0, norm = 0.0, f = 0.0;
    for (double v : z) mean += v / z.size();
    for (double v : z) norm += std::exp(v - mean);
    for (double v : z) f += std::exp(v - mean) / norm * (v - mean);
    return f;
  };
  for (int track : {1, -1}) {
    interpret::AttributionOptions opt;
    opt.profile = true;
    opt.task = track;
    opt.method = interpret::Method::DeepLiftShap;
    opt.n_refs = 6;
    auto a = interpret::attribute(net, x.data(), n, opt);
    CHECK(a.max_relative_gap < 1e-4);
    auto prof = net.predict({x.data()}, n, 8, "cpu")[0];  // n x L x 2
    for (std::size_t i = 0; i < n; ++i) CHECK(a.prediction[i] == Approx(reduce(prof, i, track)).margin(1e-5));
    opt.method = interpret::Method::Ism;
    opt.hypothetical = true;
    auto h = interpret::attribute(net, x.data(), n, opt);
    for (std::size_t l : {0u, 11u, 23u})
      for (std::size_t b = 0; b < 4; ++b) {
        std::array<double, 4> d{};
        for (std::size_t bb = 0; bb < 4; ++bb) {
          std::vector<float> mut(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(per));
          for (std::size_t c = 0; c < 4; ++c) mut[c * L + l] = c == bb ? 1.0f : 0.0f;
          d[bb] = reduce(net.predict({mut.data()}, 1, 1, "cpu")[0], 0, track) - reduce(prof, 0, track);
        }
        double mean = (d[0] + d[1] + d[2] + d[3]) / 4;
        CHECK(h.values[b * L + l] == Approx(d[b] - mean).margin(1e-5));
      }
  }
  interpret::AttributionOptions bad;
  bad.profile = true;
  bad.task = 2;
  CHECK_THROWS_AS(interpret::attribute(net, x.data(), n, bad), Error);
  LinearModel lm;  // a flat output has no profile
  bad.task = 0;
  CHECK_THROWS_AS(interpret::attribute(*lm.net, x.data(), 1, bad), Error);
}
