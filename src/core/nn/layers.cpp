// Layers of GenomicDL networks and the builder from a ModelSpec (the one LibTorch translation
// unit of nn/ besides device.cpp). Every layer works on channels-first sequence tensors
// (N, C, L) or flat tensors (N, F); LSTM/GRU/Dense transpose internally as Keras' layers do.
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
//   activation: activation, threshold [1e-6] for "threshold" (DeepSEA's Threshold(0, 1e-6))
//   add, concatenate (sequences centre-cropped to the shortest), crop: length (centre crop),
//   logsumexp (elementwise over the inputs, in float64)
// Initialisation (conv1d, conv_transpose1d, dense, lstm, gru): init ["glorot_uniform"] gives
// Keras' defaults -- glorot_uniform kernels, orthogonal recurrent kernels, zero biases (LSTM:
// forget-gate bias 1, Keras' unit_forget_bias); init "torch" keeps LibTorch's defaults
// (kaiming_uniform(a = sqrt(5)) kernels and uniform(+-1/sqrt(fan_in)) biases).
#include <torch/torch.h>

#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "common/error.hpp"
#include "nn/network_impl.hpp"

namespace gdl {
namespace nn {

namespace F = torch::nn::functional;

namespace {

thread_local bool deeplift_mode = false;

torch::Tensor activate_plain(const std::string& a, const torch::Tensor& x, double threshold);

// DeepLIFT's rescale rule on a batch [inputs; references] (see DeepLiftScope): the value f(x),
// the gradient (f(x) - f(r)) / (x - r) for both halves, f'(x) where |x - r| < 1e-6.
torch::Tensor rescale(const std::string& a, const torch::Tensor& x, double threshold) {
  if (a == "softmax" || a == "log_softmax")
    fail("DeepLIFT does not support the ", a, " activation (not elementwise); attribute the "
         "logits of a model without it");
  if (!x.requires_grad()) return activate_plain(a, x, threshold);
  torch::Tensor y;
  {
    torch::NoGradGuard no_grad;
    y = activate_plain(a, x, threshold);
  }
  if (x.size(0) % 2 != 0) fail("DeepLIFT needs a batch of inputs and references of equal sizes");
  auto n = x.size(0) / 2;
  auto xd = x.detach(), yd = y.detach();
  torch::Tensor slope;
  {
    torch::AutoGradMode on(true);
    auto xv = xd.narrow(0, 0, n).clone().requires_grad_(true);
    auto yv = activate_plain(a, xv, threshold);
    slope = torch::autograd::grad({yv}, {xv}, {torch::ones_like(yv)})[0].detach();
  }
  torch::NoGradGuard no_grad;
  auto dx = xd.narrow(0, 0, n) - xd.narrow(0, n, n);
  auto dy = yd.narrow(0, 0, n) - yd.narrow(0, n, n);
  auto small = dx.abs() < 1e-6;
  auto ratio = torch::where(small, slope, dy / torch::where(small, torch::ones_like(dx), dx));
  ratio = torch::cat({ratio, ratio}, 0);
  torch::AutoGradMode on(true);
  return yd + (x - xd) * ratio;  // the value of f, the gradient `ratio`
}

torch::Tensor activate(const std::string& a, const torch::Tensor& x, double threshold) {
  if (deeplift_mode && !(a.empty() || a == "linear" || a == "none")) return rescale(a, x, threshold);
  return activate_plain(a, x, threshold);
}

torch::Tensor activate_plain(const std::string& a, const torch::Tensor& x, double threshold) {
  if (a.empty() || a == "linear" || a == "none") return x;
  if (a == "relu") return torch::relu(x);
  if (a == "sigmoid") return torch::sigmoid(x);
  if (a == "tanh") return torch::tanh(x);
  if (a == "softmax") return torch::softmax(x, 1);
  if (a == "log_softmax") return torch::log_softmax(x, 1);
  if (a == "exp" || a == "exponential") return torch::exp(x);
  if (a == "softplus") return F::softplus(x);
  if (a == "elu") return F::elu(x);
  if (a == "gelu") return F::gelu(x);
  if (a == "hard_sigmoid") return torch::clamp(x * 0.2 + 0.5, 0.0, 1.0);
  if (a == "threshold") return torch::threshold(x, 0.0, threshold);
  fail("unknown activation '", a, "'");
}

// activate() on a tensor that nothing else holds yet (the fresh output of a convolution or a
// dense layer): ReLU in place, saving an allocation and a pass over memory per layer (autograd
// allows it: the backward of convolutions and matrix products does not read their output).
torch::Tensor activate_fresh(const std::string& a, torch::Tensor x, double threshold) {
  if (a == "relu" && !deeplift_mode) return torch::relu_(x);
  return activate(a, x, threshold);
}

const std::set<std::string> kActivations = {
    "",    "linear", "none",    "relu", "sigmoid",  "tanh",         "softmax",  "log_softmax",
    "exp", "exponential", "softplus", "elu", "gelu", "hard_sigmoid", "threshold"};

void check_activation(const LayerSpec& s) {
  auto a = s.string("activation", "linear");
  if (!kActivations.count(a))
    fail("layer '", s.name, "': unknown activation '", a,
         "' (use relu, sigmoid, tanh, softmax, linear, exp, softplus, elu, threshold, ...)");
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

std::int64_t numel(const Shape& s) {
  std::int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
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
  std::string act;
  ConvLayer(const LayerSpec& s, const Shape& in, bool transpose) {
    need_sequence(s, in);
    check_activation(s);
    auto filters = positive(s, "filters"), k = positive(s, "kernel");
    auto stride = static_cast<std::int64_t>(s.number("stride", 1));
    auto dil = static_cast<std::int64_t>(s.number("dilation", 1));
    if (stride < 1 || dil < 1) fail("layer '", s.name, "': stride and dilation must be >= 1");
    bool bias = flag(s, "bias", true);
    act = s.string("activation", "linear");
    pad_value = s.number("pad_value", 0.0);
    auto span = dil * (k - 1);
    auto mode = s.string("padding", "");
    if (s.num.count("padding")) {
      pad_left = pad_right = static_cast<std::int64_t>(s.num.at("padding"));
      if (pad_left < 0) fail("layer '", s.name, "': padding must be >= 0");
    } else if (mode.empty() || mode == "valid") {
    } else if (mode == "full") {
      pad_left = pad_right = span;
    } else if (mode == "same") {
      if (transpose) fail("layer '", s.name, "': use an integer padding for conv_transpose1d");
      auto L = in[1], out = (L + stride - 1) / stride;
      auto total = std::max<std::int64_t>((out - 1) * stride + span + 1 - L, 0);
      pad_left = total / 2;  // TensorFlow puts the odd position on the right
      pad_right = total - pad_left;
    } else {
      fail("layer '", s.name, "': padding must be \"valid\", \"same\", \"full\" or a number, not \"",
           mode, "\"");
    }
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
    return activate_fresh(act, x, 1e-6);
  }
};

// DeepLIFT's rescale rule for max pooling (Shrikumar et al. 2017, as captum's and tangermeme's
// maxpool rule) on a batch [inputs; references]. With M = max(f(x), f(r)) per output, the
// difference f(x) - f(r) = (M - f(r)) + (f(x) - M) is sent back to the input's argmax and to
// the reference's argmax, and each input position's multiplier is what it received over
// x - r (the plain max-pool gradient where |x - r| < 1e-6). Contributions then sum exactly to
// f(x) - f(r). pool = 0: global max pooling (output length 1, kept as a dimension).
struct MaxPoolRescale : torch::autograd::Function<MaxPoolRescale> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               std::int64_t pool, std::int64_t stride) {
    if (x.size(0) % 2 != 0) fail("DeepLIFT needs a batch of inputs and references of equal sizes");
    torch::Tensor y, idx;
    if (pool == 0) std::tie(y, idx) = x.max(2, /*keepdim=*/true);
    else std::tie(y, idx) = torch::max_pool1d_with_indices(x, {pool}, {stride});
    ctx->save_for_backward({x, y, idx});
    return y;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad) {
    auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& y = saved[1];
    const auto& idx = saved[2];
    const auto n = x.size(0) / 2;
    auto g = grad[0];
    auto yx = y.narrow(0, 0, n), yr = y.narrow(0, n, n);
    auto top = torch::max(yx, yr);
    auto to_x = top - yr, to_r = yx - top;  // shares of f(x) - f(r) for the two argmaxes
    auto ix = idx.narrow(0, 0, n), ir = idx.narrow(0, n, n);
    auto dx = x.narrow(0, 0, n) - x.narrow(0, n, n);
    auto scatter = [&](const torch::Tensor& index, const torch::Tensor& v) {
      return torch::zeros_like(dx).scatter_add_(2, index, v);
    };
    auto small = dx.abs() < 1e-6;
    auto safe = torch::where(small, torch::ones_like(dx), dx);
    auto half = [&](const torch::Tensor& gh, const torch::Tensor& own) {
      auto received = scatter(ix, gh * to_x) + scatter(ir, gh * to_r);
      return torch::where(small, scatter(own, gh), received / safe);
    };
    auto gx = g.narrow(0, 0, n), gr = g.narrow(0, n, n);
    return {torch::cat({half(gx, ix), half(gr, ir)}, 0), torch::Tensor(), torch::Tensor()};
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
    if (max && deeplift_mode && in[0].requires_grad()) return MaxPoolRescale::apply(in[0], pool, stride);
    return max ? F::max_pool1d(in[0], F::MaxPool1dFuncOptions(pool).stride(stride))
               : F::avg_pool1d(in[0], F::AvgPool1dFuncOptions(pool).stride(stride));
  }
};

struct GlobalPoolLayer : LayerModule {
  bool max;
  GlobalPoolLayer(const LayerSpec& s, const Shape& in, bool is_max) : max(is_max) {
    need_sequence(s, in);
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    if (max && deeplift_mode && in[0].requires_grad())
      return MaxPoolRescale::apply(in[0], 0, 0).squeeze(2);
    return max ? std::get<0>(in[0].max(2)) : in[0].mean(2);
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
    if (lstm) {
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
};

// ---- dense layers on the reference BLAS ---------------------------------------------------------
// Debian's LibTorch multiplies matrices with the reference BLAS (BLAS_INFO=generic, netlib's
// libblas.so.3): one thread, no blocking, ~5 GFLOP/s, so that DeepSEA's and DanQ's wide dense
// layers take about half of a training step. oneDNN, which that LibTorch loads for its
// convolutions (libdnnl.so.2 for LibTorch 1.13, libdnnl.so.3.x for Debian 13's 2.6), exports a
// blocked, JIT-compiled, OpenMP-parallel sgemm (dnnl_sgemm, row-major): there, large dense
// layers on the CPU run their three products through it (forward x W^T + b; backward grad W and
// grad^T x; the bias gradient is grad summed over the batch, as torch computes it). The results
// equal torch's up to float rounding (another summation order). With any other BLAS, or without
// oneDNN's symbol, torch's linear runs.

using SgemmFn = int (*)(char, char, std::int64_t, std::int64_t, std::int64_t, float, const float*,
                        std::int64_t, const float*, std::int64_t, float, float*, std::int64_t);

bool reference_blas() {
  if (at::show_config().find("BLAS_INFO=generic") == std::string::npos) return false;
  // libblas.so.3 may be an alternative pointing at a fast BLAS (OpenBLAS, BLIS, MKL, ATLAS)
  void* lib = dlopen("libblas.so.3", RTLD_LAZY | RTLD_NOLOAD);
  void* sym = lib ? dlsym(lib, "sgemm_") : nullptr;
  Dl_info info;
  bool found = sym && dladdr(sym, &info) && info.dli_fname;
  std::string path;
  if (found) {
    char resolved[PATH_MAX];
    path = realpath(info.dli_fname, resolved) ? resolved : info.dli_fname;
  }
  if (lib) dlclose(lib);
  if (!found) return false;
  for (const char* fast : {"openblas", "blis", "mkl", "atlas"})
    if (path.find(fast) != std::string::npos) return false;
  return true;
}

// Path of the loaded shared library whose file name starts with prefix ("" if none is loaded).
std::string loaded_library(const char* prefix) {
  std::pair<const char*, std::string> found{prefix, {}};
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) -> int {
        auto* f = static_cast<std::pair<const char*, std::string>*>(data);
        const char* name = info->dlpi_name;
        if (name == nullptr) return 0;
        const char* base = std::strrchr(name, '/');
        base = base ? base + 1 : name;
        if (std::strncmp(base, f->first, std::strlen(f->first)) != 0) return 0;
        f->second = name;
        return 1;
      },
      &found);
  return found.second;
}

SgemmFn onednn_sgemm() {
  static const SgemmFn fn = []() -> SgemmFn {
    if (!reference_blas()) return nullptr;
    // only if LibTorch loaded it: oneDNN 2 (libdnnl.so.2) or 3 (libdnnl.so.3.x), whose
    // dnnl_sgemm has the same signature and row-major semantics
    std::string path = loaded_library("libdnnl.so.");
    if (path.empty()) return nullptr;
    void* lib = dlopen(path.c_str(), RTLD_LAZY | RTLD_NOLOAD);
    if (!lib) return nullptr;
    return reinterpret_cast<SgemmFn>(dlsym(lib, "dnnl_sgemm"));  // the handle stays open
  }();
  return fn;
}

// C (m x n, row-major, contiguous) = op(A) op(B) + beta C.
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
    if (b.defined()) y = b.detach().reshape({1, out}).expand({n, out}).contiguous();
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

}  // namespace

// Whether a dense layer on input x (N x F) with weight w takes oneDNN's sgemm.
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

namespace {

struct DenseLayer : LayerModule {
  torch::nn::Linear linear{nullptr};
  std::string act;
  DenseLayer(const LayerSpec& s, const Shape& in) {
    check_activation(s);
    auto units = positive(s, "units");
    act = s.string("activation", "linear");
    auto features = in[0];  // flat: F; sequence: C (applied at each position)
    linear = register_module(
        "linear", torch::nn::Linear(torch::nn::LinearOptions(features, units).bias(flag(s, "bias", true))));
    keras_init(s, linear->weight, flag(s, "bias", true) ? linear->bias : torch::Tensor());
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    auto x = in[0];
    if (x.dim() == 3) return activate_fresh(act, linear->forward(x.permute({0, 2, 1})).permute({0, 2, 1}), 1e-6);
    return activate_fresh(act, dense_forward(x, linear->weight, linear->bias), 1e-6);
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
  std::string act;
  double threshold;
  ActivationLayer(const LayerSpec& s) {
    check_activation(s);
    act = s.string("activation", "linear");
    threshold = s.number("threshold", 1e-6);
  }
  torch::Tensor forward(const std::vector<torch::Tensor>& in) override {
    return activate(act, in[0], threshold);
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

// Channels-first per-sample shape of a tensor (batch axis dropped).
Shape shape_of(const torch::Tensor& t) {
  Shape s;
  for (std::int64_t d = 1; d < t.dim(); ++d) s.push_back(t.size(d));
  return s;
}

// Keras-style shape: sequences (L, C).
Shape keras_shape(const Shape& s) { return s.size() == 2 ? Shape{s[1], s[0]} : s; }

torch::Tensor api_layout(const torch::Tensor& t) {
  return t.dim() == 3 ? t.permute({0, 2, 1}).contiguous() : t.contiguous();
}

std::int64_t count(torch::nn::Module& m) {
  std::int64_t n = 0;
  for (auto& p : m.parameters()) n += p.numel();
  return n;
}

}  // namespace

torch::Device torch_device(const std::string& device) { return torch::Device(device); }

DeepLiftScope::DeepLiftScope() : previous_(deeplift_mode) { deeplift_mode = true; }
DeepLiftScope::~DeepLiftScope() { deeplift_mode = previous_; }
bool deeplift_active() { return deeplift_mode; }

std::vector<torch::Tensor> GraphModule::forward(const std::vector<torch::Tensor>& inputs,
                                                const Knockout* knockout) {
  auto n_in = spec.inputs.size();
  if (inputs.size() != n_in) fail("the model takes ", n_in, " inputs, not ", inputs.size());
  std::vector<torch::Tensor> values(n_in + layers.size());
  for (std::size_t i = 0; i < n_in; ++i) values[i] = inputs[i];
  for (std::size_t k = 0; k < layers.size(); ++k) {
    std::vector<torch::Tensor> in;
    for (int id : spec.layers[k].inputs) in.push_back(values[static_cast<std::size_t>(id)]);
    auto out = layers[k]->forward(in);
    if (knockout && knockout->filter >= 0 && static_cast<int>(k) == first_conv) {
      out = out.clone();
      out.select(1, knockout->filter).fill_(knockout->value);
    }
    values[n_in + k] = out;
  }
  std::vector<torch::Tensor> outs;
  for (int id : spec.outputs) outs.push_back(api_layout(values[static_cast<std::size_t>(id)]));
  return outs;
}

Network::Network(const ModelSpec& spec, std::uint64_t seed) : impl_(std::make_unique<NetworkImpl>()) {
  if (spec.inputs.empty()) fail("a model needs at least one input");
  if (spec.layers.empty()) fail("a model needs at least one layer");
  if (spec.outputs.empty()) fail("a model needs at least one output");
  torch::manual_seed(seed);
  torch::NoGradGuard no_grad;
  auto g = std::make_shared<GraphModule>();
  g->spec = spec;
  auto n_in = spec.inputs.size();
  std::vector<Shape> shapes(spec.inputs.begin(), spec.inputs.end());
  for (auto& s : shapes)
    for (auto d : s)
      if (d < 1) fail("input shapes must be positive");
  std::vector<torch::Tensor> dummy;
  for (auto& s : shapes) {
    Shape full{1};
    full.insert(full.end(), s.begin(), s.end());
    dummy.push_back(torch::zeros(full));
  }
  std::set<std::string> names;
  for (std::size_t k = 0; k < spec.layers.size(); ++k) {
    auto s = spec.layers[k];
    if (s.name.empty()) s.name = s.type + "_" + std::to_string(k + 1);
    if (!names.insert(s.name).second) fail("two layers are named '", s.name, "'");
    if (s.name.find('.') != std::string::npos)
      fail("layer name '", s.name, "' must not contain '.'");
    g->spec.layers[k].name = s.name;
    std::vector<Shape> in;
    std::vector<torch::Tensor> in_t;
    for (int id : s.inputs) {
      if (id < 0 || static_cast<std::size_t>(id) >= n_in + k)
        fail("layer '", s.name, "' reads node ", id, ", which is not defined before it");
      in.push_back(shapes[static_cast<std::size_t>(id)]);
      in_t.push_back(dummy[static_cast<std::size_t>(id)]);
    }
    if (in.empty()) fail("layer '", s.name, "' has no input");
    auto layer = make_layer(s, in);
    layer->eval();
    torch::Tensor out;
    try {
      out = layer->forward(in_t);
    } catch (const gdl::Error&) {
      throw;
    } catch (const std::exception& e) {
      std::string msg = e.what();
      fail("layer '", s.name, "' (", s.type, ") does not fit its input of shape (",
           keras_shape(in[0]).size() == 2
               ? std::to_string(keras_shape(in[0])[0]) + ", " + std::to_string(keras_shape(in[0])[1])
               : std::to_string(in[0][0]),
           "): ", msg.substr(0, msg.find('\n')));
    }
    if (out.numel() == 0 || (out.dim() == 3 && out.size(2) < 1))
      fail("layer '", s.name, "' (", s.type, ") leaves no positions: the input is too short");
    shapes.push_back(shape_of(out));
    dummy.push_back(out);
    if (!s.trainable)
      for (auto& p : layer->parameters()) p.set_requires_grad(false);
    g->register_module(s.name, layer);
    if (g->first_conv < 0 && s.type == "conv1d") g->first_conv = static_cast<int>(k);
    LayerInfo info;
    info.name = s.name;
    info.type = s.type;
    info.output = keras_shape(shapes.back());
    info.params = count(*layer);
    info.keras_params = info.params + layer->keras_delta;
    info.trainable = s.trainable;
    info.inputs = s.inputs;
    impl_->infos.push_back(info);
    g->layers.push_back(layer);
  }
  for (int id : spec.outputs) {
    if (id < 0 || static_cast<std::size_t>(id) >= shapes.size())
      fail("output node ", id, " does not exist");
    impl_->output_shapes.push_back(keras_shape(shapes[static_cast<std::size_t>(id)]));
  }
  impl_->module = g;
}

Network::~Network() = default;

const ModelSpec& Network::spec() const { return impl_->module->spec; }
std::vector<LayerInfo> Network::summary() const { return impl_->infos; }
std::vector<Shape> Network::input_shapes() const { return impl_->module->spec.inputs; }
std::vector<Shape> Network::output_shapes() const { return impl_->output_shapes; }

std::int64_t Network::parameter_count(bool trainable_only) const {
  std::int64_t n = 0;
  for (auto& p : impl_->module->parameters())
    if (!trainable_only || p.requires_grad()) n += p.numel();
  return n;
}

std::vector<std::vector<float>> Network::predict(const std::vector<const float*>& inputs,
                                                 std::size_t n, std::size_t batch,
                                                 const std::string& device,
                                                 const Knockout* knockout) const {
  auto& g = *impl_->module;
  auto in_shapes = input_shapes();
  if (inputs.size() != in_shapes.size())
    fail("the model takes ", in_shapes.size(), " inputs, not ", inputs.size());
  if (knockout && knockout->filter >= 0) {
    if (g.first_conv < 0) fail("the model has no convolution to knock filters out of");
    auto filters = static_cast<int>(impl_->infos[static_cast<std::size_t>(g.first_conv)].output.back());
    if (knockout->filter >= filters)
      fail("knockout filter ", knockout->filter + 1, " is out of range (1..", filters, ")");
  }
  if (batch == 0) batch = 128;
  auto dev = torch_device(device);
  torch::NoGradGuard no_grad;
  bool was_training = g.is_training();
  g.eval();
  if (!dev.is_cpu()) g.to(dev);
  std::vector<std::vector<float>> out(impl_->output_shapes.size());
  for (std::size_t k = 0; k < out.size(); ++k)
    out[k].resize(n * static_cast<std::size_t>(numel(impl_->output_shapes[k])));
  try {
    for (std::size_t b = 0; b < n; b += batch) {
      auto m = static_cast<std::int64_t>(std::min(batch, n - b));
      std::vector<torch::Tensor> xs;
      for (std::size_t k = 0; k < inputs.size(); ++k) {
        Shape full{m};
        full.insert(full.end(), in_shapes[k].begin(), in_shapes[k].end());
        auto per = static_cast<std::size_t>(numel(in_shapes[k]));
        auto t = torch::from_blob(const_cast<float*>(inputs[k] + b * per), full, torch::kFloat32);
        xs.push_back(dev.is_cpu() ? t : t.to(dev));
      }
      auto ys = g.forward(xs, knockout);
      for (std::size_t k = 0; k < ys.size(); ++k) {
        auto y = ys[k].to(torch::kCPU, torch::kFloat32).contiguous();
        auto per = static_cast<std::size_t>(numel(impl_->output_shapes[k]));
        std::copy(y.data_ptr<float>(), y.data_ptr<float>() + m * static_cast<std::int64_t>(per),
                  out[k].begin() + static_cast<std::ptrdiff_t>(b * per));
      }
    }
  } catch (...) {
    if (!dev.is_cpu()) g.to(torch::kCPU);
    if (was_training) g.train();
    throw;
  }
  if (!dev.is_cpu()) g.to(torch::kCPU);
  if (was_training) g.train();
  return out;
}

std::string Network::save_state() const {
  torch::serialize::OutputArchive archive;
  for (auto& p : impl_->module->named_parameters(true)) archive.write(p.key(), p.value().cpu());
  for (auto& b : impl_->module->named_buffers(true)) archive.write(std::string("buffer:") + b.key(), b.value().cpu());
  std::ostringstream os;
  archive.save_to(os);
  return os.str();
}

void Network::load_state(const std::string& bytes) {
  torch::serialize::InputArchive archive;
  try {
    std::istringstream is(bytes);
    archive.load_from(is);
  } catch (const std::exception& e) {
    fail("the weights are not a LibTorch archive (", std::string(e.what()).substr(0, 120), ")");
  }
  torch::NoGradGuard no_grad;
  auto read = [&](const std::string& key, torch::Tensor& dst) {
    torch::Tensor t;
    if (!archive.try_read(key, t)) fail("the saved weights have no tensor '", key, "'");
    if (t.sizes() != dst.sizes())
      fail("the saved tensor '", key, "' has shape ", t.sizes(), ", the model ", dst.sizes());
    dst.copy_(t);
  };
  for (auto& p : impl_->module->named_parameters(true)) read(p.key(), p.value());
  for (auto& b : impl_->module->named_buffers(true)) read(std::string("buffer:") + b.key(), b.value());
}

std::size_t Network::copy_weights_from(const Network& from, const std::string& prefix,
                                       bool reverse) {
  torch::NoGradGuard no_grad;
  auto& src_m = *from.impl_->module;
  auto& dst_m = *impl_->module;
  auto dst_p = dst_m.named_parameters(true), dst_b = dst_m.named_buffers(true);
  auto src_p = src_m.named_parameters(true), src_b = src_m.named_buffers(true);
  std::size_t n = 0;
  auto copy = [&](const std::string& src_key, const std::string& dst_key) {
    auto* s = src_p.find(src_key);
    if (!s) s = src_b.find(src_key);
    auto* t = dst_p.find(dst_key);
    if (!t) t = dst_b.find(dst_key);
    if (!s) fail("the source model has no tensor '", src_key, "'");
    if (!t) {
      if (!reverse) return;  // a part of the source the new model does not use
      fail("the model has no tensor '", dst_key, "' to copy weights into");
    }
    if (t->sizes() != s->sizes())
      fail("tensor '", dst_key, "' has shape ", t->sizes(), ", the source ", s->sizes());
    t->copy_(*s);
    ++n;
  };
  if (reverse) {
    for (auto& p : dst_p) copy(prefix + p.key(), p.key());
    for (auto& b : dst_b) copy(prefix + b.key(), b.key());
  } else {
    for (auto& p : src_p) copy(p.key(), prefix + p.key());
    for (auto& b : src_b) copy(b.key(), prefix + b.key());
  }
  return n;
}

std::size_t Network::share_layers_from(Network& from) {
  auto& dst = *impl_->module;
  auto& src = *from.impl_->module;
  if (&dst == &src) return dst.layers.size();
  std::map<std::string, std::size_t> index;
  for (std::size_t k = 0; k < src.spec.layers.size(); ++k) index[src.spec.layers[k].name] = k;
  auto sizes = [](const torch::nn::Module& m) {
    std::map<std::string, std::vector<std::int64_t>> out;
    for (auto& p : m.named_parameters(true)) out[p.key()] = p.value().sizes().vec();
    for (auto& b : m.named_buffers(true)) out["buffer:" + b.key()] = b.value().sizes().vec();
    return out;
  };
  // Every layer is checked before any is replaced, so that a failure changes nothing.
  std::vector<std::size_t> source_of(dst.layers.size());
  for (std::size_t k = 0; k < dst.layers.size(); ++k) {
    const auto& s = dst.spec.layers[k];
    auto it = index.find(s.name);
    if (it == index.end()) fail("the source network has no layer '", s.name, "' to share");
    const auto& t = src.spec.layers[it->second];
    if (s.type != t.type || s.num != t.num || s.str != t.str || s.ints != t.ints ||
        s.trainable != t.trainable)
      fail("layer '", s.name, "' is a different layer in the source network (", t.type,
           " with other parameters)");
    if (impl_->infos[k].output != from.impl_->infos[it->second].output ||
        sizes(*dst.layers[k]) != sizes(*src.layers[it->second]))
      fail("layer '", s.name, "' has other shapes in the source network");
    source_of[k] = it->second;
  }
  for (std::size_t k = 0; k < dst.layers.size(); ++k) {
    dst.layers[k] = src.layers[source_of[k]];
    dst.replace_module(dst.spec.layers[k].name, dst.layers[k]);
  }
  return dst.layers.size();
}

FirstConv Network::first_conv() const {
  auto& g = *impl_->module;
  if (g.first_conv < 0) fail("the model has no convolution layer");
  auto& layer = dynamic_cast<ConvLayer&>(*g.layers[static_cast<std::size_t>(g.first_conv)]);
  if (!layer.conv) fail("the first convolution of the model is transposed");
  auto w = layer.conv->weight.detach().cpu().contiguous();
  FirstConv fc;
  fc.filters = w.size(0);
  fc.channels = w.size(1);
  fc.kernel = w.size(2);
  fc.dilation = layer.conv->options.dilation()->at(0);
  fc.weight.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
  if (layer.conv->bias.defined()) {
    auto b = layer.conv->bias.detach().cpu().contiguous();
    fc.bias.assign(b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
  } else {
    fc.bias.assign(static_cast<std::size_t>(fc.filters), 0.0f);
  }
  return fc;
}

}  // namespace nn
}  // namespace gdl
