// The training loop, evaluation and prediction over BatchSources (the one LibTorch translation
// unit of train/). Batches are filled by data::Prefetcher worker threads into plain buffers,
// wrapped with torch::from_blob (no copy on the CPU) and copied to the device when it is not the
// CPU, sequence as base codes expanded there (train/device_batch.hpp).
#include "train/trainer.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>

#include "common/error.hpp"
#include "common/interrupt.hpp"
#include "nn/network_impl.hpp"
#include "train/device_batch.hpp"
#include "train/distributed.hpp"
#include "train/fused_adam.hpp"
#include "train/metrics.hpp"
#include "train/precision.hpp"

namespace gdl {
namespace train {

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::int64_t numel(const std::vector<std::int64_t>& s) {
  std::int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

std::string shape_text(const std::vector<std::int64_t>& s) {
  std::string out = "(";
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + ")";
}

void check_loss(const std::string& t) {
  const auto& ok = loss_names();
  if (std::find(ok.begin(), ok.end(), t) != ok.end()) return;
  std::string list;
  for (const auto& l : ok) list += (list.empty() ? "" : ", ") + l;
  fail("unknown loss '", t, "' (use ", list, ")");
}

// The counts target of an output of f values: log(1 + total counts), per track when the target
// holds f tracks (positions x f), else of the whole target.
torch::Tensor counts_target(const torch::Tensor& p, const torch::Tensor& target) {
  auto n = p.size(0), f = p.size(1);
  auto y = target.reshape({n, -1});
  torch::Tensor total;
  if (f > 1 && y.size(1) % f == 0) total = y.reshape({n, -1, f}).sum(1);
  else total = y.sum(1, true);
  if (total.size(1) != f) total = total.sum(1, true).expand({n, f});
  return torch::log1p(total);
}

// Categorical cross-entropy of probabilities p (N x K) against one-hot rows or class indices.
torch::Tensor categorical(const torch::Tensor& p, const torch::Tensor& y) {
  // as Keras: rows rescaled to sum 1, then clipped (no log(0) from a saturated softmax)
  auto logq = torch::log((p / p.sum(1, true)).clamp(1e-7, 1 - 1e-7));
  auto k = p.size(1);
  if (y.size(1) == 1 && k > 1) {
    // Class indices arrive as floats: one host read per batch so that a wrong index is an
    // error naming the fix, never a gather out of range (NaN fails the integer test too).
    bool bad = ((y < 0) | (y > k - 1) | (y != torch::floor(y))).any().item<bool>();
    if (bad)
      fail("loss 'cce': the class labels must be integers 0 to ", k - 1,
           " (0-based class indices, one per sample) or one-hot rows of ", k, " values");
    return -logq.gather(1, y.to(torch::kLong)).squeeze(1);
  }
  return -(y * logq).sum(1);
}

// Per-sample loss (N) of one output.
torch::Tensor per_sample(const LossSpec& spec, const torch::Tensor& pred,
                         const torch::Tensor& target) {
  auto n = pred.size(0);
  auto p = pred.reshape({n, -1});
  const auto& t = spec.type;
  if (t == "counts") return (p - counts_target(p, target)).pow(2).mean(1);
  auto y = target.reshape({n, -1});
  if (t == "cce") return categorical(p, y);
  if (t == "bce") {
    auto q = p.clamp(1e-7, 1 - 1e-7);
    return -(y * torch::log(q) + (1 - y) * torch::log(1 - q)).mean(1);
  }
  if (t == "mse") return (p - y).pow(2).mean(1);
  if (t == "mae") return (p - y).abs().mean(1);
  if (t == "poisson") return (p - y * torch::log(p + 1e-7)).mean(1);
  if (t == "mnll") {
    auto logp = torch::log_softmax(p, 1);
    auto total = y.sum(1);
    return -torch::lgamma(total + 1) + torch::lgamma(y + 1).sum(1) - (y * logp).sum(1);
  }
  fail("unknown loss '", t, "'");
}

struct Step {
  std::vector<torch::Tensor> inputs, targets;
  torch::Tensor weights;  // (N) or undefined
  std::int64_t n = 0;
};

Step to_tensors(data::Batch& b, const data::BatchShapes& shapes, const torch::Device& dev,
                std::size_t n_inputs) {
  Step s;
  s.n = static_cast<std::int64_t>(b.size);
  auto wrap = [&](std::vector<float>& buf, const std::vector<std::int64_t>& shape,
                  const char* what) {
    std::vector<std::int64_t> full{s.n};
    full.insert(full.end(), shape.begin(), shape.end());
    if (static_cast<std::int64_t>(buf.size()) != s.n * numel(shape))
      fail("the batch source gave ", buf.size(), " values of ", what, " for ", s.n,
           " samples of shape ", shape_text(shape));
    auto t = torch::from_blob(buf.data(), full, torch::kFloat32);
    return dev.is_cpu() ? t : t.to(dev, /*non_blocking=*/true);
  };
  if (data::has_codes(b)) s.inputs.push_back(sequence_tensor(b, shapes.x.back(), shapes.ambiguous, dev));
  else s.inputs.push_back(wrap(b.x, shapes.x, "x"));
  if (shapes.has_secondary && n_inputs > 1) s.inputs.push_back(wrap(b.secondary, shapes.secondary, "secondary input"));
  if (b.targets.size() != shapes.targets.size())
    fail("the batch source gave ", b.targets.size(), " targets, its shapes say ", shapes.targets.size());
  for (std::size_t k = 0; k < b.targets.size(); ++k)
    s.targets.push_back(wrap(b.targets[k], shapes.targets[k], "targets"));
  if (shapes.has_weights && !b.weights.empty()) {
    auto w = wrap(b.weights, shapes.weights, "weights");
    s.weights = w.dim() > 1 ? w.reshape({s.n, -1}).mean(1) : w;
  }
  return s;
}

// Training on a NaN or infinite label, weight or secondary input turns every weight into NaN at
// the first step, and bce on labels outside [0, 1] has no minimum (its loss stays constant);
// both are errors naming the sample, found by one pass over the host buffers of each batch
// (cheap beside the forward pass). `where` names the batch ("batch 3 of epoch 1").
void check_batch(const data::Batch& b, const std::vector<LossSpec>& specs,
                 const std::vector<int>& target_of, const std::string& where) {
  for (std::size_t k = 0; k < b.targets.size(); ++k) {
    const auto& t = b.targets[k];
    const std::size_t per = b.size ? t.size() / b.size : 0;
    bool probability = false;  // read by a bce output: labels must lie in [0, 1]
    for (std::size_t o = 0; o < specs.size(); ++o)
      probability = probability || (target_of[o] == static_cast<int>(k) && specs[o].type == "bce");
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (!std::isfinite(t[i]))
        fail("the labels (y, target ", k + 1, ") hold ", std::isnan(t[i]) ? "NaN / NA" : "an infinite value",
             " (sample ", i / per + 1, " of ", where, "): remove or impute missing labels");
      if (probability && (t[i] < 0 || t[i] > 1))
        fail("loss 'bce' needs labels in [0, 1], but target ", k + 1, " holds ", t[i], " (sample ",
             i / per + 1, " of ", where, "); use loss = \"mse\" (or \"poisson\") for other values");
    }
  }
  for (float w : b.weights)
    if (!std::isfinite(w) || w < 0)
      fail("the sample weights hold ", w, " (", where, "): weights must be finite and >= 0");
  for (float v : b.secondary)
    if (!std::isfinite(v)) fail("the secondary input holds NaN or an infinite value (", where, ")");
  for (float v : b.x)
    if (!std::isfinite(v)) fail("the sequence input x holds NaN or an infinite value (", where, ")");
}

std::string batch_name(std::size_t step, std::size_t epoch) {
  return "batch " + std::to_string(step + 1) + " of epoch " + std::to_string(epoch + 1);
}

// Weighted mean losses: [total, per output...] as tensors.
// `weighted` false: the batch's sample weights are ignored (validation / evaluation unless asked).
std::vector<torch::Tensor> losses_of(const std::vector<torch::Tensor>& outs, const Step& s,
                                     const std::vector<LossSpec>& specs,
                                     const std::vector<int>& target_of, bool weighted = true) {
  std::vector<torch::Tensor> out(1);
  for (std::size_t k = 0; k < outs.size(); ++k) {
    // float32 whatever precision the forward pass ran in (losses are sums of many terms)
    auto l = per_sample(specs[k], outs[k].to(torch::kFloat32),
                        s.targets[static_cast<std::size_t>(target_of[k])]);
    if (weighted && s.weights.defined()) l = l * s.weights;
    auto mean = l.mean();
    out.push_back(mean);
    auto weighted = mean * specs[k].weight;
    out[0] = out[0].defined() ? out[0] + weighted : weighted;
  }
  return out;
}

// Drops the gradients instead of zeroing them (no fill per step; backward then hands each
// parameter its gradient without adding it to zeros). The optimizers skip parameters without
// a gradient, as they skipped those whose gradient was never defined.
void clear_grads(const std::vector<torch::Tensor>& params) {
  for (auto p : params) p.mutable_grad() = torch::Tensor();
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainOptions& o,
                                                        std::vector<torch::Tensor> params) {
  if (!std::isfinite(o.learning_rate) || o.learning_rate <= 0)
    fail("learningRate must be a positive finite number, not ", o.learning_rate);
  // Keras' defaults: beta (0.9, 0.999), epsilon 1e-7 (LibTorch's is 1e-8)
  if (o.optimizer == "adam")
    return std::make_unique<FusedAdam>(
        params, torch::optim::AdamOptions(o.learning_rate).eps(1e-7).weight_decay(o.weight_decay));
  if (o.optimizer == "adamw")
    return std::make_unique<torch::optim::AdamW>(
        params, torch::optim::AdamWOptions(o.learning_rate).eps(1e-7).weight_decay(o.weight_decay));
  if (o.optimizer == "sgd")
    return std::make_unique<torch::optim::SGD>(
        params,
        torch::optim::SGDOptions(o.learning_rate).momentum(o.momentum).weight_decay(o.weight_decay));
  if (o.optimizer == "rmsprop")  // Keras' defaults: rho 0.9, epsilon 1e-7
    return std::make_unique<torch::optim::RMSprop>(
        params, torch::optim::RMSpropOptions(o.learning_rate).alpha(0.9).eps(1e-7).weight_decay(
                    o.weight_decay));
  fail("unknown optimizer '", o.optimizer, "' (use adam, sgd, rmsprop or adamw)");
}

void set_lr(torch::optim::Optimizer& opt, double lr) {
  for (auto& g : opt.param_groups()) g.options().set_lr(lr);
}

double get_lr(torch::optim::Optimizer& opt) {
  return opt.param_groups().empty() ? kNaN : opt.param_groups()[0].options().get_lr();
}

// Moves the module to `dev` and back to the CPU when the scope ends (also on exceptions).
struct DeviceScope {
  nn::GraphModule& g;
  bool moved;
  DeviceScope(nn::GraphModule& m, const torch::Device& dev) : g(m), moved(!dev.is_cpu()) {
    if (moved) g.to(dev);
  }
  ~DeviceScope() {
    if (moved) g.to(torch::kCPU);
  }
};

// Epoch metrics (train/metrics.hpp) of every output, fed with each batch's outputs copied to the
// host; empty when no metric is asked for, so that training pays nothing for it.
class OutputMetrics {
 public:
  OutputMetrics(const std::vector<std::string>& names, const std::vector<LossSpec>& specs)
      : specs_(specs) {
    if (names.empty()) return;
    for (const auto& s : specs) per_output_.emplace_back(names, s.type == "cce");
  }
  void add(const std::vector<torch::Tensor>& outs, const Step& s, const std::vector<int>& target_of) {
    if (per_output_.empty()) return;
    torch::NoGradGuard ng;
    for (std::size_t k = 0; k < outs.size(); ++k) {
      auto p = outs[k].detach().to(torch::kFloat32).reshape({s.n, -1});
      const auto& t = s.targets[static_cast<std::size_t>(target_of[k])];
      // a counts output is scored against what its loss compares it with
      auto y = specs_[k].type == "counts" ? counts_target(p, t) : t.reshape({s.n, -1});
      auto ph = p.to(torch::kCPU).contiguous();
      auto yh = y.to(torch::kCPU, torch::kFloat32).contiguous();
      per_output_[k].add(ph.data_ptr<float>(), yh.data_ptr<float>(), static_cast<std::size_t>(s.n),
                         static_cast<std::size_t>(ph.size(1)), static_cast<std::size_t>(yh.size(1)));
    }
  }
  std::vector<std::vector<double>> values() const {
    std::vector<std::vector<double>> v;
    for (const auto& m : per_output_) v.push_back(m.values());
    return v;
  }

