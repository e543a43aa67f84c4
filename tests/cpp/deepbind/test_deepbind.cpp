// DeepBind: parameter files, conformance with the original v0.11 program's outputs, and the
// fast path against the reference path.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "deepbind/model.hpp"
#include "deepbind/score.hpp"
#include "genome/genome.hpp"
#include "helpers.hpp"

using namespace gdl::deepbind;

namespace {

std::string db(const std::string& f) { return gdltest::shared("deepbind/" + f); }

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> split_tabs(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string x;
  while (std::getline(ss, x, '\t')) out.push_back(x);
  return out;
}

std::vector<Model> load_ids(const std::vector<std::string>& ids) {
  std::vector<Model> models;
  for (const auto& id : ids) models.push_back(read_model(db("params/" + id + ".txt")));
  return models;
}

std::vector<SeqRef> refs(const std::vector<std::string>& seqs) {
  std::vector<SeqRef> r;
  for (const auto& s : seqs) r.push_back({s.data(), s.size()});
  return r;
}

std::vector<float> run(const std::vector<Model>& models, const std::vector<std::string>& seqs,
                       ScoreOptions opt) {
  Scorer sc(models, opt);
  std::vector<float> out(seqs.size() * models.size());
  sc.score(refs(seqs), out.data());
  return out;
}

// Compares scores with a table printed by the original (header of IDs, then %f rows).
void check_table(const std::string& table, const std::vector<std::string>& seqs, Method method) {
  auto lines = read_lines(table);
  auto ids = split_tabs(lines[0]);
  ScoreOptions opt;
  opt.method = method;
  auto models = load_ids(ids);
  auto out = run(models, seqs, opt);
  REQUIRE(lines.size() == seqs.size() + 1);
  double worst = 0;
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    auto cells = split_tabs(lines[i + 1]);
    REQUIRE(cells.size() == ids.size());
    for (std::size_t j = 0; j < ids.size(); ++j) {
      double want = std::stod(cells[j]);
      double got = out[i + seqs.size() * j];
      worst = std::max(worst, std::fabs(got - want));
      INFO("sequence " << i + 1 << ", model " << ids[j]);
      CHECK(std::fabs(got - want) <= 2e-6);
    }
  }
  INFO("largest difference " << worst);
  CHECK(worst <= 2e-6);
}

std::string random_seq(std::mt19937& rng, std::size_t n, double p_n) {
  const char* bases = "ACGT";
  std::uniform_int_distribution<int> b(0, 3);
  std::uniform_real_distribution<double> u(0, 1);
  std::string s(n, 'A');
  for (auto& c : s) c = u(rng) < p_n ? 'N' : bases[b(rng)];
  return s;
}

bool bits_equal(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0 || a == b; }

}  // namespace

TEST_CASE("DeepBind params files parse with their architectures", "[deepbind]") {
  if (!gdltest::exists(db("params"))) { WARN("../shared/data/deepbind is not available: skipped"); return; };
  struct Arch { const char* id; bool rc; int m; bool avg; int hidden; };
  const Arch arch[] = {{"D00210.001", false, 16, true, 32}, {"D00410.003", true, 20, false, 0},
                       {"D00328.018", true, 36, false, 0},  {"D00001.001", true, 24, true, 0},
                       {"D00027.003", true, 14, false, 32}, {"D00085.001", false, 16, true, 0}};
  for (const auto& a : arch) {
    Model m = read_model(db(std::string("params/") + a.id + ".txt"));
    CHECK(m.id == a.id);
    CHECK(m.reverse_complement == a.rc);
    CHECK(m.detector_len == a.m);
    CHECK(m.has_avg_pooling == a.avg);
    CHECK(m.num_hidden == a.hidden);
    CHECK(m.num_detectors == 16);
    CHECK(m.detectors.size() == static_cast<std::size_t>(16 * a.m * 4));
    CHECK(m.weights1.size() == static_cast<std::size_t>(m.hidden1() * m.hidden2()));
    CHECK(m.default_window() == static_cast<int>(a.m * 1.5));
  }
  // The first detector weight of D00210.001, as printed in the file, read as float.
  Model m = read_model(db("params/D00210.001.txt"));
  CHECK(m.detector(0, 0, 0) == -4.882738367e-02f);
  CHECK(m.detector(1, 0, 0) == 7.276736945e-02f);   // index k + d*(base + 4*pos): k = 1
  CHECK(m.detector(0, 0, 1) == -3.452897370e-01f);  // base 1 of position 0 is entry 16
}

