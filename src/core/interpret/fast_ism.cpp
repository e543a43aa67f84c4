// Fast ISM: each mutant recomputes only the windows its base reaches (see fast_ism.hpp).
#include "interpret/fast_ism.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>

#include "common/error.hpp"
#include "common/interrupt.hpp"
#include "interpret/attribution_impl.hpp"
#include "nn/activations.hpp"
#include "nn/layers.hpp"
#include "nn/network_impl.hpp"

namespace gdl {
namespace interpret {

namespace {

namespace F = torch::nn::functional;
using torch::Tensor;
using Starts = std::vector<std::int64_t>;

// A pass holds kPassBatches x opt.batch mutants: a mutant's windows are small, and the many
// small steps of a pass (indices, overlays) cost as much for 128 mutants as for 1,024. The
// convolutions, the one step that grows with the model, run opt.batch mutants at a time with an
// interrupt check between them. Fixed sizes (not timed ones) keep results reproducible.
constexpr std::size_t kPassBatches = 8;

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return -floor_div(-a, b); }

// How a layer maps windows of its inputs to windows of its output.
enum class Kind {
  Window,     // conv1d, max / average pooling: the layer on the window padded by its reach
  Local,      // per position: batch norm, dropout, activation, dense on a sequence
  Crop,
  Merge,      // add, concatenate, logsumexp of sequences
  Flatten,    // keeps the window; the dense layer after it takes the difference
  Dense,      // dense on a flat input
  GlobalPool, // global max / average pooling: the window against the reference's outside it
  Whole       // everything else: the whole input
};

// A layer as fast ISM runs it.
struct Step {
  Kind kind = Kind::Whole;
  std::shared_ptr<nn::LayerModule> module;
  std::vector<int> inputs;
  std::int64_t length = 0;  // output length (0: flat output)
  std::int64_t channels = 0;
  nn::ConvGeometry geo;     // conv1d and pooling (kernel = pool)
  bool is_conv = false;
  bool is_max = false;      // global max pooling
  nn::Activation act = nn::Activation::Linear;
  Tensor weight, bias;      // conv1d (Cout, Cin, k), dense (out, in)
  std::int64_t crop_left = 0;
  // Output windows start at multiples of this: the stride of the pooling that reads them
  // (through per-position layers), so that its windows are theirs, with nothing to rebuild
  // (not for convolutions: see align_windows).
  std::int64_t align = 1;
};

// A node's value for the mutants of one pass. Sequence nodes: each mutant's positions
// [start[b], start[b] + width), all others equal to the reference (width = the length: the
// whole tensor, start 0). Flat nodes: the whole value (B, F). A flatten of a partial window
// keeps the window of its input node `flat_of` (values, start, width of that node).
struct Patch {
  Tensor values;  // (B, C, width) or (B, F)
  Starts start;
  std::int64_t width = 0;
  int flat_of = -1;
};

// Unpadded convolutions (the callers pad): LibTorch's overloads take IntArrayRefs.
Tensor conv(const Tensor& x, const Tensor& w, const Tensor& b, std::int64_t stride,
            std::int64_t dilation) {
  const std::int64_t zero = 0;
  return torch::conv1d(x, w, b, torch::IntArrayRef(stride), torch::IntArrayRef(zero),
                       torch::IntArrayRef(dilation));
}
Tensor index_tensor(const Starts& v, const torch::Device& dev) {
  return torch::tensor(v, torch::kLong).to(dev);
}

bool all_equal(const Starts& v) {
  return std::all_of(v.begin(), v.end(), [&](std::int64_t s) { return s == v[0]; });
}

// Windows [starts[b], starts[b] + W) of a reference (C, L), positions outside it reading `pad`:
// (B, C, W).
Tensor windows(const Tensor& ref, const Starts& starts, std::int64_t W, double pad) {
  auto L = ref.size(1);
  auto lo = *std::min_element(starts.begin(), starts.end());
  auto hi = *std::max_element(starts.begin(), starts.end()) + W;
  auto ml = std::max<std::int64_t>(0, -lo), mr = std::max<std::int64_t>(0, hi - L);
  auto src = ml || mr ? F::pad(ref.unsqueeze(0), F::PadFuncOptions({ml, mr}).value(pad)).squeeze(0)
                      : ref;
  auto B = static_cast<std::int64_t>(starts.size());
  if (all_equal(starts))
    // a copy even when it is the whole reference: callers write into it
    return src.narrow(1, starts[0] + ml, W).unsqueeze(0).expand({B, src.size(0), W})
        .clone(at::MemoryFormat::Contiguous);
  Starts shifted(starts);
  for (auto& s : shifted) s += ml;
  return src.unfold(1, W, 1).index_select(1, index_tensor(shifted, ref.device()))
      .permute({1, 0, 2}).contiguous();
}

// Writes (or with `add`, adds) patch p into windows `base` (B, C, W) that start at `starts`, at
// the positions both cover.
Tensor overlay(Tensor base, const Starts& starts, const Patch& p, bool add) {
  auto B = base.size(0), C = base.size(1), W = base.size(2), w = p.width;
  Starts rel(starts.size());
  bool inside = true;
  for (std::size_t b = 0; b < starts.size(); ++b) {
    rel[b] = p.start[b] - starts[b];
    inside = inside && rel[b] >= 0 && rel[b] + w <= W;
  }
  const auto& dev = base.device();
  if (inside && all_equal(rel)) {
    auto dst = base.narrow(2, rel[0], w);
    if (add) dst.add_(p.values);
    else dst.copy_(p.values);
    return base;
  }
  if (inside) {
    auto idx = (index_tensor(rel, dev).view({B, 1, 1}) + torch::arange(w, torch::TensorOptions(dev).dtype(torch::kLong)).view({1, 1, w}))
                   .expand({B, C, w});
    return add ? base.scatter_add_(2, idx, p.values) : base.scatter_(2, idx, p.values);
  }
  // the patch sticks out of the window: read it at each window position where it has a value
  auto src = torch::arange(W, torch::TensorOptions(dev).dtype(torch::kLong)).view({1, W}) -
             index_tensor(rel, dev).view({B, 1});
  auto mask = ((src >= 0) & (src < w)).unsqueeze(1);
  auto g = p.values.gather(2, src.clamp(0, w - 1).unsqueeze(1).expand({B, C, W}));
  return add ? base + g * mask : torch::where(mask, g, base);
}

// The mutants' values of a sequence node at [starts[b], starts[b] + W): the reference with the
// patch written over it.
Tensor stitch(const Tensor& ref, const Patch& p, const Starts& starts, std::int64_t W, double pad) {
  if (p.width == ref.size(1) && W == p.width &&
      std::all_of(starts.begin(), starts.end(), [](std::int64_t s) { return s == 0; }))
    return p.values;
  return overlay(windows(ref, starts, W, pad), starts, p, false);
}

Patch whole_patch(Tensor values) {
  Patch p;
  if (values.dim() == 3) {
    p.width = values.size(2);
    p.start.assign(static_cast<std::size_t>(values.size(0)), 0);
  }
  p.values = std::move(values);
  return p;
}

class Runner {
 public:
  Runner(const nn::Network& net, const AttributionOptions& opt)
      : g_(*net.impl().module), opt_(opt), dev_(nn::torch_device(opt.device)) {
    const auto& spec = g_.spec;
    n_in_ = static_cast<int>(spec.inputs.size());
    auto nodes = static_cast<std::size_t>(n_in_) + spec.layers.size();
    length_.assign(nodes, 0);
    channels_.assign(nodes, 0);
    length_[0] = spec.inputs[0][1];
    channels_[0] = spec.inputs[0][0];
    output_ = spec.outputs[static_cast<std::size_t>(opt.output)];
    // the layers the attributed output depends on
    std::vector<bool> need(nodes, false);
    need[static_cast<std::size_t>(output_)] = true;
    for (auto k = static_cast<int>(spec.layers.size()) - 1; k >= 0; --k)
      if (need[static_cast<std::size_t>(n_in_ + k)])
        for (int id : spec.layers[static_cast<std::size_t>(k)].inputs) need[static_cast<std::size_t>(id)] = true;
    steps_.resize(spec.layers.size());
    for (std::size_t k = 0; k < spec.layers.size(); ++k) {
      const auto& out = net.impl().infos[k].output;  // Keras-style (L, C) or (F)
      auto node = static_cast<std::size_t>(n_in_) + k;
      if (out.size() == 2) {
        length_[node] = out[0];
        channels_[node] = out[1];
      } else {
        channels_[node] = out[0];
      }
      if (need[node]) plan(k);
    }
    align_windows();
  }

