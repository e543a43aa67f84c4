// Parser of DeepBind "# deepbind 0.1" parameter files (format in model.hpp).
#include "deepbind/model.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/error.hpp"

namespace gdl {
namespace deepbind {

namespace {

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) --e;
  return s.substr(b, e - b);
}

// Lines of the file without their line endings (LF or CRLF); blank trailing lines dropped.
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
    start = nl + 1;
  }
  while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
  return lines;
}

class Reader {
 public:
  Reader(const std::string& text, const std::string& source)
      : lines_(split_lines(text)), source_(source) {}

  void header() {
    if (lines_.empty()) gdl::fail("DeepBind params file '", source_, "' is empty");
    std::string h = trim(lines_[0]);
    if (h.rfind("# deepbind ", 0) != 0)
      gdl::fail("DeepBind params file '", source_,
                "' does not start with \"# deepbind 0.1\" (line 1 is \"", h.substr(0, 40), "\")");
    if (trim(h.substr(11)) != "0.1")
      gdl::fail("DeepBind params file '", source_, "' is for deepbind ", trim(h.substr(11)),
                ", not 0.1");
    next_ = 1;
  }

  // The value text of the next line, which must be "<key> = <value>".
  std::string value(const char* key) {
    if (next_ >= lines_.size())
      gdl::fail("DeepBind params file '", source_, "': field '", key, "' is missing (file ends at line ",
                lines_.size(), ")");
    const std::string& line = lines_[next_];
    std::size_t eq = line.find('=');
    std::string k = trim(line.substr(0, eq == std::string::npos ? line.size() : eq));
    if (eq == std::string::npos || k != key)
      gdl::fail("DeepBind params file '", source_, "': line ", next_ + 1, " should hold field '", key,
                "', found '", k.substr(0, 40), "'");
    ++next_;
    return trim(line.substr(eq + 1));
  }

  int integer(const char* key, int lo, int hi) {
    std::string v = value(key);
    char* end = nullptr;
    errno = 0;
    long x = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || errno != 0 || x < lo || x > hi)
      gdl::fail("DeepBind params file '", source_, "': field '", key, "' should be an integer in [",
                lo, ", ", hi, "], found '", v.substr(0, 40), "'");
    return static_cast<int>(x);
  }

  std::vector<float> floats(const char* key, std::size_t expected) {
    std::string v = value(key);
    std::vector<float> out;
    // `expected` comes from the file's own header (up to 2^33 values): reserve no more than the
    // text can hold (a value and its comma take at least 2 characters), so that a corrupt
    // header is a size error below, not a multi-GB allocation.
    out.reserve(std::min(expected, v.size() / 2 + 1));
    if (!v.empty()) {
      const char* p = v.c_str();
      while (true) {
        char* end = nullptr;
        float x = std::strtof(p, &end);  // correctly rounded, like fscanf("%f")
        if (end == p || !std::isfinite(x))
          gdl::fail("DeepBind params file '", source_, "': field '", key, "' has a bad value at entry ",
                    out.size() + 1, " ('", std::string(p).substr(0, 20), "')");
        out.push_back(x);
        while (*end == ' ' || *end == '\t') ++end;
        if (*end == '\0') break;
        if (*end != ',')
          gdl::fail("DeepBind params file '", source_, "': field '", key, "' has a bad separator after entry ",
                    out.size(), " ('", std::string(end).substr(0, 20), "')");
        p = end + 1;
      }
    }
    if (out.size() != expected)
      gdl::fail("DeepBind params file '", source_, "': field '", key, "' has ", out.size(),
                " values, expected ", expected);
    return out;
  }

  void end() {
    if (next_ < lines_.size())
      gdl::fail("DeepBind params file '", source_, "': unexpected line ", next_ + 1, " after 'biases2'");
  }

 private:
  std::vector<std::string> lines_;
  std::string source_;
  std::size_t next_ = 0;
};

std::string file_id(const std::string& path) {
  std::size_t slash = path.find_last_of("/\\");
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::size_t dot = base.rfind(".txt");
  if (dot != std::string::npos && dot + 4 == base.size()) base = base.substr(0, dot);
  return base;
}

}  // namespace

Model parse_model(const std::string& text, const std::string& source) {
  Reader r(text, source);
  r.header();
  Model m;
  m.source = source;
  m.id = file_id(source);
  m.reverse_complement = r.integer("reverse_complement", 0, 1) == 1;
  m.num_detectors = r.integer("num_detectors", 1, 4096);
  m.detector_len = r.integer("detector_len", 1, 4096);
  m.has_avg_pooling = r.integer("has_avg_pooling", 0, 1) == 1;
  m.num_hidden = r.integer("num_hidden", 0, 65536);
  auto d = static_cast<std::size_t>(m.num_detectors);
  m.detectors = r.floats("detectors", d * static_cast<std::size_t>(m.detector_len) * 4);
  m.thresholds = r.floats("thresholds", d);
  auto h1 = static_cast<std::size_t>(m.hidden1()), h2 = static_cast<std::size_t>(m.hidden2());
  m.weights1 = r.floats("weights1", h1 * h2);
  m.biases1 = r.floats("biases1", h2);
  m.weights2 = r.floats("weights2", static_cast<std::size_t>(m.num_hidden));
  m.biases2 = r.floats("biases2", m.num_hidden > 0 ? 1 : 0);
  r.end();
  return m;
}

Model read_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) gdl::fail("cannot open DeepBind params file '", path, "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_model(ss.str(), path);
}

void validate_model(const Model& m) {
  auto need = [&](const char* field, std::size_t got, std::size_t want) {
    if (got != want)
      gdl::fail("DeepBind model '", m.id, "': field '", field, "' has ", got, " values, expected ", want);
  };
  if (m.num_detectors < 1 || m.detector_len < 1 || m.num_hidden < 0)
    gdl::fail("DeepBind model '", m.id, "': num_detectors and detector_len must be positive");
  auto d = static_cast<std::size_t>(m.num_detectors);
  need("detectors", m.detectors.size(), d * static_cast<std::size_t>(m.detector_len) * 4);
  need("thresholds", m.thresholds.size(), d);
  need("weights1", m.weights1.size(),
       static_cast<std::size_t>(m.hidden1()) * static_cast<std::size_t>(m.hidden2()));
  need("biases1", m.biases1.size(), static_cast<std::size_t>(m.hidden2()));
  need("weights2", m.weights2.size(), static_cast<std::size_t>(m.num_hidden));
  need("biases2", m.biases2.size(), m.num_hidden > 0 ? 1u : 0u);
}

}  // namespace deepbind
}  // namespace gdl