 private:
  std::vector<LossSpec> specs_;
  std::vector<EpochMetrics> per_output_;
};

// Data parallelism (TrainOptions::distributed): the pieces the loop calls, kept here so that the
// loop itself only gains one line at each place.
//   Replicas start equal: rank 0's parameters and buffers (a fresh model's random weights
//   differ by rank only if its seed does, but a continued fit may not) copied to every rank.
void sync_replicas(const ProcessGroup* pg, nn::GraphModule& g) {
  if (!pg) return;
  std::vector<torch::Tensor> state;
  for (auto& p : g.parameters()) state.push_back(p.detach());
  for (auto& b : g.buffers()) state.push_back(b.detach());
  pg->broadcast(state, 0);
}

//   The epoch's loss sums and sample counts are summed over the shards, the metrics averaged
//   (exact for the means -- accuracy, mae, mse -- over shards of equal size; for auroc, aupr
//   and pearson the mean of the shards' values), and floating buffers (BatchNorm's running
//   statistics, computed per rank as in PyTorch's DDP without SyncBatchNorm) averaged, so that
//   every replica validates, logs and saves the same model.
void merge_epoch(const ProcessGroup* pg, nn::GraphModule& g, std::vector<double>& sums, double& n,
                 std::vector<std::vector<double>>& metrics) {
  if (!pg) return;
  std::vector<double> v(sums);
  v.push_back(n);
  pg->allreduce(v, false);
  std::copy(v.begin(), v.end() - 1, sums.begin());
  n = v.back();
  std::vector<double> flat;
  for (const auto& m : metrics) flat.insert(flat.end(), m.begin(), m.end());
  pg->allreduce(flat, true);
  std::size_t k = 0;
  for (auto& m : metrics)
    for (auto& x : m) x = flat[k++];
  std::vector<torch::Tensor> buffers;
  for (auto& b : g.buffers())
    if (b.is_floating_point()) buffers.push_back(b.detach());
  pg->allreduce(buffers, true);
}

//   Early stopping, learning-rate changes and snapshots as rank 0 decided them: one rank
//   stopping alone would leave the others waiting in the next collective.
void agree(const ProcessGroup* pg, EpochAction& a) {
  if (!pg) return;
  std::vector<double> v{a.stop ? 1.0 : 0.0, a.learning_rate, a.snapshot ? 1.0 : 0.0, a.restore ? 1.0 : 0.0};
  pg->broadcast(v, 0);
  a.stop = v[0] != 0;
  a.learning_rate = v[1];
  a.snapshot = v[2] != 0;
  a.restore = v[3] != 0;
}

Evaluation run_evaluation(nn::GraphModule& g, const data::BatchSource& data,
                          const std::vector<LossSpec>& specs, const std::vector<int>& target_of,
                          const torch::Device& dev, std::size_t steps, int workers, bool codes,
                          bool weighted, const std::vector<std::string>& metrics,
                          bool check = false) {
  c10::InferenceMode no_grad;  // no autograd records, no version counters
  bool was_training = g.is_training();
  g.eval();
  const data::PassView source(data);  // every sample, the last partial batch included
  auto shapes = source.shapes();
  std::size_t total = source.batches_per_epoch();
  if (steps == 0 || steps > total) steps = total;
  std::vector<double> sums(specs.size() + 1, 0.0);
  double n = 0;
  OutputMetrics scores(metrics, specs);
  data::Prefetcher pf(source, prefetch_options(0, steps, workers, codes));
  for (std::size_t k = 0; k < steps; ++k) {
    check_interrupt();
    auto& b = pf.next();
    if (check) check_batch(b, specs, target_of, "validation batch " + std::to_string(k + 1));
    auto s = to_tensors(b, shapes, dev, g.spec.inputs.size());
    auto outs = g.forward(s.inputs);
    auto ls = losses_of(outs, s, specs, target_of, weighted);
    for (std::size_t i = 0; i < ls.size(); ++i) sums[i] += ls[i].item<double>() * s.n;
    scores.add(outs, s, target_of);
    n += s.n;
    pf.release();
  }
  if (was_training) g.train();
  for (auto& v : sums) v = n > 0 ? v / n : kNaN;
  return Evaluation{sums, scores.values()};
}

}  // namespace

std::vector<int> check_shapes(const nn::Network& net, const data::BatchShapes& shapes,
                              const std::vector<LossSpec>& losses) {
  auto ins = net.input_shapes();
  auto outs = net.output_shapes();
  if (ins[0] != shapes.x)
    fail("the model takes sequences of shape ", shape_text({ins[0].back(), ins[0][0]}),
         " (length, channels) but the generator gives ", shape_text({shapes.x.back(), shapes.x[0]}),
         "; build the model with inputShape = c(", shapes.x.back(), ", ", shapes.x[0], ")");
  if (ins.size() > 1) {
    if (!shapes.has_secondary)
      fail("the model has a second input but the generator gives no secondary input");
    if (ins[1] != shapes.secondary)
      fail("the model's second input has shape ", shape_text(ins[1]),
           " (channels, length) but the generator gives ", shape_text(shapes.secondary));
  }
  if (losses.size() != outs.size())
    fail("the model has ", outs.size(), " output(s) but ", losses.size(), " loss(es) were given");
  std::vector<int> target_of(outs.size());
  for (std::size_t k = 0; k < outs.size(); ++k) {
    check_loss(losses[k].type);
    int t = losses[k].target;
    if (t < 0) t = (losses[k].type == "counts" && k > 0) ? target_of[k - 1] : static_cast<int>(k);
    if (t >= static_cast<int>(shapes.targets.size()))
      fail("output ", k + 1, " of the model has no target: the generator gives ",
           shapes.targets.size(), " target(s)");
    target_of[k] = t;
    const auto& ts = shapes.targets[static_cast<std::size_t>(t)];
    if (losses[k].type == "cce") {
      if (outs[k].size() != 1 || outs[k][0] < 2)
        fail("output ", k + 1, " of the model has shape ", shape_text(outs[k]), ": loss 'cce' ",
             "needs a flat output of K >= 2 class probabilities (a dense layer with activation = ",
             "\"softmax\")");
      if (numel(ts) != 1 && numel(ts) != outs[k][0])
        fail("output ", k + 1, " of the model has ", outs[k][0], " classes but its target from ",
             "the generator has shape ", shape_text(ts), ": give one-hot labels (", outs[k][0],
             " values) or one 0-based class index per sample");
    } else if (losses[k].type == "mnll" && numel(outs[k]) < 2) {
      fail("output ", k + 1, " of the model has shape ", shape_text(outs[k]), ": loss 'mnll' ",
           "(multinomial profile) needs a profile of several positions or tracks; on one value ",
           "its loss is exactly 0 and nothing is learnt (use \"bce\", \"mse\" or \"poisson\")");
    } else if (losses[k].type != "counts" && numel(ts) != numel(outs[k]))
      fail("output ", k + 1, " of the model has shape ", shape_text(outs[k]),
           " but its target from the generator has shape ", shape_text(ts));
  }
  return target_of;
}

const std::vector<std::string>& loss_names() {
  static const std::vector<std::string> names{"bce", "cce", "mse", "mae", "poisson", "mnll", "counts"};
  return names;
}

TrainResult fit(nn::Network& net, const data::BatchSource& train,
                const data::BatchSource* validation, const TrainOptions& o,
                const Callbacks& callbacks) {
  for (const auto& m : o.metrics) check_epoch_metric(m);
  auto shapes = train.shapes();
  auto target_of = check_shapes(net, shapes, o.losses);
  if (validation) check_shapes(net, validation->shapes(), o.losses);
  auto& g = *net.impl().module;
  auto dev = nn::torch_device(o.device);
  DeviceScope scope(g, dev);
  std::vector<torch::Tensor> params;
  for (auto& p : g.parameters())
    if (p.requires_grad()) params.push_back(p);
  if (params.empty()) fail("the model has no trainable parameters");
  sync_replicas(o.distributed, g);
  auto opt = make_optimizer(o, params);
  const bool codes = encode_on_device(o.encode, dev);
  LossScaler scaler(o.loss_scaling == 1 ||
                    (o.loss_scaling < 0 && o.mixed_precision && autocast_dtype(dev) == at::kHalf));
  torch::manual_seed(o.seed);
  if (train.batches_per_epoch() == 0)
    fail("the training data hold fewer samples than one batch of ", train.batch_size(),
         ": lower batchSize or include more chromosomes");
  std::size_t steps = o.steps_per_epoch ? o.steps_per_epoch : train.batches_per_epoch();
  TrainResult result;
  std::vector<torch::Tensor> snapshot;
  bool restore = false;
  auto take_snapshot = [&] {
    torch::NoGradGuard ng;
    snapshot.clear();
    for (auto& p : g.parameters()) snapshot.push_back(p.detach().clone());
    for (auto& b : g.buffers()) snapshot.push_back(b.detach().clone());
  };
  for (std::size_t e = 0; e < o.epochs && !result.interrupted; ++e) {
    auto start = Clock::now();
    g.train();
    EpochLog log;
    log.epoch = o.first_epoch + e;
    log.learning_rate = get_lr(*opt);
    std::vector<double> sums(o.losses.size() + 1, 0.0);
    double n = 0, n_read = 0;
    OutputMetrics scores(o.metrics, o.losses);
    // Loss sums (float64, loss x batch size) stay on the device and are read back only for the
    // progress shown and at the end of the epoch: on CUDA at most every 0.25 s, so that steps
    // are queued without waiting for each other; on the CPU a read is free, so at every step.
    torch::Tensor acc;
    auto last_read = start;
    auto read_sums = [&] {
      if (!acc.defined()) return;
      auto host = acc.to(torch::kCPU).contiguous();
      const double* v = host.data_ptr<double>();
      for (std::size_t i = 0; i < sums.size(); ++i) sums[i] = v[i];
      n_read = n;
      last_read = Clock::now();
    };
    // A loss or a weight that is not finite stops training with an error, the model keeping its
    // last finite weights. On the CPU (and with loss scaling, which reads every step anyway) each
    // step's loss is read before its update (free there): a non-finite one stops before the
    // update. The weights are checked and copied (the copy restored on a stop) at most every
    // kFiniteCopySeconds and at the end of each epoch -- a copy and a check at every step cost
    // deepseaModel (52 M parameters, 208 MB) a fifth of its training time. Elsewhere, so as not to
    // wait for each step, the running loss sums and the weights are checked when read (at most
    // every 0.25 s), and the copy is the last checked.
    const bool check_each_step = dev.is_cpu() || scaler.enabled();
    constexpr double kFiniteCopySeconds = 2.0;
    auto last_copy = Clock::time_point{};
    std::vector<torch::Tensor> finite_weights;
    std::size_t finite_steps = result.steps;  // steps (all epochs) of the weights in the copy
    auto keep_finite = [&] {
      torch::NoGradGuard ng;
      if (finite_weights.empty())
        for (auto& p : params) finite_weights.push_back(p.detach().clone());
      else
        for (std::size_t i = 0; i < params.size(); ++i) finite_weights[i].copy_(params[i].detach());
      finite_steps = result.steps;
    };
    auto weights_finite = [&] {
      // min and max propagate NaN and keep infinities: one pass per tensor, no mask allocated
      torch::NoGradGuard ng;
      std::vector<torch::Tensor> ends;
      for (auto& p : params) {
        if (p.numel() == 0) continue;
        auto mm = torch::aminmax(p.detach());
        ends.push_back(std::get<0>(mm).to(torch::kFloat32));
        ends.push_back(std::get<1>(mm).to(torch::kFloat32));
      }
      return ends.empty() || torch::isfinite(torch::stack(ends)).all().item<bool>();
    };
    auto stop = [&](const std::string& what, std::size_t k, bool restore) {
      std::string kept = "after " + std::to_string(result.steps) + " steps";
      if (restore && !finite_weights.empty()) {
        torch::NoGradGuard ng;
        for (std::size_t i = 0; i < params.size(); ++i) params[i].detach().copy_(finite_weights[i]);
        kept = "after " + std::to_string(finite_steps) + " steps";
      }
      fail("training stopped: ", what, " at step ", k + 1, " of epoch ", log.epoch + 1,
           "; the model keeps its last finite weights (", kept, "). Lower learningRate, or ",
           "check the data and the loss for values that overflow");
    };
    auto what_loss = [](double v) {
      return std::string("the loss became ") + (std::isnan(v) ? "NaN" : "infinite");
    };
    try {
      data::Prefetcher pf(train, prefetch_options(log.epoch, steps, o.workers, codes));
      for (std::size_t k = 0; k < steps; ++k) {
        auto& b = pf.next();
        check_batch(b, o.losses, target_of, batch_name(k, log.epoch));
        auto s = to_tensors(b, shapes, dev, g.spec.inputs.size());
        clear_grads(params);
        std::vector<torch::Tensor> outs;
        {
          AutocastScope autocast(o.mixed_precision, dev);
          outs = g.forward(s.inputs);
        }
        auto ls = losses_of(outs, s, o.losses, target_of);
        // (distributed: a rank's own loss is not checked before the update -- one rank stopping
        // alone would leave the others in the all-reduce --; its NaN reaches every rank through
        // the averaged gradients and the weights check below stops them all at the same step)
        if (check_each_step && !o.distributed) {
          double v = ls[0].item<double>();
          // back to the weights whose loss (the previous step's) was finite
          if (!std::isfinite(v)) stop(what_loss(v), k, true);
        }
        scaler.scaled(ls[0]).backward();
        if (o.distributed) {
          auto t = Clock::now();
          o.distributed->average_gradients(params);
          log.allreduce_seconds += std::chrono::duration<double>(Clock::now() - t).count();
        }
        // scored on the outputs of the forward pass before this step's update, as Keras does
        scores.add(outs, s, target_of);
        if (scaler.unscale(params)) {
          // (distributed: at every step, so that every rank, whose weights are the same, checks
          // at the same steps and stops at the same one)
          if (check_each_step && (o.distributed || finite_weights.empty() || k + 1 == steps ||
                                  std::chrono::duration<double>(Clock::now() - last_copy).count() >
                                      kFiniteCopySeconds)) {
            // these weights gave this step's finite loss; checked before they become the copy
            if (!weights_finite()) stop("the weights became non-finite", k, true);
            keep_finite();
            last_copy = Clock::now();
          }
          opt->step();
        } else {
          ++result.skipped_steps;
        }
        {
          torch::NoGradGuard ng;
          auto v = torch::stack(ls).to(torch::kFloat64) * static_cast<double>(s.n);
          acc = acc.defined() ? acc + v : v;
        }
        n += s.n;
        pf.release();
        ++result.steps;
        if (!check_each_step && (k == 0 || k + 1 == steps ||
                                 std::chrono::duration<double>(Clock::now() - last_read).count() > 0.25)) {
          read_sums();
          if (!std::isfinite(sums[0])) stop(what_loss(sums[0]), k, true);
          if (!weights_finite()) stop("the weights became non-finite", k, true);
          keep_finite();
        }
        if (callbacks.on_step) {
          if (dev.is_cpu() || k == 0 || k + 1 == steps ||
              std::chrono::duration<double>(Clock::now() - last_read).count() > 0.25)
            read_sums();
          StepProgress p{log.epoch, k + 1, steps, sums[0] / n_read, static_cast<std::size_t>(n),
                         std::chrono::duration<double>(Clock::now() - start).count()};
          if (!callbacks.on_step(p)) {
            result.interrupted = true;
            break;
          }
        }
      }
    } catch (const Interrupted&) {
      // seen while loading a batch (common/interrupt.hpp): stop as on_step's interrupt does,
      // after the last complete step
      result.interrupted = true;
    }
    // the epoch's last update, which no later loss checked
    if (check_each_step && steps > 0 && !weights_finite()) stop("the weights became non-finite", steps - 1, true);
    read_sums();
    log.metrics = scores.values();
    merge_epoch(o.distributed, g, sums, n, log.metrics);
    log.samples = static_cast<std::size_t>(n);
    log.loss = n > 0 ? sums[0] / n : kNaN;
    for (std::size_t i = 1; i < sums.size(); ++i) log.output_losses.push_back(n > 0 ? sums[i] / n : kNaN);
    log.val_loss = kNaN;
    if (validation && !result.interrupted) {
      try {
        auto v = run_evaluation(g, *validation, o.losses, target_of, dev, o.validation_steps,
                                o.workers, codes, o.validation_weights, o.metrics, true);
        log.val_loss = v.losses[0];
        log.val_output_losses.assign(v.losses.begin() + 1, v.losses.end());
        log.val_metrics = v.metrics;
      } catch (const Interrupted&) {
        result.interrupted = true;  // the epoch's training steps are kept, without validation
        g.train();
      }
    }
    log.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (result.interrupted && n == 0) break;
    result.history.push_back(log);
    if (callbacks.on_epoch && !result.interrupted) {
      auto action = callbacks.on_epoch(log);
      agree(o.distributed, action);
      if (action.snapshot) take_snapshot();
      if (action.learning_rate > 0) set_lr(*opt, action.learning_rate);
      if (action.restore) restore = true;
      if (action.stop) break;
    }
  }
  if (restore && !snapshot.empty()) {
    torch::NoGradGuard ng;
    std::size_t i = 0;
    for (auto& p : g.parameters()) p.copy_(snapshot[i++]);
    for (auto& b : g.buffers()) b.copy_(snapshot[i++]);
  }
  g.eval();
  result.loss_scale = scaler.enabled() ? scaler.scale() : 1.0;
  return result;
}

Evaluation evaluate(nn::Network& net, const data::BatchSource& source,
                    const std::vector<LossSpec>& losses, const std::string& device,
                    const EvalOptions& o) {
  auto target_of = check_shapes(net, source.shapes(), losses);
  for (const auto& m : o.metrics) check_epoch_metric(m);
  auto& g = *net.impl().module;
  auto dev = nn::torch_device(device);
  DeviceScope scope(g, dev);
  return run_evaluation(g, source, losses, target_of, dev, o.steps, o.workers,
                        encode_on_device(o.encode, dev), o.weighted, o.metrics);
}

Predictions predict_source(nn::Network& net, const data::BatchSource& data,
                           const std::string& device, std::size_t steps, int workers,
                           const std::string& encode) {
  const data::PassView source(data);  // every sample, the last partial batch included
  auto shapes = source.shapes();
  auto ins = net.input_shapes();
  if (ins[0] != shapes.x)
    fail("the model takes sequences of shape ", shape_text({ins[0].back(), ins[0][0]}),
         " (length, channels) but the generator gives ", shape_text({shapes.x.back(), shapes.x[0]}));
  auto& g = *net.impl().module;
  auto dev = nn::torch_device(device);
  DeviceScope scope(g, dev);
  c10::InferenceMode no_grad;
  g.eval();
  std::size_t total = source.batches_per_epoch();
  if (steps == 0 || steps > total) steps = total;
  Predictions out;
  out.outputs.resize(net.output_shapes().size());
  out.targets.resize(shapes.targets.size());
  data::Prefetcher pf(source, prefetch_options(0, steps, workers, encode_on_device(encode, dev)));
  for (std::size_t k = 0; k < steps; ++k) {
    check_interrupt();
    auto& b = pf.next();
    auto s = to_tensors(b, shapes, dev, g.spec.inputs.size());
    auto ys = g.forward(s.inputs);
    for (std::size_t i = 0; i < ys.size(); ++i) {
      auto y = ys[i].to(torch::kCPU, torch::kFloat32).contiguous();
      out.outputs[i].insert(out.outputs[i].end(), y.data_ptr<float>(), y.data_ptr<float>() + y.numel());
    }
    for (std::size_t i = 0; i < b.targets.size(); ++i)
      out.targets[i].insert(out.targets[i].end(), b.targets[i].begin(), b.targets[i].end());
    out.n += b.size;
    pf.release();
  }
  return out;
}

}  // namespace train
}  // namespace gdl