  // prediction f(x) and delta (4 x L) of one sequence x (4 x L)
  double run(const float* x, double* delta) {
    const auto L = length_[0];
    reference(x);
    auto fx = attributed_value(api(ref_[static_cast<std::size_t>(output_)]), opt_).item<double>();
    // every (position, base) whose base differs from the sequence's is one mutant
    std::vector<std::int64_t> pos, base;
    for (std::int64_t l = 0; l < L; ++l)
      for (std::int64_t b = 0; b < 4; ++b)
        if (!is_base(x, static_cast<std::size_t>(L), static_cast<std::size_t>(l), static_cast<std::size_t>(b))) {
          pos.push_back(l);
          base.push_back(b);
        }
    for (std::size_t first = 0; first < pos.size();) {
      auto m = std::min(pass_, pos.size() - first);
      Starts p(pos.begin() + static_cast<std::ptrdiff_t>(first),
               pos.begin() + static_cast<std::ptrdiff_t>(first + m));
      Starts b(base.begin() + static_cast<std::ptrdiff_t>(first),
               base.begin() + static_cast<std::ptrdiff_t>(first + m));
      auto y = pass(p, b).to(torch::kFloat64).contiguous();
      const double* yv = y.data_ptr<double>();
      for (std::size_t k = 0; k < m; ++k) delta[b[k] * L + p[k]] = yv[k] - fx;
      first += m;
    }
    return fx;
  }

