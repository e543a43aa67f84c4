// Attributions: ISM, gradient x input, DeepLIFT / DeepSHAP (see attribution.hpp).
#include "interpret/attribution.hpp"
#include "common/interrupt.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/error.hpp"
#include "data/shuffle.hpp"
#include "interpret/deeplift_rule.hpp"
#include "interpret/fast_ism.hpp"
#include "interpret/attribution_impl.hpp"
#include "nn/activations.hpp"
#include "nn/network_impl.hpp"

namespace gdl {
namespace interpret {

namespace {

// Puts the module on the device in evaluation mode for the life of the object.
class EvalOn {
 public:
  EvalOn(nn::GraphModule& g, const torch::Device& dev) : g_(g), dev_(dev), training_(g.is_training()) {
    g_.eval();
    if (!dev_.is_cpu()) g_.to(dev_);
  }
  ~EvalOn() {
    if (!dev_.is_cpu()) g_.to(torch::kCPU);
    if (training_) g_.train();
  }
  EvalOn(const EvalOn&) = delete;
  EvalOn& operator=(const EvalOn&) = delete;

 private:
  nn::GraphModule& g_;
  torch::Device dev_;
  bool training_;
};

// The attributed scalar of each sample: output `output`, flattened index `task`.
torch::Tensor target(nn::GraphModule& g, const torch::Tensor& x, const AttributionOptions& opt,
                     bool paired = false) {
  auto outs = g.forward({x});
  return attributed_value(outs[static_cast<std::size_t>(opt.output)], opt, paired);
}

torch::Tensor from_host(const float* p, std::int64_t n, std::int64_t len, const torch::Device& dev) {
  auto t = torch::from_blob(const_cast<float*>(p), {n, 4, len}, torch::kFloat32);
  return dev.is_cpu() ? t.clone() : t.to(dev);
}

std::vector<double> to_doubles(const torch::Tensor& t) {
  auto c = t.to(torch::kCPU, torch::kFloat64).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

void copy_out(const torch::Tensor& t, float* dst) {
  auto c = t.to(torch::kCPU, torch::kFloat32).contiguous();
  std::memcpy(dst, c.data_ptr<float>(), sizeof(float) * static_cast<std::size_t>(c.numel()));
}

// ---- ISM --------------------------------------------------------------------------------------

// Every mutant through the whole network, `batch` mutants a pass.
void batched_ism(nn::GraphModule& g, const float* x, std::size_t n, std::size_t len,
                 const AttributionOptions& opt, const torch::Device& dev,
                 std::vector<double>& prediction, std::vector<double>& delta) {
  const std::size_t per = 4 * len, batch = std::max<std::size_t>(opt.batch, 1);
  c10::InferenceMode guard;
  // predictions of the sequences themselves
  prediction.resize(n);
  for (std::size_t b = 0; b < n; b += batch) {
    check_interrupt();
    auto m = std::min(batch, n - b);
    auto y = to_doubles(target(g, from_host(x + b * per, static_cast<std::int64_t>(m),
                                            static_cast<std::int64_t>(len), dev), opt));
    std::copy(y.begin(), y.end(), prediction.begin() + static_cast<std::ptrdiff_t>(b));
  }
  delta.assign(n * per, 0.0);
  // every (sequence, position, base) whose base differs from the input is one mutant
  std::vector<std::size_t> jobs;
  std::vector<float> buf(batch * per);
  auto flush = [&]() {
    if (jobs.empty()) return;
    check_interrupt();  // one forward pass of `batch` mutants between checks
    auto m = static_cast<std::int64_t>(jobs.size());
    auto y = to_doubles(target(g, from_host(buf.data(), m, static_cast<std::int64_t>(len), dev), opt));
    for (std::size_t k = 0; k < jobs.size(); ++k) {
      auto idx = jobs[k];  // i * per + b * len + l
      delta[idx] = y[k] - prediction[idx / per];
    }
    jobs.clear();
  };
  for (std::size_t i = 0; i < n; ++i) {
    const float* xi = x + i * per;
    for (std::size_t l = 0; l < len; ++l) {
      for (std::size_t b = 0; b < 4; ++b) {
        if (is_base(xi, len, l, b)) continue;
        float* dst = buf.data() + jobs.size() * per;
        std::memcpy(dst, xi, sizeof(float) * per);
        for (std::size_t c = 0; c < 4; ++c) dst[c * len + l] = c == b ? 1.0f : 0.0f;
        jobs.push_back(i * per + b * len + l);
        if (jobs.size() == batch) flush();
      }
    }
  }
  flush();
}

// ISM's scores from the differences d = f(mutant) - f(x) (n x 4 x L).
void ism_scores(const std::vector<double>& delta, const float* x, std::size_t n, std::size_t len,
                bool hypothetical, std::vector<float>& values) {
  const std::size_t per = 4 * len;
  values.resize(n * per);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t l = 0; l < len; ++l) {
      const double* d = delta.data() + i * per + l;
      double mean = (d[0] + d[len] + d[2 * len] + d[3 * len]) / 4;
      for (std::size_t c = 0; c < 4; ++c) {
        double h = d[c * len] - mean;
        auto at = i * per + c * len + l;
        values[at] = static_cast<float>(hypothetical ? h : h * x[at]);
      }
    }
}

void run_ism(const nn::Network& net, const float* x, std::size_t n, std::size_t len,
             const AttributionOptions& opt, const torch::Device& dev, Attribution& res) {
  std::vector<double> delta;
  auto obstacle = opt.fast_ism ? fast_ism_obstacle(net.spec(), opt.output) : std::string("off");
  if (obstacle.empty()) {
    fast_ism(net, x, n, opt, res.prediction, delta);
    res.ism_path = "fast";
  } else {
    batched_ism(*net.impl().module, x, n, len, opt, dev, res.prediction, delta);
    res.ism_path = "batched";
    if (opt.fast_ism) res.ism_fallback = obstacle;
  }
  ism_scores(delta, x, n, len, opt.hypothetical, res.values);
}

// ---- gradient x input ---------------------------------------------------------------------------

void run_saliency(nn::GraphModule& g, const float* x, std::size_t n, std::size_t len,
                  const AttributionOptions& opt, const torch::Device& dev, Attribution& res) {
  const std::size_t per = 4 * len, batch = std::max<std::size_t>(opt.batch, 1);
  res.values.resize(n * per);
  res.prediction.resize(n);
  torch::AutoGradMode on(true);
  for (std::size_t b = 0; b < n; b += batch) {
    check_interrupt();
    auto m = std::min(batch, n - b);
    auto xt = from_host(x + b * per, static_cast<std::int64_t>(m), static_cast<std::int64_t>(len), dev)
                  .requires_grad_(true);
    auto y = target(g, xt, opt);
    auto grad = torch::autograd::grad({y.sum()}, {xt})[0];
    auto out = opt.hypothetical ? grad : grad * xt.detach();
    copy_out(out, res.values.data() + b * per);
    auto yd = to_doubles(y.detach());
    std::copy(yd.begin(), yd.end(), res.prediction.begin() + static_cast<std::ptrdiff_t>(b));
  }
}

// ---- DeepLIFT / DeepSHAP ------------------------------------------------------------------------

void run_deeplift(nn::GraphModule& g, const float* x, std::size_t n, std::size_t len,
                  const AttributionOptions& opt, const torch::Device& dev, Attribution& res) {
  const std::size_t per = 4 * len, R = static_cast<std::size_t>(opt.n_refs);
  // sequences per pass: inputs and references, 2 R samples per sequence
  const std::size_t seqs = std::max<std::size_t>(1, opt.batch / (2 * R));
  res.values.resize(n * per);
  res.prediction.resize(n);
  res.reference.resize(n);
  res.gap.resize(n);
  // References are made one pass at a time: all of them at once (n x n_refs x 4 x L floats) took
  // ~1 GB and a second of allocation without an interrupt check for 3,000 sequences of 1 kb.
  torch::AutoGradMode on(true);
  DeepLiftScope scope;
  for (std::size_t b = 0; b < n; b += seqs) {
    check_interrupt();
    auto s = static_cast<std::int64_t>(std::min(seqs, n - b));
    auto L = static_cast<std::int64_t>(len);
    auto rr = static_cast<std::int64_t>(R);
    auto xs = from_host(x + b * per, s, L, dev);
    auto xr = xs.unsqueeze(1).expand({s, rr, 4, L}).reshape({s * rr, 4, L});
    auto refs = shuffled_references(x + b * per, static_cast<std::size_t>(s), len, opt.n_refs,
                                    opt.seed, b);
    auto rt = from_host(refs.data(), s * rr, L, dev);
    auto inp = torch::cat({xr, rt}, 0).requires_grad_(true);
    auto y = target(g, inp, opt, true);
    auto mult = torch::autograd::grad({y.narrow(0, 0, s * rr).sum()}, {inp})[0].narrow(0, 0, s * rr);
    torch::NoGradGuard no_grad;
    mult = mult.to(torch::kFloat64);
    auto r64 = rt.to(torch::kFloat64);
    // h[b, l] = m[b, l] - sum_c r[c, l] m[c, l], averaged over the references
    auto h = (mult - (r64 * mult).sum(1, true)).reshape({s, rr, 4, L}).mean(1);
    auto x64 = xs.to(torch::kFloat64);
    auto attr = x64 * h;
    copy_out(opt.hypothetical ? h : attr, res.values.data() + b * per);
    auto yd = y.detach();
    auto fx = yd.narrow(0, 0, s * rr).reshape({s, rr}).select(1, 0);
    auto fr = yd.narrow(0, s * rr, s * rr).reshape({s, rr}).mean(1);
    auto total = attr.sum({1, 2});
    auto gap = (total - (fx - fr)).abs();
    auto fxv = to_doubles(fx), frv = to_doubles(fr), gv = to_doubles(gap);
    for (std::int64_t i = 0; i < s; ++i) {
      auto at = b + static_cast<std::size_t>(i);
      res.prediction[at] = fxv[static_cast<std::size_t>(i)];
      res.reference[at] = frv[static_cast<std::size_t>(i)];
      res.gap[at] = gv[static_cast<std::size_t>(i)];
      res.max_gap = std::max(res.max_gap, gv[static_cast<std::size_t>(i)]);
      double scale = std::max(1.0, std::abs(fxv[static_cast<std::size_t>(i)] - frv[static_cast<std::size_t>(i)]));
      res.max_relative_gap = std::max(res.max_relative_gap, gv[static_cast<std::size_t>(i)] / scale);
    }
  }
}

}  // namespace

torch::Tensor attributed_value(const torch::Tensor& y, const AttributionOptions& opt, bool paired) {
  if (!opt.profile) return y.reshape({y.size(0), -1}).select(1, opt.task).to(torch::kFloat64);
  // (N, L, C) -> (N, L) for one track, (N, L * C) for all
  auto z = (opt.task >= 0 ? y.select(2, opt.task) : y.reshape({y.size(0), -1})).to(torch::kFloat64);
  auto zc = z - z.mean(1, true);
  auto w = torch::softmax(zc, 1).detach();
  if (paired) {
    auto n = w.size(0) / 2;
    w = torch::cat({w.narrow(0, 0, n), w.narrow(0, 0, n)}, 0);
  }
  return (zc * w).sum(1);
}

bool is_base(const float* x, std::size_t len, std::size_t l, std::size_t b) {
  for (std::size_t c = 0; c < 4; ++c)
    if (x[c * len + l] != (c == b ? 1.0f : 0.0f)) return false;
  return true;
}

Method parse_method(const std::string& name) {
  if (name == "ism") return Method::Ism;
  if (name == "saliency" || name == "gradient_x_input") return Method::Saliency;
  if (name == "deepliftshap" || name == "deeplift") return Method::DeepLiftShap;
  fail("unknown attribution method '", name, "' (use \"deepliftshap\", \"ism\" or \"saliency\")");
}

void check_attribution(const nn::Network& net, const AttributionOptions& opt) {
  auto ins = net.input_shapes();
  if (ins.size() != 1 || ins[0].size() != 2 || ins[0][0] != 4)
    fail("attributions need a model with one DNA input (length x 4); this one takes ", ins.size(),
         " input(s)", ins.size() == 1 && ins[0].size() == 2 ? " of " + std::to_string(ins[0][0]) + " channels" : "");
  auto outs = net.output_shapes();
  if (opt.output < 0 || static_cast<std::size_t>(opt.output) >= outs.size())
    fail("output ", opt.output + 1, " is out of range: the model has ", outs.size(), " output(s)");
  const auto& shape = outs[static_cast<std::size_t>(opt.output)];
  if (opt.profile) {
    if (shape.size() != 2)
      fail("profile attributions need a sequence output (length x tracks); output ", opt.output + 1,
           " is flat (", shape[0], " values): use task instead");
    if (opt.task < -1 || opt.task >= shape[1])
      fail("task ", opt.task + 1, " is out of range: output ", opt.output + 1, " has ", shape[1],
           " track(s) (0 for all together)");
  }
  auto size = nn::numel(shape);
  if (!opt.profile && (opt.task < 0 || opt.task >= size))
    fail("task ", opt.task + 1, " is out of range: output ", opt.output + 1, " has ", size,
         " value(s) per sequence");
  if (opt.method != Method::DeepLiftShap) return;
  if (opt.n_refs < 1) fail("DeepLIFT needs at least one reference per sequence");
  for (const auto& l : net.spec().layers) {
    if (l.type == "logsumexp")
      fail("DeepLIFT does not support layer '", l.name, "' (", l.type, "); use method \"ism\" or \"saliency\"");
    const auto& a = nn::activation_info(l.string("activation", "linear"), "layer '" + l.name + "'");
    if (!a.elementwise)
      fail("DeepLIFT does not support the ", a.name, " activation of layer '", l.name,
           "' (not elementwise); use method \"ism\" or \"saliency\", or a model without it");
  }
}

std::uint64_t reference_seed(std::uint64_t seed, std::size_t i, std::size_t r) {
  // splitmix64 of (seed, i, r): independent streams per sequence and reference
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ULL + (static_cast<std::uint64_t>(i) << 20) + r + 1;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::vector<float> shuffled_references(const float* x, std::size_t n, std::size_t len, int n_refs,
                                       std::uint64_t seed, std::size_t first) {
  static const char kLetters[] = "ACGT";
  const std::size_t per = 4 * len, R = static_cast<std::size_t>(std::max(n_refs, 0));
  std::vector<float> out(n * R * per, 0.0f);
  std::string seq(len, 'N'), tmp;
  for (std::size_t i = 0; i < n; ++i) {
    check_interrupt();  // n x n_refs shuffles take seconds for thousands of sequences
    const float* xi = x + i * per;
    for (std::size_t l = 0; l < len; ++l) {
      seq[l] = 'N';
      for (std::size_t c = 0; c < 4; ++c) {
        bool hot = xi[c * len + l] == 1.0f;
        for (std::size_t o = 0; o < 4 && hot; ++o)
          if (o != c && xi[o * len + l] != 0.0f) hot = false;
        if (hot) seq[l] = kLetters[c];
      }
    }
    for (std::size_t r = 0; r < R; ++r) {
      tmp = seq;
      data::dinucleotide_shuffle(&tmp[0], len, reference_seed(seed, first + i, r));
      float* dst = out.data() + (i * R + r) * per;
      for (std::size_t l = 0; l < len; ++l) {
        int c = tmp[l] == 'A' ? 0 : tmp[l] == 'C' ? 1 : tmp[l] == 'G' ? 2 : tmp[l] == 'T' ? 3 : -1;
        for (std::size_t k = 0; k < 4; ++k)
          dst[k * len + l] = c < 0 ? 0.25f : (static_cast<int>(k) == c ? 1.0f : 0.0f);
      }
    }
  }
  return out;
}

Attribution attribute(const nn::Network& net, const float* x, std::size_t n,
                      const AttributionOptions& opt) {
  check_attribution(net, opt);
  auto len = static_cast<std::size_t>(net.input_shapes()[0][1]);
  Attribution res;
  if (n == 0) return res;
  auto& g = *net.impl().module;
  auto dev = nn::torch_device(opt.device);
  EvalOn eval(g, dev);
  switch (opt.method) {
    case Method::Ism: run_ism(net, x, n, len, opt, dev, res); break;
    case Method::Saliency: run_saliency(g, x, n, len, opt, dev, res); break;
    case Method::DeepLiftShap: run_deeplift(g, x, n, len, opt, dev, res); break;
  }
  return res;
}

}  // namespace interpret
}  // namespace gdl
