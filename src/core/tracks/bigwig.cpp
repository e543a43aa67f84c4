#include "tracks/bigwig.hpp"

extern "C" {
#include <bigWig.h>
}

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <mutex>
#include <set>

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

// libBigWig's bwOpen trusts the file: a zoom-level count that runs past the end makes it free
// uninitialised pointers, a chromosome id past the count is written out of bounds, a cycle in
// the chromosome tree recurses without end (found by tests/fuzz/fuzz_bigwig). So the parts
// bwOpen reads -- header, zoom headers, summary, chromosome B+ tree, data index -- are
// checked here first (layout: UCSC bbiFile.h / bPlusTree.h, little-endian). Returns a reason,
// or "" when the file is fit for bwOpen.
std::string check_bigwig_structure(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(0, std::ios::end);
  const std::uint64_t size = static_cast<std::uint64_t>(std::max<std::streamoff>(in.tellg(), 0));
  auto read = [&](std::uint64_t off, void* out, std::size_t n) {
    if (off > size || n > size - off) return false;
    in.seekg(static_cast<std::streamoff>(off));
    return static_cast<bool>(in.read(static_cast<char*>(out), static_cast<std::streamsize>(n)));
  };
  unsigned char h[64];
  if (!read(0, h, sizeof h)) return "shorter than a bigWig header";
  auto u16 = [](const unsigned char* p) { return static_cast<std::uint32_t>(p[0] | p[1] << 8); };
  auto u32 = [](const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
  };
  auto u64 = [&](const unsigned char* p) {
    return static_cast<std::uint64_t>(u32(p)) | static_cast<std::uint64_t>(u32(p + 4)) << 32;
  };
  if (u32(h) != 0x888FFC26u) return "no bigWig magic number";
  const std::uint32_t zooms = u16(h + 6);
  const std::uint64_t chrom_tree = u64(h + 8), index = u64(h + 24), summary = u64(h + 44);
  if (zooms > 10) return "more zoom levels than the format allows (10)";  // UCSC's bbiMaxZoomLevels
  if (u32(h + 52) > (1u << 26)) return "an implausible decompression buffer size";
  auto past_end = [&](std::uint64_t off, std::uint64_t n) { return off > size || n > size - off; };
  if (past_end(64, 24ull * zooms) || (summary && past_end(summary, 40)) || past_end(index, 48) ||
      past_end(chrom_tree, 32))
    return "a header offset past the end of the file";
  unsigned char t[32];
  read(chrom_tree, t, sizeof t);
  const std::uint32_t key = u32(t + 8), val = u32(t + 12);
  const std::uint64_t count = u64(t + 16);
  if (u32(t) != 0x78CA8C91u || val != 8 || key == 0 || key > 255 || count == 0 ||
      count > size / (key + 8))
    return "a corrupt chromosome list header";
  // Walk the B+ tree as bwOpen does: every leaf id below the count, each seen once, no deeper
  // than a tree of `count` items can be.
  std::vector<bool> seen(static_cast<std::size_t>(count), false);
  std::uint64_t found = 0;
  std::vector<unsigned char> item(key + 8);
  std::function<bool(std::uint64_t, int)> walk = [&](std::uint64_t off, int depth) {
    unsigned char node[4];
    if (depth > 8 || !read(off, node, sizeof node)) return false;
    const std::uint32_t n = u16(node + 2);
    for (std::uint32_t i = 0; i < n; ++i) {
      if (!read(off + 4 + static_cast<std::uint64_t>(i) * (key + 8), item.data(), item.size()))
        return false;
      if (node[0]) {
        std::uint32_t id = u32(item.data() + key);
        if (id >= count || seen[id]) return false;
        seen[id] = true;
        ++found;
      } else if (!walk(u64(item.data() + key), depth + 1)) {
        return false;
      }
    }
    return true;
  };
  if (!walk(chrom_tree + 32, 0) || found != count) return "a corrupt chromosome list";
  // The data index (an R tree) that every read walks: libBigWig follows its child offsets
  // without looking for cycles (a node that was its own child overflowed the stack). Only the
  // inner nodes are read here, few and small; libBigWig reads leaves with bounds checks.
  unsigned char r[48];
  read(index, r, sizeof r);
  if (u32(r) != 0x2468ACE0u) return "a corrupt data index header";
  std::set<std::uint64_t> nodes;
  std::function<bool(std::uint64_t, int)> inner = [&](std::uint64_t off, int depth) {
    unsigned char node[4];
    if (depth > 32 || !nodes.insert(off).second || !read(off, node, sizeof node)) return false;
    if (node[0]) return true;  // a leaf
    std::vector<unsigned char> items(24 * static_cast<std::size_t>(u16(node + 2)));
    if (!read(off + 4, items.data(), items.size())) return false;
    for (std::size_t i = 0; i < items.size(); i += 24) {
      std::uint64_t child = u64(items.data() + i + 16);
      if (!inner(child ? child : index + 48, depth + 1)) return false;  // libBigWig: 0 is the root
    }
    return true;
  };
  if (!inner(index + 48, 0)) return "a corrupt data index";
  return "";
}
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
    if (!cl->chrom[i]) fail("bigWig file '", path, "' is corrupt (chromosome ", i, " has no name)");
    chroms_.emplace_back(cl->chrom[i]);
    lengths_.push_back(cl->len[i]);
  }
}

void BigWigReader::open() const {
  // libBigWig trusts the file's header, zoom and index offsets: check them first (a damaged
  // file crashed it in fuzzing).
  std::string why = check_bigwig_structure(path_);
  if (!why.empty()) fail("bigWig file '", path_, "' is corrupt or not a bigWig file (", why, ")");
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
