// Motif discovery from seqlets (see modisco.hpp).
#include "interpret/modisco.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <utility>

#include "common/error.hpp"
#include "common/interrupt.hpp"
#include "common/parallel.hpp"

namespace gdl {
namespace interpret {

namespace {
constexpr int kChannels = 8;

int overlap_width(int width, double min_overlap) {
  int m = static_cast<int>(std::ceil(min_overlap * width - 1e-9));
  return std::max(1, std::min(width, m));
}

// Sparse, L2-normalised contribution-weighted canonical k-mer profile.
using Sparse = std::vector<std::pair<std::uint32_t, double>>;

Sparse kmer_profile(const ContribData& data, const Seqlet& s, int k) {
  std::map<std::uint32_t, double> acc;
  const long w = s.end - s.start;
  const std::size_t L = data.len;
  for (long a = 0; a + k <= w; ++a) {
    std::uint32_t code = 0, rcode = 0;
    double weight = 0;
    bool ok = true;
    for (int j = 0; j < k && ok; ++j) {
      const std::size_t pos = static_cast<std::size_t>(s.start + a + j);
      int base = -1;
      for (int c = 0; c < 4; ++c) {
        float v = data.onehot[(s.example * 4 + c) * L + pos];
        if (v == 1.0f) base = c;
        weight += static_cast<double>(v) * data.hyp[(s.example * 4 + c) * L + pos];
      }
      if (base < 0) ok = false;
      code = code * 4 + static_cast<std::uint32_t>(base);
      rcode += static_cast<std::uint32_t>(3 - base) << (2 * j);
    }
    if (ok) acc[std::min(code, rcode)] += weight;
  }
  Sparse out(acc.begin(), acc.end());
  double nrm = 0;
  for (auto& e : out) nrm += e.second * e.second;
  nrm = std::sqrt(nrm);
  if (nrm > 0)
    for (auto& e : out) e.second /= nrm;
  return out;
}

double sparse_dot(const Sparse& a, const Sparse& b) {
  double s = 0;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].first == b[j].first) {
      s += a[i].second * b[j].second;
      ++i;
      ++j;
    } else if (a[i].first < b[j].first) {
      ++i;
    } else {
      ++j;
    }
  }
  return s;
}

// t-SNE conditional probabilities of one row for a perplexity (binary search on beta).
std::vector<double> perplexity_row(const std::vector<double>& d, double perplexity) {
  const std::size_t k = d.size();
  std::vector<double> p(k, 0.0);
  if (k == 0) return p;
  const double target = std::log(std::min(perplexity, static_cast<double>(k)));
  const double dmin = *std::min_element(d.begin(), d.end());
  double beta = 1, lo = 0, hi = std::numeric_limits<double>::infinity();
  for (int it = 0; it < 100; ++it) {
    double sum = 0, sdp = 0;
    for (std::size_t j = 0; j < k; ++j) {
      p[j] = std::exp(-beta * (d[j] - dmin));
      sum += p[j];
      sdp += (d[j] - dmin) * p[j];
    }
    const double h = std::log(sum) + beta * sdp / sum;  // entropy of the normalised row
    if (std::fabs(h - target) < 1e-5) break;
    if (h > target) {
      lo = beta;
      beta = std::isinf(hi) ? beta * 2 : (beta + hi) / 2;
    } else {
      hi = beta;
      beta = (beta + lo) / 2;
    }
  }
  double sum = std::accumulate(p.begin(), p.end(), 0.0);
  for (auto& v : p) v /= sum;
  return p;
}
}  // namespace

