// Training throughput of the standalone C++ core (no R): DeepSEA and BPNet, built in C++ as the R
// presets deepseaModel() and bpnetModel() (bench/cpp/zoo.hpp), trained by gdl::train::fit on the
// CPU or a CUDA device, fed by a BatchSource through fit's prefetch threads; and the loader's own
// rate (the same source through data::Prefetcher with the same number of threads, no training),
// as a ratio to what training consumes (target >= 2). The GPU run of issue 4: bench/gpu.sh.
//
// Data: with the I/O parts built (htslib + libBigWig), SequenceGenerators over inst/extdata
// (DeepSEA: the two example peak BEDs, CTCF / GATA1 / MAX in two cell types, 6 sigmoid outputs
// as bench/train.R, real negatives, ratio 1; BPNet: the two example coverage bigWigs, the
// central outputLength bases of each window, raw counts, one head of 2 tasks); without them, or
// with --data synthetic, in-memory random one-hot sequences and targets (DeepSEA: 919 outputs).
//
// Usage, from the repository root (every option also as an environment variable):
//   build/cpp/bench_train_torch [--steps 20] [--warmup 3] [--device auto|cpu|cuda|cuda:N]
//     [--threads 2] [--workers 2] [--deepsea-batch 16] [--bpnet-batch 64]
//     [--bpnet-output 1000] [--bpnet-layers 9] [--bpnet-filters 64] [--loader-batches 0]
//     [--data auto|real|synthetic] [--models deepsea,bpnet] [--extdata inst/extdata]
//     [--mixed 0|1 (mixed precision)] [--encode auto|host|device (where one-hot is made)]
//   environment: GDL_BENCH_STEPS, GDL_BENCH_WARMUP, GDL_BENCH_DEVICE, GDL_BENCH_THREADS,
//     GDL_BENCH_WORKERS, GDL_BENCH_DEEPSEA_BATCH, GDL_BENCH_BPNET_BATCH, GDL_BENCH_BPNET_OUTPUT,
//     GDL_BENCH_BPNET_LAYERS, GDL_BENCH_BPNET_FILTERS, GDL_BENCH_LOADER_BATCHES, GDL_BENCH_DATA,
//     GDL_BENCH_MODELS, GDL_BENCH_EXTDATA
// Output: one "key value" line per figure (lines starting with '#' are comments), e.g.
//   deepsea_samples_per_s 123.4
//   deepsea_loader_ratio 5.21
#include <torch/version.h>

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "data/batch.hpp"
#include "data/prefetch.hpp"
#include "data/sampling.hpp"
#include "nn/device.hpp"
#include "nn/network.hpp"
#include "train/trainer.hpp"
#include "zoo.hpp"

#ifdef GDL_HAVE_IO
#include "data/generator.hpp"
#include "genome/genome.hpp"
#endif

using namespace gdl;
using Clock = std::chrono::steady_clock;

namespace {

// ---- options ---------------------------------------------------------------------------------

struct Options {
  std::map<std::string, std::string> v = {
      {"steps", "20"},          {"warmup", "3"},          {"device", "auto"},
      {"threads", "2"},         {"workers", "2"},         {"deepsea-batch", "16"},
      {"bpnet-batch", "64"},    {"bpnet-output", "1000"}, {"bpnet-layers", "9"},
      {"bpnet-filters", "64"},  {"loader-batches", "0"},  {"data", "auto"},
      {"models", "deepsea,bpnet"}, {"extdata", "inst/extdata"},
      {"mixed", "0"},           {"encode", "auto"}};
  long num(const std::string& k) const {
    char* end = nullptr;
    long x = std::strtol(v.at(k).c_str(), &end, 10);
    if (!end || *end || x < 0) fail("--", k, " must be a whole number >= 0, not '", v.at(k), "'");
    return x;
  }
  const std::string& str(const std::string& k) const { return v.at(k); }
};

Options parse(int argc, char** argv) {
  Options o;
  for (auto& kv : o.v) {
    std::string env = "GDL_BENCH_" + kv.first;
    for (auto& c : env) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
    if (const char* e = std::getenv(env.c_str())) kv.second = e;
  }
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::printf("options (defaults):");
      for (auto& kv : o.v) std::printf(" --%s %s", kv.first.c_str(), kv.second.c_str());
      std::printf("\n");
      std::exit(0);
    }
    if (a.rfind("--", 0) != 0 || !o.v.count(a.substr(2)) || i + 1 >= argc)
      fail("unknown option or missing value: '", a, "' (see --help)");
    o.v[a.substr(2)] = argv[++i];
  }
  return o;
}

// ---- device name -----------------------------------------------------------------------------

std::string cpu_name() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

