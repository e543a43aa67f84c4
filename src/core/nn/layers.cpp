// The layers of GenomicDL networks, one module per layer spec (see layers.hpp; the graph that
// connects them is nn/network.cpp). Every layer works on channels-first sequence tensors
// (N, C, L) or flat tensors (N, F); LSTM/GRU/Dense transpose internally as Keras' layers do.
// Activations and max pooling consult the thread's forward rule (nn/forward_rule.hpp), through
// which DeepLIFT rewrites their gradients.
//
// Parameters by layer type (defaults in brackets):
//   conv1d / conv_transpose1d: filters, kernel, stride [1], dilation [1], bias [1],
//     padding: str "valid" | "same" | "full" or num pad (each side) [valid], pad_value [0]
//     (value of the padded positions, e.g. 0.25 for DeepBind's N padding), activation [linear]
//   maxpool1d / avgpool1d: pool, stride [pool]            (Keras "valid" pooling)
//   global_maxpool1d / global_avgpool1d                    (N, C, L) -> (N, C)
//   dropout: rate;  batchnorm: eps [1e-5], momentum [0.1]
//   lstm / gru: units, bidirectional [0], return_sequences [0]
//   dense: units, bias [1], activation [linear]          (on (N, C, L): per position over C)
//   flatten                                                (N, C, L) -> (N, L*C), Keras order
//   reshape: ints shape (Keras layout: (L, C) or (F))
//   activation: activation (names: nn/activations.hpp), threshold [1e-6] for "threshold"
//     (DeepSEA's Threshold(0, 1e-6))
//   add, concatenate (sequences centre-cropped to the shortest), crop: length (centre crop),
//   logsumexp (elementwise over the inputs, in float64)
// Initialisation (conv1d, conv_transpose1d, dense, lstm, gru): init ["glorot_uniform"] gives
// Keras' defaults -- glorot_uniform kernels, orthogonal recurrent kernels, zero biases (LSTM:
// forget-gate bias 1, Keras' unit_forget_bias); init "torch" keeps LibTorch's defaults
// (kaiming_uniform(a = sqrt(5)) kernels and uniform(+-1/sqrt(fan_in)) biases).
#include "nn/layers.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "common/error.hpp"
#include "nn/blas.hpp"
#include "nn/forward_rule.hpp"

