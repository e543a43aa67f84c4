// PFMs from first-layer convolution filters (see extract.hpp).
#include "motif/extract.hpp"
#include "common/interrupt.hpp"

#include <algorithm>
#include <limits>

#include "common/error.hpp"
#include "common/parallel.hpp"

namespace gdl::motif {

namespace {

// Sequence i on one strand as a dense 4 x L buffer (row-major by channel).
void load(const OneHotView& x, std::size_t i, bool reverse, std::vector<double>& buf) {
  const std::size_t L = x.length;
  buf.resize(4 * L);
  for (int c = 0; c < 4; ++c)
    for (std::size_t l = 0; l < L; ++l)
      buf[c * L + l] = reverse ? x.at(i, 3 - c, L - 1 - l) : x.at(i, c, l);
}

// Activations of filter f at every valid position.
void activations(const FirstLayer& layer, int f, const std::vector<double>& seq, std::size_t L,
                 std::vector<double>& out) {
  const std::size_t span = static_cast<std::size_t>(layer.width - 1) * layer.dilation + 1;
  const std::size_t P = L >= span ? L - span + 1 : 0;
  const double b = layer.bias.empty() ? 0.0 : layer.bias[f];
  out.assign(P, b);
  for (int c = 0; c < 4; ++c)
    for (int j = 0; j < layer.width; ++j) {
      double w = layer.weight[(static_cast<std::size_t>(f) * 4 + c) * layer.width + j];
      if (w == 0) continue;
      const double* s = seq.data() + c * L + static_cast<std::size_t>(j) * layer.dilation;
      for (std::size_t p = 0; p < P; ++p) out[p] += w * s[p];
    }
}

void add_site(const FirstLayer& layer, const std::vector<double>& seq, std::size_t L, std::size_t p,
              FilterCounts& fc) {
  for (int j = 0; j < layer.width; ++j)
    for (int c = 0; c < 4; ++c)
      fc.counts[4 * j + c] += seq[c * L + p + static_cast<std::size_t>(j) * layer.dilation];
  ++fc.nsites;
}

}  // namespace

std::vector<FilterCounts> extract_pfms(const FirstLayer& layer, const OneHotView& x,
                                       const ExtractOptions& opt) {
  if (layer.filters < 1 || layer.width < 1 || layer.dilation < 1)
    fail("the first layer must have at least one filter of width >= 1 and dilation >= 1");
  if (layer.weight.size() != static_cast<std::size_t>(layer.filters) * 4 * layer.width)
    fail("first-layer weights have ", layer.weight.size(), " values; expected filters x 4 x width = ",
         static_cast<std::size_t>(layer.filters) * 4 * layer.width);
  if (!layer.bias.empty() && layer.bias.size() != static_cast<std::size_t>(layer.filters))
    fail("first-layer bias has ", layer.bias.size(), " values for ", layer.filters, " filters");
  const std::size_t span = static_cast<std::size_t>(layer.width - 1) * layer.dilation + 1;
  if (x.length < span)
    fail("sequences of length ", x.length, " are shorter than the filter span ", span);
  std::vector<FilterCounts> out(layer.filters);
  const int strands = opt.both_strands ? 2 : 1;
  parallelize(static_cast<std::size_t>(layer.filters), opt.threads, [&](int, std::size_t fb, std::size_t fe) {
    std::vector<double> seq, act;
    for (std::size_t f = fb; f < fe; ++f) {
      check_interrupt();
      FilterCounts& fc = out[f];
      fc.counts.assign(static_cast<std::size_t>(layer.width) * 4, 0.0);
      double t = opt.threshold;
      if (opt.method == ExtractOptions::Method::threshold) {
        // Basset: t = mean + 0.5 * (max - mean) over the ReLU'd outputs
        double sum = 0, mx = 0;
        std::size_t count = 0;
        for (std::size_t i = 0; i < x.n; ++i)
          for (int s = 0; s < strands; ++s) {
            load(x, i, s == 1, seq);
            activations(layer, static_cast<int>(f), seq, x.length, act);
            for (double a : act) {
              double r = a > 0 ? a : 0;
              sum += r;
              mx = std::max(mx, r);
            }
            count += act.size();
          }
        double mean = count ? sum / static_cast<double>(count) : 0;
        t = 0.5 * (mx - mean) + mean;
        if (mx <= 0) continue;  // a filter never active has no site
      }
      for (std::size_t i = 0; i < x.n; ++i)
        for (int s = 0; s < strands; ++s) {
          load(x, i, s == 1, seq);
          activations(layer, static_cast<int>(f), seq, x.length, act);
          if (opt.method == ExtractOptions::Method::max) {
            std::size_t best = 0;
            for (std::size_t p = 1; p < act.size(); ++p)
              if (act[p] > act[best]) best = p;
            if (!act.empty() && act[best] > t) add_site(layer, seq, x.length, best, fc);
          } else {
            for (std::size_t p = 0; p < act.size(); ++p)
              if (act[p] > 0 && act[p] > t) add_site(layer, seq, x.length, p, fc);
          }
        }
    }
  });
  return out;
}

}  // namespace gdl::motif