// The GPU's name from the CUDA driver (libcuda.so.1, present wherever the NVIDIA driver is), so
// that the benchmark needs no CUDA headers to build against a CPU-only LibTorch.
std::string cuda_name(int ordinal) {
  void* lib = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (!lib) return "unknown CUDA device";
  using Init = int (*)(unsigned);
  using Get = int (*)(int*, int);
  using Name = int (*)(char*, int, int);
  auto init = reinterpret_cast<Init>(dlsym(lib, "cuInit"));
  auto get = reinterpret_cast<Get>(dlsym(lib, "cuDeviceGet"));
  auto name = reinterpret_cast<Name>(dlsym(lib, "cuDeviceGetName"));
  char buf[256] = {0};
  int dev = 0;
  std::string out = "unknown CUDA device";
  if (init && get && name && init(0) == 0 && get(&dev, ordinal) == 0 &&
      name(buf, sizeof buf - 1, dev) == 0)
    out = buf;
  dlclose(lib);
  return out;
}

// ---- synthetic data ----------------------------------------------------------------------------

// Random one-hot sequences and targets, generated per (epoch, batch) from a seed: "binary"
// targets (0/1, for BCE) or "counts" (small whole numbers, for the profile losses).
class SyntheticSource : public data::BatchSource {
 public:
  SyntheticSource(std::int64_t length, data::Shape target, bool counts, std::size_t batch,
                  std::size_t batches)
      : length_(length), target_(std::move(target)), counts_(counts), batch_(batch), batches_(batches) {}
  std::size_t batches_per_epoch() const override { return batches_; }
  std::size_t batch_size() const override { return batch_; }
  data::BatchShapes shapes() const override {
    data::BatchShapes s;
    s.x = {4, length_};
    s.targets = {target_};
    return s;
  }
  void fill(std::size_t epoch, std::size_t i, data::Batch& out) const override {
    data::Rng rng(data::item_seed(7, epoch, i));
    auto per_t = static_cast<std::size_t>(data::numel(target_));
    auto L = static_cast<std::size_t>(length_);
    out.size = batch_;
    out.x.assign(batch_ * 4 * L, 0.0f);
    out.targets.assign(1, std::vector<float>(batch_ * per_t));
    for (std::size_t n = 0; n < batch_; ++n) {
      for (std::size_t p = 0; p < L; ++p) out.x[(n * 4 + rng.below(4)) * L + p] = 1.0f;
      for (std::size_t j = 0; j < per_t; ++j)
        out.targets[0][n * per_t + j] = counts_ ? static_cast<float>(rng.below(4))
                                                : static_cast<float>(rng.below(2));
    }
    out.weights.clear();
    out.secondary.clear();
  }
  std::string description() const override { return "synthetic in-memory batches"; }

 private:
  std::int64_t length_;
  data::Shape target_;
  bool counts_;
  std::size_t batch_, batches_;
};

// ---- real data (SequenceGenerators over inst/extdata) -------------------------------------------

#ifdef GDL_HAVE_IO
std::vector<data::Interval> whole_chromosomes(const genome::Genome& g, std::int64_t L) {
  std::vector<data::Interval> out;
  for (std::size_t c = 0; c < g.size(); ++c)
    if (g.lengths()[c] >= L) out.push_back({static_cast<int>(c), 0, g.lengths()[c] - L + 1});
  return out;
}

// DeepSEA-like classification: the peaks of `beds` (BED: 0-based half-open) of `types`, one
// channel per file and type, as sequenceGenerator(fa, beds, annotationTypes = types,
// seqLen = L, negativeRatio = 1) in bench/train.R.
std::shared_ptr<const data::BatchSource> peaks_generator(std::shared_ptr<const genome::Genome> g,
                                                         const std::vector<std::string>& beds,
                                                         const std::vector<std::string>& types,
                                                         std::int64_t L, std::size_t batch) {
  data::GeneratorOptions o;
  o.kind = data::TargetKind::Sparse;
  o.window = L;
  o.batch_size = batch;
  o.seed = 1;
  o.n_files = static_cast<int>(beds.size());
  o.n_ann = static_cast<int>(types.size());
  for (std::size_t f = 0; f < beds.size(); ++f) {
    std::ifstream in(beds[f]);
    if (!in) fail("cannot read ", beds[f]);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream cols(line);
      std::string chrom, name, score, strand;
      std::int64_t start = 0, end = 0;
      if (!(cols >> chrom >> start >> end >> name)) continue;
      cols >> score >> strand;
      auto t = std::find(types.begin(), types.end(), name);
      auto c = std::find(g->names().begin(), g->names().end(), chrom);
      if (t == types.end() || c == g->names().end()) continue;
      o.annotations.push_back({static_cast<int>(c - g->names().begin()), start, end, strand == "-",
                               static_cast<int>(f * types.size()) + static_cast<int>(t - types.begin())});
    }
  }
  o.output_shape = {static_cast<std::int64_t>(beds.size() * types.size())};  // flat, as the model's
  o.negative = data::Negative::Real;
  o.negative_ratio = 1;
  o.negative_space = whole_chromosomes(*g, L);
  return std::make_shared<data::SequenceGenerator>(g, o);
}

