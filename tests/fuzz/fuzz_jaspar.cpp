// libFuzzer target: the JASPAR / bare .pfm count-matrix reader (motif/formats.cpp read_jaspar).
// Every motif read must be a width x 4 matrix of probabilities summing to 1 per position.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/error.hpp"
#include "fuzz_util.hpp"
#include "motif/motif.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static gdlfuzz::ScratchFiles files{{gdlfuzz::scratch_path("fuzz_jaspar", "jaspar"), "", ""}};
  gdlfuzz::write_file(files.paths[0], data, size);
  gdl::motif::MotifFile f;
  try {
    f = gdl::motif::read_jaspar(files.paths[0]);
  } catch (const gdl::Error&) {
    return 0;
  }
  if (f.motifs.empty()) std::abort();
  for (const auto& m : f.motifs) {
    if (m.prob.size() % 4 != 0) std::abort();
    for (int i = 0; i < m.width(); ++i) {
      double t = m.at(i, 0) + m.at(i, 1) + m.at(i, 2) + m.at(i, 3);
      if (!(std::fabs(t - 1.0) <= 1e-9)) std::abort();  // NaN or inf fail too
    }
  }
  return 0;
}