 private:
  nn::GraphModule& g_;
  const AttributionOptions& opt_;
  torch::Device dev_;
  int n_in_ = 1, output_ = 0;
  std::vector<std::int64_t> length_, channels_;
  std::vector<Step> steps_;                 // by layer; module null where not needed
  std::vector<Tensor> ref_;                 // by node: the sequence's value (1, C, L) or (1, F)
  // by layer: reference pre-activation of dense layers (1, F); for global max pooling, the
  // reference's maxima before each position (C, L + 1), and in ref_after_ from it on
  std::map<std::size_t, Tensor> ref_pre_, ref_after_;
  std::int64_t batch_ = static_cast<std::int64_t>(std::max<std::size_t>(opt_.batch, 1));
  std::size_t pass_ = static_cast<std::size_t>(batch_) * kPassBatches;

  static Tensor api(const Tensor& t) { return t.dim() == 3 ? t.permute({0, 2, 1}) : t; }

  // f over opt.batch mutants at a time (inputs split along the mutants), polling in between.
  template <typename Fn>
  Tensor chunked(const std::vector<Tensor>& xs, Fn f) const {
    auto B = xs[0].size(0), step = batch_;
    if (B <= step) return f(xs);
    std::vector<Tensor> parts;
    for (std::int64_t b = 0; b < B; b += step) {
      check_interrupt();
      std::vector<Tensor> part;
      for (const auto& x : xs) part.push_back(x.narrow(0, b, std::min(step, B - b)));
      parts.push_back(f(part));
    }
    return torch::cat(parts, 0);
  }
  Tensor forward(const Step& st, const std::vector<Tensor>& xs) const {
    return chunked(xs, [&](const std::vector<Tensor>& part) { return st.module->forward(part); });
  }