// BPNet profiles: every window of length L, its central `out` bases of each bigWig (raw values).
std::shared_ptr<const data::BatchSource> profile_generator(std::shared_ptr<const genome::Genome> g,
                                                           const std::vector<std::string>& bws,
                                                           std::int64_t L, std::int64_t out,
                                                           std::size_t batch) {
  data::GeneratorOptions o;
  o.kind = data::TargetKind::Continuous;
  o.window = L;
  o.target_window = out;
  o.batch_size = batch;
  o.seed = 1;
  o.tracks = bws;
  o.starts = whole_chromosomes(*g, L);
  return std::make_shared<data::SequenceGenerator>(g, o);
}
#endif

// ---- measurements ------------------------------------------------------------------------------

struct Rates {
  double train = 0, loader = 0, loss = 0;
  std::size_t samples = 0;
  double seconds = 0;
};

// Samples/s of `batches` batches filled through data::Prefetcher alone (no training).
double loader_rate(const std::shared_ptr<const data::BatchSource>& src, int threads,
                   std::size_t batches) {
  auto run = [&](std::size_t epoch, std::size_t n) {
    data::PrefetchOptions po;
    po.threads = std::max(threads, 1);
    po.epoch = epoch;
    po.count = n;
    data::Prefetcher p(src, po);
    std::size_t samples = 0;
    auto t0 = Clock::now();
    for (std::size_t k = 0; k < n; ++k) {
      samples += p.next().size;
      p.release();
    }
    return static_cast<double>(samples) / std::chrono::duration<double>(Clock::now() - t0).count();
  };
  run(5, std::min<std::size_t>(batches, 10));  // warm the track caches and the allocator
  return run(6, batches);
}

Rates measure(nn::Network& net, const std::shared_ptr<const data::BatchSource>& src,
              const std::vector<train::LossSpec>& losses, const Options& opt,
              const std::string& device) {
  train::TrainOptions o;
  o.losses = losses;
  o.device = device;
  o.workers = static_cast<int>(opt.num("workers"));
  o.mixed_precision = opt.num("mixed") != 0;
  o.encode = opt.str("encode");
  o.epochs = 1;
  train::Callbacks none;
  if (opt.num("warmup") > 0) {
    o.steps_per_epoch = static_cast<std::size_t>(opt.num("warmup"));
    o.first_epoch = 0;
    train::fit(net, *src, nullptr, o, none);
  }
  o.steps_per_epoch = static_cast<std::size_t>(std::max(1L, opt.num("steps")));
  o.first_epoch = 1;
  auto res = train::fit(net, *src, nullptr, o, none);
  const auto& log = res.history.at(0);
  Rates r;
  r.samples = log.samples;
  r.seconds = log.seconds;
  r.train = static_cast<double>(log.samples) / log.seconds;
  r.loss = log.loss;
  std::size_t lb = static_cast<std::size_t>(opt.num("loader-batches"));
  if (lb == 0) lb = std::max<std::size_t>(o.steps_per_epoch, 50);
  r.loader = loader_rate(src, o.workers, lb);
  return r;
}

void report(const std::string& model, const Rates& r, std::size_t batch) {
  std::printf("%s_batch %zu\n", model.c_str(), batch);
  std::printf("%s_steps_timed %zu\n", model.c_str(), r.samples / std::max<std::size_t>(batch, 1));
  std::printf("%s_seconds %.3f\n", model.c_str(), r.seconds);
  std::printf("%s_final_loss %.6g\n", model.c_str(), r.loss);
  std::printf("%s_samples_per_s %.1f\n", model.c_str(), r.train);
  std::printf("%s_loader_samples_per_s %.1f\n", model.c_str(), r.loader);
  std::printf("%s_loader_ratio %.2f\n", model.c_str(), r.loader / r.train);
  std::fflush(stdout);
}

