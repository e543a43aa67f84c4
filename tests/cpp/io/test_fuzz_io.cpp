// Regression tests of what tests/fuzz (libFuzzer) found in FASTA (htslib) and bigWig
// (libBigWig) input: each file below crashed the process inside the library; now it is a
// gdl::Error naming the file, and valid files still open.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <htslib/bgzf.h>

#include "common/error.hpp"
#include "genome/genome.hpp"
#include "tracks/bigwig.hpp"

using namespace gdl;

namespace {
std::string tmp(const std::string& name) {
  return "/tmp/gdl_catch_fuzzio_" + std::to_string(::getpid()) + "_" + name;
}
void put(const std::string& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}
std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void put_u16(std::string& s, std::size_t off, std::uint16_t v) {
  s[off] = static_cast<char>(v & 0xff);
  s[off + 1] = static_cast<char>(v >> 8);
}
void put_u32(std::string& s, std::size_t off, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s[off + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
std::uint64_t get_u64(const std::string& s, std::size_t off) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(s[off + i]);
  return v;
}
}  // namespace

TEST_CASE("FASTA: a record whose first line holds no bases is an error, not SIGFPE in htslib",
          "[fuzz][io]") {
  // htslib indexes it with a line width of 0 and faidx_fetch then divides by it.
  std::string fa = tmp("ctl.fa");
  put(fa, std::string(">>>e\n\x01\0\0\0\0\0\0\0\x1c\nAGU\n", 19));
  std::remove((fa + ".fai").c_str());
  // refused before htslib reads it (the index htslib builds for it is rejected when verified)
  CHECK_THROWS_WITH(genome::open_fasta(fa),
                    Catch::Contains("line width 0") || Catch::Contains("not a FASTA index record"));
  // the same from a hand-made index with a zero line width
  std::string fb = tmp("zero.fa");
  put(fb, ">c\nACGT\n");
  put(fb + ".fai", "c\t4\t3\t0\t5\n");
  CHECK_THROWS_WITH(genome::open_fasta(fb), Catch::Contains("line width 0"));
  // numbers past 64 bits in the index (fuzzer inputs): htslib returned a negative length for
  // one, and leaked the FASTA handle it had opened for the other
  put(fb + ".fai", "c\t50000000000000000000000000000\t3\t4\t5\n");
  CHECK_THROWS_WITH(genome::open_fasta(fb), Catch::Contains("corrupt at line 1"));
  put(fb + ".fai", "c\t4\t3222222222222222222222222222222\t4\t5\n");
  CHECK_THROWS_WITH(genome::open_fasta(fb), Catch::Contains("corrupt at line 1"));
  // htslib splits index lines at any white space: a '\r' in the name shifted the numbers so
  // that the line width read 0 (fuzzer input)
  put(fb + ".fai", "c\r700000\t4\t0\t4\t600\t5\n");
  CHECK_THROWS_WITH(genome::open_fasta(fb), Catch::Contains("corrupt at line 1"));
  put(fb + ".fai", "c\t4\t3\t4\n");
  CHECK_THROWS_WITH(genome::open_fasta(fb), Catch::Contains("4 or 5 whole numbers"));
  // a good index is accepted and used
  put(fb + ".fai", "c\t4\t3\t4\t5\n");
  CHECK(genome::open_fasta(fb)->sequence(0, 1, 3) == "CG");
  for (const auto& p : {fa, fa + ".fai", fb, fb + ".fai"}) std::remove(p.c_str());
}

TEST_CASE("FASTA: a bgzip file with a block cut short is an error, not a crash in htslib",
          "[fuzz][io]") {
  std::string gz = tmp("b.fa.gz");
  {
    BGZF* w = bgzf_open(gz.c_str(), "w");
    REQUIRE(w);
    const std::string text = ">c\nACGTACGTAC\nGT\n";
    REQUIRE(bgzf_write(w, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    REQUIRE(bgzf_close(w) == 0);
  }
  for (const char* ext : {".fai", ".gzi"}) std::remove((gz + ext).c_str());
  CHECK(genome::open_fasta(gz)->sequence(0, 8, 12) == "ACGT");  // a whole file indexes and reads
  std::string cut = tmp("cut.fa.gz");
  put(cut, slurp(gz).substr(0, 30));  // the first block cut inside its data
  CHECK_THROWS_WITH(genome::open_fasta(cut), Catch::Contains("bgzip block 1"));
  // whole blocks whose deflate data are damaged: htslib's index builder crashed on them
  std::string bad = tmp("bad.fa.gz");
  std::string damaged = slurp(gz);
  damaged[20] = static_cast<char>(damaged[20] ^ 0x5a);
  put(bad, damaged);
  CHECK_THROWS_WITH(genome::open_fasta(bad), Catch::Contains("do not decompress"));
  for (const auto& p : {bad, bad + ".fai", bad + ".gzi"}) std::remove(p.c_str());
  for (const auto& p : {gz, gz + ".fai", gz + ".gzi", cut, cut + ".fai", cut + ".gzi"})
    std::remove(p.c_str());
}

TEST_CASE("bigWig: a corrupt header or chromosome list is an error, not a crash in bwOpen",
          "[fuzz][io]") {
  std::string good = tmp("good.bw");
  {
    tracks::BigWigWriter w(good, {"c1", "c2"}, {100, 50});
    w.add_intervals("c1", {10}, {20}, {1.5f});
    w.close();
  }
  const std::string bytes = slurp(good);
  REQUIRE(bytes.size() > 64);
  {
    tracks::BigWigReader r(good);  // untouched, it reads
    REQUIRE(r.chromosomes().size() == 2);
    std::vector<float> v(5);
    r.values("c1", 8, 13, v.data());
    CHECK(v[2] == 1.5f);
  }
  auto corrupt = [&](const std::string& name, std::string b) {
    std::string p = tmp(name);
    put(p, b);
    std::string msg;
    try {
      tracks::BigWigReader r(p);
    } catch (const gdl::Error& e) {
      msg = e.what();
    }
    std::remove(p.c_str());
    return msg;
  };
  // 2,305 zoom levels (fuzzer input): libBigWig read past the end and freed garbage pointers
  std::string zooms = bytes;
  put_u16(zooms, 6, 2305);
  CHECK_THAT(corrupt("zoom.bw", zooms), Catch::Contains("zoom levels"));
  // a chromosome id beyond the chromosome count: libBigWig wrote out of bounds
  std::string ids = bytes;
  std::uint64_t tree = get_u64(ids, 8);
  std::uint32_t key = static_cast<unsigned char>(ids[tree + 8]);
  put_u32(ids, tree + 32 + 4 + key, 7);  // first leaf item's id
  CHECK_THAT(corrupt("ids.bw", ids), Catch::Contains("corrupt chromosome list"));
  // an index offset past the end of the file
  std::string idx = bytes;
  put_u32(idx, 24, 0x7fffffff);
  CHECK_THAT(corrupt("idx.bw", idx), Catch::Contains("past the end"));
  CHECK_THAT(corrupt("short.bw", bytes.substr(0, 40)), Catch::Contains("shorter than a bigWig header"));
  // an index node that is its own child (offset 0 is the root for libBigWig): every read
  // recursed until the stack overflowed
  std::string cyc = bytes;
  std::uint64_t root = get_u64(cyc, 24) + 48;
  cyc[root] = 0;  // not a leaf
  cyc[root + 1] = 0;
  put_u16(cyc, root + 2, 1);
  put_u32(cyc, root + 4, 0);
  put_u32(cyc, root + 8, 0);
  put_u32(cyc, root + 12, 0);
  put_u32(cyc, root + 16, 0xffffffffu);
  for (int i = 0; i < 8; ++i) cyc[root + 20 + i] = 0;
  CHECK_THAT(corrupt("cycle.bw", cyc), Catch::Contains("corrupt data index"));
  std::remove(good.c_str());
}