  void plan(std::size_t k) {
    const auto& s = g_.spec.layers[k];
    Step& st = steps_[k];
    st.module = g_.layers[k];
    st.inputs = s.inputs;
    auto node = static_cast<std::size_t>(n_in_) + k;
    st.length = length_[node];
    st.channels = channels_[node];
    bool seq_in = length_[static_cast<std::size_t>(s.inputs[0])] > 0;
    auto params = st.module->named_parameters();
    auto param = [&](const char* key) {
      auto* p = params.find(key);
      return p ? p->detach() : Tensor();
    };
    const auto& t = s.type;
    if (t == "conv1d") {
      auto in = static_cast<std::size_t>(s.inputs[0]);
      st.geo = nn::conv_geometry(s, {channels_[in], length_[in]}, false);
      st.is_conv = true;
      st.act = nn::activation_info(s.string("activation", "linear")).kind;
      st.weight = param("conv.weight");
      st.bias = param("conv.bias");
      st.kind = Kind::Window;
    } else if (t == "maxpool1d" || t == "avgpool1d") {
      st.kind = Kind::Window;
      st.geo.kernel = static_cast<std::int64_t>(s.number("pool", 1));
      st.geo.stride = static_cast<std::int64_t>(s.number("stride", static_cast<double>(st.geo.kernel)));
    } else if (t == "global_maxpool1d" || t == "global_avgpool1d") {
      st.kind = Kind::GlobalPool;
      st.is_max = t == "global_maxpool1d";
    } else if (t == "batchnorm" || t == "dropout" || t == "activation") {
      st.kind = Kind::Local;
    } else if (t == "dense") {
      st.kind = seq_in ? Kind::Local : Kind::Dense;
      st.act = nn::activation_info(s.string("activation", "linear")).kind;
      st.weight = param("linear.weight");
      st.bias = param("linear.bias");
    } else if (t == "crop") {
      st.kind = Kind::Crop;
      st.crop_left = (length_[static_cast<std::size_t>(s.inputs[0])] - st.length) / 2;
    } else if ((t == "add" || t == "concatenate" || t == "logsumexp") && seq_in) {
      st.kind = Kind::Merge;
    } else if (t == "flatten" && seq_in) {
      st.kind = Kind::Flatten;
    } else {
      st.kind = Kind::Whole;
    }
  }

  void align_windows() {
    std::vector<int> consumers(length_.size(), 0), consumer(length_.size(), -1);
    for (std::size_t k = 0; k < steps_.size(); ++k)
      if (steps_[k].module)
        for (int id : steps_[k].inputs) {
          ++consumers[static_cast<std::size_t>(id)];
          consumer[static_cast<std::size_t>(id)] = static_cast<int>(k);
        }
    for (auto k = static_cast<int>(steps_.size()) - 1; k >= 0; --k) {
      auto node = static_cast<std::size_t>(n_in_ + k);
      // Convolutions are not widened to align: the positions that adds cost more than the
      // rebuilt pooling windows save (Basset's second convolution: 20 outputs instead of 17).
      if (!steps_[static_cast<std::size_t>(k)].module || consumers[node] != 1 ||
          steps_[static_cast<std::size_t>(k)].is_conv)
        continue;
      const Step& c = steps_[static_cast<std::size_t>(consumer[node])];
      if (c.kind == Kind::Window && !c.is_conv) steps_[static_cast<std::size_t>(k)].align = c.geo.stride;
      else if (c.kind == Kind::Local) steps_[static_cast<std::size_t>(k)].align = c.align;
    }
  }

  // Every needed node for the sequence itself, and the reference pre-activations.
  void reference(const float* x) {
    auto L = length_[0];
    ref_.assign(length_.size(), Tensor());
    ref_pre_.clear();
    ref_[0] = torch::from_blob(const_cast<float*>(x), {1, 4, L}, torch::kFloat32).clone().to(dev_);
    for (std::size_t k = 0; k < steps_.size(); ++k) {
      const Step& st = steps_[k];
      if (!st.module) continue;
      check_interrupt();
      std::vector<Tensor> in;
      for (int id : st.inputs) in.push_back(ref_[static_cast<std::size_t>(id)]);
      ref_[static_cast<std::size_t>(n_in_) + k] = st.module->forward(in);
      if (st.kind == Kind::Dense && flatten_source(st.inputs[0]) >= 0)
        ref_pre_[k] = nn::dense_forward(in[0], st.weight, st.bias);
      if (st.kind == Kind::GlobalPool && st.is_max) {
        // the maximum of the reference before position i and from i on: (C, L + 1) each
        auto r = in[0][0];
        auto lowest = torch::full({r.size(0), 1}, -std::numeric_limits<float>::infinity(), r.options());
        auto before = std::get<0>(torch::cummax(r, 1));
        auto after = std::get<0>(torch::cummax(r.flip({1}), 1)).flip({1});
        ref_pre_[k] = torch::cat({lowest, before}, 1);
        ref_after_[k] = torch::cat({after, lowest}, 1);
      }
    }
  }

