// Window starts of continuous targets (and of real negatives): the sampling geometry that
// keras_dna's Generator takes as "every position of the included chromosomes", restricted by
// regions, blacklist and maxN.
#include <algorithm>

#include "common/error.hpp"
#include "common/parallel.hpp"
#include "data/plan.hpp"

namespace gdl {
namespace data {

std::vector<Interval> genome_intervals(const genome::Genome& g, const std::vector<NamedInterval>& named,
                                       ChrPrefix mode) {
  std::vector<std::string> names(named.size());
  for (std::size_t i = 0; i < named.size(); ++i) names[i] = named[i].chrom;
  std::vector<int> idx = match_chromosomes(names, g.names(), mode);
  std::vector<Interval> out;
  out.reserve(named.size());
  for (std::size_t i = 0; i < named.size(); ++i) {
    if (idx[i] < 0) continue;
    if (named[i].end < named[i].start || named[i].start < 0)
      fail("interval ", named[i].chrom, ":", named[i].start + 1, "-", named[i].end, " is malformed");
    out.push_back({idx[i], named[i].start, named[i].end});
  }
  return out;
}

std::vector<Interval> window_starts(const genome::Genome& g, std::int64_t window, const Geometry& geo) {
  const auto& lens = g.lengths();
  if (window < 1) fail("the window must be at least 1 base, not ", window);
  if (geo.chroms.empty()) fail("no chromosome is included");
  std::vector<char> included(g.size(), 0);
  std::vector<int> kept;
  int first_short = -1;
  for (int c : geo.chroms) {
    if (c < 0 || static_cast<std::size_t>(c) >= g.size()) fail("chromosome index ", c, " is not in the genome");
    if (lens[static_cast<std::size_t>(c)] < window) {
      if (first_short < 0) first_short = c;
      continue;
    }
    included[static_cast<std::size_t>(c)] = 1;
    kept.push_back(c);
  }
  if (first_short >= 0 && (geo.strict_length || kept.empty()))
    fail("the window (", window, ") is longer than chromosome ", g.names()[static_cast<std::size_t>(first_short)],
         " (length ", lens[static_cast<std::size_t>(first_short)], ")");
  auto n_starts = [&](int c) { return lens[static_cast<std::size_t>(c)] - window + 1; };
  std::vector<Interval> base;
  if (geo.has_regions) {
    // a region of width w >= window allows the starts [start, end - window + 1)
    for (const auto& r : genome_intervals(g, geo.regions, geo.chr_prefix)) {
      if (!included[static_cast<std::size_t>(r.chrom)] || r.end - r.start < window) continue;
      std::int64_t s = std::max<std::int64_t>(0, r.start), e = std::min(r.end - window + 1, n_starts(r.chrom));
      if (e > s) base.push_back({r.chrom, s, e});
    }
  } else {
    for (int c : kept) base.push_back({c, 0, n_starts(c)});
  }
  PositionSet set(std::move(base));
  std::vector<Interval> minus;
  // a blacklisted [s, e) forbids the starts [s - window + 1, e)
  for (const auto& b : genome_intervals(g, geo.blacklist, geo.chr_prefix))
    if (included[static_cast<std::size_t>(b.chrom)])
      minus.push_back({b.chrom, std::max<std::int64_t>(0, b.start - window + 1), b.end});
  if (geo.max_n < 1) {
    const std::int64_t T = max_n_count(geo.max_n, window);
    auto runs = ambiguous_runs(g, kept, geo.threads);
    for (std::size_t i = 0; i < kept.size(); ++i)
      for (const auto& iv : n_rich_starts(runs[i], kept[i], n_starts(kept[i]), window, T)) minus.push_back(iv);
  }
  if (!minus.empty()) set = set.subtract(std::move(minus));
  return set.intervals();
}

}  // namespace data
}  // namespace gdl
