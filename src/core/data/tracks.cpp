#include "data/tracks.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "common/error.hpp"
#include "common/parallel.hpp"
#include "data/sampling.hpp"
#include "tracks/bigwig.hpp"

namespace gdl {
namespace data {

namespace {
constexpr int kChunkBits = 16;  // 64 kb chunks of decoded values
constexpr std::int64_t kChunk = std::int64_t{1} << kChunkBits;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
}  // namespace

Norm parse_norm(const std::string& s) {
  if (s == "max") return Norm::Max;
  if (s == "perctrim") return Norm::Perctrim;
  if (s == "zscore") return Norm::Zscore;
  if (s == "minmax" || s == "min_max") return Norm::MinMax;
  if (s == "log" || s == "logtransform") return Norm::Log;
  fail("normalization must be among 'max', 'perctrim', 'zscore', 'minmax', 'log', not '", s, "'");
}

const char* norm_name(Norm n) {
  switch (n) {
    case Norm::Max: return "max";
    case Norm::Perctrim: return "perctrim";
    case Norm::Zscore: return "zscore";
    case Norm::MinMax: return "minmax";
    case Norm::Log: return "log";
  }
  return "?";
}

double BinWeights::lookup(double y) const {
  std::size_t nb = weights.size();
  auto i = static_cast<std::size_t>(std::lower_bound(edges.begin(), edges.end(), y) - edges.begin());
  std::size_t bin = i == 0 ? 0 : std::min(i - 1, nb - 1);
  return weights[bin];
}

BinWeights balanced_weights(std::vector<double> v, int n_bins) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) fail("no finite track value to compute balanced weights from");
  std::sort(v.begin(), v.end());
  double lo = v.front() - 0.001, hi = v.back();
  const double n = static_cast<double>(v.size());
  if (n_bins <= 0) {  // numpy 'auto'
    auto quant = [&](double q) {
      double pos = q * (n - 1);
      auto k = static_cast<std::size_t>(std::floor(pos));
      double fr = pos - static_cast<double>(k);
      return k + 1 < v.size() ? v[k] + fr * (v[k + 1] - v[k]) : v[k];
    };
    double range = v.back() - v.front();  // numpy estimates widths from the data's ptp
    double sturges = range / (std::log2(n) + 1.0);
    double fd = 2.0 * (quant(0.75) - quant(0.25)) * std::pow(n, -1.0 / 3.0);
    double width = fd > 0 ? std::min(fd, sturges) : sturges;
    n_bins = width > 0 ? static_cast<int>(std::ceil((hi - lo) / width)) : 1;
    n_bins = std::max(1, std::min(n_bins, 100000));
  }
  BinWeights w;
  w.edges.resize(static_cast<std::size_t>(n_bins) + 1);
  for (int i = 0; i <= n_bins; ++i) w.edges[static_cast<std::size_t>(i)] = lo + (hi - lo) * i / n_bins;
  std::vector<double> count(static_cast<std::size_t>(n_bins), 0.0);
  for (double x : v) {  // numpy: [e_i, e_{i+1}), the last bin closed
    auto b = static_cast<std::int64_t>((x - lo) / (hi - lo) * n_bins);
    b = std::max<std::int64_t>(0, std::min<std::int64_t>(b, n_bins - 1));
    count[static_cast<std::size_t>(b)] += 1;
  }
  double pmin = 1;
  for (double c : count)
    if (c > 0) pmin = std::min(pmin, c / n);
  w.weights.resize(count.size());
  for (std::size_t i = 0; i < count.size(); ++i) {
    double p = count[i] > 0 ? count[i] / n : pmin;
    w.weights[i] = 1.0 / (p * n_bins);
  }
  return w;
}

TrackSet::TrackSet(std::vector<std::string> paths, std::vector<std::string> genome_names,
                   ChrPrefix prefix, std::size_t cache_bytes)
    : paths_(std::move(paths)), cache_bytes_(cache_bytes) {
  const std::size_t nc = genome_names.size();
  chrom_len_.assign(nc, 0);
  names_.resize(paths_.size());
  present_.resize(paths_.size());
  pool_.resize(paths_.size());
  slots_.resize(paths_.size());
  for (std::size_t f = 0; f < paths_.size(); ++f) {
    auto r = std::make_unique<tracks::BigWigReader>(paths_[f]);
    present_[f].assign(nc, 0);
    names_[f].assign(nc, std::string());
    slots_[f].resize(nc);
    const auto& fc = r->chromosomes();
    std::vector<int> to = match_chromosomes(fc, genome_names, prefix);
    std::vector<std::size_t> from(nc, fc.size());  // file chromosome of each genome chromosome
    for (std::size_t k = 0; k < fc.size(); ++k) {
      if (to[k] < 0) continue;
      std::size_t c = static_cast<std::size_t>(to[k]);
      // an exact name wins over a renamed one ("chr1" and "1" both in the file)
      if (from[c] < fc.size() && fc[from[c]] == genome_names[c]) continue;
      from[c] = k;
    }
    for (std::size_t c = 0; c < nc; ++c) {
      if (from[c] == fc.size()) continue;
      present_[f][c] = 1;
      names_[f][c] = fc[from[c]];
      std::int64_t len = r->lengths()[from[c]];
      if (chrom_len_[c] == 0) chrom_len_[c] = len;
      slots_[f][c].resize(static_cast<std::size_t>((len + kChunk - 1) / kChunk));
    }
    pool_[f].push_back(std::move(r));
  }
}

