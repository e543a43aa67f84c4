#include "tracks/bigwig.hpp"

extern "C" {
#include <bigWig.h>
}

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/process.hpp"

namespace gdl {
namespace tracks {

void ensure_bigwig_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (bwInit(1 << 17) != 0) fail("libBigWig failed to initialise (bwInit)");
  });
}

Summary parse_summary(const std::string& s) {
  if (s == "mean") return Summary::Mean;
  if (s == "sum") return Summary::Sum;
  if (s == "max") return Summary::Max;
  if (s == "min") return Summary::Min;
  fail("summary must be one of 'mean', 'sum', 'max', 'min', not '", s, "'");
}

namespace {
struct BwCloser {
  void operator()(bigWigFile_t* f) const {
    if (f) bwClose(f);
  }
};
struct IntervalsDeleter {
  void operator()(bwOverlappingIntervals_t* o) const {
    if (o) bwDestroyOverlappingIntervals(o);
  }
};
using IntervalsPtr = std::unique_ptr<bwOverlappingIntervals_t, IntervalsDeleter>;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
}  // namespace

struct BigWigReader::File {
  std::unique_ptr<bigWigFile_t, BwCloser> bw;
  pid_t owner = 0;  // the process that opened bw
};

BigWigReader::BigWigReader(const std::string& path)
    : path_(path), file_(std::make_unique<File>()) {
  ensure_bigwig_init();
  std::FILE* probe = std::fopen(path.c_str(), "rb");
  if (!probe) fail("bigWig file '", path, "' does not exist or cannot be read");
  std::fclose(probe);
  open();
  const chromList_t* cl = file_->bw->cl;
  for (int64_t i = 0; i < cl->nKeys; ++i) {
    chroms_.emplace_back(cl->chrom[i]);
    lengths_.push_back(cl->len[i]);
  }
}

void BigWigReader::open() const {
  // bwOpen on a file that is not a bigWig returns NULL (after printing to stderr).
  file_->bw.reset(bwOpen(const_cast<char*>(path_.c_str()), nullptr, "r"));
  if (!file_->bw || !file_->bw->cl)
    fail("bigWig file '", path_, "' is corrupt or not a bigWig file");
  file_->owner = current_pid();
}

void BigWigReader::ensure_own_process() const {
  if (file_->owner == current_pid()) return;
  // Opened by the parent of this forked process. Leak the parent's handle rather than close
  // it: fclose() of a read stream may seek the descriptor that the parent shares.
  (void)file_->bw.release();
  open();
  if (file_->bw->cl->nKeys != static_cast<int64_t>(chroms_.size()))
    fail("bigWig file '", path_, "' changed while it was open");
}

BigWigReader::~BigWigReader() = default;

int BigWigReader::index(const std::string& chrom) const {
  auto it = std::find(chroms_.begin(), chroms_.end(), chrom);
  return it == chroms_.end() ? -1 : static_cast<int>(it - chroms_.begin());
}

void BigWigReader::values(const std::string& chrom, std::int64_t start, std::int64_t end,
                          float* out) const {
  int tid = index(chrom);
  if (tid < 0) fail("chromosome '", chrom, "' is not in bigWig '", path_, "'");
  ensure_own_process();
  std::fill(out, out + (end - start), kNaN);
  std::int64_t len = lengths_[static_cast<std::size_t>(tid)];
  std::int64_t a = std::max<std::int64_t>(start, 0), b = std::min<std::int64_t>(end, len);
  if (b <= a) return;
  // Intervals rather than per-base values: one record per run of equal values, so sparse
  // coverage costs little; gaps stay NaN.
  IntervalsPtr iv(bwGetOverlappingIntervals(file_->bw.get(), const_cast<char*>(chrom.c_str()),
                                            static_cast<uint32_t>(a), static_cast<uint32_t>(b)));
  // NULL is libBigWig's error return (a block that does not decompress or parse); a range
  // without data gives an empty list, not NULL.
  if (!iv)
    fail("cannot read ", chrom, ":", a + 1, "-", b, " from bigWig '", path_,
         "': libBigWig reports a read error (corrupt or truncated file?)");
  for (uint32_t k = 0; k < iv->l; ++k) {
    std::int64_t s = std::max<std::int64_t>(iv->start[k], a);
    std::int64_t e = std::min<std::int64_t>(iv->end[k], b);
    std::fill(out + (s - start), out + (e - start), iv->value[k]);
  }
}

void summarise_bins(const float* v, std::int64_t n, int bins, Summary how, double* out) {
  std::int64_t width = n / bins;
  for (int b = 0; b < bins; ++b) {
    std::int64_t s = b * width, e = (b == bins - 1) ? n : s + width;
    double acc = 0, best = how == Summary::Max ? -INFINITY : INFINITY;
    std::int64_t m = 0;
    for (std::int64_t i = s; i < e; ++i) {
      float x = v[i];
      if (std::isnan(x)) continue;
      ++m;
      acc += x;
      if (how == Summary::Max) best = std::max<double>(best, x);
      if (how == Summary::Min) best = std::min<double>(best, x);
    }
    if (m == 0) {
      out[b] = std::numeric_limits<double>::quiet_NaN();
    } else if (how == Summary::Mean) {
      out[b] = acc / static_cast<double>(m);
    } else if (how == Summary::Sum) {
      out[b] = acc;
    } else {
      out[b] = best;
    }
  }
}

