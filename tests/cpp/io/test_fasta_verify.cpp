// FASTA index verification (stale or disagreeing .fai rebuilt or refused, duplicate names) and
// handles that reopen in a forked child instead of sharing the parent's file offset.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "genome/genome.hpp"
#include "helpers.hpp"
#include "tracks/bigwig.hpp"

using namespace gdl;

namespace {
std::string tmp(const std::string& name) {
  return std::string("/tmp/gdl_verify_") + std::to_string(::getpid()) + "_" + name;
}
void write(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
}
std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}
void make_older(const std::string& path) {
  struct timeval tv[2];
  gettimeofday(&tv[0], nullptr);
  tv[0].tv_sec -= 60;
  tv[1] = tv[0];
  utimes(path.c_str(), tv);
}
// Runs f in a forked child; true when it returned true (exit status 0).
template <typename F>
bool in_child(F f) {
  pid_t pid = fork();
  if (pid == 0) {
    bool ok = false;
    try {
      ok = f();
    } catch (...) {
      ok = false;
    }
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
}  // namespace

TEST_CASE("a stale or disagreeing .fai is rebuilt, or refused without build_index", "[io]") {
  std::string fa = tmp("g.fa");
  write(fa, ">chr1 first\nACGTACGTAC\nGTAC\n>chr2\nGGGGCCCC\n");
  std::remove((fa + ".fai").c_str());
  CHECK(genome::open_fasta(fa)->lengths() == std::vector<std::int64_t>{14, 8});
  // another genome under the same name; its old index is older
  make_older(fa + ".fai");
  write(fa, ">chr1\nTACGTACGTACGTAC\n>chr2\nCCCCGGGGAA\n");
  genome::FastaOptions no_build;
  no_build.build_index = false;
  CHECK_THROWS_WITH(genome::open_fasta(fa, no_build), Catch::Contains("older than the FASTA"));
  auto g = genome::open_fasta(fa);
  CHECK(g->lengths() == std::vector<std::int64_t>{15, 10});
  CHECK(g->sequence(1, 0, 10) == "CCCCGGGGAA");
  const std::string good = "chr1\t15\t6\t15\t16\nchr2\t10\t28\t10\t11\n";
  CHECK(slurp(fa + ".fai") == good);
  // newer but wrong: a length one short, one long at the file end, names swapped, an offset
  for (const char* bad : {"chr1\t14\t6\t15\t16\nchr2\t10\t28\t10\t11\n",
                          "chr1\t15\t6\t15\t16\nchr2\t11\t28\t10\t11\n",
                          "chr2\t15\t6\t15\t16\nchr1\t10\t28\t10\t11\n",
                          "chr1\t15\t7\t15\t16\nchr2\t10\t28\t10\t11\n"}) {
    write(fa + ".fai", bad);
    CHECK_THROWS_WITH(genome::open_fasta(fa, no_build), Catch::Contains("disagrees with it"));
    auto g2 = genome::open_fasta(fa);
    CHECK(g2->names() == std::vector<std::string>{"chr1", "chr2"});
    CHECK(g2->lengths() == std::vector<std::int64_t>{15, 10});
    CHECK(slurp(fa + ".fai") == good);
  }
  std::remove(fa.c_str());
  std::remove((fa + ".fai").c_str());
}

TEST_CASE("duplicate sequence names are an error naming the name", "[io]") {
  std::string fa = tmp("dup.fa");
  write(fa, ">a\nACGT\n>b\nGG\n>a second\nTTTT\n");
  std::remove((fa + ".fai").c_str());
  CHECK_THROWS_WITH(genome::open_fasta(fa), Catch::Contains("two sequences named 'a'"));
  write(fa, ">a\nACGT\n>b\nGG\n>b\nTTTT\n>c\nA\n");
  std::remove((fa + ".fai").c_str());
  CHECK_THROWS_WITH(genome::open_fasta(fa), Catch::Contains("two sequences named 'b'"));
  std::remove(fa.c_str());
  std::remove((fa + ".fai").c_str());
}

TEST_CASE("a genome and a bigWig reader opened before fork read right in the child and after",
          "[io]") {
  auto g = genome::open_fasta(gdltest::extdata("example_genome.fa"));
  tracks::BigWigReader bw(gdltest::extdata("example_coverage_cell1.bw"));
  // reference reads in the parent (which also leaves a handle in the pool)
  const int n = 400;
  std::vector<std::string> ref(n);
  std::vector<std::vector<float>> vref(n, std::vector<float>(300));
  for (int i = 0; i < n; ++i) {
    ref[i] = g->sequence(i % 3, 1000 * i % 250000, 1000 * i % 250000 + 200);
    bw.values("chr1", 1500 * i, 1500 * i + 300, vref[i].data());
  }
  // two children read concurrently in another order, then the parent reads again
  auto child = [&](int phase) {
    return in_child([&] {
      for (int k = 0; k < 3; ++k)
        for (int j = 0; j < n; ++j) {
          int i = (j * 7 + phase) % n;
          if (g->sequence(i % 3, 1000 * i % 250000, 1000 * i % 250000 + 200) != ref[i]) return false;
          std::vector<float> v(300);
          bw.values("chr1", 1500 * i, 1500 * i + 300, v.data());
          if (v != vref[i]) return false;
        }
      return true;
    });
  };
  pid_t a = fork();
  if (a == 0) _exit(child(1) ? 0 : 1);
  bool b_ok = child(3);
  int status = 0;
  waitpid(a, &status, 0);
  CHECK(b_ok);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  for (int i = 0; i < n; ++i) {
    CHECK(g->sequence(i % 3, 1000 * i % 250000, 1000 * i % 250000 + 200) == ref[i]);
    std::vector<float> v(300);
    bw.values("chr1", 1500 * i, 1500 * i + 300, v.data());
    CHECK(v == vref[i]);
  }
}

TEST_CASE("a bigWig read error throws, naming the file and the region", "[io]") {
  std::string src = gdltest::extdata("example_coverage_cell1.bw"), bad = tmp("bad.bw");
  std::string bytes = slurp(src);
  for (std::size_t i = bytes.size() / 2; i < bytes.size() / 2 + 2048; ++i) bytes[i] = '\0';
  write(bad, bytes);
  tracks::BigWigReader r(bad);
  std::vector<float> v(700000);
  r.values("chr1", 0, 700000, v.data());  // chr1's blocks are intact
  std::vector<float> w(500000);
  CHECK_THROWS_WITH(r.values("chr2", 0, 500000, w.data()),
                    Catch::Contains("chr2:1-500000") && Catch::Contains(bad));
  std::remove(bad.c_str());
}