std::vector<float> seqlet_features(const ContribData& data, const Seqlet& s, bool rc) {
  const long w = s.end - s.start;
  if (s.start < 0 || s.end > static_cast<long>(data.len) || w <= 0 || s.example >= data.n)
    fail("seqlet [", s.start, ", ", s.end, ") of example ", s.example, " is outside the data");
  std::vector<float> f(static_cast<std::size_t>(w) * kChannels, 0.0f);
  double sh = 0, sc = 0;
  const std::size_t L = data.len;
  for (long k = 0; k < w; ++k) {
    const std::size_t pos = static_cast<std::size_t>(s.start + (rc ? w - 1 - k : k));
    for (int c = 0; c < 4; ++c) {
      const std::size_t idx = (s.example * 4 + c) * L + pos;
      const int cc = rc ? 3 - c : c;
      const float h = data.hyp[idx], x = data.onehot[idx] * data.hyp[idx];
      f[k * kChannels + cc] = h;
      f[k * kChannels + 4 + cc] = x;
      sh += std::fabs(h);
      sc += std::fabs(x);
    }
  }
  for (long k = 0; k < w; ++k)
    for (int c = 0; c < 4; ++c) {
      if (sh > 0) f[k * kChannels + c] = static_cast<float>(f[k * kChannels + c] / sh);
      if (sc > 0) f[k * kChannels + 4 + c] = static_cast<float>(f[k * kChannels + 4 + c] / sc);
    }
  return f;
}

double continuous_jaccard(const float* x, const float* y, int wy, int channels, int offset) {
  const float* xo = x + static_cast<std::ptrdiff_t>(offset) * channels;
  // min(|a|, |b|) is 0 when either is 0, so sgn(a) sgn(b) min(|a|, |b|) = copysign(min, a * b)
  if (channels == kChannels) {
    // one accumulator per channel: independent lanes the compiler can vectorise
    float num[kChannels] = {0}, den[kChannels] = {0};
    for (int k = 0; k < wy; ++k)
      for (int c = 0; c < kChannels; ++c) {
        const float a = xo[k * kChannels + c], b = y[k * kChannels + c];
        const float aa = std::fabs(a), ab = std::fabs(b);
        num[c] += std::copysign(std::min(aa, ab), a * b);
        den[c] += std::max(aa, ab);
      }
    double n = 0, d = 0;
    for (int c = 0; c < kChannels; ++c) {
      n += num[c];
      d += den[c];
    }
    return d > 0 ? n / d : 0;
  }
  double num = 0, den = 0;
  const int n = wy * channels;
  for (int i = 0; i < n; ++i) {
    const float a = xo[i], b = y[i];
    const float aa = std::fabs(a), ab = std::fabs(b);
    num += std::copysign(std::min(aa, ab), a * b);
    den += std::max(aa, ab);
  }
  return den > 0 ? num / den : 0;
}

Alignment best_alignment(const std::vector<float>& x, const std::vector<float>& y_fwd,
                         const std::vector<float>& y_rc, int width, double min_overlap) {
  const int m = overlap_width(width, min_overlap), cstart = (width - m) / 2;
  Alignment best;
  best.similarity = -std::numeric_limits<double>::infinity();
  for (int r = 0; r < 2; ++r) {
    const float* crop = (r ? y_rc : y_fwd).data() + static_cast<std::ptrdiff_t>(cstart) * kChannels;
    for (int o = 0; o + m <= width; ++o) {
      double j = continuous_jaccard(x.data(), crop, m, kChannels, o);
      if (j > best.similarity) {
        best.similarity = j;
        best.shift = o - cstart;
        best.rc = r == 1;
      }
    }
  }
  return best;
}

double seqlet_similarity(const ContribData& data, const Seqlet& a, const Seqlet& b,
                         double min_overlap) {
  const int w = static_cast<int>(a.end - a.start);
  if (b.end - b.start != w) fail("seqlets must have the same width");
  auto af = seqlet_features(data, a, false), ar = seqlet_features(data, a, true);
  auto bf = seqlet_features(data, b, false), br = seqlet_features(data, b, true);
  return 0.5 * (best_alignment(af, bf, br, w, min_overlap).similarity +
                best_alignment(bf, af, ar, w, min_overlap).similarity);
}

