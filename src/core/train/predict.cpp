// Prediction over genomic regions (the LibTorch translation unit of train/predict.hpp).
// Windows are encoded by data::Prefetcher worker threads from a BatchSource over the
// tiled windows (forward then reverse-complement copies in one batch), run through the network
// on the device, and stitched into per-region buffers as each batch arrives.
#include "train/predict.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "common/error.hpp"
#include "data/batch.hpp"
#include "nn/network_impl.hpp"
#include "train/device_batch.hpp"

namespace gdl {
namespace train {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::int64_t numel(const std::vector<std::int64_t>& s) {
  std::int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

// Batches of one-hot windows: batch i holds windows [i B, (i + 1) B), then (with rc) their reverse
// complements in the same order.
class WindowSource : public data::BatchSource {
 public:
  WindowSource(const genome::Genome& g, const std::vector<data::Window>& windows,
               std::size_t batch, std::int64_t length, bool rc, genome::Ambiguous amb)
      : g_(g), windows_(windows), batch_(batch), length_(length), rc_(rc), amb_(amb) {}

  std::size_t batches_per_epoch() const override { return (windows_.size() + batch_ - 1) / batch_; }
  std::size_t batch_size() const override { return batch_; }
  data::BatchShapes shapes() const override {
    data::BatchShapes s;
    s.x = {4, length_};
    s.codes = true;
    s.ambiguous = amb_ == genome::Ambiguous::Quarter ? 0.25f : 0.0f;
    return s;
  }
  void fill(std::size_t, std::size_t i, data::Batch& out) const override {
    std::size_t b = i * batch_, e = std::min(windows_.size(), b + batch_), m = e - b;
    std::vector<data::Window> ws(windows_.begin() + static_cast<std::ptrdiff_t>(b),
                                 windows_.begin() + static_cast<std::ptrdiff_t>(e));
    out.size = rc_ ? 2 * m : m;
    const auto L = static_cast<std::size_t>(length_);
    // forward windows, then (with rc) the same windows reverse-complemented
    auto encode = [&](std::size_t at) {
      if (out.want_codes) data::encode_windows_codes(g_, ws, out.codes.data() + at * L, 1);
      else data::encode_windows(g_, ws, out.x.data() + at * 4 * L, amb_, 1);
    };
    out.x.resize(out.want_codes ? 0 : out.size * 4 * L);
    out.codes.resize(out.want_codes ? out.size * L : 0);
    encode(0);
    if (rc_) {
      for (auto& w : ws) w.minus = true;
      encode(m);
    }
  }
  std::string description() const override { return "windows of regions to predict"; }