  // The node a flatten node reads when it is a flatten of a sequence, else -1.
  int flatten_source(int node) const {
    if (node < n_in_) return -1;
    const Step& st = steps_[static_cast<std::size_t>(node - n_in_)];
    return st.kind == Kind::Flatten ? st.inputs[0] : -1;
  }

  const Tensor& ref_of(int node) const { return ref_[static_cast<std::size_t>(node)]; }

  // The whole value of a node for the mutants.
  Tensor full(int node, const Patch& p) const {
    if (p.flat_of >= 0) {
      auto L = length_[static_cast<std::size_t>(p.flat_of)];
      auto x = stitch(ref_of(p.flat_of)[0], p, Starts(p.start.size(), 0), L, 0.0);
      return steps_[static_cast<std::size_t>(node - n_in_)].module->forward({x});
    }
    auto L = length_[static_cast<std::size_t>(node)];
    if (L == 0) return p.values;
    return stitch(ref_of(node)[0], p, Starts(p.start.size(), 0), L, 0.0);
  }

  // One pass: mutants (position, new base) of the sequence -> their attributed values (B).
  Tensor pass(const Starts& pos, const Starts& base) {
    auto B = static_cast<std::int64_t>(pos.size());
    std::vector<Patch> at(length_.size());
    // the input's window: the mutated base alone
    auto onehot = torch::zeros({B, 4, 1}, torch::kFloat32);
    auto acc = onehot.accessor<float, 3>();
    for (std::int64_t b = 0; b < B; ++b) acc[b][base[static_cast<std::size_t>(b)]][0] = 1.0f;
    at[0].values = onehot.to(dev_);
    at[0].start = pos;
    at[0].width = 1;
    for (std::size_t k = 0; k < steps_.size(); ++k) {
      if (!steps_[k].module) continue;
      check_interrupt();
      at[static_cast<std::size_t>(n_in_) + k] = layer(k, at);
    }
    const auto& out = at[static_cast<std::size_t>(output_)];
    return attributed_value(api(full(output_, out)), opt_).to(torch::kCPU);
  }

  Patch layer(std::size_t k, const std::vector<Patch>& at) const {
    const Step& st = steps_[k];
    const Patch& in = at[static_cast<std::size_t>(st.inputs[0])];
    const auto in_len = length_[static_cast<std::size_t>(st.inputs[0])];
    bool whole_in = in.flat_of < 0 && in.width == in_len;  // (flat inputs: 0 == 0)
    switch (st.kind) {
      case Kind::Window:
        if (whole_in) break;
        return window(k, in);
      case Kind::Local:
        if (in.flat_of >= 0) break;
        {
          Patch p = in;
          p.values = forward(st, {in.values});
          return p;
        }
      case Kind::Crop:
        return crop(st, in);
      case Kind::Merge:
        return merge(st, at);
      case Kind::Flatten:
        if (whole_in) break;
        {
          Patch p = in;
          p.flat_of = st.inputs[0];
          return p;
        }
      case Kind::Dense:
        if (in.flat_of < 0) break;
        return dense_delta(k, in);
      case Kind::GlobalPool:
        if (whole_in || in.flat_of >= 0) break;
        return global_pool(k, in);
      case Kind::Whole:
        break;
    }
    std::vector<Tensor> xs;
    for (int id : st.inputs) xs.push_back(full(id, at[static_cast<std::size_t>(id)]));
    return whole_patch(forward(st, xs));
  }