namespace gdl {
namespace nn {

namespace F = torch::nn::functional;

namespace {

thread_local const ForwardRule* current_rule = nullptr;

// The activation of a layer: its entry in the table, checked when the layer is built.
const ActivationInfo& activation_of(const LayerSpec& s) {
  return activation_info(s.string("activation", "linear"), "layer '" + s.name + "'");
}

// activate() as the layers run it: through the thread's forward rule for tensors with gradients.
torch::Tensor activate_layer(const ActivationInfo& a, const torch::Tensor& x, double threshold) {
  if (a.kind == Activation::Linear) return x;
  if (current_rule && x.requires_grad()) return current_rule->activation(a, x, threshold);
  return activate(a.kind, x, threshold);
}

// activate_layer() on a tensor that nothing else holds yet (the fresh output of a convolution or
// a dense layer): ReLU in place, saving an allocation and a pass over memory per layer (autograd
// allows it: the backward of convolutions and matrix products does not read their output).
torch::Tensor activate_fresh(const ActivationInfo& a, torch::Tensor x, double threshold) {
  if (a.kind == Activation::Relu && !(current_rule && x.requires_grad())) return torch::relu_(x);
  return activate_layer(a, x, threshold);
}

// Max pooling as the layers run it (pool = 0: global, the length kept as 1).
torch::Tensor max_pool(const torch::Tensor& x, std::int64_t pool, std::int64_t stride) {
  if (current_rule && x.requires_grad()) return current_rule->max_pool(x, pool, stride);
  if (pool == 0) return std::get<0>(x.max(2, /*keepdim=*/true));
  return F::max_pool1d(x, F::MaxPool1dFuncOptions(pool).stride(stride));
}

std::int64_t positive(const LayerSpec& s, const std::string& key) {
  auto it = s.num.find(key);
  if (it == s.num.end()) fail("layer '", s.name, "' (", s.type, ") needs '", key, "'");
  if (!(it->second >= 1) || it->second != std::floor(it->second))
    fail("layer '", s.name, "': '", key, "' must be a positive integer, not ", it->second);
  return static_cast<std::int64_t>(it->second);
}

bool flag(const LayerSpec& s, const std::string& key, bool fallback) {
  return s.number(key, fallback ? 1.0 : 0.0) != 0.0;
}

// Keras' initialisation of a kernel (glorot_uniform over (fan_in + fan_out), the same for
// LibTorch's (out, in, k), (in, out, k) and (out, in) layouts) and a zero bias.
void keras_init(const LayerSpec& s, torch::Tensor weight, torch::Tensor bias) {
  auto init = s.string("init", "glorot_uniform");
  if (init == "torch") return;
  if (init != "glorot_uniform")
    fail("layer '", s.name, "': init must be \"glorot_uniform\" (Keras) or \"torch\", not \"", init, "\"");
  torch::NoGradGuard no_grad;
  torch::nn::init::xavier_uniform_(weight);
  if (bias.defined()) bias.zero_();
}

// Keras' LSTM / GRU initialisation: glorot_uniform input kernels, orthogonal recurrent
// kernels (per gate block, as Keras draws one (units, gates * units) orthogonal matrix),
// zero biases and, for the LSTM, a forget-gate bias of 1 (LibTorch gate order i, f, g, o).
void keras_init_recurrent(const LayerSpec& s, torch::nn::Module& rnn, std::int64_t units,
                          bool lstm) {
  auto init = s.string("init", "glorot_uniform");
  if (init == "torch") return;
  if (init != "glorot_uniform")
    fail("layer '", s.name, "': init must be \"glorot_uniform\" (Keras) or \"torch\", not \"", init, "\"");
  torch::NoGradGuard no_grad;
  for (auto& p : rnn.named_parameters()) {
    const auto& key = p.key();
    auto t = p.value();
    if (key.rfind("weight_ih", 0) == 0) {
      torch::nn::init::xavier_uniform_(t);
    } else if (key.rfind("weight_hh", 0) == 0) {
      // Keras: orthogonal (units, gates * units), i.e. rows of the transposed block orthonormal
      auto q = torch::empty({t.size(1), t.size(0)});
      torch::nn::init::orthogonal_(q);
      t.copy_(q.t());
    } else if (key.rfind("bias", 0) == 0) {
      t.zero_();
      if (lstm && key.rfind("bias_ih", 0) == 0) t.narrow(0, units, units).fill_(1.0);
    }
  }
}

void need_sequence(const LayerSpec& s, const Shape& in) {
  if (in.size() != 2)
    fail("layer '", s.name, "' (", s.type, ") needs a sequence input (length x channels), not a ",
         "flat one of ", numel(in), " features; remove the flatten/dense layer before it");
}

torch::Tensor centre_crop(const torch::Tensor& x, std::int64_t len) {
  auto L = x.size(2);
  if (L == len) return x;
  auto left = (L - len) / 2;
  return x.narrow(2, left, len);
}

// ---- layers ------------------------------------------------------------------------------

struct ConvLayer : LayerModule {
  torch::nn::Conv1d conv{nullptr};
  torch::nn::ConvTranspose1d tconv{nullptr};
  std::int64_t pad_left = 0, pad_right = 0;
  double pad_value = 0;
  const ActivationInfo* act = nullptr;
  ConvLayer(const LayerSpec& s, const Shape& in, bool transpose) {
    auto geo = conv_geometry(s, in, transpose);
    auto filters = positive(s, "filters"), k = geo.kernel, stride = geo.stride, dil = geo.dilation;
    bool bias = flag(s, "bias", true);
    act = &activation_of(s);
    pad_value = geo.pad_value;
    pad_left = geo.pad_left;
    pad_right = geo.pad_right;
    if (transpose) {
      tconv = register_module("conv", torch::nn::ConvTranspose1d(
                                          torch::nn::ConvTranspose1dOptions(in[0], filters, k)
                                              .stride(stride)
                                              .dilation(dil)
                                              .padding(pad_left)
                                              .bias(bias)));
      keras_init(s, tconv->weight, bias ? tconv->bias : torch::Tensor());
      pad_left = pad_right = 0;
    } else {
      bool symmetric = pad_left == pad_right && pad_value == 0.0;
      conv = register_module("conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(in[0], filters, k)
                                                           .stride(stride)
                                                           .dilation(dil)
                                                           .padding(symmetric ? pad_left : 0)
                                                           .bias(bias)));
      keras_init(s, conv->weight, bias ? conv->bias : torch::Tensor());
      if (symmetric) pad_left = pad_right = 0;
    }
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    auto x = in[0];
    if (pad_left || pad_right)
      x = F::pad(x, F::PadFuncOptions({pad_left, pad_right}).value(pad_value));
    x = conv ? conv->forward(x) : tconv->forward(x);
    return activate_fresh(*act, x, 1e-6);
  }
};

struct PoolLayer : LayerModule {
  std::int64_t pool, stride;
  bool max;
  PoolLayer(const LayerSpec& s, const Shape& in, bool is_max) : max(is_max) {
    need_sequence(s, in);
    pool = positive(s, "pool");
    stride = static_cast<std::int64_t>(s.number("stride", static_cast<double>(pool)));
    if (stride < 1) fail("layer '", s.name, "': stride must be >= 1");
    if (in[1] < pool)
      fail("layer '", s.name, "': pool size ", pool, " is longer than its input (", in[1], ")");
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    return max ? max_pool(in[0], pool, stride)
               : F::avg_pool1d(in[0], F::AvgPool1dFuncOptions(pool).stride(stride));
  }
};

struct GlobalPoolLayer : LayerModule {
  bool max;
  GlobalPoolLayer(const LayerSpec& s, const Shape& in, bool is_max) : max(is_max) {
    need_sequence(s, in);
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    return max ? max_pool(in[0], 0, 0).squeeze(2) : in[0].mean(2);
  }
};

struct DropoutLayer : LayerModule {
  torch::nn::Dropout drop{nullptr};
  DropoutLayer(const LayerSpec& s) {
    double rate = s.number("rate", 0.5);
    if (rate < 0 || rate >= 1) fail("layer '", s.name, "': dropout rate must be in [0, 1)");
    drop = register_module("dropout", torch::nn::Dropout(rate));
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    return drop->forward(in[0]);
  }
};

struct BatchNormLayer : LayerModule {
  torch::nn::BatchNorm1d bn{nullptr};
  BatchNormLayer(const LayerSpec& s, const Shape& in) {
    auto c = in[0];
    bn = register_module("bn", torch::nn::BatchNorm1d(torch::nn::BatchNorm1dOptions(c)
                                                          .eps(s.number("eps", 1e-5))
                                                          .momentum(s.number("momentum", 0.1))));
    keras_delta = 2 * c;  // Keras also counts the moving mean and variance
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    return bn->forward(in[0]);
  }
};

struct RecurrentLayer : LayerModule {
  torch::nn::LSTM lstm{nullptr};
  torch::nn::GRU gru{nullptr};
  bool sequences, bidir;
  RecurrentLayer(const LayerSpec& s, const Shape& in, bool is_lstm) {
    need_sequence(s, in);
    auto units = positive(s, "units");
    bidir = flag(s, "bidirectional", false);
    sequences = flag(s, "return_sequences", false);
    if (is_lstm) {
      lstm = register_module(
          "lstm", torch::nn::LSTM(
                      torch::nn::LSTMOptions(in[0], units).batch_first(true).bidirectional(bidir)));
      keras_delta = -4 * units * (bidir ? 2 : 1);  // Keras: one bias per gate, LibTorch two
      keras_init_recurrent(s, *lstm, units, true);
    } else {
      gru = register_module(
          "gru", torch::nn::GRU(
                     torch::nn::GRUOptions(in[0], units).batch_first(true).bidirectional(bidir)));
      keras_init_recurrent(s, *gru, units, false);
    }
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    auto x = in[0].permute({0, 2, 1});
    torch::Tensor out, h;
    if (current_rule && x.requires_grad()) {
      // step by step, so that the rule sees every gate activation and product
      auto fwd = stepwise(x, false);
      if (!bidir) {
        out = fwd.first;
        h = fwd.second.unsqueeze(0);
      } else {
        auto bwd = stepwise(x, true);
        out = torch::cat({fwd.first, bwd.first}, 2);
        h = torch::stack({fwd.second, bwd.second}, 0);
      }
    } else if (lstm) {
      auto r = lstm->forward(x);
      out = std::get<0>(r);
      h = std::get<0>(std::get<1>(r));
    } else {
      auto r = gru->forward(x);
      out = std::get<0>(r);
      h = std::get<1>(r);
    }
    if (sequences) return out.permute({0, 2, 1});
    // last state of each direction (the backward one ends at position 0), as Keras returns
    return bidir ? torch::cat({h[0], h[1]}, 1) : h[0];
  }