Graph affinity_graph(const ContribData& data, const std::vector<Seqlet>& seqlets,
                     const GraphOptions& opt) {
  const std::size_t n = seqlets.size();
  Graph g;
  if (n < 2) return g;
  const int w = static_cast<int>(seqlets[0].end - seqlets[0].start);
  for (const auto& s : seqlets)
    if (s.end - s.start != w) fail("seqlets must all have the same width");
  std::vector<std::vector<float>> fwd(n), rev(n);
  gdl::parallelize(n, opt.threads, [&](int, std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      gdl::check_interrupt();
      fwd[i] = seqlet_features(data, seqlets[i], false);
      rev[i] = seqlet_features(data, seqlets[i], true);
    }
  });
  // candidate pairs (i < j)
  std::vector<std::pair<int, int>> pairs;
  if (n <= opt.exact_max) {
    pairs.reserve(n * (n - 1) / 2);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i + 1; j < n; ++j) pairs.emplace_back(static_cast<int>(i), static_cast<int>(j));
  } else {
    std::vector<Sparse> prof(n);
    gdl::parallelize(n, opt.threads, [&](int, std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) prof[i] = kmer_profile(data, seqlets[i], opt.k);
    });
    const std::size_t kc = std::min<std::size_t>(n - 1, static_cast<std::size_t>(std::max(1, opt.coarse_neighbors)));
    std::vector<std::vector<int>> nb(n);
    gdl::parallelize(n, opt.threads, [&](int, std::size_t b, std::size_t e) {
      std::vector<std::pair<double, int>> row(n);
      for (std::size_t i = b; i < e; ++i) {
        gdl::check_interrupt();
        for (std::size_t j = 0; j < n; ++j)
          row[j] = {j == i ? -std::numeric_limits<double>::infinity() : sparse_dot(prof[i], prof[j]),
                    static_cast<int>(j)};
        std::partial_sort(row.begin(), row.begin() + kc, row.end(),
                          [](const auto& a, const auto& c) { return a.first > c.first; });
        for (std::size_t t = 0; t < kc; ++t) nb[i].push_back(row[t].second);
      }
    });
    for (std::size_t i = 0; i < n; ++i)
      for (int j : nb[i])
        pairs.emplace_back(std::min(static_cast<int>(i), j), std::max(static_cast<int>(i), j));
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  }
  std::vector<double> sim(pairs.size());
  gdl::parallelize(pairs.size(), opt.threads, [&](int, std::size_t b, std::size_t e) {
    for (std::size_t p = b; p < e; ++p) {
      gdl::check_interrupt();
      const int i = pairs[p].first, j = pairs[p].second;
      sim[p] = 0.5 * (best_alignment(fwd[i], fwd[j], rev[j], w, opt.min_overlap).similarity +
                      best_alignment(fwd[j], fwd[i], rev[i], w, opt.min_overlap).similarity);
    }
  });
  // rows: the `neighbors` most similar seqlets, perplexity-calibrated
  std::vector<std::vector<std::pair<double, int>>> rows(n);
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    rows[pairs[p].first].emplace_back(sim[p], pairs[p].second);
    rows[pairs[p].second].emplace_back(sim[p], pairs[p].first);
  }
  std::map<std::pair<int, int>, std::pair<double, double>> edges;  // -> (weight sum, similarity)
  for (std::size_t i = 0; i < n; ++i) {
    auto& r = rows[i];
    const std::size_t kk = std::min<std::size_t>(r.size(), static_cast<std::size_t>(std::max(1, opt.neighbors)));
    std::partial_sort(r.begin(), r.begin() + kk, r.end(),
                      [](const auto& a, const auto& c) { return a.first > c.first || (a.first == c.first && a.second < c.second); });
    std::vector<double> d(kk);
    for (std::size_t t = 0; t < kk; ++t) {
      const double a = std::min(1.0, std::max(1e-6, r[t].first));
      d[t] = std::max(std::log(1 / (0.5 * a) - 1), 0.0);
    }
    auto p = perplexity_row(d, opt.perplexity);
    for (std::size_t t = 0; t < kk; ++t) {
      const int j = r[t].second;
      auto key = std::make_pair(std::min(static_cast<int>(i), j), std::max(static_cast<int>(i), j));
      auto& ed = edges[key];
      ed.first += p[t] / 2;
      ed.second = r[t].first;
    }
  }
  for (const auto& e : edges) {
    if (!(e.second.first > 0)) continue;
    g.from.push_back(e.first.first);
    g.to.push_back(e.first.second);
    g.weight.push_back(e.second.first);
    g.similarity.push_back(e.second.second);
  }
  return g;
}