std::size_t TrackSet::cached_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return cached_;
}

std::size_t TrackSet::readers() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::size_t n = 0;
  for (const auto& p : pool_) n += p.size();
  return n;
}

std::size_t TrackSet::memory_bytes() const {
  std::size_t b = sizeof(*this) + cached_bytes();
  for (std::size_t f = 0; f < paths_.size(); ++f) {
    b += paths_[f].capacity() + present_[f].capacity() * sizeof(int);
    for (const auto& n : names_[f]) b += sizeof(std::string) + n.capacity();
    for (const auto& s : slots_[f]) b += sizeof(s) + s.capacity() * sizeof(Chunk);
  }
  b += chrom_len_.capacity() * sizeof(std::int64_t);
  std::lock_guard<std::mutex> lock(mutex_);
  b += fifo_.size() * sizeof(fifo_.front());
  return b;
}

TrackSet::~TrackSet() = default;

std::unique_ptr<tracks::BigWigReader> TrackSet::borrow(std::size_t f) const {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!pool_[f].empty()) {
      auto r = std::move(pool_[f].back());
      pool_[f].pop_back();
      return r;
    }
  }
  return std::make_unique<tracks::BigWigReader>(paths_[f]);
}

void TrackSet::give_back(std::size_t f, std::unique_ptr<tracks::BigWigReader> r) const {
  std::lock_guard<std::mutex> lock(mutex_);
  pool_[f].push_back(std::move(r));
}

TrackSet::Chunk TrackSet::chunk(std::size_t f, int chrom, std::int64_t k) const {
  auto& slot = slots_[f][static_cast<std::size_t>(chrom)][static_cast<std::size_t>(k)];
  Chunk p = std::atomic_load(&slot);
  if (p) return p;
  std::int64_t len = chrom_len_[static_cast<std::size_t>(chrom)];
  std::int64_t s = k * kChunk, e = std::min(len, s + kChunk);
  thread_local std::vector<float> v;
  v.assign(static_cast<std::size_t>(kChunk), kNaN);
  auto r = borrow(f);
  try {
    r->values(names_[f][static_cast<std::size_t>(chrom)], s, e, v.data());
  } catch (...) {
    give_back(f, std::move(r));
    throw;
  }
  give_back(f, std::move(r));
  auto runs = std::make_shared<Runs>();
  for (std::size_t i = 0; i < v.size(); ++i) {
    bool same = !runs->values.empty() &&
                (runs->values.back() == v[i] || (std::isnan(runs->values.back()) && std::isnan(v[i])));
    if (same) {
      runs->ends.back() = static_cast<std::uint32_t>(i + 1);
    } else {
      runs->ends.push_back(static_cast<std::uint32_t>(i + 1));
      runs->values.push_back(v[i]);
    }
  }
  runs->ends.shrink_to_fit();
  runs->values.shrink_to_fit();
  std::size_t bytes = runs->bytes();
  p = runs;
  std::lock_guard<std::mutex> lock(mutex_);
  if (std::atomic_load(&slot)) return std::atomic_load(&slot);
  std::atomic_store(&slot, p);
  fifo_.emplace_back((static_cast<std::uint64_t>(f) << 56) | (static_cast<std::uint64_t>(chrom) << 32) |
                         static_cast<std::uint64_t>(k),
                     bytes);
  cached_ += bytes;
  while (cached_ > cache_bytes_ && fifo_.size() > 1) {
    std::uint64_t key = fifo_.front().first;
    cached_ -= fifo_.front().second;
    fifo_.pop_front();
    auto& old = slots_[key >> 56][(key >> 32) & 0xffffff][key & 0xffffffff];
    std::atomic_store(&old, Chunk());
  }
  return p;
}

void TrackSet::values(std::size_t f, int chrom, std::int64_t start, std::int64_t end,
                      float* out) const {
  std::fill(out, out + (end - start), kNaN);
  if (!present_[f][static_cast<std::size_t>(chrom)]) return;
  std::int64_t len = chrom_len_[static_cast<std::size_t>(chrom)];
  std::int64_t a = std::max<std::int64_t>(start, 0), b = std::min(end, len);
  while (a < b) {
    std::int64_t k = a >> kChunkBits;
    std::int64_t base = k * kChunk;
    std::int64_t ce = std::min(b, base + kChunk);
    Chunk c = chunk(f, chrom, k);
    auto lo = static_cast<std::uint32_t>(a - base), hi = static_cast<std::uint32_t>(ce - base);
    std::size_t r = static_cast<std::size_t>(std::upper_bound(c->ends.begin(), c->ends.end(), lo) - c->ends.begin());
    for (std::uint32_t pos = lo; pos < hi; ++r) {
      std::uint32_t stop = std::min(hi, c->ends[r]);
      std::fill(out + (base + pos - start), out + (base + stop - start), c->values[r]);
      pos = stop;
    }
    a = ce;
  }
}

