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
#include "common/interrupt.hpp"
#include "data/batch.hpp"
#include "nn/network_impl.hpp"
#include "train/device_batch.hpp"

#include "train/eval_scope.hpp"

namespace gdl {
namespace train {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::int64_t numel(const std::vector<std::int64_t>& s) {
  std::int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

// Batches of one-hot windows: batch i holds windows [i B, (i + 1) B) of the plan (computed on
// demand from the region tilings), then (with rc) their reverse complements in the same order.
class WindowSource : public data::BatchSource {
 public:
  WindowSource(const genome::Genome& g, const std::vector<RegionTiling>& tilings,
               const std::vector<std::int64_t>& first, const TilePlan& plan, std::size_t batch,
               std::int64_t length, bool rc, genome::Ambiguous amb)
      : g_(g), tilings_(tilings), first_(first), plan_(plan), batch_(batch), length_(length),
        rc_(rc), amb_(amb) {}

  std::size_t total() const { return static_cast<std::size_t>(first_.back()); }
  std::size_t batches_per_epoch() const override { return (total() + batch_ - 1) / batch_; }
  std::size_t batch_size() const override { return batch_; }
  data::BatchShapes shapes() const override {
    data::BatchShapes s;
    s.x = {4, length_};
    s.codes = true;
    s.ambiguous = amb_ == genome::Ambiguous::Quarter ? 0.25f : 0.0f;
    return s;
  }
  // The region of global window j and its index there.
  std::pair<std::size_t, std::int64_t> locate(std::int64_t j) const {
    auto it = std::upper_bound(first_.begin(), first_.end(), j);
    auto r = static_cast<std::size_t>(it - first_.begin()) - 1;
    return {r, j - first_[r]};
  }
  data::Window window(std::int64_t j) const {
    auto [r, i] = locate(j);
    return window_at(tilings_[r], plan_, i);
  }
  void fill(std::size_t, std::size_t i, data::Batch& out) const override {
    std::size_t b = i * batch_, e = std::min(total(), b + batch_), m = e - b;
    std::vector<data::Window> ws;
    ws.reserve(m);
    for (std::size_t j = b; j < e; ++j) ws.push_back(window(static_cast<std::int64_t>(j)));
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
  const std::vector<RegionTiling>& tilings_;
  const std::vector<std::int64_t>& first_;  // global index of each region's first window, + total
  TilePlan plan_;
  std::size_t batch_;
  std::int64_t length_;
  bool rc_;
  genome::Ambiguous amb_;
};

// Stitching buffers of one profile output of one region, over the bins not yet given to the sink:
// bins [flushed, flushed + count.size()). Windows arrive in order, so a bin before the next
// window's first bin is final and leaves the buffer; the buffer spans about one batch.
struct Accumulator {
  std::int64_t flushed = 0;
  std::vector<double> sum[2];
  std::vector<std::int32_t> count[2];
  void reserve_to(std::int64_t bin, std::int64_t C) {  // make bin (absolute) addressable
    auto need = static_cast<std::size_t>(bin - flushed + 1);
    for (int s = 0; s < 2; ++s)
      if (count[s].size() < need) {
        count[s].resize(need, 0);
        sum[s].resize(need * static_cast<std::size_t>(C), 0.0);
      }
  }
};

}  // namespace

RegionTiling tiling_of(const Region& r, const TilePlan& p) {
  if (r.end <= r.start) fail("region ", r.start + 1, "-", r.end, " is empty");
  if (p.step < 1) fail("step must be at least 1");
  RegionTiling t;
  t.region = r;
  const std::int64_t w = r.end - r.start;
  if (w <= p.span) {
    t.first_span = t.last_span = r.start - (p.span - w + 1) / 2;
    t.count = 1;
  } else {
    // spans at start + i step while they end before the region's end, then one flush with it
    t.first_span = r.start;
    std::int64_t last = r.end - p.span;
    if (p.bin > 1) last = r.start + (last - r.start + p.bin - 1) / p.bin * p.bin;
    t.last_span = last;
    t.count = (w - p.span + p.step - 1) / p.step + 1;
  }
  t.bins = (r.end - t.first_span + p.bin - 1) / p.bin;
  return t;
}

data::Window window_at(const RegionTiling& t, const TilePlan& p, std::int64_t i) {
  const std::int64_t offset = (p.window - p.span) / 2;
  std::int64_t s = i == t.count - 1 ? t.last_span : t.first_span + i * p.step;
  return {t.region.chrom, s - offset, s - offset + p.window, false};
}

std::vector<data::Window> tile_region(const Region& r, const TilePlan& p, std::int64_t* grid_start) {
  auto t = tiling_of(r, p);
  if (grid_start) *grid_start = t.first_span;
  std::vector<data::Window> out;
  out.reserve(static_cast<std::size_t>(t.count));
  for (std::int64_t i = 0; i < t.count; ++i) out.push_back(window_at(t, p, i));
  return out;
}

void predict_regions_stream(nn::Network& net, const genome::Genome& genome,
                            const std::vector<Region>& regions, const RegionOptions& o,
                            PredictSink& sink, const PredictProgress& progress) {
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
  const bool rc = o.rc != "none", rc_max = o.rc == "max";
  const std::int64_t offset = (L - plan.span) / 2, d = L - plan.span - 2 * offset;
  const std::int64_t shift = plan.bin == 1 ? d : 0;

  // Plan: the tiling of every region, in region order (windows are computed when encoded).
  std::vector<RegionTiling> tilings(regions.size());
  std::vector<std::int64_t> first(regions.size() + 1, 0);
  for (std::size_t r = 0; r < regions.size(); ++r) {
    const auto& reg = regions[r];
    if (reg.chrom < 0 || static_cast<std::size_t>(reg.chrom) >= genome.size())
      fail("region ", r + 1, " is on an unknown chromosome");
    if (reg.start < 0 || reg.end > genome.lengths()[static_cast<std::size_t>(reg.chrom)])
      fail("region ", r + 1, " (", genome.names()[static_cast<std::size_t>(reg.chrom)], ":",
           reg.start + 1, "-", reg.end, ") is past the end of the chromosome");
    tilings[r] = tiling_of(reg, plan);
    first[r + 1] = first[r] + tilings[r].count;
  }
  sink.begin(tilings, plan);
  const std::int64_t total = first.back();
  if (total == 0) return;

  // Stitching buffers of the regions in flight (a batch may span several regions).
  std::vector<std::vector<Accumulator>> acc(regions.size());
  std::vector<float> means;
  // Gives the bins of region r before `upto` (absolute bin) to the sink, forward and reverse
  // passes combined, and drops them from the buffers.
  auto flush = [&](std::size_t r, std::int64_t upto) {
    if (acc[r].empty()) return;
    for (std::size_t k = 0; k < outs.size(); ++k) {
      const auto& lay = layouts[k];
      if (lay.positions <= 0) continue;
      auto& a = acc[r][k];
      const std::int64_t n = upto - a.flushed;
      if (n <= 0) continue;
      const auto C = static_cast<std::size_t>(lay.channels);
      a.reserve_to(upto - 1, lay.channels);
      means.assign(static_cast<std::size_t>(n) * C, kNaN);
      for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i)
        for (std::size_t c = 0; c < C; ++c) {
          double mf = a.count[0][i] ? a.sum[0][i * C + c] / a.count[0][i] : std::nan("");
          double v = mf;
          if (rc) {
            double mr = a.count[1][i] ? a.sum[1][i * C + c] / a.count[1][i] : std::nan("");
            if (std::isnan(mf)) v = mr;
            else if (!std::isnan(mr)) v = rc_max ? std::max(mf, mr) : 0.5 * (mf + mr);
          }
          means[i * C + c] = static_cast<float>(v);
        }
      sink.bins(r, k, a.flushed, n, means.data(), lay.channels);
      for (int s = 0; s < 2; ++s) {
        a.count[s].erase(a.count[s].begin(), a.count[s].begin() + n);
        a.sum[s].erase(a.sum[s].begin(), a.sum[s].begin() + n * static_cast<std::int64_t>(C));
      }
      a.flushed = upto;
    }
  };

