#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <dirent.h>
#include <limits>
#include <string>
#include <unistd.h>
#include <vector>

#include "common/error.hpp"
#include "helpers.hpp"
#include "tracks/bigwig.hpp"
#include "tracks/bigwig_stream.hpp"

using namespace gdl;

namespace {
std::string stream_dir() {
  std::string d = std::string("/tmp/gdl_catch_stream_") + std::to_string(::getpid());
  std::string cmd = "mkdir -p " + d;
  REQUIRE(std::system(cmd.c_str()) == 0);
  return d;
}
std::size_t files_in(const std::string& dir) {
  std::size_t n = 0;
  if (DIR* d = opendir(dir.c_str())) {
    while (auto* e = readdir(d))
      if (e->d_name[0] != '.') ++n;
    closedir(d);
  }
  return n;
}
}  // namespace

TEST_CASE("streamed profile bins read back base by base, clipped to the regions", "[io]") {
  auto dir = stream_dir();
  std::string a = dir + "/a.bw", b = dir + "/b.bw";
  const float nan = std::numeric_limits<float>::quiet_NaN();
  {
    tracks::ProfileStreamWriter w({a, b}, {"chr1", "chr2"}, {100, 50});
    // bins of 4 bases on a grid from 8, region [10, 30): bins 0 and 5 are cut by the edges
    std::vector<float> v;
    for (int i = 0; i < 6; ++i) {
      v.push_back(static_cast<float>(i));
      v.push_back(i == 2 ? nan : static_cast<float>(10 * i));
    }
    w.add_bins("chr1", 8, 4, 0, 3, v.data(), 10, 30);      // two calls, one run
    w.add_bins("chr1", 8, 4, 3, 3, v.data() + 6, 10, 30);
    std::vector<float> u{7, 70, 8, 80};
    w.add_bins("chr2", 0, 1, 0, 2, u.data(), 0, 50);
    CHECK(files_in(dir) == 2);  // temporary files only
    CHECK_FALSE(gdltest::exists(a));
    w.commit();
  }
  tracks::BigWigReader ra(a), rb(b);
  std::vector<float> x(100);
  ra.values("chr1", 0, 100, x.data());
  for (int p = 0; p < 100; ++p) {
    if (p < 10 || p >= 30) CHECK(std::isnan(x[p]));
    else CHECK(x[p] == static_cast<float>((p - 8) / 4));
  }
  rb.values("chr1", 0, 100, x.data());
  CHECK(std::isnan(x[16]));  // bin 2 is NaN in track b: missing
  CHECK(x[29] == 50.0f);
  ra.values("chr2", 0, 3, x.data());
  CHECK(x[0] == 7.0f);
  CHECK(x[1] == 8.0f);
  CHECK(std::isnan(x[2]));
}

TEST_CASE("a streamed writer dropped before commit leaves no file at all", "[io]") {
  auto dir = stream_dir() + "_drop";
  std::string cmd = "mkdir -p " + dir;
  REQUIRE(std::system(cmd.c_str()) == 0);
  {
    tracks::ProfileStreamWriter w({dir + "/p.bw"}, {"chr1"}, {100});
    std::vector<float> v(10, 1.0f);
    w.add_bins("chr1", 0, 1, 0, 10, v.data(), 0, 100);
    tracks::WindowTrackStreamWriter ws({dir + "/w.bw"}, {"chr1"}, {100});
    ws.add_region("chr1", 0, 100);
    ws.add_window("chr1", 0, 50, v.data());
    CHECK(files_in(dir) == 2);
    // out of scope without commit(), as when a run stops on an error or an interrupt
  }
  CHECK(files_in(dir) == 0);
  CHECK_THROWS_WITH(tracks::ProfileStreamWriter({dir + "/no/such/dir/x.bw"}, {"chr1"}, {100}),
                    Catch::Contains("x.bw"));
}

TEST_CASE("per-window scores stream as nearest-centre tracks inside the regions", "[io]") {
  auto dir = stream_dir();
  std::string p = dir + "/w.bw";
  {
    tracks::WindowTrackStreamWriter w({p}, {"chr1", "chr2"}, {100, 40});
    // chr1: regions [0, 20) and [40, 60); windows centred at 1-based 5.5, 15.5, 50.5
    w.add_region("chr1", 0, 20);
    float s1 = 1, s2 = 2, s3 = 3, s4 = 4;
    w.add_window("chr1", 0, 10, &s1);
    w.add_window("chr1", 10, 20, &s2);
    w.add_region("chr1", 40, 60);
    w.add_window("chr1", 45, 55, &s3);
    w.add_region("chr2", 0, 40);
    w.add_window("chr2", 0, 40, &s4);
    w.commit();
  }
  tracks::BigWigReader r(p);
  std::vector<float> x(100);
  r.values("chr1", 0, 100, x.data());
  for (int q = 0; q < 100; ++q) {
    double pos = q + 1;  // 1-based
    if (q >= 20 && q < 40) { CHECK(std::isnan(x[q])); continue; }
    if (q >= 60) { CHECK(std::isnan(x[q])); continue; }
    // nearest of 5.5, 15.5, 50.5; the earlier on ties (floor of midpoints 10.5 -> 10, 33)
    float want = pos <= 10 ? 1.0f : pos <= 33 ? 2.0f : 3.0f;
    CHECK(x[q] == want);
  }
  r.values("chr2", 0, 40, x.data());
  for (int q = 0; q < 40; ++q) CHECK(x[q] == 4.0f);
}
