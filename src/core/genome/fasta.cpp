// FastaGenome on htslib faidx. One faidx_t is not safe to share between threads (it owns a
// BGZF stream with a file position), so the genome keeps a pool: a reader takes a free handle,
// or opens a new one, and gives it back when done. Handles are closed by their RAII owner.
#include <htslib/bgzf.h>
// Nor is a faidx_t safe to share between processes: after fork() the child's descriptor shares
// the parent's file offset, so reads in the two interleave their seeks and return wrong bases
// (in the child and, afterwards, in the parent). The pool records the process that opened its
// handles; in any other process it abandons them and opens its own (see common/process.hpp).
// The index is verified against the FASTA on open (genome/fai_check.hpp): a .fai older than
// the FASTA or disagreeing with it is rebuilt when the folder is writable, else an error.
#include <htslib/faidx.h>
#include <htslib/hts.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/process.hpp"
#include "genome/bases.hpp"
#include "genome/fai_check.hpp"
#include "genome/genome.hpp"

namespace gdl {
namespace genome {

namespace {
struct FaiDeleter {
  void operator()(faidx_t* f) const {
    if (f) fai_destroy(f);
  }
};
using FaiHandle = std::unique_ptr<faidx_t, FaiDeleter>;

bool file_exists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

// True when file a was last modified strictly before file b (nanosecond times).
bool older_than(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  if (stat(a.c_str(), &sa) != 0 || stat(b.c_str(), &sb) != 0) return false;
  if (sa.st_mtim.tv_sec != sb.st_mtim.tv_sec) return sa.st_mtim.tv_sec < sb.st_mtim.tv_sec;
  return sa.st_mtim.tv_nsec < sb.st_mtim.tv_nsec;
}

// (Re)builds <path>.fai (and .gzi) through temporary files renamed over the targets, so that
// a build that is killed or fails never leaves a partial index to be trusted later.
void build_index(const std::string& path, bool bgzf) {
  AtomicFile fai(path + ".fai");
  std::unique_ptr<AtomicFile> gzi;
  if (bgzf) gzi = std::make_unique<AtomicFile>(path + ".gzi");
  if (fai_build3(path.c_str(), fai.temp_path().c_str(), gzi ? gzi->temp_path().c_str() : nullptr) != 0)
    fail("FASTA '", path, "' is malformed: htslib could not index it (check that every ",
         "record has a '>' header and lines of equal length within a record)");
  if (gzi) gzi->commit();
  fai.commit();
}

std::string dir_of(const std::string& p) {
  auto slash = p.find_last_of('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : p.substr(0, slash));
}

// Peeks at the first bytes: gzip magic, and whether it is BGZF (the "BC" extra field).
void check_compression(const std::string& path, bool* is_bgzf) {
  *is_bgzf = false;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) fail("cannot open FASTA '", path, "': ", std::strerror(errno));
  unsigned char h[18] = {0};
  std::size_t n = std::fread(h, 1, sizeof h, f);
  std::fclose(f);
  if (n == 0) fail("FASTA '", path, "' is empty");
  if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b) {
    if (n >= 16 && (h[3] & 4) && h[12] == 'B' && h[13] == 'C') {
      *is_bgzf = true;
    } else {
      fail("FASTA '", path, "' is gzip-compressed but not with bgzip, so it cannot be indexed; ",
           "recompress it with 'bgzip' (htslib) or read it into memory with ",
           "Biostrings::readDNAStringSet()");
    }
  } else if (h[0] != '>') {
    fail("FASTA '", path, "' is malformed: it does not start with a '>' header line");
  }
}

// htslib trusts a .fai: a record with sequence but a line width of 0 (a first line holding no
// bases, e.g. only control characters, or a hand-made index) makes faidx_fetch divide by zero,
// and an index line it cannot parse leaks the FASTA handle it opened (htslib 1.16). Each line
// must be a name and 4 (FASTA) or 5 (FASTQ) whole numbers that fit in 64 bits. Checked before
// htslib reads an existing index and after it builds one (found by tests/fuzz/fuzz_fasta).
void check_fai_lines(const std::string& fasta, const std::string& fai) {
  std::ifstream in(fai);
  if (!in) return;  // an index that cannot be read is htslib's to report
  std::string line;
  long n = 0;
  while (std::getline(in, line)) {
    ++n;
    // Fields as htslib splits them: at any white space (a name holding '\r' is two fields).
    std::size_t name_end = 0;
    while (name_end < line.size() && !std::isspace(static_cast<unsigned char>(line[name_end])))
      ++name_end;
    long long v[5] = {0, 0, 0, 0, 0};
    int fields = 0;
    const char* p = name_end == 0 ? nullptr : line.c_str() + name_end;
    while (p && fields < 5) {
      while (std::isspace(static_cast<unsigned char>(*p))) ++p;
      if (*p == '\0') break;
      char* end = nullptr;
      errno = 0;
      v[fields] = std::strtoll(p, &end, 10);
      if (end == p || errno == ERANGE || v[fields] < 0) break;
      ++fields;
      p = end;
    }
    while (p && std::isspace(static_cast<unsigned char>(*p))) ++p;
    bool whole = p && *p == '\0' && (fields == 4 || fields == 5);
    if (!whole)
      fail("FASTA '", fasta, "': its index ", fai, " is corrupt at line ", n,
           " (expected a name and 4 or 5 whole numbers); delete the .fai to rebuild it");
    if (v[0] > 0 && (v[2] <= 0 || v[3] < v[2]))
      fail("FASTA '", fasta, "' is malformed or its index ", fai, " is: record ", n,
           " has a sequence line without bases (line width 0) or lines shorter than their bases; ",
           "check that each record's first sequence line holds bases, then delete the .fai");
  }
}

// Building the index of a bgzip FASTA, htslib 1.16 crashes (in hclose_abruptly) on a block
// cut short. Before it reads the whole file to index it, the block chain is walked here: each
// block a BGZF header (gzip magic, FEXTRA, the "BC" field) whose size lies inside the file.
void check_bgzf_blocks(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) fail("cannot open FASTA '", path, "': ", std::strerror(errno));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(f, &std::fclose);
  if (std::fseek(f, 0, SEEK_END) != 0) fail("cannot read FASTA '", path, "'");
  const long long size = std::ftell(f);
  long long off = 0, block = 0;
  while (off < size) {
    unsigned char h[18];
    ++block;
    bool ok = std::fseek(f, off, SEEK_SET) == 0 && std::fread(h, 1, sizeof h, f) == sizeof h &&
              h[0] == 0x1f && h[1] == 0x8b && h[2] == 8 && (h[3] & 4) && h[10] == 6 &&
              h[11] == 0 && h[12] == 'B' && h[13] == 'C' && h[14] == 2 && h[15] == 0;
    long long bsize = ok ? (h[16] | h[17] << 8) + 1 : 0;
    if (!ok || bsize < 26 || bsize > size - off)
      fail("FASTA '", path, "' is corrupt: bgzip block ", block, " (at byte ", off,
           ") is cut short or damaged; recompress it with 'bgzip'");
    off += bsize;
  }
  // ... and its data must inflate with matching CRCs: htslib's index builder crashed in its
  // error path on a block that does not (read once here with htslib's own BGZF reader).
  BGZF* z = bgzf_open(path.c_str(), "r");
  if (!z) fail("cannot open FASTA '", path, "' as bgzip");
  std::vector<char> buf(1 << 16);
  ssize_t got = 0;
  while ((got = bgzf_read(z, buf.data(), buf.size())) > 0) {
  }
  bgzf_close(z);
  if (got < 0)
    fail("FASTA '", path, "' is corrupt: its bgzip data do not decompress (damaged block or ",
         "checksum); recompress it with 'bgzip'");
}

FaiHandle load(const std::string& path, bool create) {
  faidx_t* f = fai_load3(path.c_str(), nullptr, nullptr, create ? FAI_CREATE : 0);
  return FaiHandle(f);
}
}  // namespace

