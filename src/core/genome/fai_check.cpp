#include "genome/fai_check.hpp"

#include <htslib/bgzf.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <unordered_set>
#include <vector>

namespace gdl {
namespace genome {

namespace {
struct FaiRecord {
  std::string name;
  std::int64_t length = 0, offset = 0, line_bases = 0, line_width = 0;
};

struct BgzfCloser {
  void operator()(BGZF* f) const {
    if (f) bgzf_close(f);
  }
};

constexpr std::int64_t kMaxHeader = 1 << 20;  // a header line longer than 1 MB is not believed

bool parse_fai(const std::string& path, std::vector<FaiRecord>* out, std::string* why) {
  std::ifstream in(path);
  if (!in) {
    *why = "cannot read " + path;
    return false;
  }
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    std::istringstream f(line);
    FaiRecord r;
    if (!std::getline(f, r.name, '\t') || !(f >> r.length >> r.offset >> r.line_bases >> r.line_width) ||
        r.length < 0 || r.offset < 0 || r.line_bases <= 0 || r.line_width < r.line_bases) {
      *why = path + " line " + std::to_string(n) + " is not a FASTA index record";
      return false;
    }
    out->push_back(std::move(r));
  }
  if (out->empty()) {
    *why = path + " has no records";
    return false;
  }
  return true;
}

bool is_eol(char c) { return c == '\n' || c == '\r'; }

// Reads [from, from + n) of the uncompressed stream; fewer bytes at the end of the file.
bool read_at(BGZF* fp, std::int64_t from, std::int64_t n, std::string* buf) {
  buf->assign(static_cast<std::size_t>(n), '\0');
  if (bgzf_useek(fp, static_cast<off_t>(from), SEEK_SET) < 0) {
    buf->clear();
    return true;  // past the end: nothing there
  }
  ssize_t got = bgzf_read(fp, &(*buf)[0], static_cast<std::size_t>(n));
  if (got < 0) return false;
  buf->resize(static_cast<std::size_t>(got));
  return true;
}

// The byte before pos (the previous record's last base, by the index) must be a base: not a
// line end or a header, and inside the file. Nothing to check at the file start or after an
// empty record.
bool last_base_ok(BGZF* fp, std::int64_t pos, bool no_base) {
  if (no_base || pos == 0) return true;
  std::string b;
  if (!read_at(fp, pos - 1, 1, &b) || b.size() != 1) return false;
  return !is_eol(b[0]) && b[0] != '>';
}

// The name of a header line (after '>' up to the first blank).
std::string header_name(const std::string& s, std::size_t from, std::size_t to) {
  std::size_t e = from;
  while (e < to && s[e] != ' ' && s[e] != '\t' && !is_eol(s[e])) ++e;
  return s.substr(from, e - from);
}
}  // namespace

IndexCheck check_fasta_index(const std::string& fasta, bool bgzf) {
  IndexCheck res;
  auto bad = [&res](std::string why) {
    res.ok = false;
    res.reason = std::move(why);
    return res;
  };
  std::vector<FaiRecord> recs;
  std::string why;
  if (!parse_fai(fasta + ".fai", &recs, &why)) return bad(why);
  std::unique_ptr<BGZF, BgzfCloser> fp(bgzf_open(fasta.c_str(), "r"));
  if (!fp) return bad("cannot open " + fasta);
  if (bgzf && bgzf_index_load(fp.get(), fasta.c_str(), ".gzi") != 0)
    return bad("cannot read " + fasta + ".gzi");
  std::unordered_set<std::string> seen;
  std::int64_t pos = 0;      // first byte after the previous record's last base
  bool glued_ok = true;      // a header may start at pos (file start, or after an empty record)
  std::string buf;
  for (const FaiRecord& r : recs) {
    std::int64_t n = r.offset - pos;
    if (n < 2)
      return bad("record '" + r.name + "' starts at byte " + std::to_string(r.offset) +
                 ", which does not follow the previous record");
    if (!read_at(fp.get(), pos, std::min(n, kMaxHeader), &buf)) return bad("cannot read " + fasta);
    if (static_cast<std::int64_t>(buf.size()) != std::min(n, kMaxHeader))
      return bad("record '" + r.name + "' starts past the end of the file");
    if (!last_base_ok(fp.get(), pos, glued_ok))
      return bad("the sequence before '" + r.name + "' is shorter than the index says");
    std::size_t k = 0;
    while (k < buf.size() && is_eol(buf[k])) ++k;
    if (k == buf.size() || buf[k] != '>' || (k == 0 && !glued_ok) ||
        (n <= kMaxHeader && buf.back() != '\n'))
      return bad(pos == 0 ? "the file does not start with the header of '" + r.name + "'"
                          : "the sequence before '" + r.name + "' does not end where the index says");
    std::string name = header_name(buf, k + 1, buf.size());
    if (seen.count(name)) {
      res.duplicate = name;
      return bad("sequence name '" + name + "' occurs twice");
    }
    std::size_t nl = buf.find('\n', k);
    if (n > kMaxHeader || nl != buf.size() - 1) {
      // More than one line between the records: the index lacks a record, or belongs to
      // another file. (A repeated name, which htslib skips when indexing, was caught above.)
      return bad("the header before record '" + r.name + "' is not where the index says");
    }
    if (name != r.name)
      return bad("the index names record '" + r.name + "' but the FASTA has '" + name + "' there");
    seen.insert(r.name);
    glued_ok = r.length == 0;
    if (r.length == 0) {
      pos = r.offset;
      continue;
    }
    std::int64_t last = r.length - 1;
    pos = r.offset + (last / r.line_bases) * r.line_width + (last % r.line_bases) + 1;
  }
  // After the last record only line ends may follow; a header means a record the index lacks.
  if (!last_base_ok(fp.get(), pos, glued_ok))
    return bad("sequence '" + recs.back().name + "' is shorter than the index says");
  if (!read_at(fp.get(), pos, 1 << 16, &buf)) return bad("cannot read " + fasta);
  std::size_t k = 0;
  while (k < buf.size() && is_eol(buf[k])) ++k;
  if (k < buf.size()) {
    if (buf[k] == '>' && (k > 0 || glued_ok)) {
      std::string name = header_name(buf, k + 1, buf.size());
      if (seen.count(name)) {
        res.duplicate = name;
        return bad("sequence name '" + name + "' occurs twice");
      }
      return bad("the FASTA has a record '" + name + "' that the index lacks");
    }
    return bad("sequence '" + recs.back().name + "' is longer than the index says");
  }
  return res;
}

}  // namespace genome
}  // namespace gdl