namespace {

// Summed affinity of each seqlet to the other seqlets of its cluster.
std::vector<double> within_affinity(const std::vector<int>& cluster, const Graph& graph) {
  std::vector<double> within(cluster.size(), 0.0);
  for (std::size_t e = 0; e < graph.from.size(); ++e) {
    const int a = graph.from[e], b = graph.to[e];
    if (a < 0 || b < 0 || static_cast<std::size_t>(std::max(a, b)) >= cluster.size()) continue;
    if (cluster[a] >= 0 && cluster[a] == cluster[b]) {
      within[a] += graph.weight[e];
      within[b] += graph.weight[e];
    }
  }
  return within;
}

// Members of a cluster aligned to its seed, summed in the seed's frame (columns -w .. 2w).
struct Aggregate {
  int w = 0, pad = 0, frame = 0;
  std::vector<Alignment> al;
  std::vector<double> cnt, cwm, hyp, sup;  // 4 x frame (base-major), sup: frame
  int sign = 1;
};

Aggregate aggregate(const ContribData& data, const std::vector<Seqlet>& seqlets,
                    const std::vector<std::size_t>& mem, const std::vector<double>& within,
                    double min_overlap) {
  Aggregate ag;
  std::size_t seed = mem[0];
  for (std::size_t i : mem)
    if (within[i] > within[seed]) seed = i;
  const int w = static_cast<int>(seqlets[seed].end - seqlets[seed].start);
  const auto sf = seqlet_features(data, seqlets[seed], false);
  int pos_sum = 0;
  ag.al.resize(mem.size());
  for (std::size_t t = 0; t < mem.size(); ++t) {
    const auto& s = seqlets[mem[t]];
    ag.al[t] = best_alignment(sf, seqlet_features(data, s, false), seqlet_features(data, s, true), w,
                              min_overlap);
    pos_sum += s.sign;
  }
  ag.sign = pos_sum >= 0 ? 1 : -1;
  ag.w = w;
  ag.pad = w;
  ag.frame = w + 2 * ag.pad;
  const int frame = ag.frame;
  ag.cnt.assign(4 * frame, 0.0);
  ag.cwm.assign(4 * frame, 0.0);
  ag.hyp.assign(4 * frame, 0.0);
  ag.sup.assign(frame, 0.0);
  const std::size_t L = data.len;
  for (std::size_t t = 0; t < mem.size(); ++t) {
    const auto& s = seqlets[mem[t]];
    for (int col = 0; col < frame; ++col) {
      const int k = col - ag.pad - ag.al[t].shift;  // column of the oriented member
      if (k < 0 || k >= w) continue;
      const long pos = s.start + (ag.al[t].rc ? w - 1 - k : k);
      ag.sup[col] += 1;
      for (int c = 0; c < 4; ++c) {
        const std::size_t idx = (s.example * 4 + c) * L + static_cast<std::size_t>(pos);
        const int cc = ag.al[t].rc ? 3 - c : c;
        ag.cnt[cc * frame + col] += data.onehot[idx];
        ag.cwm[cc * frame + col] += static_cast<double>(data.onehot[idx]) * data.hyp[idx];
        ag.hyp[cc * frame + col] += data.hyp[idx];
      }
    }
  }
  return ag;
}

// Features (w x 8, as seqlet_features) of an aggregate's mean over the seed's own columns.
std::vector<float> aggregate_features(const Aggregate& ag, bool rc) {
  const int w = ag.w;
  std::vector<double> f(static_cast<std::size_t>(w) * kChannels, 0.0);
  double sh = 0, sc = 0;
  for (int k = 0; k < w; ++k) {
    const int col = ag.pad + (rc ? w - 1 - k : k);
    if (ag.sup[col] <= 0) continue;
    for (int c = 0; c < 4; ++c) {
      const int cc = rc ? 3 - c : c;
      const double h = ag.hyp[c * ag.frame + col] / ag.sup[col], x = ag.cwm[c * ag.frame + col] / ag.sup[col];
      f[k * kChannels + cc] = h;
      f[k * kChannels + 4 + cc] = x;
      sh += std::fabs(h);
      sc += std::fabs(x);
    }
  }
  std::vector<float> out(f.size());
  for (int k = 0; k < w; ++k)
    for (int c = 0; c < 4; ++c) {
      out[k * kChannels + c] = static_cast<float>(sh > 0 ? f[k * kChannels + c] / sh : 0);
      out[k * kChannels + 4 + c] = static_cast<float>(sc > 0 ? f[k * kChannels + 4 + c] / sc : 0);
    }
  return out;
}

}  // namespace

