// Variant effect scoring (the LibTorch translation unit of train/variants.hpp). Batch k holds
// the REF windows of its variants, then their ALT windows, then (with rc) the reverse
// complements of both, so that one forward pass scores every window of the batch.
#include "train/variants.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "common/error.hpp"
#include "common/interrupt.hpp"
#include "data/batch.hpp"
#include "genome/bases.hpp"
#include "nn/network_impl.hpp"
#include "train/device_batch.hpp"

#include "train/eval_scope.hpp"

namespace gdl {
namespace train {

namespace {

std::int64_t numel(const std::vector<std::int64_t>& s) {
  std::int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

class VariantSource : public data::BatchSource {
 public:
  VariantSource(const genome::Genome& g, const std::vector<data::Variant>& variants,
                std::size_t batch, std::int64_t length, bool rc, genome::Ambiguous amb)
      : g_(g), variants_(variants), batch_(batch), length_(length), rc_(rc), amb_(amb) {}

  std::size_t batches_per_epoch() const override { return (variants_.size() + batch_ - 1) / batch_; }
  std::size_t batch_size() const override { return batch_ * (rc_ ? 4 : 2); }
  data::BatchShapes shapes() const override {
    data::BatchShapes s;
    s.x = {4, length_};
    s.codes = true;
    s.ambiguous = amb_ == genome::Ambiguous::Quarter ? 0.25f : 0.0f;
    return s;
  }
  void fill(std::size_t, std::size_t i, data::Batch& out) const override {
    const std::size_t b = i * batch_, e = std::min(variants_.size(), b + batch_), m = e - b;
    const auto L = static_cast<std::size_t>(length_);
    out.size = m * (rc_ ? 4 : 2);
    out.x.resize(out.want_codes ? 0 : out.size * 4 * L);
    out.codes.resize(out.want_codes ? out.size * L : 0);
    // window slot j (0 .. size): REF block, ALT block, then their reverse complements
    auto put = [&](std::size_t j, const std::string& s) {
      if (out.want_codes) genome::to_codes(s.data(), L, out.codes.data() + j * L);
      else genome::one_hot_ncl_f32(s.data(), L, out.x.data() + j * 4 * L, amb_);
    };
    std::string ref(L, 'N'), alt(L, 'N');
    for (std::size_t k = 0; k < m; ++k) {
      data::variant_sequences(g_, variants_[b + k], length_, &ref[0], &alt[0]);
      put(k, ref);
      put(m + k, alt);
      if (!rc_) continue;
      genome::reverse_complement(ref);
      genome::reverse_complement(alt);
      put(2 * m + k, ref);
      put(3 * m + k, alt);
    }
  }
  std::string description() const override { return "REF and ALT windows of variants"; }

 private:
  const genome::Genome& g_;
  const std::vector<data::Variant>& variants_;
  std::size_t batch_;
  std::int64_t length_;
  bool rc_;
  genome::Ambiguous amb_;
};

// A profile (P x C, row-major) as distributions over positions, one per channel, into p (C x P).
void distribution(const std::vector<double>& v, std::int64_t P, std::int64_t C, bool logits,
                  std::vector<double>& p) {
  p.assign(static_cast<std::size_t>(P * C), 0.0);
  for (std::int64_t c = 0; c < C; ++c) {
    double* d = p.data() + c * P;
    if (logits) {
      double mx = -INFINITY;
      for (std::int64_t j = 0; j < P; ++j) mx = std::max(mx, v[static_cast<std::size_t>(j * C + c)]);
      double sum = 0;
      for (std::int64_t j = 0; j < P; ++j) sum += d[j] = std::exp(v[static_cast<std::size_t>(j * C + c)] - mx);
      for (std::int64_t j = 0; j < P; ++j) d[j] /= sum;
    } else {
      double sum = 0;
      for (std::int64_t j = 0; j < P; ++j) sum += d[j] = std::max(v[static_cast<std::size_t>(j * C + c)], 0.0);
      for (std::int64_t j = 0; j < P; ++j) d[j] = sum > 0 ? d[j] / sum : 1.0 / static_cast<double>(P);
    }
  }
}

// Jensen-Shannon distance (log base 2) of two distributions of n values.
double js_distance(const double* p, const double* q, std::int64_t n) {
  double div = 0;
  for (std::int64_t j = 0; j < n; ++j) {
    double m = 0.5 * (p[j] + q[j]);
    if (p[j] > 0) div += 0.5 * p[j] * std::log2(p[j] / m);
    if (q[j] > 0) div += 0.5 * q[j] * std::log2(q[j] / m);
  }
  return std::sqrt(std::max(div, 0.0));
}

}  // namespace

VariantScores score_variants(nn::Network& net, const genome::Genome& genome,
                             const std::vector<data::Variant>& variants, const VariantOptions& o,
                             const VariantProgress& progress) {
  auto ins = net.input_shapes();
  if (ins.size() != 1)
    fail("the model takes ", ins.size(), " inputs; variant scoring reads DNA only");
  if (ins[0].size() != 2 || ins[0][0] != 4)
    fail("the model's input is not one-hot DNA of shape (length, 4)");
  const std::int64_t L = ins[0][1];
  auto outs = net.output_shapes();
  std::vector<VariantOutput> kinds = o.outputs;
  if (kinds.empty()) kinds.resize(outs.size());
  if (kinds.size() != outs.size())
    fail("give one output description per output (", outs.size(), "), not ", kinds.size());
  for (std::size_t k = 0; k < outs.size(); ++k)
    if (kinds[k].positions > 0 && kinds[k].positions * kinds[k].channels != numel(outs[k]))
      fail("output ", k + 1, " holds ", numel(outs[k]), " values, not ", kinds[k].positions,
           " positions x ", kinds[k].channels, " tracks");
  if (o.rc != "none" && o.rc != "average" && o.rc != "max")
    fail("rc must be 'none', 'average' or 'max', not '", o.rc, "'");
  const bool rc = o.rc != "none", mx = o.rc == "max";
  for (const auto& v : variants) data::variant_window(genome, v, L);  // checks every variant first

  const std::size_t n = variants.size();
  VariantScores res;
  res.ref.resize(outs.size());
  res.alt.resize(outs.size());
  res.jsd.resize(outs.size());
  for (std::size_t k = 0; k < outs.size(); ++k) {
    const auto per = static_cast<std::size_t>(kinds[k].positions > 0 ? kinds[k].channels : numel(outs[k]));
    res.ref[k].assign(n * per, 0.0f);
    res.alt[k].assign(n * per, 0.0f);
    if (kinds[k].positions > 0) res.jsd[k].assign(n * per, 0.0f);
  }
  if (n == 0) return res;

  auto& g = *net.impl().module;
  auto dev = nn::torch_device(o.device);
  torch::NoGradGuard no_grad;
  EvalScope scope(g, dev);
  const std::size_t batch = o.batch == 0 ? 128 : o.batch;
  VariantSource source(genome, variants, batch, L, rc, o.ambiguous);
  const std::size_t steps = source.batches_per_epoch();
  data::Prefetcher pf(source, prefetch_options(0, steps, o.workers, encode_on_device(o.encode, dev)));
  const float ambiguous = source.shapes().ambiguous;
  std::vector<double> pr, pa, qr, qa;
  for (std::size_t s = 0; s < steps; ++s) {
    auto& b = pf.next();
    auto ys = g.forward({sequence_tensor(b, L, ambiguous, dev)});
    const std::size_t first = s * batch, m = b.size / (rc ? 4 : 2);
    for (std::size_t out = 0; out < ys.size(); ++out) {
      auto y = ys[out].to(torch::kCPU, torch::kFloat32).contiguous();
      const float* v = y.data_ptr<float>();
      const auto total = static_cast<std::size_t>(numel(outs[out]));
      const auto& kind = kinds[out];
      // value j of window slot w, strands combined (slot w + 2m is w's reverse complement)
      auto value = [&](std::size_t w, std::size_t j, std::size_t jr) {
        double f = v[w * total + j];
        if (!rc) return f;
        double r = v[(w + 2 * m) * total + jr];
        return mx ? std::max(f, r) : 0.5 * (f + r);
      };
      for (std::size_t i = 0; i < m; ++i) {
        const std::size_t row = first + i;
        if (kind.positions <= 0) {
          for (std::size_t j = 0; j < total; ++j) {
            res.ref[out][row * total + j] = static_cast<float>(value(i, j, j));
            res.alt[out][row * total + j] = static_cast<float>(value(m + i, j, j));
          }
          continue;
        }
        const auto P = kind.positions, C = kind.channels;
        const auto Cs = static_cast<std::size_t>(C);
        std::vector<double>* prof[2] = {&pr, &pa};
        for (int a = 0; a < 2; ++a) {
          auto& p = *prof[a];
          p.resize(static_cast<std::size_t>(P * C));
          for (std::int64_t j = 0; j < P; ++j)
            for (std::int64_t c = 0; c < C; ++c)
              p[static_cast<std::size_t>(j * C + c)] =
                  value(a * m + i, static_cast<std::size_t>(j * C + c), static_cast<std::size_t>((P - 1 - j) * C + c));
          auto& dst = a == 0 ? res.ref[out] : res.alt[out];
          for (std::int64_t c = 0; c < C; ++c) {
            double sum = 0;
            for (std::int64_t j = 0; j < P; ++j) sum += p[static_cast<std::size_t>(j * C + c)];
            dst[row * Cs + static_cast<std::size_t>(c)] = static_cast<float>(sum);
          }
        }
        distribution(pr, P, C, kind.logits, qr);
        distribution(pa, P, C, kind.logits, qa);
        for (std::int64_t c = 0; c < C; ++c)
          res.jsd[out][row * Cs + static_cast<std::size_t>(c)] =
              static_cast<float>(js_distance(qr.data() + c * P, qa.data() + c * P, P));
      }
    }
    pf.release();
    if (progress && !progress(std::min(n, first + batch), n)) throw Interrupted();
  }
  return res;
}

}  // namespace train
}  // namespace gdl
