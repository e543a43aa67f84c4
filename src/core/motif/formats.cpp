// MEME and JASPAR motif files (see motif.hpp). MEME parsing follows MEME suite's
// motif-in-meme-text.c for what matters to the statistics: rows of a letter-probability matrix
// are renormalised only when they sum to 1 +- 1e-5 or worse (MEME's normalize_motif tolerance),
// and nsites / E are read from the matrix header. Unlike MEME, a row summing to more than 1e-2
// away from 1 (a row of counts, two rows run together) or to 0 is an error, never rescaled
// silently; so is a JASPAR column without counts.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "motif/motif.hpp"

namespace gdl::motif {

namespace {

std::string trim(const std::string& s) {
  std::size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  std::size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

bool starts_with(const std::string& s, const char* prefix) {
  return s.compare(0, std::char_traits<char>::length(prefix), prefix) == 0;
}

// Parses all numbers of a line; false when a token is not a number.
bool parse_numbers(const std::string& line, std::vector<double>& out) {
  out.clear();
  std::istringstream is(line);
  std::string tok;
  while (is >> tok) {
    char* end = nullptr;
    double v = std::strtod(tok.c_str(), &end);
    if (end == tok.c_str() || *end != '\0') return false;
    out.push_back(v);
  }
  return !out.empty();
}

// Rows summing to 1 within kRowTolerance are renormalised (rounding of printed probabilities);
// others are not probabilities at all.
constexpr double kRowTolerance = 1e-2;

void normalise_rows(Motif& m, const std::string& path) {
  for (int i = 0; i < m.width(); ++i) {
    double total = 0;
    for (int b = 0; b < 4; ++b) total += m.prob[4 * i + b];
    if (!(std::fabs(total - 1.0) <= kRowTolerance))
      fail("MEME file '", path, "': row ", i + 1, " of motif ", m.id, " sums to ", total,
           "; the letter probabilities of a position must sum to 1 (within ", kRowTolerance, ")");
    if (std::fabs(total - 1.0) > 1e-5)
      for (int b = 0; b < 4; ++b) m.prob[4 * i + b] /= total;
  }
}

std::ifstream open_or_fail(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) fail("cannot open ", what, " file '", path, "'");
  return in;
}

}  // namespace

MotifFile read_meme(const std::string& path) {
  std::ifstream in = open_or_fail(path, "MEME");
  MotifFile out;
  std::string raw;
  std::vector<double> nums;
  long lineno = 0;
  bool saw_version = false, in_background = false;
  Motif* cur = nullptr;
  int rows_expected = -1;  // > 0 while reading a matrix with a known width
  bool in_matrix = false;
  auto finish_matrix = [&]() {
    if (in_matrix && cur) {
      if (rows_expected > 0 && cur->width() != rows_expected)
        fail("MEME file '", path, "': motif ", cur->id, " has ", cur->width(),
             " matrix rows but w= ", rows_expected);
      normalise_rows(*cur, path);
    }
    in_matrix = false;
  };
  while (std::getline(in, raw)) {
    ++lineno;
    std::string line = trim(raw);
    if (in_matrix) {
      if (parse_numbers(line, nums)) {
        if (nums.size() != 4)
          fail("MEME file '", path, "' line ", lineno, ": expected 4 probabilities, found ",
               nums.size(), " (only the DNA alphabet ACGT is supported)");
        for (double v : nums) {
          if (!(v >= 0) || v > 1.0 + 1e-6)
            fail("MEME file '", path, "' line ", lineno, ": probability ", v, " is not in [0, 1]");
          cur->prob.push_back(v);
        }
        if (rows_expected > 0 && cur->width() == rows_expected) finish_matrix();
        continue;
      }
      finish_matrix();
    }
    if (in_background) {
      std::istringstream is(line);
      std::string letter;
      double v;
      bool any = false;
      while (is >> letter >> v) {
        any = true;
        static const std::string L = "ACGT";
        auto k = L.find(letter.empty() ? '?' : static_cast<char>(std::toupper(letter[0])));
        if (letter.size() != 1 || k == std::string::npos)
          fail("MEME file '", path, "' line ", lineno, ": background letter '", letter,
               "' is not one of A, C, G, T");
        out.background[k] = v;
      }
      in_background = false;
      if (any) continue;
    }
    if (line.empty() || line[0] == '#') continue;
    if (starts_with(line, "MEME version")) {
      saw_version = true;
    } else if (starts_with(line, "ALPHABET")) {
      auto eq = line.find('=');
      std::string a = eq == std::string::npos ? "" : trim(line.substr(eq + 1));
      if (!a.empty() && a != "ACGT")
        fail("MEME file '", path, "': alphabet '", a, "' is not supported (only ACGT)");
    } else if (starts_with(line, "Background letter frequencies")) {
      in_background = true;
    } else if (starts_with(line, "MOTIF")) {
      std::istringstream is(line.substr(5));
      out.motifs.emplace_back();
      cur = &out.motifs.back();
      is >> cur->id;
      std::string rest;
      std::getline(is, rest);
      rest = trim(rest);
      // The second identifier is the next word unless it is a key=value pair.
      if (!rest.empty()) {
        std::string word = rest.substr(0, rest.find_first_of(" \t"));
        if (word.find('=') == std::string::npos) cur->name = word;
      }
      if (cur->id.empty()) fail("MEME file '", path, "' line ", lineno, ": MOTIF without an id");
      // A control character (e.g. NUL) in an identifier would be cut or garbled by every
      // writer of the motif (MEME, TFBSTools, plots): refuse it here.
      for (const std::string* s : {&cur->id, &cur->name})
        for (char c : *s)
          if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            fail("MEME file '", path, "' line ", lineno,
                 ": MOTIF identifier holds a control character (byte ",
                 static_cast<int>(static_cast<unsigned char>(c)), ")");
    } else if (line.find("letter-probability matrix") != std::string::npos) {
      if (!cur) fail("MEME file '", path, "' line ", lineno, ": matrix before any MOTIF line");
      if (!cur->prob.empty())
        fail("MEME file '", path, "': repeated letter-probability matrix in motif ", cur->id);
      rows_expected = -1;
      std::string kv = line.substr(line.find(':') + 1);
      // key= value pairs, spaces allowed around '='
      std::size_t pos = 0;
      while ((pos = kv.find('=', pos)) != std::string::npos) {
        std::size_t ke = pos;
        while (ke > 0 && kv[ke - 1] == ' ') --ke;
        std::size_t kb = kv.find_last_of(" \t", ke == 0 ? 0 : ke - 1);
        kb = kb == std::string::npos ? 0 : kb + 1;
        std::string key = kv.substr(kb, ke - kb);
        std::size_t vb = kv.find_first_not_of(" \t", pos + 1);
        std::size_t ve = vb == std::string::npos ? kv.size() : kv.find_first_of(" \t", vb);
        std::string val = vb == std::string::npos ? "" : kv.substr(vb, ve - vb);
        double v = std::strtod(val.c_str(), nullptr);
        // Compared as doubles: a huge or NaN value cast to int is undefined behaviour.
        if (key == "alength" && v != 4)
          fail("MEME file '", path, "': motif ", cur->id, " has alength= ", val, " (only 4 is supported)");
        if (key == "w") {
          if (!(v >= 1 && v <= 1e6 && v == std::floor(v)))
            fail("MEME file '", path, "' line ", lineno, ": motif ", cur->id, " has w= ", val,
                 " (the width must be a whole number of positions, 1 to 1e6)");
          rows_expected = static_cast<int>(v);
        }
        if (key == "nsites") cur->nsites = v;
        if (key == "E" || key == "P") cur->evalue = v;
        pos = pos + 1;
      }
      in_matrix = true;
    } else if (starts_with(line, "URL") && cur) {
      cur->url = trim(line.substr(3));
    }
  }
  finish_matrix();
  if (!saw_version) fail("'", path, "' is not a MEME motif file (no 'MEME version' line)");
  for (auto& m : out.motifs)
    if (m.prob.empty()) fail("MEME file '", path, "': motif ", m.id, " has no letter-probability matrix");
  return out;
}

void write_meme(const std::vector<Motif>& motifs, const std::string& path) {
  AtomicFile file(path);
  {
    FILE* f = std::fopen(file.temp_path().c_str(), "w");
    if (!f) fail("cannot write MEME file '", path, "'");
    std::fputs("MEME version 4.9.0\n\nALPHABET= ACGT\n\nstrands: + -\n\n"
               "Background letter frequencies (from uniform background):\n"
               "A 0.25000 C 0.25000 G 0.25000 T 0.25000\n\n", f);
    for (const auto& m : motifs) {
      std::fprintf(f, "MOTIF %s%s%s\n", m.id.c_str(), m.name.empty() ? "" : " ", m.name.c_str());
      std::fprintf(f, "letter-probability matrix: alength= 4 w= %i nsites= %i E= 1337.0e-6\n",
                   m.width(), static_cast<int>(std::lround(m.nsites)));
      for (int i = 0; i < m.width(); ++i)
        std::fprintf(f, "%f %f %f %f\n", m.at(i, 0), m.at(i, 1), m.at(i, 2), m.at(i, 3));
      std::fputs("\n", f);
    }
    if (std::fclose(f) != 0) fail("error writing MEME file '", path, "'");
  }
  file.commit();
}

MotifFile read_jaspar(const std::string& path) {
  std::ifstream in = open_or_fail(path, "JASPAR");
  MotifFile out;
  std::string raw;
  long lineno = 0;
  std::vector<std::vector<double>> rows;
  std::string id, name;
  auto flush = [&]() {
    if (rows.empty()) return;
    if (rows.size() != 4)
      fail("JASPAR file '", path, "': matrix ", id, " has ", rows.size(), " rows (expected A, C, G, T)");
    std::size_t w = rows[0].size();
    for (auto& r : rows)
      if (r.size() != w) fail("JASPAR file '", path, "': rows of matrix ", id, " differ in length");
    Motif m;
    m.id = id.empty() ? "motif" + std::to_string(out.motifs.size() + 1) : id;
    m.name = name;
    m.prob.resize(4 * w);
    for (std::size_t j = 0; j < w; ++j) {
      double tot = rows[0][j] + rows[1][j] + rows[2][j] + rows[3][j];
      if (!std::isfinite(tot))
        fail("JASPAR file '", path, "': the counts of column ", j + 1, " of matrix ", id,
             " add up to more than a double holds");
      if (j == 0) m.nsites = tot;
      if (!(tot > 0))
        fail("JASPAR file '", path, "': column ", j + 1, " of matrix ", m.id, " has no counts ",
             "(every base 0); a motif needs counts at each position");
      for (int b = 0; b < 4; ++b) m.prob[4 * j + b] = rows[b][j] / tot;
    }
    out.motifs.push_back(std::move(m));
    rows.clear();
    id.clear();
    name.clear();
  };
  std::vector<double> nums;
  while (std::getline(in, raw)) {
    ++lineno;
    std::string line = trim(raw);
    if (line.empty()) continue;
    if (line[0] == '>') {
      flush();
      std::istringstream is(line.substr(1));
      is >> id;
      std::getline(is, name);
      name = trim(name);
      continue;
    }
    std::string body = line;
    if (std::isalpha(static_cast<unsigned char>(line[0]))) {
      char letter = static_cast<char>(std::toupper(static_cast<unsigned char>(line[0])));
      if (std::string("ACGT").find(letter) != rows.size())
        fail("JASPAR file '", path, "' line ", lineno, ": expected the row of ",
             "ACGT"[rows.size() % 4], " but found '", line[0], "'");
      body = line.substr(1);
    }
    for (char& c : body)
      if (c == '[' || c == ']') c = ' ';
    if (!parse_numbers(trim(body), nums))
      fail("JASPAR file '", path, "' line ", lineno, ": cannot read counts from '", line, "'");
    for (double v : nums)
      if (!(v >= 0) || !std::isfinite(v))
        fail("JASPAR file '", path, "' line ", lineno, ": count ", v,
             " is not a finite number >= 0");
    rows.push_back(nums);
    if (rows.size() == 4 && id.empty()) flush();  // bare .pfm: one matrix of 4 rows
  }
  flush();
  if (out.motifs.empty()) fail("JASPAR file '", path, "' holds no matrix");
  return out;
}

std::vector<double> reverse_complement(const std::vector<double>& prob) {
  std::size_t w = prob.size() / 4;
  std::vector<double> rc(prob.size());
  for (std::size_t i = 0; i < w; ++i)
    for (int b = 0; b < 4; ++b) rc[4 * i + b] = prob[4 * (w - 1 - i) + (3 - b)];
  return rc;
}

}  // namespace gdl::motif