 private:
  // One direction of the layer written out in its steps (LibTorch's equations and weights: gates
  // i, f, g, o of an LSTM; r, z, n of a GRU), its activations and products through the thread's
  // forward rule. x: (N, L, in). Returns the outputs (N, L, units) and the last state (N, units).
  std::pair<torch::Tensor, torch::Tensor> stepwise(const torch::Tensor& x, bool reverse) {
    const std::string sfx = reverse ? "_reverse" : "";
    auto params = lstm ? lstm->named_parameters() : gru->named_parameters();
    const auto& w_ih = params["weight_ih_l0" + sfx];
    const auto& w_hh = params["weight_hh_l0" + sfx];
    const auto& b_ih = params["bias_ih_l0" + sfx];
    const auto& b_hh = params["bias_hh_l0" + sfx];
    const auto H = w_hh.size(1), L = x.size(1);
    static const ActivationInfo& sigmoid_fn = activation_info("sigmoid");
    static const ActivationInfo& tanh_fn = activation_info("tanh");
    auto act = [&](const ActivationInfo& a, const torch::Tensor& v) { return activate_layer(a, v, 0); };
    auto mul = [&](const torch::Tensor& a, const torch::Tensor& b) {
      return a.requires_grad() && b.requires_grad() ? current_rule->product(a, b) : a * b;
    };
    auto xw = torch::matmul(x, w_ih.t()) + b_ih;  // (N, L, G x units), linear: no rule needed
    auto h = torch::zeros({x.size(0), H}, x.options());
    auto c = torch::zeros_like(h);
    std::vector<torch::Tensor> outs(static_cast<std::size_t>(L));
    for (std::int64_t s = 0; s < L; ++s) {
      const auto t = reverse ? L - 1 - s : s;
      auto xt = xw.select(1, t);
      auto hw = torch::matmul(h, w_hh.t()) + b_hh;
      if (lstm) {
        auto g = xt + hw;
        auto i = act(sigmoid_fn, g.narrow(1, 0, H)), f = act(sigmoid_fn, g.narrow(1, H, H));
        auto gg = act(tanh_fn, g.narrow(1, 2 * H, H)), o = act(sigmoid_fn, g.narrow(1, 3 * H, H));
        c = mul(f, c) + mul(i, gg);
        h = mul(o, act(tanh_fn, c));
      } else {
        auto r = act(sigmoid_fn, xt.narrow(1, 0, H) + hw.narrow(1, 0, H));
        auto z = act(sigmoid_fn, xt.narrow(1, H, H) + hw.narrow(1, H, H));
        auto n = act(tanh_fn, xt.narrow(1, 2 * H, H) + mul(r, hw.narrow(1, 2 * H, H)));
        h = mul(1 - z, n) + mul(z, h);
      }
      outs[static_cast<std::size_t>(t)] = h;
    }
    return {torch::stack(outs, 1), h};
  }
};

// ---- dense layers on the reference BLAS ---------------------------------------------------------
// On Debian's LibTorch (BLAS_INFO=generic, netlib's reference BLAS) large dense layers on the CPU
// run their three products through oneDNN's sgemm (nn/blas.hpp): forward x W^T + b; backward
// grad W and grad^T x; the bias gradient is grad summed over the batch, as torch computes it.
// The results equal torch's up to float rounding (another summation order). With any other
// BLAS, or without oneDNN's symbol, torch's linear runs.

SgemmFn onednn_sgemm() {
  static const SgemmFn fn =
      at::show_config().find("BLAS_INFO=generic") != std::string::npos && libblas_is_reference()
          ? loaded_onednn_sgemm()
          : nullptr;
  return fn;
}

void sgemm(char ta, char tb, std::int64_t m, std::int64_t n, std::int64_t k, const torch::Tensor& a,
           const torch::Tensor& b, float beta, torch::Tensor& c) {
  auto lda = ta == 'N' ? k : m, ldb = tb == 'N' ? n : k;
  int status = onednn_sgemm()(ta, tb, m, n, k, 1.0f, a.data_ptr<float>(), lda, b.data_ptr<float>(),
                              ldb, beta, c.data_ptr<float>(), n);
  if (status != 0) fail("dense layer: oneDNN's sgemm failed (status ", status, ")");
}

struct OnednnLinear : torch::autograd::Function<OnednnLinear> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor x,
                               torch::Tensor w, torch::Tensor b) {
    x = x.contiguous();
    w = w.contiguous();
    ctx->save_for_backward({x, w});
    if (b.numel() == 0) b = torch::Tensor();  // the placeholder of "no bias"
    ctx->saved_data["bias"] = b.defined();
    auto n = x.size(0), in = x.size(1), out = w.size(0);
    torch::Tensor y;
    // a copy even for one sample (contiguous() would hand back the bias itself, which sgemm's
    // beta = 1 then overwrote: predicting one sample changed the layer's bias)
    if (b.defined()) y = b.detach().reshape({1, out}).expand({n, out}).clone(at::MemoryFormat::Contiguous);
    else y = torch::empty({n, out}, x.options());
    sgemm('N', 'T', n, out, in, x, w, b.defined() ? 1.0f : 0.0f, y);
    return y;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto saved = ctx->get_saved_variables();
    auto x = saved[0], w = saved[1];
    auto g = grads[0].contiguous();
    auto n = x.size(0), in = x.size(1), out = w.size(0);
    torch::Tensor gx, gw, gb;
    if (ctx->needs_input_grad(0)) {
      gx = torch::empty({n, in}, g.options());
      sgemm('N', 'N', n, in, out, g, w, 0.0f, gx);
    }
    if (ctx->needs_input_grad(1)) {
      gw = torch::empty({out, in}, g.options());
      sgemm('T', 'N', out, in, n, g, x, 0.0f, gw);
    }
    if (ctx->saved_data["bias"].toBool() && ctx->needs_input_grad(2)) gb = g.sum(0);
    return {gx, gw, gb};
  }
};