struct FastaGenome::Pool {
  std::mutex mutex;
  std::vector<FaiHandle> free;
  std::string path;
  pid_t owner = current_pid();  // the process whose handles `free` holds

  FaiHandle take() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      pid_t me = current_pid();
      if (owner != me) {
        // A forked child: the handles are the parent's. They are leaked, not closed: closing
        // a stream may seek the descriptor whose offset the parent still relies on.
        for (auto& h : free) (void)h.release();
        free.clear();
        owner = me;
      }
      if (!free.empty()) {
        FaiHandle h = std::move(free.back());
        free.pop_back();
        return h;
      }
    }
    FaiHandle h = load(path, false);
    if (!h) fail("cannot reopen FASTA index of '", path, "'");
    return h;
  }
  void give(FaiHandle h) {
    std::lock_guard<std::mutex> lock(mutex);
    free.push_back(std::move(h));
  }
};

FastaGenome::FastaGenome(const std::string& path, FastaOptions options)
    : path_(path), pool_(std::make_unique<Pool>()) {
  pool_->path = path;
  bool bgzf = false;
  check_compression(path, &bgzf);
  std::string fai = path + ".fai", gzi = path + ".gzi";
  bool have_index = file_exists(fai) && (!bgzf || file_exists(gzi));
  bool writable = access(dir_of(path).c_str(), W_OK) == 0;
  bool verified = false;
  if (!have_index) {
    if (!options.build_index)
      fail("FASTA '", path, "' has no index (", fai, "); build one with samtools faidx");
    if (!writable)
      fail("FASTA '", path, "' has no index and its folder is not writable; build ", fai,
           " with 'samtools faidx' or copy the FASTA to a writable folder");
    if (bgzf) check_bgzf_blocks(path);  // htslib's index builder crashes on damaged blocks
    build_index(path, bgzf);
  } else {
    check_fai_lines(path, fai);  // lines htslib cannot parse: errors, not a crash or a leak
    std::string stale;
    if (older_than(fai, path)) stale = fai + " is older than the FASTA";
    else if (bgzf && older_than(gzi, path)) stale = gzi + " is older than the FASTA";
    IndexCheck c;
    if (stale.empty()) c = check_fasta_index(path, bgzf);
    if (!c.duplicate.empty())
      fail("FASTA '", path, "' has two sequences named '", c.duplicate, "'; sequence names must ",
           "be unique");
    if (!stale.empty() || !c.ok) {
      std::string why = stale.empty() ? "its index " + fai + " disagrees with it (" + c.reason + ")"
                                      : stale;
      if (!options.build_index || !writable)
        fail("FASTA '", path, "': ", why, "; rebuild the index with 'samtools faidx'",
             options.build_index ? " (its folder is not writable)" : " or use buildIndex = TRUE");
      if (bgzf) check_bgzf_blocks(path);
      build_index(path, bgzf);
    } else {
      verified = true;
    }
  }
  if (!verified) {
    // A freshly built index is checked too: htslib skips a repeated name when indexing.
    IndexCheck c = check_fasta_index(path, bgzf);
    if (!c.duplicate.empty())
      fail("FASTA '", path, "' has two sequences named '", c.duplicate, "'; sequence names must ",
           "be unique");
    if (!c.ok) fail("FASTA '", path, "' is malformed: ", c.reason);
  }
  FaiHandle h = load(path, false);
  if (!h)
    fail("FASTA '", path, "' is malformed: htslib could not index it (check that every ",
         "record has a '>' header and lines of equal length within a record)");
  if (!have_index) check_fai_lines(path, fai);
  int n = faidx_nseq(h.get());
  if (n <= 0) fail("FASTA '", path, "' holds no sequences");
  std::vector<std::string> names;
  std::vector<std::int64_t> lengths;
  for (int i = 0; i < n; ++i) {
    const char* name = faidx_iseq(h.get(), i);
    names.emplace_back(name);
    // htslib (1.16: an int) wraps a length too large (a corrupt .fai) to a negative one.
    int len = faidx_seq_len(h.get(), name);
    if (len < 0)
      fail("FASTA '", path, "': its index ", fai, " gives '", name, "' an impossible length (",
           len, "); delete the .fai to rebuild it");
    lengths.push_back(static_cast<std::int64_t>(len));
  }
  set_index(std::move(names), std::move(lengths));
  pool_->give(std::move(h));
}