TEST_CASE("malformed params files give errors naming the file and the field", "[deepbind]") {
  const std::string good =
      "# deepbind 0.1\nreverse_complement = 0\nnum_detectors = 1\ndetector_len = 1\n"
      "has_avg_pooling = 0\nnum_hidden = 0\ndetectors = 1,2,3,4\nthresholds = 0.5\n"
      "weights1 = 2\nbiases1 = -1\nweights2 = \nbiases2 = \n";
  Model m = parse_model(good, "x.txt");
  CHECK(m.detectors.size() == 4);
  CHECK(m.biases2.empty());
  auto bad = [&](const std::string& from, const std::string& to) {
    std::string t = good;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  CHECK_THROWS_WITH(parse_model(bad("detectors = 1,2,3,4", "detectors = 1,2,3"), "f.txt"),
                    Catch::Contains("f.txt") && Catch::Contains("'detectors' has 3 values, expected 4"));
  CHECK_THROWS_WITH(parse_model(bad("thresholds = 0.5", "thresholds = x"), "f.txt"),
                    Catch::Contains("'thresholds' has a bad value"));
  CHECK_THROWS_WITH(parse_model(bad("num_hidden = 0", "num_hiden = 0"), "f.txt"),
                    Catch::Contains("field 'num_hidden'"));
  CHECK_THROWS_WITH(parse_model(bad("# deepbind 0.1", "# deepbind 0.2"), "f.txt"),
                    Catch::Contains("0.2, not 0.1"));
  CHECK_THROWS_WITH(parse_model(bad("has_avg_pooling = 0", "has_avg_pooling = 2"), "f.txt"),
                    Catch::Contains("'has_avg_pooling' should be an integer in [0, 1]"));
  CHECK_THROWS_AS(read_model("/nonexistent/D1.txt"), gdl::Error);
}

TEST_CASE("a hand-computed one-detector model", "[deepbind]") {
  // d = 1, m = 2, weights A:(1, 2) C:(0, 0) G:(0, 0) T:(0, 0), threshold -1, dense 2x - 1.
  const std::string text =
      "# deepbind 0.1\nreverse_complement = 0\nnum_detectors = 1\ndetector_len = 2\n"
      "has_avg_pooling = 0\nnum_hidden = 0\ndetectors = 1,0,0,0,2,0,0,0\nthresholds = -1\n"
      "weights1 = 2\nbiases1 = -1\nweights2 = \nbiases2 = \n";
  std::vector<Model> models{parse_model(text, "D1.txt")};
  // "AA": positions (N,A)=0.25+2-1, (A,A)=1+2-1=2, (A,N)=1+0.5-1=0.5 -> max 2 -> 2*2-1 = 3.
  // "CC": (N,C)=0.25-1<0, (C,C)=-1, (C,N)=0.5-1 -> all 0 -> -1.
  // "CCCAA" window 3 (int(1.5*2)): windows CCC, CCA, CAA -> CAA holds AA -> 3.
  auto out = run(models, {"AA", "CC", "CCCAA"}, ScoreOptions{});
  CHECK(out[0] == 3.0f);
  CHECK(out[1] == -1.0f);
  CHECK(out[2] == 3.0f);
  ScoreOptions avg;
  avg.average = true;
  // Windows CCC -> -1; CCA -> (C,A) = 0+2-1 = 1 -> 2*1-1 = 1; CAA -> 3; sum / length 5.
  CHECK(run(models, {"CCCAA"}, avg)[0] == (((0.0f + -1.0f) + 1.0f) + 3.0f) / 5.0f);
}

TEST_CASE("the published v0.11 example table is reproduced", "[deepbind]") {
  if (!gdltest::exists(db("expected/example_v011.tsv"))) { WARN("../shared/data/deepbind is not available: skipped"); return; };
  auto seqs = read_lines(db("inputs/example.seq"));
  check_table(db("expected/example_v011.tsv"), seqs, Method::Fast);
  check_table(db("expected/example_v011.tsv"), seqs, Method::Reference);
}

TEST_CASE("the original's outputs on 34 test sequences x 16 models are reproduced", "[deepbind]") {
  if (!gdltest::exists(db("expected/testseqs_default.tsv"))) { WARN("../shared/data/deepbind is not available: skipped"); return; };
  auto seqs = read_lines(db("inputs/test_seqs.seq"));
  check_table(db("expected/testseqs_default.tsv"), seqs, Method::Fast);
  check_table(db("expected/testseqs_default.tsv"), seqs, Method::Reference);
}

TEST_CASE("DeepBindToKeras' flank-padded outputs are reproduced with padding = Flank", "[deepbind]") {
  if (!gdltest::exists(db("params"))) { WARN("../shared/data/deepbind is not available: skipped"); return; };
  auto seqs = read_lines(db("inputs/example.seq"));
  auto models = load_ids({"D00210.001", "D00120.001", "D00410.003", "D00328.003"});
  const double want[4][4] = {{7.059108, -0.187212, -0.649447, -0.026180},
                             {-0.172609, 4.295672, 0.666795, -0.910773},
                             {-0.140683, 0.181295, 5.885349, -0.026180},
                             {-0.174985, -0.152521, -0.379695, 17.682623}};
  ScoreOptions opt;
  opt.padding = Padding::Flank;
  auto out = run(models, seqs, opt);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) CHECK(std::fabs(out[i + 4 * j] - want[i][j]) <= 1e-5);
}