struct DenseLayer : LayerModule {
  torch::nn::Linear linear{nullptr};
  const ActivationInfo* act = nullptr;
  DenseLayer(const LayerSpec& s, const Shape& in) {
    auto units = positive(s, "units");
    act = &activation_of(s);
    auto features = in[0];  // flat: F; sequence: C (applied at each position)
    linear = register_module(
        "linear", torch::nn::Linear(torch::nn::LinearOptions(features, units).bias(flag(s, "bias", true))));
    keras_init(s, linear->weight, flag(s, "bias", true) ? linear->bias : torch::Tensor());
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    auto x = in[0];
    if (x.dim() == 3) return activate_fresh(*act, linear->forward(x.permute({0, 2, 1})).permute({0, 2, 1}), 1e-6);
    return activate_fresh(*act, dense_forward(x, linear->weight, linear->bias), 1e-6);
  }
};

struct FlattenLayer : LayerModule {
  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    auto x = in[0];
    if (x.dim() == 3) x = x.permute({0, 2, 1});
    return x.reshape({x.size(0), -1});
  }
};

struct ReshapeLayer : LayerModule {
  std::vector<std::int64_t> target;
  ReshapeLayer(const LayerSpec& s, const Shape& in) {
    auto it = s.ints.find("shape");
    if (it == s.ints.end() || it->second.empty() || it->second.size() > 2)
      fail("layer '", s.name, "': reshape needs a shape of one or two dimensions");
    target = it->second;
    if (numel(target) != numel(in))
      fail("layer '", s.name, "': cannot reshape ", numel(in), " values into ", numel(target));
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    auto x = in[0];
    if (x.dim() == 3) x = x.permute({0, 2, 1});  // Keras layout (N, L, C)
    std::vector<std::int64_t> shape{x.size(0)};
    shape.insert(shape.end(), target.begin(), target.end());
    x = x.reshape(shape);
    return x.dim() == 3 ? x.permute({0, 2, 1}).contiguous() : x;
  }
};