  // Output windows [o_b, o_b + W) of `width` <= length positions holding [lo_b, hi_b), starting
  // at multiples of `align` where the length allows.
  static Starts place(const Starts& lo, const Starts& hi, std::int64_t length, std::int64_t& width,
                      std::int64_t align = 1) {
    Starts o(lo.size());
    width = 1;
    for (std::size_t b = 0; b < lo.size(); ++b) {
      o[b] = lo[b] / align * align;
      width = std::max(width, hi[b] - o[b]);
    }
    width = std::min(ceil_div(width, align) * align, length);
    for (auto& v : o) v = std::clamp<std::int64_t>(v, 0, length - width);
    return o;
  }

  Patch window(std::size_t k, const Patch& in) const {
    const Step& st = steps_[k];
    const auto& gm = st.geo;
    auto span = gm.dilation * (gm.kernel - 1) + 1;
    Starts lo(in.start.size()), hi(in.start.size());
    for (std::size_t b = 0; b < in.start.size(); ++b) {
      // outputs o whose inputs o * stride - pad_left + [0, span) meet [start, start + width)
      lo[b] = std::max<std::int64_t>(0, floor_div(in.start[b] + gm.pad_left - span, gm.stride) + 1);
      hi[b] = std::min(st.length, ceil_div(in.start[b] + in.width + gm.pad_left, gm.stride));
    }
    Patch out;
    out.start = place(lo, hi, st.length, out.width, st.align);
    Starts from(out.start);
    for (auto& v : from) v = v * gm.stride - gm.pad_left;
    auto need = (out.width - 1) * gm.stride + span;
    // the input's windows hold all the layer reads (aligned windows): no rebuilding
    auto rel = in.start[0] - from[0];
    bool within = true;
    for (std::size_t b = 0; b < from.size() && within; ++b)
      within = in.start[b] - from[b] == rel && rel <= 0 && need - rel <= in.width;
    auto x = within ? in.values.narrow(2, -rel, need)
                    : stitch(ref_[static_cast<std::size_t>(st.inputs[0])][0], in, from, need, gm.pad_value);
    out.values = chunked({x}, [&](const std::vector<Tensor>& xs) {
      if (!st.is_conv) return st.module->forward(xs);  // valid pooling
      return nn::activate(st.act, conv(xs[0], st.weight, st.bias, gm.stride, gm.dilation), 1e-6);
    });
    return out;
  }

  Patch crop(const Step& st, const Patch& in) const {
    Starts lo(in.start.size()), hi(in.start.size());
    for (std::size_t b = 0; b < in.start.size(); ++b) {
      lo[b] = std::max<std::int64_t>(0, in.start[b] - st.crop_left);
      hi[b] = std::min(st.length, in.start[b] + in.width - st.crop_left);
    }
    Patch out;
    out.start = place(lo, hi, st.length, out.width, st.align);
    Starts from(out.start);
    for (auto& v : from) v += st.crop_left;
    out.values = stitch(ref_[static_cast<std::size_t>(st.inputs[0])][0], in, from, out.width, 0.0);
    return out;
  }

  // Sequences centre-cropped to the shortest, as the layer does: the union of the windows.
  Patch merge(const Step& st, const std::vector<Patch>& at) const {
    auto B = at[static_cast<std::size_t>(st.inputs[0])].start.size();
    Starts lo(B, st.length), hi(B, 0);
    for (int id : st.inputs) {
      const Patch& p = at[static_cast<std::size_t>(id)];
      auto left = (length_[static_cast<std::size_t>(id)] - st.length) / 2;
      for (std::size_t b = 0; b < B; ++b) {
        lo[b] = std::min(lo[b], std::max<std::int64_t>(0, p.start[b] - left));
        hi[b] = std::max(hi[b], std::min(st.length, p.start[b] + p.width - left));
      }
    }
    Patch out;
    out.start = place(lo, hi, st.length, out.width, st.align);
    std::vector<Tensor> xs;
    for (int id : st.inputs) {
      auto left = (length_[static_cast<std::size_t>(id)] - st.length) / 2;
      Starts from(out.start);
      for (auto& v : from) v += left;
      xs.push_back(stitch(ref_[static_cast<std::size_t>(id)][0], at[static_cast<std::size_t>(id)],
                          from, out.width, 0.0));
    }
    out.values = forward(st, xs);
    return out;
  }

