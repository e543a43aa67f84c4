// Training, evaluation and prediction of a gdl::nn::Network over BatchSources. Torch-free
// interface (the bridge includes it without LibTorch); the loop lives in trainer.cpp.
//
// Losses (per output; a per-sample value, multiplied by the batch's per-sample weights when it
// has them -- always in training, in validation and evaluation only when asked, as keras_dna's
// weights_val / weights_eval -- averaged over the batch, then weighted and summed over outputs):
//   "bce"     binary cross-entropy on probabilities (sigmoid outputs), mean over tasks
//   "cce"     categorical cross-entropy on probabilities (a flat softmax output of K classes),
//             -log p[true class]; as Keras' categorical_crossentropy each row is rescaled to sum 1
//             and clipped to [1e-7, 1 - 1e-7]. Targets one-hot (K values per sample) or one class
//             index per sample, 0-based (Keras' sparse categorical cross-entropy); an index
//             outside 0..K-1 or not an integer is an error.
//   "mse", "mae", "poisson" (y_pred - y log y_pred, Keras' Poisson) mean over elements
//   "mnll"    multinomial negative log-likelihood of a profile: the output holds logits over
//             positions x tracks, one softmax over all of them (BPReveal / bpnet-lite):
//             -lgamma(n + 1) + sum lgamma(y + 1) - sum y log p, with n = sum y
//   "counts"  MSE between the output (predicted log counts) and log(1 + sum of its target),
//             the BPNet counts loss; weight it with lambda through `weight`.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/batch.hpp"
#include "nn/network.hpp"

namespace gdl {
namespace train {

class ProcessGroup;  // train/distributed.hpp

// The loss names above, in the order the R API lists them (cpp_core_names reads this list).
const std::vector<std::string>& loss_names();

struct LossSpec {
  std::string type = "mse";
  double weight = 1.0;
  int target = -1;  // index of the batch target read by this output; -1 = same index
};

struct TrainOptions {
  std::size_t epochs = 1;
  std::size_t steps_per_epoch = 0;   // 0 = the source's batches_per_epoch()
  std::size_t validation_steps = 0;  // 0 = all validation batches
  std::string optimizer = "adam";    // adam, sgd, rmsprop, adamw
  double learning_rate = 1e-3;
  double momentum = 0.0;             // sgd
  double weight_decay = 0.0;
  std::vector<LossSpec> losses;      // one per output
  std::string device = "cpu";        // resolved already ("cpu", "cuda", "cuda:N")
  int workers = 2;                   // prefetch threads; 0 = synchronous loading
  std::string encode = "auto";       // sequence as one-hot from the loader ("host") or as base
                                     // codes one-hot encoded on the device ("device"); "auto":
                                     // host on the CPU, device elsewhere (train/device_batch.hpp)
  bool mixed_precision = false;      // autocast: bfloat16 on the CPU, float16 on CUDA
  int loss_scaling = -1;             // dynamic loss scale: -1 with float16 autocast, 0 off, 1 on
  std::size_t first_epoch = 0;       // epoch index given to the sources (continued training)
  std::uint64_t seed = 1;            // dropout etc.
  bool validation_weights = false;   // weigh the validation loss by the source's weights
  std::vector<std::string> metrics;  // epoch metrics (train/metrics.hpp), training and validation
  // Data-parallel training (train/distributed.hpp): this process is one rank of the group; the
  // training source is its shard (data/shard.hpp). Rank 0's weights are copied to every rank
  // first, the gradients are averaged over the ranks after each backward pass, the epoch's
  // losses and metrics are merged over the shards, floating buffers (BatchNorm statistics)
  // averaged at the end of each epoch, and rank 0's epoch actions taken by all. Not owned.
  const ProcessGroup* distributed = nullptr;
};

struct EpochLog {
  std::size_t epoch = 0;
  double loss = 0;
  std::vector<double> output_losses;
  double val_loss = 0;  // NaN without validation
  std::vector<double> val_output_losses;
  double learning_rate = 0;
  double seconds = 0;
  std::size_t samples = 0;
  std::vector<std::vector<double>> metrics;      // [output][metric], over the epoch's batches
  std::vector<std::vector<double>> val_metrics;  // [output][metric]; NaN without validation
  double allreduce_seconds = 0;  // distributed: this rank's time in the gradient all-reduces
                                 // (waiting for slower ranks included)
};

struct StepProgress {
  std::size_t epoch, step, steps;
  double loss;  // running mean over the epoch so far
  std::size_t samples;
  double seconds;
};

struct EpochAction {
  bool stop = false;
  double learning_rate = -1;  // > 0: set this learning rate
  bool snapshot = false;      // keep a copy of the current weights
  bool restore = false;       // at the end, restore the last snapshot
};

struct Callbacks {
  std::function<bool(const StepProgress&)> on_step;     // false: stop (interrupt) now
  std::function<EpochAction(const EpochLog&)> on_epoch;  // after each epoch
};

struct TrainResult {
  std::vector<EpochLog> history;
  bool interrupted = false;
  std::size_t steps = 0;
  std::size_t skipped_steps = 0;  // steps skipped by the loss scaler (inf / NaN gradients)
  double loss_scale = 1;          // the loss scale at the end (1 without loss scaling)
};

// Trains in place. Throws gdl::Error when the source's shapes disagree with the model's.
// On interrupt (on_step returning false) the model keeps its last completed step.
TrainResult fit(nn::Network& net, const data::BatchSource& train, const data::BatchSource* validation,
                const TrainOptions& options, const Callbacks& callbacks);

struct EvalOptions {
  std::size_t steps = 0;             // batches of epoch 0 (0 = all)
  int workers = 2;
  std::string encode = "auto";
  bool weighted = false;             // weigh the losses by the source's sample weights
  std::vector<std::string> metrics;  // train/metrics.hpp
};

struct Evaluation {
  std::vector<double> losses;                // total first, then one per output (means)
  std::vector<std::vector<double>> metrics;  // [output][metric]
};

Evaluation evaluate(nn::Network& net, const data::BatchSource& source,
                    const std::vector<LossSpec>& losses, const std::string& device,
                    const EvalOptions& options);

// Predictions and targets over `steps` batches (0 = all) of epoch 0, in batch order.
struct Predictions {
  std::size_t n = 0;
  std::vector<std::vector<float>> outputs;  // per output: n x prod(output shape)
  std::vector<std::vector<float>> targets;  // per source target: n x prod(target shape)
};
Predictions predict_source(nn::Network& net, const data::BatchSource& source,
                           const std::string& device, std::size_t steps, int workers,
                           const std::string& encode = "auto");

// Checks that the source's input and target shapes fit the model and the losses; returns the
// resolved target index of each output. Throws gdl::Error naming the mismatch.
std::vector<int> check_shapes(const nn::Network& net, const data::BatchShapes& shapes,
                              const std::vector<LossSpec>& losses);

}  // namespace train
}  // namespace gdl