FastaGenome::~FastaGenome() = default;

std::string FastaGenome::description() const { return "FASTA '" + path_ + "'"; }

void FastaGenome::fetch_impl(int chrom, std::int64_t start, std::int64_t end, char* out) const {
  FaiHandle h = pool_->take();
  hts_pos_t got = 0;
  // faidx_fetch_seq64 takes an inclusive end.
  char* s = faidx_fetch_seq64(h.get(), names()[static_cast<std::size_t>(chrom)].c_str(), start,
                              end - 1, &got);
  if (!s || got != end - start) {
    std::free(s);
    pool_->give(std::move(h));
    fail("cannot read ", names()[static_cast<std::size_t>(chrom)], ":", start + 1, "-", end,
         " from FASTA '", path_, "' (truncated or corrupt file?)");
  }
  std::memcpy(out, s, static_cast<std::size_t>(got));
  std::free(s);
  pool_->give(std::move(h));
  // faidx returns every printable byte of the sequence lines: a digit or '!' in a FASTA (a
  // damaged or non-DNA file) would otherwise be encoded as N without a word. One table lookup
  // per byte, next to faidx's own per-byte copy.
  auto n = static_cast<std::size_t>(got);
  std::size_t bad = first_invalid(out, n);
  if (bad < n)
    fail("FASTA '", path_, "' has '", std::string(1, out[bad]), "', not a nucleotide (IUPAC) code, at ",
         names()[static_cast<std::size_t>(chrom)], ":", start + static_cast<std::int64_t>(bad) + 1,
         "; fix or remove that sequence");
}

std::shared_ptr<Genome> open_fasta(const std::string& path, FastaOptions options) {
  return std::make_shared<FastaGenome>(path, options);
}

}  // namespace genome
}  // namespace gdl
