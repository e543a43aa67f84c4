#include "tracks/bigwig_stream.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/error.hpp"

namespace gdl {
namespace tracks {

namespace {
std::vector<std::unique_ptr<BigWigWriter>> open_all(const std::vector<std::string>& paths,
                                                    const std::vector<std::string>& chroms,
                                                    const std::vector<std::int64_t>& lengths) {
  if (paths.empty()) fail("no bigWig path to write");
  if (chroms.size() != lengths.size()) fail("give one length per chromosome");
  std::vector<std::unique_ptr<BigWigWriter>> w;
  for (const auto& p : paths) w.push_back(std::make_unique<BigWigWriter>(p, chroms, lengths));
  return w;
}
}  // namespace

ProfileStreamWriter::ProfileStreamWriter(const std::vector<std::string>& paths,
                                         const std::vector<std::string>& chroms,
                                         const std::vector<std::int64_t>& lengths)
    : writers_(open_all(paths, chroms, lengths)), pending_(paths.size()) {}

void ProfileStreamWriter::flush() {
  if (pending_.empty() || pending_[0].empty()) return;
  for (std::size_t t = 0; t < writers_.size(); ++t) {
    writers_[t]->add_span(chrom_, static_cast<std::uint32_t>(start_),
                          static_cast<std::uint32_t>(span_), static_cast<std::uint32_t>(span_),
                          pending_[t].data(), pending_[t].size());
    pending_[t].clear();
  }
}

void ProfileStreamWriter::add_bins(const std::string& chrom, std::int64_t grid, std::int64_t bin,
                                   std::int64_t first, std::int64_t n, const float* values,
                                   std::int64_t lo, std::int64_t hi) {
  const auto T = writers_.size();
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t s = grid + (first + i) * bin, e = s + bin;
    const float* v = values + static_cast<std::size_t>(i) * T;
    if (e <= lo || s >= hi) continue;
    if (s < lo || e > hi) {  // a bin cut by the region's edge: an interval of its own
      flush();
      std::vector<std::uint32_t> ss{static_cast<std::uint32_t>(std::max(s, lo))},
          ee{static_cast<std::uint32_t>(std::min(e, hi))};
      for (std::size_t t = 0; t < T; ++t) writers_[t]->add_intervals(chrom, ss, ee, {v[t]});
      continue;
    }
    bool extends = !pending_[0].empty() && chrom == chrom_ && span_ == bin &&
                   s == start_ + static_cast<std::int64_t>(pending_[0].size()) * span_ &&
                   pending_[0].size() < kRun;
    if (!extends) {
      flush();
      chrom_ = chrom;
      start_ = s;
      span_ = bin;
    }
    for (std::size_t t = 0; t < T; ++t) pending_[t].push_back(v[t]);
  }
}

void ProfileStreamWriter::commit() {
  flush();
  for (auto& w : writers_) w->close();
}

WindowTrackStreamWriter::WindowTrackStreamWriter(const std::vector<std::string>& paths,
                                                 const std::vector<std::string>& chroms,
                                                 const std::vector<std::int64_t>& lengths)
    : writers_(open_all(paths, chroms, lengths)) {}

void WindowTrackStreamWriter::switch_to(const std::string& chrom) {
  if (chrom == chrom_) return;
  flush();
  chrom_ = chrom;
}

void WindowTrackStreamWriter::add_region(const std::string& chrom, std::int64_t lo,
                                         std::int64_t hi) {
  switch_to(chrom);
  regions_.emplace_back(lo, hi);
}

void WindowTrackStreamWriter::add_window(const std::string& chrom, std::int64_t start,
                                         std::int64_t end, const float* values) {
  switch_to(chrom);
  // centre in 1-based closed coordinates times 2: (start + 1) + end
  centres_.push_back(static_cast<double>(start + 1 + end));
  values_.insert(values_.end(), values, values + writers_.size());
}

void WindowTrackStreamWriter::flush() {
  if (centres_.empty() || regions_.empty()) {
    centres_.clear();
    values_.clear();
    regions_.clear();
    return;
  }
  const auto T = writers_.size();
  // windows by centre; the first arrived wins among equal centres
  std::vector<std::size_t> ord(centres_.size());
  std::iota(ord.begin(), ord.end(), 0);
  std::stable_sort(ord.begin(), ord.end(), [&](std::size_t a, std::size_t b) {
    return centres_[a] < centres_[b];
  });
  ord.erase(std::unique(ord.begin(), ord.end(), [&](std::size_t a, std::size_t b) {
              return centres_[a] == centres_[b];
            }), ord.end());
  // the union of the regions, merged
  std::sort(regions_.begin(), regions_.end());
  std::vector<std::pair<std::int64_t, std::int64_t>> cover;
  for (auto& r : regions_) {
    if (!cover.empty() && r.first <= cover.back().second) cover.back().second = std::max(cover.back().second, r.second);
    else cover.push_back(r);
  }
  const std::int64_t lo = cover.front().first, hi = cover.back().second;
  // window i owns bases (0-based) [cut_i, cut_{i+1}): cuts at the floor of midpoints (1-based)
  std::vector<std::uint32_t> s, e;
  std::vector<std::vector<float>> v(T);
  std::size_t ci = 0;
  for (std::size_t i = 0; i < ord.size(); ++i) {
    std::int64_t a = i == 0 ? lo
                            : std::max(lo, std::min(hi, static_cast<std::int64_t>(std::floor(
                                  (centres_[ord[i - 1]] + centres_[ord[i]]) / 4.0))));
    std::int64_t b = i + 1 == ord.size()
                         ? hi
                         : std::max(lo, std::min(hi, static_cast<std::int64_t>(std::floor(
                               (centres_[ord[i]] + centres_[ord[i + 1]]) / 4.0))));
    // intersect [a, b) with the covered ranges
    while (ci < cover.size() && cover[ci].second <= a) ++ci;
    for (std::size_t cj = ci; cj < cover.size() && cover[cj].first < b; ++cj) {
      std::int64_t x = std::max(a, cover[cj].first), y = std::min(b, cover[cj].second);
      if (y <= x) continue;
      s.push_back(static_cast<std::uint32_t>(x));
      e.push_back(static_cast<std::uint32_t>(y));
      for (std::size_t t = 0; t < T; ++t) v[t].push_back(values_[ord[i] * T + t]);
    }
  }
  for (std::size_t t = 0; t < T; ++t) writers_[t]->add_intervals(chrom_, s, e, v[t]);
  centres_.clear();
  values_.clear();
  regions_.clear();
}

void WindowTrackStreamWriter::commit() {
  flush();
  for (auto& w : writers_) w->close();
}

}  // namespace tracks
}  // namespace gdl
