// libFuzzer target: FASTA input through htslib faidx (genome/fasta.cpp). The input is written
// to a scratch file and opened as the genome (htslib builds the .fai, or the .gzi too for
// bgzip); when the input holds the line "#FAI", what follows it is written as the .fai instead,
// so htslib's index reader and FastaGenome's checks of a stale or foreign index are fuzzed too.
// Each sequence is then read at its start, its end and across its ends (padded).
#include <htslib/hts.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "fuzz_util.hpp"
#include "genome/genome.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  hts_set_log_level(HTS_LOG_OFF);  // htslib's complaints about bad input are expected here
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static gdlfuzz::ScratchFiles files{{gdlfuzz::scratch_path("fuzz_fasta", "fa"), "", ""}};
  const std::string& fa = files.paths[0];
  if (files.paths[1].empty()) {
    files.paths[1] = fa + ".fai";
    files.paths[2] = fa + ".gzi";
  }
  static const char kMark[] = "\n#FAI\n";
  const char* begin = reinterpret_cast<const char*>(data);
  const char* mark = std::search(begin, begin + size, kMark, kMark + sizeof kMark - 1);
  std::size_t fasta_size = static_cast<std::size_t>(mark - begin);
  gdlfuzz::write_file(fa, data, fasta_size);
  std::remove(files.paths[2].c_str());
  if (mark != begin + size) {
    std::size_t off = fasta_size + sizeof kMark - 1;
    gdlfuzz::write_file(files.paths[1], data + off, size - off);
  } else {
    std::remove(files.paths[1].c_str());
  }
  try {
    auto g = gdl::genome::open_fasta(fa);
    if (g->size() == 0) std::abort();  // open_fasta promises at least one sequence
    std::vector<char> buf(512);
    for (int c = 0; c < static_cast<int>(std::min<std::size_t>(g->size(), 8)); ++c) {
      if (g->index(g->names()[c]) < 0) std::abort();
      std::int64_t len = g->lengths()[c];
      if (len < 0) std::abort();
      std::int64_t n = std::min<std::int64_t>(len, 200);
      try {
        g->fetch(c, 0, n, buf.data());
        g->fetch(c, len - n, len, buf.data());
      } catch (const gdl::Error&) {
        // a read error on a corrupt record is allowed; the padded read below must not crash
      }
      try {
        g->fetch_padded(c, -7, n + 7, buf.data());
      } catch (const gdl::Error&) {
      }
    }
  } catch (const gdl::Error&) {
  }
  return 0;
}
