// Runs of N of the genome and the N content of windows, for maxN. The genome is read once per
// plan (threads over chromosomes); window counts come from the runs, never from the bases again.
#include <algorithm>
#include <cmath>
#include <utility>

#include "common/error.hpp"
#include "common/parallel.hpp"
#include "data/plan.hpp"
#include "genome/bases.hpp"

namespace gdl {
namespace data {

std::vector<Interval> ambiguous_runs(const genome::Genome& g, int chrom) {
  std::vector<Interval> out;
  const std::int64_t len = g.lengths()[static_cast<std::size_t>(chrom)];
  constexpr std::int64_t kBlock = std::int64_t{1} << 20;
  std::string buf;
  for (std::int64_t s = 0; s < len; s += kBlock) {
    std::int64_t e = std::min(len, s + kBlock);
    buf.resize(static_cast<std::size_t>(e - s));
    g.fetch(chrom, s, e, &buf[0]);
    for (std::int64_t i = 0; i < e - s; ++i) {
      if (genome::base_code(buf[static_cast<std::size_t>(i)]) < 4) continue;
      std::int64_t p = s + i;
      if (!out.empty() && out.back().end == p) ++out.back().end;
      else out.push_back({chrom, p, p + 1});
    }
  }
  return out;
}

std::vector<std::vector<Interval>> ambiguous_runs(const genome::Genome& g,
                                                  const std::vector<int>& chroms, int threads) {
  std::vector<std::vector<Interval>> out(chroms.size());
  parallelize(chroms.size(), threads, [&](int, std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) out[i] = ambiguous_runs(g, chroms[i]);
  });
  return out;
}

std::int64_t n_count(const std::vector<Interval>& runs, const std::vector<std::int64_t>& cum,
                     std::int64_t start, std::int64_t end) {
  if (end <= start || runs.empty()) return 0;
  // runs [k1, k2) overlap [start, end)
  auto k1 = static_cast<std::size_t>(
      std::upper_bound(runs.begin(), runs.end(), start,
                       [](std::int64_t x, const Interval& r) { return x < r.end; }) -
      runs.begin());
  auto k2 = static_cast<std::size_t>(
      std::lower_bound(runs.begin(), runs.end(), end,
                       [](const Interval& r, std::int64_t x) { return r.start < x; }) -
      runs.begin());
  if (k1 >= k2) return 0;
  std::int64_t n = cum[k2 - 1] - (k1 ? cum[k1 - 1] : 0);
  n -= std::max<std::int64_t>(0, start - runs[k1].start);
  n -= std::max<std::int64_t>(0, runs[k2 - 1].end - end);
  return n;
}

std::int64_t max_n_count(double max_n, std::int64_t window) {
  if (!(max_n >= 0 && max_n <= 1)) fail("maxN must be a fraction between 0 and 1, not ", max_n);
  return static_cast<std::int64_t>(std::floor(max_n * static_cast<double>(window)));
}

std::vector<Interval> n_rich_starts(const std::vector<Interval>& runs, int chrom,
                                    std::int64_t n_starts, std::int64_t window,
                                    std::int64_t max_count) {
  std::vector<Interval> bad;
  if (runs.empty() || n_starts <= 0) return bad;
  std::vector<std::int64_t> cum(runs.size());
  std::int64_t acc = 0;
  for (std::size_t k = 0; k < runs.size(); ++k) cum[k] = acc += runs[k].end - runs[k].start;
  // f(p) = N in [p, p + window); f(p + 1) - f(p) = N(p + window) - N(p): a slope that changes at
  // the events of each run.
  std::vector<std::pair<std::int64_t, int>> ev;
  ev.reserve(runs.size() * 4);
  for (const auto& r : runs) {
    ev.push_back({r.start - window, +1});
    ev.push_back({r.end - window, -1});
    ev.push_back({r.start, -1});
    ev.push_back({r.end, +1});
  }
  std::sort(ev.begin(), ev.end());
  std::int64_t f = n_count(runs, cum, 0, window), slope = 0, cur = 0;
  std::size_t j = 0;
  for (; j < ev.size() && ev[j].first <= 0; ++j) slope += ev[j].second;
  auto add = [&](std::int64_t a, std::int64_t b) {
    if (b <= a) return;
    if (!bad.empty() && bad.back().end >= a) bad.back().end = std::max(bad.back().end, b);
    else bad.push_back({chrom, a, b});
  };
  const std::int64_t T = max_count;
  while (cur < n_starts) {
    std::int64_t next = j < ev.size() ? std::min(ev[j].first, n_starts) : n_starts;
    std::int64_t m = next - cur;  // f(cur + k) = f + slope * k for k in [0, m)
    if (slope == 0) {
      if (f > T) add(cur, next);
    } else if (slope > 0) {
      std::int64_t kmin = f > T ? 0 : (T - f) / slope + 1;
      if (kmin < m) add(cur + kmin, next);
    } else if (f > T) {
      std::int64_t s = -slope, kend = (f - T + s - 1) / s;
      add(cur, cur + std::min(kend, m));
    }
    f += slope * m;
    cur = next;
    for (; j < ev.size() && ev[j].first <= cur; ++j) slope += ev[j].second;
  }
  return bad;
}

}  // namespace data
}  // namespace gdl
