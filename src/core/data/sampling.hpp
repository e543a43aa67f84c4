// Sampling helpers of the data generators: a seeded random stream, an epoch permutation that
// needs no memory (Feistel network with cycle walking), interval sets of window starts and an
// index of labelled intervals. Coordinates are 0-based, half-open.
#pragma once
#include <cstdint>
#include <vector>

#include "data/encode.hpp"

namespace gdl {
namespace data {

// Small deterministic random stream: every value depends only on the seed and the draw count.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(splitmix64(seed)) {}
  std::uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return splitmix64(state_);
  }
  // Uniform integer in [0, n) (n > 0); the modulo bias is below 2^-40 for n < 2^24.
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

// Seed of one item: combines up to three indexes (seed, epoch, sample) without collisions in
// practice.
inline std::uint64_t item_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0) {
  return splitmix64(seed ^ splitmix64(a + 0x632be59bd9b4e019ULL) ^
                    splitmix64(splitmix64(b + 0x9e3779b97f4a7c15ULL)));
}

// A bijection of [0, n) chosen by key; O(1) memory, so epochs of millions of samples shuffle
// without a table. Feistel network over the next power of four, cycle-walking into [0, n).
class Permutation {
 public:
  Permutation(std::uint64_t n, std::uint64_t key);
  std::uint64_t operator()(std::uint64_t i) const;
  std::uint64_t size() const { return n_; }

 private:
  std::uint64_t n_, key_;
  int half_bits_;
  std::uint64_t mask_;
};

// A set of intervals on chromosomes, kept sorted and disjoint per chromosome, with cumulative
// counts of positions so that position k of the set is found by binary search.
struct Interval {
  int chrom;
  std::int64_t start;
  std::int64_t end;
};

class PositionSet {
 public:
  PositionSet() = default;
  // Intervals may be unsorted and overlapping: they are merged.
  explicit PositionSet(std::vector<Interval> intervals);
  std::uint64_t size() const { return cum_.empty() ? 0 : cum_.back(); }
  // The k-th position (0 <= k < size()) as (chrom, position).
  void at(std::uint64_t k, int* chrom, std::int64_t* pos) const;
  const std::vector<Interval>& intervals() const { return iv_; }
  // This set minus the given intervals (any order).
  PositionSet subtract(std::vector<Interval> other) const;
  std::size_t memory_bytes() const {
    return iv_.capacity() * sizeof(Interval) + cum_.capacity() * sizeof(std::uint64_t);
  }

 private:
  std::vector<Interval> iv_;
  std::vector<std::uint64_t> cum_;  // cum_[i] = positions in iv_[0..i]
};

// Intervals with a label channel, indexed per (chromosome, channel) for overlap queries.
struct LabelledInterval {
  int chrom;
  std::int64_t start;
  std::int64_t end;
  int channel;
};

class IntervalIndex {
 public:
  IntervalIndex() = default;
  IntervalIndex(const std::vector<LabelledInterval>& iv, int n_chroms, int n_channels);
  // Calls fn(start, end) for every interval of (chrom, channel) overlapping [start, end).
  template <typename Fn>
  void overlapping(int chrom, int channel, std::int64_t start, std::int64_t end, Fn&& fn) const {
    const auto& b = buckets_[static_cast<std::size_t>(chrom) * n_channels_ + channel];
    // intervals sorted by start; prefix max of ends lets the backward walk stop early
    std::size_t hi = upper(b.starts, end);
    for (std::size_t k = hi; k-- > 0;) {
      if (b.max_end[k] <= start) break;
      if (b.ends[k] > start) fn(b.starts[k], b.ends[k]);
    }
  }
  int channels() const { return n_channels_; }
  std::size_t memory_bytes() const {
    std::size_t b = buckets_.capacity() * sizeof(Bucket);
    for (const auto& k : buckets_)
      b += (k.starts.capacity() + k.ends.capacity() + k.max_end.capacity()) * sizeof(std::int64_t);
    return b;
  }

 private:
  struct Bucket {
    std::vector<std::int64_t> starts, ends, max_end;
  };
  static std::size_t upper(const std::vector<std::int64_t>& v, std::int64_t x);  // first >= x
  std::vector<Bucket> buckets_;
  int n_channels_ = 0;
};

}  // namespace data
}  // namespace gdl