struct ActivationLayer : LayerModule {
  const ActivationInfo* act = nullptr;
  double threshold;
  ActivationLayer(const LayerSpec& s) {
    act = &activation_of(s);
    threshold = s.number("threshold", 1e-6);
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    return activate_layer(*act, in[0], threshold);
  }
};

std::int64_t min_length(const std::vector<torch::Tensor>& in) {
  auto len = in[0].size(2);
  for (auto& t : in) len = std::min(len, t.size(2));
  return len;
}

struct MergeLayer : LayerModule {
  std::string op;
  explicit MergeLayer(const std::string& o) : op(o) {}
  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    std::vector<torch::Tensor> xs = in;
    if (xs[0].dim() == 3) {
      auto len = min_length(xs);
      for (auto& t : xs) t = centre_crop(t, len);
    }
    if (op == "concatenate") return torch::cat(xs, 1);
    if (op == "logsumexp") {
      std::vector<torch::Tensor> d;
      for (auto& t : xs) d.push_back(t.to(torch::kFloat64));
      return torch::logsumexp(torch::stack(d, 0), 0).to(xs[0].scalar_type());
    }
    auto sum = xs[0];
    for (std::size_t i = 1; i < xs.size(); ++i) sum = sum + xs[i];
    return sum;
  }
};

