// Bridge for src/core/train and data/array_source: array batch sources, fit (progress bar and
// interrupts served here, on R's main thread), evaluation, prediction over sources, metrics.
#include "bridge.h"
#include "interrupt.h"

#include <R_ext/Utils.h>

#include <chrono>
#include <cmath>

#include "common/error.hpp"
#include "data/array_source.hpp"
#include "data/shard.hpp"
#include "distributed.h"
#include "models.h"
#include "nn/device.hpp"
#include "train/metrics.hpp"
#include "train/trainer.hpp"

namespace {

// True when the user pressed Ctrl-C / Esc (the interrupt is consumed here).
bool user_interrupted() { return gdlr::r_interrupt_pending(); }

// A count option from R: a whole number >= 0 (0 = the default), never a negative double cast to
// size_t (which trains for ever) nor NaN.
std::size_t count_arg(Rcpp::List opt, const char* name) {
  double v = Rcpp::as<double>(opt[name]);
  if (!(v >= 0) || v != std::floor(v) || v > 1e15)
    gdl::fail(name, " must be a whole number >= 0, not ", v);
  return static_cast<std::size_t>(v);
}

std::vector<gdl::train::LossSpec> losses_from_r(Rcpp::List losses) {
  std::vector<gdl::train::LossSpec> out;
  Rcpp::CharacterVector type = losses["type"];
  Rcpp::NumericVector weight = losses["weight"];
  Rcpp::IntegerVector target = losses["target"];
  for (R_xlen_t i = 0; i < type.size(); ++i) {
    gdl::train::LossSpec s;
    s.type = Rcpp::as<std::string>(type[i]);
    s.weight = weight[i];
    s.target = target[i] == NA_INTEGER ? -1 : target[i] - 1;
    out.push_back(s);
  }
  return out;
}

Rcpp::NumericMatrix rows(const std::vector<std::vector<double>>& v, std::size_t cols) {
  Rcpp::NumericMatrix m(static_cast<int>(v.size()), static_cast<int>(cols));
  for (std::size_t i = 0; i < v.size(); ++i)
    for (std::size_t j = 0; j < cols; ++j) m(i, j) = j < v[i].size() ? v[i][j] : NA_REAL;
  return m;
}

// Metric m of each output of one epoch: [output][metric] -> numeric(outputs); NA when the epoch
// has no values (no validation data).
Rcpp::NumericVector metric_of(const std::vector<std::vector<double>>& v, std::size_t m,
                              std::size_t outputs) {
  Rcpp::NumericVector out(static_cast<R_xlen_t>(outputs), NA_REAL);
  for (std::size_t k = 0; k < outputs && k < v.size(); ++k)
    if (m < v[k].size()) out[static_cast<R_xlen_t>(k)] = v[k][m];
  return out;
}

// Per metric name, an epochs x outputs matrix of one of the history's metric fields.
Rcpp::List metric_history(const std::vector<gdl::train::EpochLog>& h,
                          const std::vector<std::string>& metrics, std::size_t outputs, bool val) {
  Rcpp::List out(metrics.size());
  for (std::size_t m = 0; m < metrics.size(); ++m) {
    Rcpp::NumericMatrix x(static_cast<int>(h.size()), static_cast<int>(outputs));
    for (std::size_t i = 0; i < h.size(); ++i) {
      auto r = metric_of(val ? h[i].val_metrics : h[i].metrics, m, outputs);
      for (std::size_t k = 0; k < outputs; ++k) x(i, k) = r[static_cast<R_xlen_t>(k)];
    }
    out[m] = x;
  }
  out.names() = Rcpp::wrap(metrics);
  return out;
}

Rcpp::List metric_log(const std::vector<std::vector<double>>& v,
                      const std::vector<std::string>& metrics, std::size_t outputs) {
  Rcpp::List out(metrics.size());
  for (std::size_t m = 0; m < metrics.size(); ++m) out[m] = metric_of(v, m, outputs);
  out.names() = Rcpp::wrap(metrics);
  return out;
}

}  // namespace