  auto& g = *net.impl().module;
  auto dev = nn::torch_device(o.device);
  torch::NoGradGuard no_grad;
  EvalScope scope(g, dev);
  const std::size_t batch = o.batch == 0 ? 128 : o.batch;
  WindowSource source(genome, tilings, first, plan, batch, L, rc, o.ambiguous);
  const std::size_t steps = source.batches_per_epoch();
  data::Prefetcher pf(source, prefetch_options(0, steps, o.workers, encode_on_device(o.encode, dev)));
  const float ambiguous = source.shapes().ambiguous;
  std::vector<float> combined;
  for (std::size_t kb = 0; kb < steps; ++kb) {
    auto& b = pf.next();
    auto ys = g.forward({sequence_tensor(b, L, ambiguous, dev)});
    const std::size_t firstw = kb * batch, m = rc ? b.size / 2 : b.size;
    std::vector<torch::Tensor> cpu(ys.size());
    for (std::size_t out = 0; out < ys.size(); ++out)
      cpu[out] = ys[out].to(torch::kCPU, torch::kFloat32).contiguous();
    pf.release();
    for (std::size_t i = 0; i < m; ++i) {
      const auto j = static_cast<std::int64_t>(firstw + i);
      auto [r, li] = source.locate(j);
      const auto& t = tilings[r];
      if (acc[r].empty()) acc[r].resize(outs.size());
      const auto win = window_at(t, plan, li);
      const std::int64_t i0 = (win.start + offset - t.first_span) / plan.bin;
      for (std::size_t out = 0; out < ys.size(); ++out) {
        const float* v = cpu[out].data_ptr<float>();
        const auto per = static_cast<std::size_t>(numel(outs[out]));
        const auto& lay = layouts[out];
        const float* f = v + i * per;
        const float* rv = rc ? v + (m + i) * per : nullptr;
        if (lay.positions <= 0) {
          combined.resize(per);
          for (std::size_t q = 0; q < per; ++q)
            combined[q] = !rc ? f[q] : rc_max ? std::max(f[q], rv[q]) : 0.5f * (f[q] + rv[q]);
          sink.window(r, out, li, win, combined.data(), per);
          continue;
        }
        auto& a = acc[r][out];
        const auto P = lay.positions, C = lay.channels, nb = t.bins;
        a.reserve_to(std::min(nb - 1, i0 + P - 1 + shift), C);
        for (std::int64_t q = 0; q < P; ++q) {
          std::int64_t idx = i0 + q;
          if (idx >= 0 && idx < nb) {
            auto at = static_cast<std::size_t>(idx - a.flushed);
            for (std::int64_t c = 0; c < C; ++c) a.sum[0][at * static_cast<std::size_t>(C) + static_cast<std::size_t>(c)] += f[q * C + c];
            ++a.count[0][at];
          }
          if (!rc) continue;
          idx = i0 + (P - 1 - q + shift);  // rc position q, read in forward orientation
          if (idx >= 0 && idx < nb) {
            auto at = static_cast<std::size_t>(idx - a.flushed);
            for (std::int64_t c = 0; c < C; ++c) a.sum[1][at * static_cast<std::size_t>(C) + static_cast<std::size_t>(c)] += rv[q * C + c];
            ++a.count[1][at];
          }
        }
      }
      // bins before the next window of this region are final; a region's last window ends it
      if (li + 1 < t.count) {
        const auto next = window_at(t, plan, li + 1);
        flush(r, std::max<std::int64_t>(0, (next.start + offset - t.first_span) / plan.bin));
      } else {
        flush(r, t.bins);
        acc[r].clear();
        acc[r].shrink_to_fit();
        sink.region_done(r);
      }
    }
    if (progress && !progress(std::min<std::size_t>(static_cast<std::size_t>(total), firstw + batch),
                              static_cast<std::size_t>(total)))
      throw Interrupted();  // the bridge turns it into R's interrupt
  }
}

void RegionCollector::begin(const std::vector<RegionTiling>& tilings, const TilePlan& plan) {
  res_.assign(tilings.size(), RegionResult());
  for (std::size_t r = 0; r < tilings.size(); ++r) {
    auto& x = res_[r];
    x.grid_start = tilings[r].first_span;
    x.bins = tilings[r].bins;
    x.windows.reserve(static_cast<std::size_t>(tilings[r].count));
    for (std::int64_t i = 0; i < tilings[r].count; ++i) x.windows.push_back(window_at(tilings[r], plan, i));
    x.per_window.resize(outputs_);
    x.tracks.resize(outputs_);
  }
}

void RegionCollector::window(std::size_t r, std::size_t k, std::int64_t, const data::Window&,
                             const float* values, std::size_t n) {
  auto& v = res_[r].per_window[k];
  v.insert(v.end(), values, values + n);
}

void RegionCollector::bins(std::size_t r, std::size_t k, std::int64_t, std::int64_t n,
                           const float* values, std::int64_t channels) {
  auto& v = res_[r].tracks[k];
  v.insert(v.end(), values, values + n * channels);
}

std::vector<RegionResult> predict_regions(nn::Network& net, const genome::Genome& genome,
                                          const std::vector<Region>& regions,
                                          const RegionOptions& o, const PredictProgress& progress) {
  RegionCollector c(net.output_shapes().size());
  predict_regions_stream(net, genome, regions, o, c, progress);
  return std::move(c.results());
}

}  // namespace train
}  // namespace gdl