std::vector<int> merge_clusters(const ContribData& data, const std::vector<Seqlet>& seqlets,
                                const std::vector<int>& cluster, const Graph& graph,
                                const MergeOptions& opt) {
  if (cluster.size() != seqlets.size()) fail("one cluster id per seqlet is needed");
  std::vector<int> out = cluster;
  std::map<int, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i] >= 0) groups[out[i]].push_back(i);
  std::vector<int> ids;
  std::vector<std::vector<std::size_t>> mem;
  for (auto& g : groups)
    if (g.second.size() >= std::max<std::size_t>(1, opt.min_size)) {
      ids.push_back(g.first);
      mem.push_back(g.second);
    }
  const std::size_t k = ids.size();
  if (k < 2) return out;
  const int w = static_cast<int>(seqlets[mem[0][0]].end - seqlets[mem[0][0]].start);
  // the seqlets taking part, with their features (the clustering's own, forward strand)
  std::vector<std::size_t> part;
  for (const auto& m : mem) part.insert(part.end(), m.begin(), m.end());
  std::vector<std::vector<float>> sf(seqlets.size());
  gdl::parallelize(part.size(), opt.threads, [&](int, std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) sf[part[i]] = seqlet_features(data, seqlets[part[i]], false);
  });
  // fit[a][i]: how well seqlet i matches cluster a's aggregate (the seqlet similarity, the
  // aggregate's central columns slid over the seqlet, best strand); set for the seqlets taking part
  std::vector<std::vector<double>> fit(k, std::vector<double>(seqlets.size(), 0.0));
  auto within = within_affinity(out, graph);
  auto refit = [&](std::size_t a) {
    const auto ag = aggregate(data, seqlets, mem[a], within, opt.min_overlap);
    const auto ff = aggregate_features(ag, false), fr = aggregate_features(ag, true);
    gdl::parallelize(part.size(), opt.threads, [&](int, std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i)
        fit[a][part[i]] = best_alignment(sf[part[i]], ff, fr, w, opt.min_overlap).similarity;
    });
  };
  for (std::size_t a = 0; a < k; ++a) {
    gdl::check_interrupt();
    refit(a);
  }
  auto mean_fit = [&](std::size_t a, std::size_t b) {  // b's seqlets against a's aggregate
    double s = 0;
    for (std::size_t i : mem[b]) s += fit[a][i];
    return s / static_cast<double>(mem[b].size());
  };
  const double ninf = -std::numeric_limits<double>::infinity();
  // the seqlets of each cluster fit the other's aggregate about as well as their own: the mean
  // of both directions' ratios (a cluster whose seqlets do not fit their own aggregate takes no
  // part)
  auto ratio = [&](std::size_t a, std::size_t b) {
    const double own_a = mean_fit(a, a), own_b = mean_fit(b, b);
    if (!(own_a > 0) || !(own_b > 0)) return ninf;
    return 0.5 * (mean_fit(a, b) / own_a + mean_fit(b, a) / own_b);
  };
  std::vector<double> S(k * k, ninf);
  for (std::size_t a = 0; a < k; ++a)
    for (std::size_t b = a + 1; b < k; ++b) S[a * k + b] = ratio(a, b);
  std::vector<bool> alive(k, true);
  for (;;) {
    gdl::check_interrupt();
    double best = ninf;
    std::size_t ba = 0, bb = 0;
    for (std::size_t a = 0; a < k; ++a)
      for (std::size_t b = a + 1; b < k; ++b)
        if (alive[a] && alive[b] && S[a * k + b] > best) {
          best = S[a * k + b];
          ba = a;
          bb = b;
        }
    if (best < opt.threshold) break;
    // b joins a: relabel, re-seed, refit every seqlet to a's new aggregate, new ratios of a
    for (std::size_t i : mem[bb]) out[i] = ids[ba];
    mem[ba].insert(mem[ba].end(), mem[bb].begin(), mem[bb].end());
    mem[bb].clear();
    alive[bb] = false;
    within = within_affinity(out, graph);
    refit(ba);
    for (std::size_t c = 0; c < k; ++c)
      if (c != ba && alive[c]) S[std::min(ba, c) * k + std::max(ba, c)] = ratio(ba, c);  // symmetric
  }
  return out;
}