// x: R array (N x L x C with nlc, else N x C x L); targets: list of R arrays N x ... (N x tasks,
// or N x Lout x tracks); weights: numeric(N) or NULL.
// [[Rcpp::export(rng = false)]]
SEXP cpp_array_source(SEXP x, bool nlc, Rcpp::List targets, SEXP weights, double batch_size,
                      bool shuffle, double seed) {
  auto d = std::make_shared<gdl::data::ArrayData>();
  Rcpp::IntegerVector dim = Rf_getAttrib(x, R_DimSymbol);
  if (dim.size() != 3) gdl::fail("x must be a 3-dimensional one-hot array");
  d->n = static_cast<std::size_t>(dim[0]);
  d->x_shape = nlc ? gdl::data::Shape{dim[2], dim[1]} : gdl::data::Shape{dim[1], dim[2]};
  d->x = gdlr_rowmajor_input(x, nlc);
  for (R_xlen_t k = 0; k < targets.size(); ++k) {
    SEXP y = targets[k];
    Rcpp::NumericVector yv(y);
    Rcpp::IntegerVector yd = Rf_getAttrib(y, R_DimSymbol);
    std::size_t n = yd.size() ? static_cast<std::size_t>(yd[0]) : static_cast<std::size_t>(yv.size());
    if (n != d->n) gdl::fail("target ", k + 1, " has ", n, " rows for ", d->n, " sequences");
    gdl::data::Shape shape;
    for (int i = 1; i < yd.size(); ++i) shape.push_back(yd[i]);
    if (shape.empty()) shape.push_back(1);
    std::size_t per = static_cast<std::size_t>(yv.size()) / n;
    std::vector<float> buf(static_cast<std::size_t>(yv.size()));
    if (shape.size() > 2) gdl::fail("target ", k + 1, " must be N x tasks or N x length x tracks");
    std::size_t L = shape[0], C = shape.size() == 2 ? shape[1] : 1;
    for (std::size_t s = 0; s < n; ++s)  // R N x L x C (column-major) -> row-major
      for (std::size_t l = 0; l < L; ++l)
        for (std::size_t c = 0; c < C; ++c)
          buf[s * per + l * C + c] = static_cast<float>(yv[s + n * l + n * L * c]);
    d->target_shapes.push_back(shape);
    d->targets.push_back(std::move(buf));
  }
  if (!Rf_isNull(weights)) {
    auto w = Rcpp::as<std::vector<double>>(weights);
    d->weights.assign(w.begin(), w.end());
  }
  gdl::data::ArraySourceOptions opt;
  if (!(batch_size >= 1) || batch_size != std::floor(batch_size))
    gdl::fail("batchSize must be a whole number >= 1, not ", batch_size);
  opt.batch_size = static_cast<std::size_t>(batch_size);
  opt.shuffle = shuffle;
  opt.seed = static_cast<std::uint64_t>(seed);
  auto h = std::make_unique<gdlr::SourceHandle>();
  h->source = std::make_shared<gdl::data::ArraySource>(d, opt);
  return Rcpp::XPtr<gdlr::SourceHandle>(h.release(), true);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_source_info(SEXP src) {
  auto s = gdlr::source_of(src);
  auto sh = s->shapes();
  Rcpp::List targets;
  for (auto& t : sh.targets) targets.push_back(Rcpp::NumericVector(t.begin(), t.end()));
  return Rcpp::List::create(Rcpp::Named("x") = Rcpp::NumericVector(sh.x.begin(), sh.x.end()),
                            Rcpp::Named("targets") = targets,
                            Rcpp::Named("batches") = static_cast<double>(s->batches_per_epoch()),
                            Rcpp::Named("batchSize") = static_cast<double>(s->batch_size()),
                            Rcpp::Named("description") = s->description());
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_train_fit(SEXP model, SEXP train, SEXP validation, Rcpp::List opt,
                         Rcpp::Function on_epoch, bool verbose) {
  return gdlr::interruptible([&]() -> Rcpp::List {  // the core polls for Ctrl-C
    auto net = gdlr_network_of(model);
    auto src = gdlr::source_of(train);
    std::shared_ptr<gdl::data::BatchSource> val;
    if (!Rf_isNull(validation)) val = gdlr::source_of(validation);
    gdl::train::TrainOptions o;
    o.epochs = count_arg(opt, "epochs");
    o.steps_per_epoch = count_arg(opt, "stepsPerEpoch");
    o.validation_steps = count_arg(opt, "validationSteps");
    o.optimizer = Rcpp::as<std::string>(opt["optimizer"]);
    o.learning_rate = Rcpp::as<double>(opt["learningRate"]);
    if (!std::isfinite(o.learning_rate) || o.learning_rate <= 0)
      gdl::fail("learningRate must be a positive finite number, not ", o.learning_rate);
    o.momentum = Rcpp::as<double>(opt["momentum"]);
    o.weight_decay = Rcpp::as<double>(opt["weightDecay"]);
    o.losses = losses_from_r(opt["losses"]);
    o.device = gdl::nn::resolve_device(Rcpp::as<std::string>(opt["device"]));
    o.workers = Rcpp::as<int>(opt["workers"]);
    o.first_epoch = count_arg(opt, "firstEpoch");
    o.seed = static_cast<std::uint64_t>(Rcpp::as<double>(opt["seed"]));
    o.mixed_precision = Rcpp::as<bool>(opt["mixedPrecision"]);
    o.encode = Rcpp::as<std::string>(opt["encode"]);
    o.validation_weights = Rcpp::as<bool>(opt["validationWeights"]);
    o.metrics = Rcpp::as<std::vector<std::string>>(opt["metrics"]);
    gdl::nn::set_torch_threads(Rcpp::as<int>(opt["threads"]));
    // data-parallel: this process is one rank, training on its shard (distributed.cpp)
    std::unique_ptr<gdl::train::ProcessGroup> group;
    if (opt.containsElementNamed("distributed") && !Rf_isNull(opt["distributed"])) {
      group = gdlr::join_group(opt["distributed"], o.device);
      o.distributed = group.get();
      src = std::make_shared<gdl::data::ShardSource>(src, group->rank(), group->world_size());
    }
    std::size_t total_epochs = o.first_epoch + o.epochs;

    auto last_print = std::chrono::steady_clock::now();
    gdl::train::Callbacks cb;
    cb.on_step = [&](const gdl::train::StepProgress& p) {
      if (user_interrupted()) return false;
      auto now = std::chrono::steady_clock::now();
      if (verbose && (p.step == p.steps || std::chrono::duration<double>(now - last_print).count() > 0.25)) {
        last_print = now;
        int width = 25, done = static_cast<int>(width * p.step / std::max<std::size_t>(p.steps, 1));
        std::string bar(static_cast<std::size_t>(done), '=');
        if (done < width) bar += '>' + std::string(static_cast<std::size_t>(width - done - 1), '.');
        Rprintf("\rEpoch %d/%d %5d/%-5d [%s] loss: %.4g  %.0f samples/s   ",
                static_cast<int>(p.epoch + 1), static_cast<int>(total_epochs),
                static_cast<int>(p.step), static_cast<int>(p.steps), bar.c_str(), p.loss,
                p.seconds > 0 ? p.samples / p.seconds : 0.0);
      }
      return true;
    };
    cb.on_epoch = [&](const gdl::train::EpochLog& log) {
      if (verbose) {
        Rprintf("\rEpoch %d/%d - %.1fs - loss: %.4g", static_cast<int>(log.epoch + 1),
                static_cast<int>(total_epochs), log.seconds, log.loss);
        if (!std::isnan(log.val_loss)) Rprintf(" - val_loss: %.4g", log.val_loss);
        Rprintf("%40s\n", "");
      }
      // the whole history row of the epoch: callbacks (checkpoints) save the history so far
      std::size_t k = o.losses.size();
      Rcpp::List l = Rcpp::List::create(
          Rcpp::Named("epoch") = static_cast<double>(log.epoch + 1), Rcpp::Named("loss") = log.loss,
          Rcpp::Named("val_loss") = log.val_loss, Rcpp::Named("lr") = log.learning_rate,
          Rcpp::Named("seconds") = log.seconds, Rcpp::Named("samples") = static_cast<double>(log.samples),
          Rcpp::Named("outputLoss") = rows({log.output_losses}, k),
          Rcpp::Named("valOutputLoss") = rows({log.val_output_losses}, k),
          Rcpp::Named("metrics") = metric_log(log.metrics, o.metrics, k),
          Rcpp::Named("valMetrics") = metric_log(log.val_metrics, o.metrics, k));
      if (o.distributed) l.push_back(log.allreduce_seconds, "allreduceSeconds");
      Rcpp::List a = on_epoch(l);
      gdl::train::EpochAction act;
      act.stop = Rcpp::as<bool>(a["stop"]);
      act.learning_rate = Rcpp::as<double>(a["lr"]);
      act.snapshot = Rcpp::as<bool>(a["snapshot"]);
      act.restore = Rcpp::as<bool>(a["restore"]);
      return act;
    };
    auto r = gdl::train::fit(*net, *src, val.get(), o, cb);
    if (verbose && r.interrupted) Rprintf("\n");
    std::size_t n = r.history.size(), k = o.losses.size();
    Rcpp::NumericVector epoch(n), loss(n), vloss(n), lr(n), secs(n), samples(n);
    std::vector<std::vector<double>> outl, voutl;
    for (std::size_t i = 0; i < n; ++i) {
      const auto& h = r.history[i];
      epoch[i] = static_cast<double>(h.epoch + 1);
      loss[i] = h.loss;
      vloss[i] = h.val_loss;
      lr[i] = h.learning_rate;
      secs[i] = h.seconds;
      samples[i] = static_cast<double>(h.samples);
      outl.push_back(h.output_losses);
      voutl.push_back(h.val_output_losses);
    }
    Rcpp::List out = Rcpp::List::create(
        Rcpp::Named("epoch") = epoch, Rcpp::Named("loss") = loss, Rcpp::Named("val_loss") = vloss,
        Rcpp::Named("lr") = lr, Rcpp::Named("seconds") = secs, Rcpp::Named("samples") = samples,
        Rcpp::Named("outputLoss") = rows(outl, k), Rcpp::Named("valOutputLoss") = rows(voutl, k),
        Rcpp::Named("interrupted") = r.interrupted, Rcpp::Named("device") = o.device,
        Rcpp::Named("steps") = static_cast<double>(r.steps),
        Rcpp::Named("skippedSteps") = static_cast<double>(r.skipped_steps),
        Rcpp::Named("lossScale") = r.loss_scale,
        Rcpp::Named("metrics") = metric_history(r.history, o.metrics, k, false),
        Rcpp::Named("valMetrics") = metric_history(r.history, o.metrics, k, true));
    if (o.distributed) {
      Rcpp::NumericVector comm(n);
      for (std::size_t i = 0; i < n; ++i) comm[i] = r.history[i].allreduce_seconds;
      out.push_back(comm, "allreduceSeconds");
    }
    return out;
  });
}

// Losses (total, then per output) and metrics (a list per metric name: one value per output).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_train_evaluate(SEXP model, SEXP source, Rcpp::List losses, std::string device,
                              double steps, int workers, std::string encode, bool weighted,
                              std::vector<std::string> metrics) {
  return gdlr::interruptible([&]() -> Rcpp::List {  // the core polls for Ctrl-C
    auto net = gdlr_network_of(model);
    gdl::train::EvalOptions o;
    o.steps = count_arg(Rcpp::List::create(Rcpp::Named("steps") = steps), "steps");
    o.workers = workers;
    o.encode = encode;
    o.weighted = weighted;
    o.metrics = metrics;
    auto specs = losses_from_r(losses);
    auto v = gdl::train::evaluate(*net, *gdlr::source_of(source), specs,
                                  gdl::nn::resolve_device(device), o);
    return Rcpp::List::create(
        Rcpp::Named("losses") = Rcpp::NumericVector(v.losses.begin(), v.losses.end()),
        Rcpp::Named("metrics") = metric_log(v.metrics, metrics, specs.size()));
  });
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_train_predict_source(SEXP model, SEXP source, std::string device, double steps,
                                    int workers, std::string encode) {
  return gdlr::interruptible([&]() -> Rcpp::List {  // the core polls for Ctrl-C
    auto net = gdlr_network_of(model);
    auto src = gdlr::source_of(source);
    auto p = gdl::train::predict_source(*net, *src, gdl::nn::resolve_device(device),
                                        static_cast<std::size_t>(steps), workers, encode);
    auto oshapes = net->output_shapes();
    auto tshapes = src->shapes().targets;
    Rcpp::List outs(p.outputs.size()), targets(p.targets.size());
    for (std::size_t k = 0; k < p.outputs.size(); ++k) outs[k] = gdlr_output_array(p.outputs[k], p.n, oshapes[k]);
    for (std::size_t k = 0; k < p.targets.size(); ++k) targets[k] = gdlr_output_array(p.targets[k], p.n, tshapes[k]);
    return Rcpp::List::create(Rcpp::Named("outputs") = outs, Rcpp::Named("targets") = targets);
  });
}

// Per-column metric of two N x K matrices: "auroc", "aupr", "pearson", "spearman".
// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_metric_columns(Rcpp::NumericMatrix pred, Rcpp::NumericMatrix obs,
                                       std::string metric) {
  if (pred.nrow() != obs.nrow() || pred.ncol() != obs.ncol())
    gdl::fail("predictions (", pred.nrow(), " x ", pred.ncol(), ") and observations (", obs.nrow(),
              " x ", obs.ncol(), ") differ in shape");
  std::size_t n = pred.nrow();
  Rcpp::NumericVector out(pred.ncol());
  for (int j = 0; j < pred.ncol(); ++j) {
    std::vector<float> p(n), o(n);
    for (std::size_t i = 0; i < n; ++i) {
      p[i] = static_cast<float>(pred(i, j));
      o[i] = static_cast<float>(obs(i, j));
    }
    gdl::train::Column a{p.data(), n}, b{o.data(), n};
    if (metric == "auroc") out[j] = gdl::train::auroc(a, b);
    else if (metric == "aupr") out[j] = gdl::train::aupr(a, b);
    else if (metric == "pearson") out[j] = gdl::train::pearson(a, b);
    else if (metric == "spearman") out[j] = gdl::train::spearman(a, b);
    else gdl::fail("unknown metric '", metric, "'");
  }
  return out;
}

// ROC or PR curve points of one column.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_metric_curve(Rcpp::NumericVector pred, Rcpp::NumericVector obs, std::string curve) {
  std::vector<float> p(pred.begin(), pred.end()), o(obs.begin(), obs.end());
  gdl::train::Column a{p.data(), p.size()}, b{o.data(), o.size()};
  std::vector<double> x, y;
  if (curve == "ROC") gdl::train::roc_curve(a, b, x, y);
  else gdl::train::pr_curve(a, b, x, y);
  return Rcpp::List::create(Rcpp::Named("x") = x, Rcpp::Named("y") = y);
}