int run(int argc, char** argv) {
  Options opt = parse(argc, argv);
  nn::set_torch_threads(static_cast<int>(opt.num("threads")));
  std::string device = nn::resolve_device(opt.str("device"));
  auto info = nn::torch_info();
  std::string data_mode = opt.str("data");
  if (data_mode != "auto" && data_mode != "real" && data_mode != "synthetic")
    fail("--data must be auto, real or synthetic, not '", data_mode, "'");
#ifdef GDL_HAVE_IO
  bool real = data_mode != "synthetic";
#else
  if (data_mode == "real") fail("--data real needs the I/O parts (htslib + libBigWig) built");
  bool real = false;
#endif
  const std::string& models = opt.str("models");
  bool do_deepsea = models.find("deepsea") != std::string::npos;
  bool do_bpnet = models.find("bpnet") != std::string::npos;
  std::string ext = opt.str("extdata") + "/";

  std::printf("torch_version %s\n", TORCH_VERSION);
  std::printf("device %s\n", device.c_str());
  std::printf("device_name %s\n",
              device == "cpu" ? cpu_name().c_str()
                              : cuda_name(device.size() > 5 ? std::atoi(device.c_str() + 5) : 0).c_str());
  std::printf("cuda_devices %d\n", info.cuda_devices);
  std::printf("intra_op_threads %d\n", info.intra_threads);
  std::printf("loader_threads %ld\n", opt.num("workers"));
  std::printf("hardware_threads %u\n", std::thread::hardware_concurrency());
  std::printf("data %s\n", real ? "real" : "synthetic");
  std::printf("mixed_precision %ld\nencode %s\n", opt.num("mixed"), opt.str("encode").c_str());
  std::printf("# data: %s\n", real ? "SequenceGenerators over inst/extdata (example genome, peak BEDs, coverage bigWigs)"
                                   : "synthetic in-memory random one-hot sequences and targets");
  std::printf("deepsea_params_preset %lld\n",
              static_cast<long long>(nn::Network(gdlbench::deepsea(1000, 919), 1).parameter_count()));
  std::fflush(stdout);

#ifdef GDL_HAVE_IO
  std::shared_ptr<const genome::Genome> genome;
  if (real) genome = genome::open_fasta(ext + "example_genome.fa");
#endif

  if (do_deepsea) {
    auto batch = static_cast<std::size_t>(opt.num("deepsea-batch"));
    std::shared_ptr<const data::BatchSource> src;
#ifdef GDL_HAVE_IO
    if (real)
      src = peaks_generator(genome, {ext + "example_peaks_cell1.bed", ext + "example_peaks_cell2.bed"},
                            {"CTCF", "GATA1", "MAX"}, 1000, batch);
#endif
    if (!src) src = std::make_shared<SyntheticSource>(1000, data::Shape{919}, false, batch, 1000);
    auto outputs = data::numel(src->shapes().targets.at(0));
    nn::Network net(gdlbench::deepsea(1000, outputs), 1);
    std::printf("deepsea_outputs %lld\n", static_cast<long long>(outputs));
    std::printf("deepsea_params %lld\n", static_cast<long long>(net.parameter_count()));
    std::printf("# deepsea source: %s\n", src->description().c_str());
    std::fflush(stdout);
    auto r = measure(net, src, {{"bce", 1.0, -1}}, opt, device);
    report("deepsea", r, batch);
  }
  if (do_bpnet) {
    auto batch = static_cast<std::size_t>(opt.num("bpnet-batch"));
    auto out = static_cast<std::int64_t>(opt.num("bpnet-output"));
    int layers = static_cast<int>(opt.num("bpnet-layers"));
    int filters = static_cast<int>(opt.num("bpnet-filters"));
    auto L = gdlbench::bpnet_input_length(out, layers, 25, 25);
    std::shared_ptr<const data::BatchSource> src;
#ifdef GDL_HAVE_IO
    if (real)
      src = profile_generator(genome, {ext + "example_coverage_cell1.bw", ext + "example_coverage_cell2.bw"},
                              L, out, batch);
#endif
    if (!src) src = std::make_shared<SyntheticSource>(L, data::Shape{out, 2}, true, batch, 1000);
    nn::Network net(gdlbench::bpnet(L, out, filters, layers, 25, 25, 2), 1);
    std::printf("bpnet_input_length %lld\n", static_cast<long long>(L));
    std::printf("bpnet_output_length %lld\n", static_cast<long long>(out));
    std::printf("bpnet_params %lld\n", static_cast<long long>(net.parameter_count()));
    std::printf("# bpnet source: %s\n", src->description().c_str());
    std::fflush(stdout);
    // BPReveal's losses: profile "mnll" (weight 1), counts "counts" on the same target (100)
    auto r = measure(net, src, {{"mnll", 1.0, 0}, {"counts", 100.0, 0}}, opt, device);
    report("bpnet", r, batch);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_train_torch: %s\n", e.what());
    return 1;
  }
}