struct CropLayer : LayerModule {
  std::int64_t length;
  CropLayer(const LayerSpec& s, const Shape& in) {
    need_sequence(s, in);
    length = positive(s, "length");
    if (length > in[1])
      fail("layer '", s.name, "': cannot crop a length of ", in[1], " to ", length);
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    return centre_crop(in[0], length);
  }
};

}  // namespace

torch::Tensor activate(Activation a, const torch::Tensor& x, double threshold) {
  switch (a) {
    case Activation::Linear: return x;
    case Activation::Relu: return torch::relu(x);
    case Activation::Sigmoid: return torch::sigmoid(x);
    case Activation::Tanh: return torch::tanh(x);
    case Activation::Softmax: return torch::softmax(x, 1);
    case Activation::LogSoftmax: return torch::log_softmax(x, 1);
    case Activation::Exp: return torch::exp(x);
    case Activation::Softplus: return F::softplus(x);
    case Activation::Elu: return F::elu(x);
    case Activation::Gelu: return F::gelu(x);
    case Activation::HardSigmoid: return torch::clamp(x * 0.2 + 0.5, 0.0, 1.0);
    case Activation::Threshold: return torch::threshold(x, 0.0, threshold);
  }
  fail("unknown activation");  // not reached: every Activation is handled above
}

ForwardRuleScope::ForwardRuleScope(const ForwardRule& rule) : previous_(current_rule) {
  current_rule = &rule;
}
ForwardRuleScope::~ForwardRuleScope() { current_rule = previous_; }
const ForwardRule* forward_rule() { return current_rule; }

bool dense_uses_onednn(const torch::Tensor& x, const torch::Tensor& w) {
  return x.dim() == 2 && x.device().is_cpu() && w.device().is_cpu() &&
         x.scalar_type() == torch::kFloat32 && w.scalar_type() == torch::kFloat32 &&
         x.size(0) * x.size(1) * w.size(0) >= (std::int64_t{1} << 20) && onednn_sgemm() != nullptr;
}

torch::Tensor dense_forward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b) {
  if (dense_uses_onednn(x, w))  // autograd functions take no undefined tensor: an empty one
    return OnednnLinear::apply(x, w, b.defined() ? b : torch::empty({0}, w.options()));
  return torch::nn::functional::linear(x, w, b);
}

