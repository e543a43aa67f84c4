// The network graph (gdl::nn::Network, see network.hpp): building the layers of a ModelSpec in
// node order with their shapes checked on a dummy batch, the forward pass over the nodes,
// prediction, and the state -- save / load, parameters set by name, weights copied or shared
// between networks. The layers themselves are nn/layers.cpp.
#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "common/error.hpp"
#include "common/interrupt.hpp"
#include "nn/network_impl.hpp"

namespace gdl {
namespace nn {

namespace {

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

std::vector<torch::Tensor> GraphModule::forward(const std::vector<torch::Tensor>& inputs,
                                                const Knockout* knockout) {
  auto n_in = spec.inputs.size();
  if (inputs.size() != n_in) fail("the model takes ", n_in, " inputs, not ", inputs.size());
  std::vector<torch::Tensor> values(n_in + layers.size());
  for (std::size_t i = 0; i < n_in; ++i) values[i] = inputs[i];
  for (std::size_t k = 0; k < layers.size(); ++k) {
    // Interrupts are polled a layer at a time, forward and (through a gradient hook on each
    // layer's output) backward: one batch of a large model lasts seconds, longer than the 0.5 s
    // an interrupt may wait. check_interrupt() is a flag and clock read between polls.
    check_interrupt();
    std::vector<torch::Tensor> in;
    for (int id : spec.layers[k].inputs) in.push_back(values[static_cast<std::size_t>(id)]);
    auto out = layers[k]->forward(in);
    if (knockout && knockout->filter >= 0 && static_cast<int>(k) == first_conv) {
      out = out.clone();
      out.select(1, knockout->filter).fill_(knockout->value);
    }
    if (out.requires_grad()) out.register_hook([](const torch::Tensor&) { check_interrupt(); });
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

std::vector<std::pair<std::string, Shape>> Network::parameter_shapes() const {
  std::vector<std::pair<std::string, Shape>> out;
  for (auto& p : impl_->module->named_parameters(true))
    out.emplace_back(p.key(), p.value().sizes().vec());
  return out;
}

void Network::set_parameter(const std::string& key, const std::vector<float>& values) {
  auto& g = *impl_->module;
  auto params = g.named_parameters(true);
  auto buffers = g.named_buffers(true);
  auto* t = params.find(key);
  if (!t) t = buffers.find(key);
  if (!t) {
    std::string known;
    for (auto& p : params) known += (known.empty() ? "" : ", ") + p.key();
    fail("the model has no parameter '", key, "' (it has: ", known, ")");
  }
  if (static_cast<std::size_t>(t->numel()) != values.size())
    fail("parameter '", key, "' has ", t->numel(), " values ", t->sizes(), ", not ", values.size());
  torch::NoGradGuard no_grad;
  t->copy_(torch::from_blob(const_cast<float*>(values.data()), t->sizes(), torch::kFloat32));
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
  const auto k = static_cast<std::size_t>(g.first_conv);
  auto params = g.layers[k]->named_parameters(true);  // a conv1d layer: conv.weight, conv.bias
  auto w = params["conv.weight"].detach().cpu().contiguous();
  FirstConv fc;
  fc.filters = w.size(0);
  fc.channels = w.size(1);
  fc.kernel = w.size(2);
  fc.dilation = static_cast<std::int64_t>(g.spec.layers[k].number("dilation", 1));
  fc.weight.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
  if (const auto* bias = params.find("conv.bias"); bias && bias->defined()) {
    auto b = bias->detach().cpu().contiguous();
    fc.bias.assign(b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
  } else {
    fc.bias.assign(static_cast<std::size_t>(fc.filters), 0.0f);
  }
  return fc;
}

}  // namespace nn
}  // namespace gdl