 private:
  const genome::Genome& g_;
  const std::vector<data::Window>& windows_;
  std::size_t batch_;
  std::int64_t length_;
  bool rc_;
  genome::Ambiguous amb_;
};

// Moves the module to `dev` (and back to the CPU at the end) and puts it in evaluation mode.
struct EvalScope {
  nn::GraphModule& g;
  bool moved, was_training;
  EvalScope(nn::GraphModule& m, const torch::Device& dev)
      : g(m), moved(!dev.is_cpu()), was_training(m.is_training()) {
    g.eval();
    if (moved) g.to(dev);
  }
  ~EvalScope() {
    if (moved) g.to(torch::kCPU);
    if (was_training) g.train();
  }
};

// Stitching buffers of one profile output of one region.
struct Accumulator {
  std::vector<double> sum[2];
  std::vector<std::int32_t> count[2];
};

}  // namespace

std::vector<data::Window> tile_region(const Region& r, const TilePlan& p, std::int64_t* grid_start) {
  if (r.end <= r.start) fail("region ", r.start + 1, "-", r.end, " is empty");
  if (p.step < 1) fail("step must be at least 1");
  const std::int64_t offset = (p.window - p.span) / 2, w = r.end - r.start;
  std::vector<std::int64_t> spans;
  if (w <= p.span) {
    spans.push_back(r.start - (p.span - w + 1) / 2);
  } else {
    std::int64_t s = r.start;
    for (; s + p.span < r.end; s += p.step) spans.push_back(s);
    std::int64_t last = r.end - p.span;
    if (p.bin > 1) last = r.start + (last - r.start + p.bin - 1) / p.bin * p.bin;
    spans.push_back(last);
  }
  if (grid_start) *grid_start = spans.front();
  std::vector<data::Window> out;
  out.reserve(spans.size());
  for (auto s : spans) out.push_back({r.chrom, s - offset, s - offset + p.window, false});
  return out;
}

std::vector<RegionResult> predict_regions(nn::Network& net, const genome::Genome& genome,
                                          const std::vector<Region>& regions,
                                          const RegionOptions& o, const PredictProgress& progress) {
  auto ins = net.input_shapes();
  if (ins.size() != 1)
    fail("the model takes ", ins.size(), " inputs; prediction over regions reads DNA only");
  if (ins[0].size() != 2 || ins[0][0] != 4)
    fail("the model's input is not one-hot DNA of shape (length, 4)");
  const std::int64_t L = ins[0][1];
  auto outs = net.output_shapes();
  std::vector<OutputLayout> layouts = o.layouts;
  if (layouts.empty()) layouts.resize(outs.size());
  if (layouts.size() != outs.size())
    fail("give one output layout per output (", outs.size(), "), not ", layouts.size());
  TilePlan plan{L, 0, o.step, 1};
  for (std::size_t k = 0; k < outs.size(); ++k) {
    const auto& lay = layouts[k];
    if (lay.positions <= 0) continue;
    if (lay.bin < 1 || lay.channels < 1) fail("output ", k + 1, ": bin and channels must be >= 1");
    if (lay.positions * lay.channels != numel(outs[k]))
      fail("output ", k + 1, " holds ", numel(outs[k]), " values, not ", lay.positions, " positions x ",
           lay.channels, " tracks");
    auto span = lay.positions * lay.bin;
    if (plan.span == 0) {
      plan.span = span;
      plan.bin = lay.bin;
    } else if (span != plan.span || lay.bin != plan.bin) {
      fail("the profile outputs cover different spans (", plan.span, " and ", span,
           " bases): predict them with separate models");
    }
  }
  if (plan.span == 0) plan.span = L;
  if (plan.span > L)
    fail("the profile output covers ", plan.span, " bases, more than the input window (", L, ")");
  if (o.step < 1) fail("step must be at least 1");
  if (o.step % plan.bin != 0)
    fail("step (", o.step, ") must be a multiple of the output's bin size (", plan.bin, ")");
  if (o.rc != "none" && o.rc != "average" && o.rc != "max")
    fail("rc must be 'none', 'average' or 'max', not '", o.rc, "'");
  const bool rc = o.rc != "none";
  const std::int64_t offset = (L - plan.span) / 2, d = L - plan.span - 2 * offset;

  // Plan: windows of every region, in region order.
  std::vector<RegionResult> res(regions.size());
  std::vector<data::Window> windows;
  std::vector<std::pair<std::size_t, std::size_t>> where;  // (region, index in region)
  for (std::size_t r = 0; r < regions.size(); ++r) {
    const auto& reg = regions[r];
    if (reg.chrom < 0 || static_cast<std::size_t>(reg.chrom) >= genome.size())
      fail("region ", r + 1, " is on an unknown chromosome");
    if (reg.start < 0 || reg.end > genome.lengths()[static_cast<std::size_t>(reg.chrom)])
      fail("region ", r + 1, " (", genome.names()[static_cast<std::size_t>(reg.chrom)], ":",
           reg.start + 1, "-", reg.end, ") is past the end of the chromosome");
    res[r].windows = tile_region(reg, plan, &res[r].grid_start);
    res[r].bins = (reg.end - res[r].grid_start + plan.bin - 1) / plan.bin;
    for (std::size_t i = 0; i < res[r].windows.size(); ++i) {
      windows.push_back(res[r].windows[i]);
      where.emplace_back(r, i);
    }
  }
  std::vector<std::vector<Accumulator>> acc(regions.size(), std::vector<Accumulator>(outs.size()));
  for (std::size_t r = 0; r < regions.size(); ++r) {
    res[r].per_window.resize(outs.size());
    res[r].tracks.resize(outs.size());
    for (std::size_t k = 0; k < outs.size(); ++k) {
      const auto& lay = layouts[k];
      if (lay.positions <= 0) {
        res[r].per_window[k].resize(res[r].windows.size() * static_cast<std::size_t>(numel(outs[k])));
        continue;
      }
      auto nb = static_cast<std::size_t>(res[r].bins);
      for (int s = 0; s < (rc ? 2 : 1); ++s) {
        acc[r][k].sum[s].assign(nb * static_cast<std::size_t>(lay.channels), 0.0);
        acc[r][k].count[s].assign(nb, 0);
      }
    }
  }
  if (windows.empty()) return res;

  auto& g = *net.impl().module;
  auto dev = nn::torch_device(o.device);
  torch::NoGradGuard no_grad;
  EvalScope scope(g, dev);
  const std::size_t batch = o.batch == 0 ? 128 : o.batch;
  WindowSource source(genome, windows, batch, L, rc, o.ambiguous);
  const std::size_t steps = source.batches_per_epoch();
  data::Prefetcher pf(source, prefetch_options(0, steps, o.workers, encode_on_device(o.encode, dev)));
  const float ambiguous = source.shapes().ambiguous;
  for (std::size_t k = 0; k < steps; ++k) {
    auto& b = pf.next();
    auto ys = g.forward({sequence_tensor(b, L, ambiguous, dev)});
    const std::size_t first = k * batch, m = rc ? b.size / 2 : b.size;
    for (std::size_t out = 0; out < ys.size(); ++out) {
      auto y = ys[out].to(torch::kCPU, torch::kFloat32).contiguous();
      const float* v = y.data_ptr<float>();
      const auto per = static_cast<std::size_t>(numel(outs[out]));
      const auto& lay = layouts[out];
      for (std::size_t i = 0; i < m; ++i) {
        auto [r, li] = where[first + i];
        const float* f = v + i * per;
        const float* rv = rc ? v + (m + i) * per : nullptr;
        if (lay.positions <= 0) {
          float* dst = res[r].per_window[out].data() + li * per;
          for (std::size_t j = 0; j < per; ++j)
            dst[j] = !rc ? f[j] : o.rc == "max" ? std::max(f[j], rv[j]) : 0.5f * (f[j] + rv[j]);
          continue;
        }
        auto& a = acc[r][out];
        const auto P = lay.positions, C = lay.channels, nb = res[r].bins;
        const std::int64_t i0 = (res[r].windows[li].start + offset - res[r].grid_start) / plan.bin;
        const std::int64_t shift = plan.bin == 1 ? d : 0;
        for (std::int64_t j = 0; j < P; ++j) {
          std::int64_t idx = i0 + j;
          if (idx >= 0 && idx < nb) {
            for (std::int64_t c = 0; c < C; ++c) a.sum[0][static_cast<std::size_t>(idx * C + c)] += f[j * C + c];
            ++a.count[0][static_cast<std::size_t>(idx)];
          }
          if (!rc) continue;
          idx = i0 + (P - 1 - j + shift);  // rc position j, read in forward orientation
          if (idx >= 0 && idx < nb) {
            for (std::int64_t c = 0; c < C; ++c) a.sum[1][static_cast<std::size_t>(idx * C + c)] += rv[j * C + c];
            ++a.count[1][static_cast<std::size_t>(idx)];
          }
        }
      }
    }
    pf.release();
    if (progress && !progress(std::min(windows.size(), first + batch), windows.size()))
      fail("prediction interrupted");
  }

  // Means per bin, forward and reverse passes combined.
  for (std::size_t r = 0; r < regions.size(); ++r)
    for (std::size_t k = 0; k < outs.size(); ++k) {
      const auto& lay = layouts[k];
      if (lay.positions <= 0) continue;
      auto& a = acc[r][k];
      auto nb = static_cast<std::size_t>(res[r].bins), C = static_cast<std::size_t>(lay.channels);
      auto& t = res[r].tracks[k];
      t.assign(nb * C, kNaN);
      for (std::size_t i = 0; i < nb; ++i)
        for (std::size_t c = 0; c < C; ++c) {
          double mf = a.count[0][i] ? a.sum[0][i * C + c] / a.count[0][i] : std::nan("");
          if (!rc) {
            t[i * C + c] = static_cast<float>(mf);
            continue;
          }
          double mr = a.count[1][i] ? a.sum[1][i * C + c] / a.count[1][i] : std::nan("");
          double v;
          if (std::isnan(mf)) v = mr;
          else if (std::isnan(mr)) v = mf;
          else v = o.rc == "max" ? std::max(mf, mr) : 0.5 * (mf + mr);
          t[i * C + c] = static_cast<float>(v);
        }
      a = Accumulator();
    }
  return res;
}

void set_parameter(nn::Network& net, const std::string& key, const std::vector<float>& values) {
  auto& g = *net.impl().module;
  torch::NoGradGuard no_grad;
  auto assign = [&](torch::Tensor& t) {
    if (static_cast<std::size_t>(t.numel()) != values.size())
      fail("'", key, "' has ", t.numel(), " values, not ", values.size());
    auto src = torch::from_blob(const_cast<float*>(values.data()), t.sizes(), torch::kFloat32);
    t.copy_(src);
  };
  for (auto& p : g.named_parameters(true))
    if (p.key() == key) return assign(p.value());
  for (auto& b : g.named_buffers(true))
    if (b.key() == key) return assign(b.value());
  std::string known;
  for (auto& p : g.named_parameters(true)) known += (known.empty() ? "" : ", ") + p.key();
  fail("the model has no parameter '", key, "' (it has: ", known, ")");
}

}  // namespace train
}  // namespace gdl