ConvGeometry conv_geometry(const LayerSpec& s, const Shape& in, bool transpose) {
  need_sequence(s, in);
  ConvGeometry g;
  positive(s, "filters");
  g.kernel = positive(s, "kernel");
  g.stride = static_cast<std::int64_t>(s.number("stride", 1));
  g.dilation = static_cast<std::int64_t>(s.number("dilation", 1));
  if (g.stride < 1 || g.dilation < 1) fail("layer '", s.name, "': stride and dilation must be >= 1");
  g.pad_value = s.number("pad_value", 0.0);
  auto span = g.dilation * (g.kernel - 1);
  auto mode = s.string("padding", "");
  if (s.num.count("padding")) {
    g.pad_left = g.pad_right = static_cast<std::int64_t>(s.num.at("padding"));
    if (g.pad_left < 0) fail("layer '", s.name, "': padding must be >= 0");
  } else if (mode.empty() || mode == "valid") {
  } else if (mode == "full") {
    g.pad_left = g.pad_right = span;
  } else if (mode == "same") {
    if (transpose) fail("layer '", s.name, "': use an integer padding for conv_transpose1d");
    auto L = in[1], out = (L + g.stride - 1) / g.stride;
    auto total = std::max<std::int64_t>((out - 1) * g.stride + span + 1 - L, 0);
    g.pad_left = total / 2;  // TensorFlow puts the odd position on the right
    g.pad_right = total - g.pad_left;
  } else {
    fail("layer '", s.name, "': padding must be \"valid\", \"same\", \"full\" or a number, not \"",
         mode, "\"");
  }
  return g;
}

std::shared_ptr<LayerModule> make_layer(const LayerSpec& s, const std::vector<Shape>& in) {
  const auto& t = s.type;
  auto arity = [&](std::size_t n) {
    if (in.size() != n)
      fail("layer '", s.name, "' (", t, ") takes ", n, " input(s), not ", in.size());
  };
  if (t == "add" || t == "concatenate" || t == "logsumexp") {
    if (in.size() < 2) fail("layer '", s.name, "' (", t, ") needs at least two inputs");
    for (auto& sh : in) {
      if (sh.size() != in[0].size())
        fail("layer '", s.name, "' (", t, "): its inputs mix sequence and flat tensors");
      if (t != "concatenate" && sh[0] != in[0][0])
        fail("layer '", s.name, "' (", t, "): inputs have ", in[0][0], " and ", sh[0],
             " channels");
    }
    return std::make_shared<MergeLayer>(t);
  }
  arity(1);
  const auto& x = in[0];
  if (t == "conv1d") return std::make_shared<ConvLayer>(s, x, false);
  if (t == "conv_transpose1d") return std::make_shared<ConvLayer>(s, x, true);
  if (t == "maxpool1d") return std::make_shared<PoolLayer>(s, x, true);
  if (t == "avgpool1d") return std::make_shared<PoolLayer>(s, x, false);
  if (t == "global_maxpool1d") return std::make_shared<GlobalPoolLayer>(s, x, true);
  if (t == "global_avgpool1d") return std::make_shared<GlobalPoolLayer>(s, x, false);
  if (t == "dropout") return std::make_shared<DropoutLayer>(s);
  if (t == "batchnorm") return std::make_shared<BatchNormLayer>(s, x);
  if (t == "lstm") return std::make_shared<RecurrentLayer>(s, x, true);
  if (t == "gru") return std::make_shared<RecurrentLayer>(s, x, false);
  if (t == "dense") return std::make_shared<DenseLayer>(s, x);
  if (t == "flatten") return std::make_shared<FlattenLayer>();
  if (t == "reshape") return std::make_shared<ReshapeLayer>(s, x);
  if (t == "activation") return std::make_shared<ActivationLayer>(s);
  if (t == "crop") return std::make_shared<CropLayer>(s, x);
  fail("layer '", s.name, "': unknown layer type '", t, "'");
}


}  // namespace nn
}  // namespace gdl
