// Features of sparse targets kept for sampling: keras_dna's positives (every annotation of the
// included chromosomes), restricted by regions (the feature inside one region), the blacklist
// (no overlap) and maxN (the N content of the window centred on the feature).
#include <algorithm>

#include "common/error.hpp"
#include "common/parallel.hpp"
#include "data/plan.hpp"

namespace gdl {
namespace data {

namespace {
// Per chromosome: intervals sorted by start with the running maximum of their ends.
struct ByChrom {
  std::vector<std::vector<std::int64_t>> starts, max_end;
  explicit ByChrom(std::size_t n) : starts(n), max_end(n) {}
};

ByChrom sorted_by_chrom(std::vector<Interval> iv, std::size_t n_chroms) {
  std::sort(iv.begin(), iv.end(), [](const Interval& a, const Interval& b) {
    return a.chrom != b.chrom ? a.chrom < b.chrom : a.start < b.start;
  });
  ByChrom out(n_chroms);
  for (const auto& x : iv) {
    auto& s = out.starts[static_cast<std::size_t>(x.chrom)];
    auto& m = out.max_end[static_cast<std::size_t>(x.chrom)];
    s.push_back(x.start);
    m.push_back(m.empty() ? x.end : std::max(m.back(), x.end));
  }
  return out;
}

// Whether [start, end) lies inside one interval: among those starting at or before `start`, the
// largest end reaches `end`.
bool within(const ByChrom& r, int chrom, std::int64_t start, std::int64_t end) {
  const auto& s = r.starts[static_cast<std::size_t>(chrom)];
  auto k = static_cast<std::size_t>(std::upper_bound(s.begin(), s.end(), start) - s.begin());
  return k > 0 && r.max_end[static_cast<std::size_t>(chrom)][k - 1] >= end;
}

// Whether [start, end) overlaps an interval: some interval starting before `end` ends after `start`
// (ends are a running maximum, so the last one starting before `end` tells).
bool overlaps(const ByChrom& r, int chrom, std::int64_t start, std::int64_t end) {
  const auto& s = r.starts[static_cast<std::size_t>(chrom)];
  auto k = static_cast<std::size_t>(std::lower_bound(s.begin(), s.end(), end) - s.begin());
  return k > 0 && r.max_end[static_cast<std::size_t>(chrom)][k - 1] > start;
}
}  // namespace

std::int64_t centred_start(std::int64_t start, std::int64_t end, std::int64_t window) {
  std::int64_t wx = window - (end - start);
  std::int64_t half = wx >= 0 ? (wx + 1) / 2 : -((-wx) / 2);  // wx // 2 + wx % 2 (Python)
  return start - half;
}

std::vector<Annotation> select_features(const genome::Genome& g, const std::vector<Annotation>& all,
                                        const Geometry& geo) {
  std::vector<char> included(g.size(), 0);
  for (int c : geo.chroms) {
    if (c < 0 || static_cast<std::size_t>(c) >= g.size()) fail("chromosome index ", c, " is not in the genome");
    included[static_cast<std::size_t>(c)] = 1;
  }
  ByChrom regions = sorted_by_chrom(geo.has_regions ? genome_intervals(g, geo.regions, geo.chr_prefix)
                                                    : std::vector<Interval>(), g.size());
  ByChrom black = sorted_by_chrom(genome_intervals(g, geo.blacklist, geo.chr_prefix), g.size());
  std::vector<Annotation> out;
  out.reserve(all.size());
  for (const auto& a : all) {
    if (a.chrom < 0 || static_cast<std::size_t>(a.chrom) >= g.size() || !included[static_cast<std::size_t>(a.chrom)])
      continue;
    if (geo.has_regions && !within(regions, a.chrom, a.start, a.end)) continue;
    if (overlaps(black, a.chrom, a.start, a.end)) continue;
    out.push_back(a);
  }
  if (out.empty()) fail("there is no annotation on the included chromosomes (empty annotations)");
  return out;
}

std::vector<Annotation> max_n_features(const genome::Genome& g, const std::vector<Annotation>& feats,
                                       std::int64_t window, double max_n, int threads) {
  const std::int64_t T = max_n_count(max_n, window);
  if (max_n >= 1) return feats;
  std::vector<int> chroms;
  std::vector<int> slot(g.size(), -1);
  for (const auto& a : feats) {
    if (slot[static_cast<std::size_t>(a.chrom)] < 0) {
      slot[static_cast<std::size_t>(a.chrom)] = static_cast<int>(chroms.size());
      chroms.push_back(a.chrom);
    }
  }
  auto runs = ambiguous_runs(g, chroms, threads);
  std::vector<std::vector<std::int64_t>> cum(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    std::int64_t acc = 0;
    for (const auto& r : runs[i]) cum[i].push_back(acc += r.end - r.start);
  }
  std::vector<char> keep(feats.size());
  parallelize(feats.size(), threads, [&](int, std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      const auto& a = feats[i];
      std::size_t k = static_cast<std::size_t>(slot[static_cast<std::size_t>(a.chrom)]);
      std::int64_t s = centred_start(a.start, a.end, window);
      keep[i] = n_count(runs[k], cum[k], s, s + window) <= T;
    }
  });
  std::vector<Annotation> out;
  for (std::size_t i = 0; i < feats.size(); ++i)
    if (keep[i]) out.push_back(feats[i]);
  if (out.empty()) fail("every annotation window has more than maxN N");
  return out;
}

}  // namespace data
}  // namespace gdl