namespace {
// Sorted sample positions of one chromosome.
std::vector<std::int64_t> sample_positions(std::uint64_t seed, int chrom, std::int64_t len, int n) {
  std::vector<std::int64_t> p(static_cast<std::size_t>(n));
  Rng rng(item_seed(seed, 0x5a3c, static_cast<std::uint64_t>(chrom)));
  for (auto& x : p) x = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(len)));
  std::sort(p.begin(), p.end());
  return p;
}

double percentile(std::vector<double> v, double q) {  // numpy's linear interpolation
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  double pos = q * static_cast<double>(v.size() - 1);
  auto k = static_cast<std::size_t>(std::floor(pos));
  double fr = pos - static_cast<double>(k);
  return k + 1 < v.size() ? v[k] + fr * (v[k + 1] - v[k]) : v[k];
}
}  // namespace

std::vector<double> TrackSet::sample(std::size_t f, const std::vector<NormStep>& steps,
                                     const std::vector<int>& chroms,
                                     const std::vector<std::int64_t>& lengths, std::uint64_t seed,
                                     int sample_per_chrom) const {
  std::vector<double> out;
  for (int c : chroms) {
    std::int64_t len = lengths[static_cast<std::size_t>(c)];
    if (len <= 0) continue;
    for (auto p : sample_positions(seed, c, len, sample_per_chrom)) {
      float x;
      values(f, c, p, p + 1, &x);
      if (!std::isfinite(x)) continue;
      x = normalise(steps, x);
      if (std::isfinite(x)) out.push_back(x);
    }
  }
  return out;
}

std::vector<std::vector<NormStep>> TrackSet::normalisation(const std::vector<Norm>& kinds,
                                                           const std::vector<int>& chroms,
                                                           const std::vector<std::int64_t>& lengths,
                                                           std::uint64_t seed, int threads,
                                                           int sample_per_chrom) const {
  std::vector<std::vector<NormStep>> out(paths_.size());
  if (kinds.empty()) return out;
  parallelize(paths_.size(), threads, [&](int, std::size_t b, std::size_t e) {
    for (std::size_t f = b; f < e; ++f) {
      auto r = std::make_unique<tracks::BigWigReader>(paths_[f]);
      std::vector<NormStep> steps;
      // keras_dna's order: normalization_mode = ['max', 'perctrim'] trims first, then divides
      // by the maximum of the trimmed track (its tutorial: "perctrim is applied before max"),
      // so the kinds apply from the last listed to the first; `steps` holds them in the order
      // they apply (normalise() runs them front to back).
      for (auto it = kinds.rbegin(); it != kinds.rend(); ++it) {
        const Norm kind = *it;
        NormStep st;
        st.kind = kind;
        if (kind == Norm::Perctrim) {
          st.a = percentile(sample(f, steps, chroms, lengths, seed, sample_per_chrom), 0.99);
          if (!std::isfinite(st.a)) fail("bigWig '", paths_[f], "' has no data on the chosen chromosomes");
        } else if (kind != Norm::Log) {
          double mx = -INFINITY, mn = INFINITY, sum = 0, sumsq = 0, n = 0;
          std::vector<float> buf;
          for (int c : chroms) {
            if (!present_[f][static_cast<std::size_t>(c)]) continue;
            std::int64_t len = lengths[static_cast<std::size_t>(c)];
            for (std::int64_t s = 0; s < len; s += (std::int64_t{1} << 20)) {
              std::int64_t en = std::min(len, s + (std::int64_t{1} << 20));
              buf.resize(static_cast<std::size_t>(en - s));
              r->values(names_[f][static_cast<std::size_t>(c)], s, en, buf.data());
              for (float x0 : buf) {
                if (std::isnan(x0)) continue;
                double x = normalise(steps, x0);
                if (!std::isfinite(x)) continue;
                mx = std::max(mx, x);
                mn = std::min(mn, x);
                sum += x;
                sumsq += x * x;
                n += 1;
              }
            }
          }
          if (n == 0) fail("bigWig '", paths_[f], "' has no data on the chosen chromosomes");
          double mean = sum / n, sd = std::sqrt(std::max(0.0, sumsq / n - mean * mean));
          if (kind == Norm::Max) {
            if (!(mx > 0)) fail("normalization 'max' needs a positive maximum; bigWig '", paths_[f], "' has ", mx);
            st.a = mx;
          } else if (kind == Norm::Zscore) {
            if (!(sd > 0)) fail("normalization 'zscore' needs a non-constant track; bigWig '", paths_[f], "' is constant");
            st.a = mean;
            st.b = sd;
          } else {
            if (!(mx > mn)) fail("normalization 'minmax' needs a non-constant track; bigWig '", paths_[f], "' is constant");
            st.a = mn;
            st.b = mx;
          }
        }
        steps.push_back(st);
      }
      out[f] = steps;
    }
  });
  return out;
}

}  // namespace data
}  // namespace gdl
