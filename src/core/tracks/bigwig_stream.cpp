#include "tracks/bigwig_stream.hpp"

#include <bigWig.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "tracks/bigwig.hpp"

namespace gdl {
namespace tracks {

class StreamFile {
 public:
  StreamFile(const std::string& path, const std::vector<std::string>& chroms,
             const std::vector<std::int64_t>& lengths)
      : file_(path), chroms_(chroms) {
    ensure_bigwig_init();
    if (chroms.empty()) fail("cannot write bigWig '", path, "' without chromosomes");
    bw_.reset(bwOpen(const_cast<char*>(file_.temp_path().c_str()), nullptr, "w"));
    if (!bw_) fail("cannot open bigWig '", path, "' for writing");
    if (bwCreateHdr(bw_.get(), 0) != 0) fail("cannot create bigWig header for '", path, "'");
    std::vector<const char*> names;
    std::vector<std::uint32_t> lens;
    for (std::size_t i = 0; i < chroms.size(); ++i) {
      if (lengths[i] <= 0 || lengths[i] > std::numeric_limits<std::uint32_t>::max())
        fail("chromosome '", chroms[i], "' has an invalid length for bigWig: ", lengths[i]);
      names.push_back(chroms[i].c_str());
      lens.push_back(static_cast<std::uint32_t>(lengths[i]));
    }
    bw_->cl = bwCreateChromList(names.data(), lens.data(), static_cast<int64_t>(names.size()));
    if (!bw_->cl) fail("cannot create the chromosome list of bigWig '", path, "'");
    if (bwWriteHdr(bw_.get()) != 0) fail("cannot write bigWig header of '", path, "'");
  }
  // Fixed-step values (span bases each, NaN runs skipped).
  void add_span(const std::string& chrom, std::uint32_t start, std::uint32_t span,
                const float* v, std::size_t n) {
    check(chrom);
    std::size_t i = 0;
    while (i < n) {
      while (i < n && std::isnan(v[i])) ++i;
      std::size_t j = i;
      while (j < n && !std::isnan(v[j])) ++j;
      if (j > i && bwAddIntervalSpanSteps(bw_.get(), const_cast<char*>(chrom.c_str()),
                                          start + static_cast<std::uint32_t>(i) * span, span, span,
                                          const_cast<float*>(v + i),
                                          static_cast<std::uint32_t>(j - i)) != 0)
        fail("libBigWig failed to add values on '", chrom, "'");
      i = j;
    }
  }
  // Sorted, non-overlapping intervals (NaN skipped).
  void add_intervals(const std::string& chrom, const std::vector<std::uint32_t>& s,
                     const std::vector<std::uint32_t>& e, const std::vector<float>& v) {
    check(chrom);
    std::vector<std::uint32_t> ss, ee;
    std::vector<float> vv;
    for (std::size_t i = 0; i < s.size(); ++i)
      if (!std::isnan(v[i])) {
        ss.push_back(s[i]);
        ee.push_back(e[i]);
        vv.push_back(v[i]);
      }
    const std::size_t chunk = 1 << 16;
    for (std::size_t off = 0; off < ss.size(); off += chunk) {
      auto n = static_cast<std::uint32_t>(std::min(chunk, ss.size() - off));
      std::vector<const char*> cn(n, chrom.c_str());
      if (bwAddIntervals(bw_.get(), cn.data(), ss.data() + off, ee.data() + off, vv.data() + off, n) != 0)
        fail("libBigWig failed to add intervals on '", chrom, "'");
    }
  }
  void close() {
    if (!bw_) return;
    bwClose(bw_.release());  // writes the index
    file_.commit();
  }

 private:
  struct Closer {
    void operator()(bigWigFile_t* f) const { if (f) bwClose(f); }
  };
  void check(const std::string& chrom) {
    auto it = std::find(chroms_.begin(), chroms_.end(), chrom);
    if (it == chroms_.end()) fail("chromosome '", chrom, "' is not among the bigWig's chromosomes");
    int ci = static_cast<int>(it - chroms_.begin());
    if (ci < last_) fail("bigWig values must come in chromosome order ('", chrom, "')");
    last_ = ci;
  }
  AtomicFile file_;  // declared first: destroyed after the libBigWig handle is closed
  std::vector<std::string> chroms_;
  std::unique_ptr<bigWigFile_t, Closer> bw_;
  int last_ = -1;
};

namespace {
std::vector<std::unique_ptr<StreamFile>> open_all(const std::vector<std::string>& paths,
                                                    const std::vector<std::string>& chroms,
                                                    const std::vector<std::int64_t>& lengths) {
  if (paths.empty()) fail("no bigWig path to write");
  if (chroms.size() != lengths.size()) fail("give one length per chromosome");
  std::vector<std::unique_ptr<StreamFile>> w;
  for (const auto& p : paths) w.push_back(std::make_unique<StreamFile>(p, chroms, lengths));
  return w;
}
}  // namespace

ProfileStreamWriter::ProfileStreamWriter(const std::vector<std::string>& paths,
                                         const std::vector<std::string>& chroms,
                                         const std::vector<std::int64_t>& lengths)
    : writers_(open_all(paths, chroms, lengths)), pending_(paths.size()) {}

ProfileStreamWriter::~ProfileStreamWriter() = default;

void ProfileStreamWriter::flush() {
  if (pending_.empty() || pending_[0].empty()) return;
  for (std::size_t t = 0; t < writers_.size(); ++t) {
    writers_[t]->add_span(chrom_, static_cast<std::uint32_t>(start_),
                          static_cast<std::uint32_t>(span_), pending_[t].data(), pending_[t].size());
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

WindowTrackStreamWriter::~WindowTrackStreamWriter() = default;

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
