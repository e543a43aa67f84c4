// libFuzzer target: bigWig open and read through libBigWig (tracks/bigwig.cpp). The input is
// written to a scratch file and opened with BigWigReader; each chromosome (up to 8) is read
// per base at its start and end and summarised in bins. Reads may throw gdl::Error only.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "fuzz_util.hpp"
#include "tracks/bigwig.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static gdlfuzz::ScratchFiles files{{gdlfuzz::scratch_path("fuzz_bigwig", "bw"), "", ""}};
  gdlfuzz::write_file(files.paths[0], data, size);
  try {
    gdl::tracks::BigWigReader r(files.paths[0]);
    if (r.chromosomes().size() != r.lengths().size()) std::abort();
    std::vector<float> v(1024);
    double bins[4];
    const auto& how = gdl::tracks::Summary::Mean;
    for (std::size_t c = 0; c < std::min<std::size_t>(r.chromosomes().size(), 8); ++c) {
      const std::string& chrom = r.chromosomes()[c];
      std::int64_t len = r.lengths()[c];
      std::int64_t n = std::min<std::int64_t>(std::max<std::int64_t>(len, 0), 1000);
      try {
        r.values(chrom, 0, n, v.data());
        r.values(chrom, len - n, len + 24, v.data());
        if (n >= 4) r.binned(chrom, 0, n, 4, how, bins);
      } catch (const gdl::Error&) {
      }
    }
  } catch (const gdl::Error&) {
  }
  return 0;
}