TEST_CASE("fast and reference paths give the same floats under every option", "[deepbind]") {
  if (!gdltest::exists(db("params"))) { WARN("../shared/data/deepbind is not available: skipped"); return; };
  auto ids = read_lines(db("inputs/models.ids"));
  auto models = load_ids(ids);
  auto seqs = read_lines(db("inputs/test_seqs.seq"));
  seqs.resize(24);  // up to 500 bases: the reference path is slow
  std::mt19937 rng(42);
  for (std::size_t n : {60, 101, 150}) seqs.push_back(random_seq(rng, n, 0.0));
  seqs.push_back(random_seq(rng, 120, 0.15));
  // a strong site repeated: many windows tie for the maximum
  seqs.push_back("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  seqs.push_back("CCGCGCCCCCTGGTGGCCACTAGGGGGCGCCACCGCCCCCTGGTGGC");
  struct Case { int window; bool average; Padding pad; Strands strands; };
  const Case cases[] = {{0, false, Padding::N, Strands::Model},    {0, true, Padding::N, Strands::Model},
                        {10, false, Padding::N, Strands::Model},   {60, false, Padding::N, Strands::Model},
                        {30, true, Padding::N, Strands::Model},    {0, false, Padding::Flank, Strands::Model},
                        {0, true, Padding::Flank, Strands::Both},  {0, false, Padding::N, Strands::Both},
                        {25, false, Padding::N, Strands::Forward}};
  for (const auto& c : cases) {
    ScoreOptions opt;
    opt.window = c.window;
    opt.average = c.average;
    opt.padding = c.pad;
    opt.strands = c.strands;
    opt.threads = 2;
    auto fast = run(models, seqs, opt);
    opt.method = Method::Reference;
    auto ref = run(models, seqs, opt);
    std::size_t differ = 0;
    for (std::size_t i = 0; i < fast.size(); ++i) differ += bits_equal(fast[i], ref[i]) ? 0 : 1;
    INFO("window " << c.window << " average " << c.average << " padding "
                   << (c.pad == Padding::N ? "N" : "flank"));
    CHECK(differ == 0);
  }
}

TEST_CASE("every model scores the sequence as given, whatever the model order", "[deepbind]") {
  if (!gdltest::exists(db("params"))) { WARN("../shared/data/deepbind is not available: skipped"); return; };
  // The original reverse-complements in place: D00210.001 after D00410.003 scored the reverse
  // complement (-0.165320 on sequence 1 instead of -0.153558). Not reproduced here.
  auto seqs = read_lines(db("inputs/test_seqs.seq"));
  auto a = run(load_ids({"D00410.003", "D00210.001"}), seqs, ScoreOptions{});
  auto b = run(load_ids({"D00210.001"}), seqs, ScoreOptions{});
  for (std::size_t i = 0; i < seqs.size(); ++i) CHECK(a[i + seqs.size()] == b[i]);
  CHECK(std::fabs(b[0] - (-0.153558)) <= 2e-6);
}

TEST_CASE("strands: forward, both and reverse complement", "[deepbind]") {
  if (!gdltest::exists(db("params"))) { WARN("../shared/data/deepbind is not available: skipped"); return; };
  auto models = load_ids({"D00328.003", "D00210.001"});  // rc = 1 and rc = 0
  std::string s = "TACCACTAGGGGGCGCCACC", rc = "GGTGGCGCCCCCTAGTGGTA";
  ScoreOptions fwd, both;
  fwd.strands = Strands::Forward;
  both.strands = Strands::Both;
  auto f = run(models, {s, rc}, fwd);
  auto b = run(models, {s}, both);
  auto d = run(models, {s}, ScoreOptions{});
  CHECK(b[0] == std::max(f[0], f[1]));
  CHECK(b[1] == std::max(f[2], f[3]));
  CHECK(d[0] == b[0]);  // rc model: both strands by default
  CHECK(d[1] == f[2]);  // rc = 0 model: forward only by default
}

TEST_CASE("invalid sequences give errors naming sequence and position", "[deepbind]") {
  Model m = parse_model(
      "# deepbind 0.1\nreverse_complement = 0\nnum_detectors = 1\ndetector_len = 1\n"
      "has_avg_pooling = 0\nnum_hidden = 0\ndetectors = 1,2,3,4\nthresholds = 0\n"
      "weights1 = 1\nbiases1 = 0\nweights2 = \nbiases2 = \n", "D1.txt");
  Scorer sc({m}, ScoreOptions{});
  std::vector<std::string> seqs{"ACGTUNacgtun", "ACRT"};
  float out[2];
  CHECK_THROWS_WITH(sc.score(refs(seqs), out, {"a", "b"}),
                    Catch::Contains("sequence 2 ('b')") && Catch::Contains("'R' at position 3"));
  std::vector<std::string> empty{"ACG", ""};
  CHECK_THROWS_WITH(sc.score(refs(empty), out), Catch::Contains("sequence 2 is empty"));
  ScoreOptions iupac;
  iupac.iupac_as_n = true;
  Scorer sc2({m}, iupac);
  sc2.score(refs(seqs), out);
  CHECK(out[1] == 4.0f);  // T scores 4; R read as N (2.5)
}

TEST_CASE("scan scores sliding windows of a genome", "[deepbind]") {
  if (!gdltest::exists(db("params"))) { WARN("../shared/data/deepbind is not available: skipped"); return; };
  std::mt19937 rng(7);
  std::string chr = random_seq(rng, 400, 0.0);
  gdl::genome::MemoryGenome g({"chr1"}, {chr});
  auto models = load_ids({"D00410.003", "D00210.001"});
  Scorer sc(models, ScoreOptions{});
  CHECK(Scorer::num_windows(10, 300, 101, 10) == 19);
  std::vector<float> out(19 * 2);
  sc.scan(g, 0, 10, 300, 101, 10, out.data());
  std::vector<std::string> windows;
  for (int i = 0; i < 19; ++i) windows.push_back(chr.substr(static_cast<std::size_t>(10 + 10 * i), 101));
  auto direct = run(models, windows, ScoreOptions{});
  for (std::size_t i = 0; i < out.size(); ++i) CHECK(out[i] == direct[i]);
}
