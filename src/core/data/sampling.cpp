#include "data/sampling.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace gdl {
namespace data {

Permutation::Permutation(std::uint64_t n, std::uint64_t key) : n_(n), key_(key) {
  int bits = 2;
  while (bits < 62 && (std::uint64_t{1} << bits) < n) bits += 2;
  half_bits_ = bits / 2;
  mask_ = (std::uint64_t{1} << half_bits_) - 1;
}

std::uint64_t Permutation::operator()(std::uint64_t i) const {
  if (n_ <= 1) return 0;
  std::uint64_t x = i;
  do {
    std::uint64_t l = x >> half_bits_, r = x & mask_;
    for (std::uint64_t round = 0; round < 4; ++round) {
      std::uint64_t f = splitmix64(r ^ splitmix64(key_ + round)) & mask_;
      std::uint64_t nl = r;
      r = l ^ f;
      l = nl;
    }
    x = (l << half_bits_) | r;
  } while (x >= n_);
  return x;
}

namespace {
void sort_merge(std::vector<Interval>& v) {
  std::sort(v.begin(), v.end(), [](const Interval& a, const Interval& b) {
    return a.chrom != b.chrom ? a.chrom < b.chrom : a.start < b.start;
  });
  std::vector<Interval> out;
  for (const auto& x : v) {
    if (x.end <= x.start) continue;
    if (!out.empty() && out.back().chrom == x.chrom && x.start <= out.back().end)
      out.back().end = std::max(out.back().end, x.end);
    else
      out.push_back(x);
  }
  v.swap(out);
}
}  // namespace

PositionSet::PositionSet(std::vector<Interval> intervals) : iv_(std::move(intervals)) {
  sort_merge(iv_);
  std::uint64_t total = 0;
  cum_.reserve(iv_.size());
  for (const auto& x : iv_) {
    total += static_cast<std::uint64_t>(x.end - x.start);
    cum_.push_back(total);
  }
}

void PositionSet::at(std::uint64_t k, int* chrom, std::int64_t* pos) const {
  if (k >= size()) fail("position ", k, " is outside the set of ", size(), " positions");
  auto it = std::upper_bound(cum_.begin(), cum_.end(), k);
  std::size_t i = static_cast<std::size_t>(it - cum_.begin());
  std::uint64_t before = i == 0 ? 0 : cum_[i - 1];
  *chrom = iv_[i].chrom;
  *pos = iv_[i].start + static_cast<std::int64_t>(k - before);
}

PositionSet PositionSet::subtract(std::vector<Interval> other) const {
  sort_merge(other);
  std::vector<Interval> out;
  std::size_t j = 0;
  for (const auto& x : iv_) {
    while (j < other.size() && (other[j].chrom < x.chrom ||
                                (other[j].chrom == x.chrom && other[j].end <= x.start)))
      ++j;
    std::int64_t cur = x.start;
    for (std::size_t k = j; k < other.size() && other[k].chrom == x.chrom && other[k].start < x.end;
         ++k) {
      if (other[k].start > cur) out.push_back({x.chrom, cur, other[k].start});
      cur = std::max(cur, other[k].end);
    }
    if (cur < x.end) out.push_back({x.chrom, cur, x.end});
  }
  return PositionSet(std::move(out));
}

IntervalIndex::IntervalIndex(const std::vector<LabelledInterval>& iv, int n_chroms, int n_channels)
    : n_channels_(n_channels) {
  buckets_.resize(static_cast<std::size_t>(n_chroms) * static_cast<std::size_t>(n_channels));
  std::vector<LabelledInterval> s(iv);
  std::sort(s.begin(), s.end(), [](const LabelledInterval& a, const LabelledInterval& b) {
    return a.start < b.start;
  });
  for (const auto& x : s) {
    if (x.chrom < 0 || x.chrom >= n_chroms || x.channel < 0 || x.channel >= n_channels)
      fail("interval with chromosome ", x.chrom, " / channel ", x.channel, " out of range");
    auto& b = buckets_[static_cast<std::size_t>(x.chrom) * n_channels + x.channel];
    b.starts.push_back(x.start);
    b.ends.push_back(x.end);
    b.max_end.push_back(b.max_end.empty() ? x.end : std::max(b.max_end.back(), x.end));
  }
}

std::size_t IntervalIndex::upper(const std::vector<std::int64_t>& v, std::int64_t x) {
  return static_cast<std::size_t>(std::lower_bound(v.begin(), v.end(), x) - v.begin());
}

}  // namespace data
}  // namespace gdl