  // Global pooling of a window: max(window, the reference outside it); reference mean + the
  // window's change / length.
  Patch global_pool(std::size_t k, const Patch& in) const {
    const Step& st = steps_[k];
    auto src = static_cast<std::size_t>(st.inputs[0]);
    if (!st.is_max) {
      auto change = (in.values - windows(ref_[src][0], in.start, in.width, 0.0)).sum(2);
      return whole_patch(ref_[static_cast<std::size_t>(n_in_) + k] + change / static_cast<double>(length_[src]));
    }
    Starts end(in.start);
    for (auto& v : end) v += in.width;
    const auto& dev = in.values.device();
    auto outside = torch::maximum(ref_pre_.at(k).index_select(1, index_tensor(in.start, dev)),
                                  ref_after_.at(k).index_select(1, index_tensor(end, dev)));
    return whole_patch(torch::maximum(in.values.amax(2), outside.t()));
  }

  // Dense layer after the flatten of a window: reference + (flattened difference) x (its columns).
  Patch dense_delta(std::size_t k, const Patch& in) const {
    const Step& st = steps_[k];
    auto src = static_cast<std::size_t>(in.flat_of);
    auto C = channels_[src], w = in.width;
    auto B = static_cast<std::int64_t>(in.start.size());
    // Keras' flatten order: position-major, feature l * C + c
    auto d = (in.values - windows(ref_[src][0], in.start, w, 0.0)).permute({0, 2, 1}).reshape({B, w * C});
    Tensor change;
    if (all_equal(in.start)) {
      change = nn::dense_forward(d, st.weight.narrow(1, in.start[0] * C, w * C).contiguous(), {});
    } else {
      change = torch::empty({B, st.weight.size(0)}, d.options());
      std::map<std::int64_t, Starts> rows;
      for (std::int64_t b = 0; b < B; ++b) rows[in.start[static_cast<std::size_t>(b)]].push_back(b);
      for (const auto& [s, r] : rows) {
        auto idx = index_tensor(r, d.device());
        auto wk = st.weight.narrow(1, s * C, w * C).contiguous();
        change.index_copy_(0, idx, nn::dense_forward(d.index_select(0, idx), wk, {}));
      }
    }
    return whole_patch(nn::activate(st.act, ref_pre_.at(k) + change, 1e-6));
  }
};

}  // namespace

std::string fast_ism_obstacle(const nn::ModelSpec& spec, int output) {
  auto n_in = static_cast<int>(spec.inputs.size());
  std::vector<bool> need(static_cast<std::size_t>(n_in) + spec.layers.size(), false);
  need[static_cast<std::size_t>(spec.outputs.at(static_cast<std::size_t>(output)))] = true;
  std::string obstacle;
  for (auto k = static_cast<int>(spec.layers.size()) - 1; k >= 0; --k) {
    const auto& s = spec.layers[static_cast<std::size_t>(k)];
    if (!need[static_cast<std::size_t>(n_in + k)]) continue;
    for (int id : s.inputs) need[static_cast<std::size_t>(id)] = true;
    if (s.type == "lstm" || s.type == "gru" || s.type == "conv_transpose1d")
      obstacle = "layer '" + s.name + "' (" + s.type + ")";  // the first one in node order
  }
  return obstacle;
}

void fast_ism(const nn::Network& net, const float* x, std::size_t n, const AttributionOptions& opt,
              std::vector<double>& prediction, std::vector<double>& delta) {
  auto obstacle = fast_ism_obstacle(net.spec(), opt.output);
  if (!obstacle.empty()) fail("fast ISM does not cover ", obstacle);
  const auto len = static_cast<std::size_t>(net.input_shapes()[0][1]), per = 4 * len;
  c10::InferenceMode guard;
  Runner runner(net, opt);
  prediction.resize(n);
  delta.assign(n * per, 0.0);
  for (std::size_t i = 0; i < n; ++i) prediction[i] = runner.run(x + i * per, delta.data() + i * per);
}

}  // namespace interpret
}  // namespace gdl