std::vector<Pattern> build_patterns(const ContribData& data, const std::vector<Seqlet>& seqlets,
                                     const std::vector<int>& cluster, const Graph& graph,
                                     const PatternOptions& opt) {
  if (cluster.size() != seqlets.size()) fail("one cluster id per seqlet is needed");
  std::map<int, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < cluster.size(); ++i)
    if (cluster[i] >= 0) groups[cluster[i]].push_back(i);
  std::vector<std::pair<int, std::vector<std::size_t>>> todo;
  for (auto& g : groups)
    if (g.second.size() >= std::max<std::size_t>(1, opt.min_seqlets)) todo.emplace_back(g.first, g.second);
  const auto within = within_affinity(cluster, graph);
  std::vector<Pattern> out(todo.size());
  gdl::parallelize(todo.size(), opt.threads, [&](int, std::size_t b, std::size_t e) {
    for (std::size_t q = b; q < e; ++q) {
      gdl::check_interrupt();
      const auto& mem = todo[q].second;
      Pattern& pt = out[q];
      pt.cluster = todo[q].first;
      pt.n_seqlets = mem.size();
      const auto ag = aggregate(data, seqlets, mem, within, opt.min_overlap);
      pt.sign = ag.sign;
      const int w = ag.w, pad = ag.pad, frame = ag.frame;
      const auto& cnt = ag.cnt;
      const auto& cwm = ag.cwm;
      const auto& hyp = ag.hyp;
      const auto& sup = ag.sup;
      const auto& al = ag.al;
      // supported run around the seed's centre
      const double need = opt.support * static_cast<double>(mem.size());
      int lo = pad + w / 2, hi = lo + 1;
      while (lo > 0 && sup[lo - 1] >= need && sup[lo - 1] > 0) --lo;
      while (hi < frame && sup[hi] >= need && sup[hi] > 0) ++hi;
      std::vector<double> ic(frame, 0.0);
      for (int col = lo; col < hi; ++col)
        for (int c = 0; c < 4; ++c) {
          const double p = cnt[c * frame + col] / sup[col];
          if (p > 0) ic[col] += p * std::log2(p / 0.25);
        }
      const int T = std::min(opt.trim, hi - lo);
      int best = lo;
      double best_ic = -1;
      for (int s0 = lo; s0 + T <= hi; ++s0) {
        double v = 0;
        for (int col = s0; col < s0 + T; ++col) v += ic[col];
        if (v > best_ic + 1e-12) {
          best_ic = v;
          best = s0;
        }
      }
      const int t0 = std::max(lo, best - opt.flank), t1 = std::min(hi, best + T + opt.flank);
      pt.width = t1 - t0;
      pt.ppm.assign(4 * pt.width, 0.0);
      pt.cwm.assign(4 * pt.width, 0.0);
      pt.hcwm.assign(4 * pt.width, 0.0);
      for (int c = 0; c < 4; ++c)
        for (int col = t0; col < t1; ++col) {
          const double sp = sup[col];
          const int o = c * pt.width + (col - t0);
          pt.ppm[o] = cnt[c * frame + col] / sp;
          pt.cwm[o] = cwm[c * frame + col] / sp;
          pt.hcwm[o] = hyp[c * frame + col] / sp;
        }
      for (std::size_t t = 0; t < mem.size(); ++t) {
        const auto& s = seqlets[mem[t]];
        const long d = al[t].shift, a0 = t0 - pad, a1 = t1 - pad;  // seed columns
        pt.members.push_back(mem[t]);
        pt.member_rc.push_back(al[t].rc ? 1 : 0);
        if (!al[t].rc) {
          pt.member_start.push_back(s.start + a0 - d);
          pt.member_end.push_back(s.start + a1 - d);
        } else {
          pt.member_start.push_back(s.start + w - a1 + d);
          pt.member_end.push_back(s.start + w - a0 + d);
        }
      }
    }
  });
  std::stable_sort(out.begin(), out.end(),
                   [](const Pattern& a, const Pattern& b) { return a.n_seqlets > b.n_seqlets; });
  return out;
}

}  // namespace interpret
}  // namespace gdl
