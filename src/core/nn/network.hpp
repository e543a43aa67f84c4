// gdl::nn::Network: a LibTorch network built from a ModelSpec, behind a torch-free interface so
// that the R bridge (and anything else not training) compiles without LibTorch headers.
// Inputs and outputs are row-major float buffers with the batch axis first; sequence inputs are
// channels-first (N x C x L), sequence outputs positions-first (N x L x C, the layout of
// data::BatchShapes targets).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nn/spec.hpp"

namespace gdl {
namespace nn {

struct NetworkImpl;  // torch side, nn/network_impl.hpp

class Network {
 public:
  // Builds the network; parameters are initialised from `seed` (LibTorch's default schemes).
  // Throws gdl::Error naming the layer when a spec is invalid or shapes do not fit.
  Network(const ModelSpec& spec, std::uint64_t seed);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  const ModelSpec& spec() const;
  std::vector<LayerInfo> summary() const;
  std::vector<Shape> input_shapes() const;   // channels-first, as in the spec
  std::vector<Shape> output_shapes() const;  // (L, C) for sequences, (F) for flat outputs
  std::int64_t parameter_count(bool trainable_only = false) const;

  // Runs the network in evaluation mode over n samples, `batch` at a time, on `device`
  // ("cpu", "cuda", "cuda:N"). inputs[k] holds n x prod(input_shapes()[k]) floats.
  // Returns one buffer per output, n x prod(output_shapes()[k]).
  std::vector<std::vector<float>> predict(const std::vector<const float*>& inputs, std::size_t n,
                                          std::size_t batch, const std::string& device,
                                          const Knockout* knockout = nullptr) const;

  // Parameters and buffers, serialised by LibTorch (exact; names are the node names).
  std::string save_state() const;
  void load_state(const std::string& bytes);

  // Names and shapes of the parameters, in the network's order. A name is the layer's name, its
  // module and the tensor: "conv1d_1.conv.weight", "dense_2.linear.bias", "gru_3.gru.bias_hh_l0".
  std::vector<std::pair<std::string, Shape>> parameter_shapes() const;

  // The one way to set a parameter (or buffer, e.g. "bn.bn.running_mean") by name: overwrites
  // it with `values`, row-major in its shape. Throws gdl::Error listing the parameters when the
  // name is unknown, or when the number of values differs from the tensor's.
  void set_parameter(const std::string& key, const std::vector<float>& values);

  FirstConv first_conv() const;

  // Copies every parameter and buffer of `from` (key k) into this network's key prefix + k
  // (models built from other models: BPNet transformation and combined models); with
  // `reverse`, fills every tensor of this network (key k) from `from`'s key prefix + k.
  // Source tensors the destination lacks are skipped (forward direction only).
  // Returns the number of tensors copied; throws when a key is missing or shapes differ.
  std::size_t copy_weights_from(const Network& from, const std::string& prefix, bool reverse = false);

  // Makes every layer of this network the very module of `from`'s layer of the same name, so
  // that both networks hold the same parameters and buffers (not copies): training or loading
  // either one changes both. This is how a BPNet residual model is a view on the residual
  // part of its combined model. Each layer must exist in `from` with the same type,
  // parameters (spec) and output and tensor shapes; throws gdl::Error naming the first that
  // does not (and then leaves this network unchanged). Returns the number of layers shared.
  std::size_t share_layers_from(Network& from);

  NetworkImpl& impl() { return *impl_; }
  const NetworkImpl& impl() const { return *impl_; }

 private:
  std::unique_ptr<NetworkImpl> impl_;
};

}  // namespace nn
}  // namespace gdl