void BigWigReader::binned(const std::string& chrom, std::int64_t start, std::int64_t end,
                          int bins, Summary how, double* out) const {
  if (bins <= 0 || end - start < bins)
    fail("bins (", bins, ") must be between 1 and the range width (", end - start, ")");
  std::vector<float> v(static_cast<std::size_t>(end - start));
  values(chrom, start, end, v.data());
  summarise_bins(v.data(), end - start, bins, how, out);
}

// ---- writer -------------------------------------------------------------------------------

struct BigWigWriter::Impl {
  AtomicFile file;
  std::unique_ptr<bigWigFile_t, BwCloser> bw;
  std::vector<std::string> chroms;
  std::vector<std::int64_t> lengths;
  int last_chrom = -1;
  explicit Impl(const std::string& path) : file(path) {}
};

BigWigWriter::BigWigWriter(const std::string& path, const std::vector<std::string>& chroms,
                           const std::vector<std::int64_t>& lengths)
    : impl_(std::make_unique<Impl>(path)) {
  ensure_bigwig_init();
  if (chroms.empty()) fail("cannot write bigWig '", path, "' without chromosomes");
  impl_->chroms = chroms;
  impl_->lengths = lengths;
  impl_->bw.reset(bwOpen(const_cast<char*>(impl_->file.temp_path().c_str()), nullptr, "w"));
  if (!impl_->bw) fail("cannot open bigWig '", path, "' for writing");
  if (bwCreateHdr(impl_->bw.get(), 10) != 0) fail("cannot create bigWig header for '", path, "'");
  std::vector<const char*> names;
  std::vector<uint32_t> lens;
  for (std::size_t i = 0; i < chroms.size(); ++i) {
    names.push_back(chroms[i].c_str());
    if (lengths[i] <= 0 || lengths[i] > std::numeric_limits<uint32_t>::max())
      fail("chromosome '", chroms[i], "' has an invalid length for bigWig: ", lengths[i]);
    lens.push_back(static_cast<uint32_t>(lengths[i]));
  }
  impl_->bw->cl = bwCreateChromList(names.data(), lens.data(), static_cast<int64_t>(names.size()));
  if (!impl_->bw->cl) fail("cannot create the chromosome list of bigWig '", path, "'");
  if (bwWriteHdr(impl_->bw.get()) != 0) fail("cannot write bigWig header of '", path, "'");
}

BigWigWriter::~BigWigWriter() = default;

namespace {
int chrom_order(const std::vector<std::string>& chroms, const std::string& c) {
  auto it = std::find(chroms.begin(), chroms.end(), c);
  if (it == chroms.end()) fail("chromosome '", c, "' is not among the bigWig's chromosomes");
  return static_cast<int>(it - chroms.begin());
}
}  // namespace

void BigWigWriter::add_intervals(const std::string& chrom, const std::vector<uint32_t>& starts,
                                 const std::vector<uint32_t>& ends,
                                 const std::vector<float>& values) {
  int ci = chrom_order(impl_->chroms, chrom);
  if (ci < impl_->last_chrom) fail("bigWig intervals must come in chromosome order ('", chrom, "')");
  impl_->last_chrom = ci;
  std::vector<const char*> cn;
  std::vector<uint32_t> s, e;
  std::vector<float> v;
  uint32_t prev_end = 0;
  for (std::size_t i = 0; i < starts.size(); ++i) {
    if (std::isnan(values[i])) continue;
    if (ends[i] <= starts[i] || starts[i] < prev_end ||
        ends[i] > static_cast<uint64_t>(impl_->lengths[static_cast<std::size_t>(ci)]))
      fail("bigWig intervals on '", chrom, "' must be sorted, non-overlapping and inside the ",
           "chromosome (interval ", i + 1, ": ", starts[i], "-", ends[i], ")");
    prev_end = ends[i];
    cn.push_back(impl_->chroms[static_cast<std::size_t>(ci)].c_str());
    s.push_back(starts[i]);
    e.push_back(ends[i]);
    v.push_back(values[i]);
  }
  // libBigWig batches by block; add in chunks so the first call names the chromosome.
  const std::size_t chunk = 1 << 16;
  for (std::size_t off = 0; off < s.size(); off += chunk) {
    uint32_t n = static_cast<uint32_t>(std::min(chunk, s.size() - off));
    if (bwAddIntervals(impl_->bw.get(), cn.data() + off, s.data() + off, e.data() + off,
                       v.data() + off, n) != 0)
      fail("libBigWig failed to add intervals on '", chrom, "'");
  }
}

void BigWigWriter::add_span(const std::string& chrom, uint32_t start, uint32_t span,
                            uint32_t step, const float* values, std::size_t n) {
  int ci = chrom_order(impl_->chroms, chrom);
  if (ci < impl_->last_chrom) fail("bigWig intervals must come in chromosome order ('", chrom, "')");
  impl_->last_chrom = ci;
  // Split at NaN: each finite run becomes one span-step block.
  std::size_t i = 0;
  while (i < n) {
    while (i < n && std::isnan(values[i])) ++i;
    std::size_t j = i;
    while (j < n && !std::isnan(values[j])) ++j;
    if (j > i) {
      uint32_t s0 = start + static_cast<uint32_t>(i) * step;
      if (bwAddIntervalSpanSteps(impl_->bw.get(), const_cast<char*>(chrom.c_str()), s0, span, step,
                                 const_cast<float*>(values + i), static_cast<uint32_t>(j - i)) != 0)
        fail("libBigWig failed to add values on '", chrom, "' at ", s0);
    }
    i = j;
  }
}

void BigWigWriter::close() {
  if (!impl_->bw) return;
  bwClose(impl_->bw.release());  // writes the index and zoom levels
  impl_->file.commit();
}

}  // namespace tracks
}  // namespace gdl
