// libFuzzer target: the MEME motif reader (motif/formats.cpp read_meme). A file that reads is
// written back with write_meme and read again: the motif count, ids and widths must survive.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/error.hpp"
#include "fuzz_util.hpp"
#include "motif/motif.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static gdlfuzz::ScratchFiles files{
      {gdlfuzz::scratch_path("fuzz_meme_in", "meme"), gdlfuzz::scratch_path("fuzz_meme_out", "meme"), ""}};
  gdlfuzz::write_file(files.paths[0], data, size);
  gdl::motif::MotifFile in;
  try {
    in = gdl::motif::read_meme(files.paths[0]);
  } catch (const gdl::Error&) {
    return 0;
  }
  for (const auto& m : in.motifs) {
    if (m.prob.size() % 4 != 0 || m.width() < 1) std::abort();
    auto rc = gdl::motif::reverse_complement(m.prob);
    if (rc.size() != m.prob.size()) std::abort();
  }
  gdl::motif::write_meme(in.motifs, files.paths[1]);
  gdl::motif::MotifFile back = gdl::motif::read_meme(files.paths[1]);  // must read: no catch
  if (back.motifs.size() != in.motifs.size()) std::abort();
  for (std::size_t i = 0; i < in.motifs.size(); ++i)
    if (back.motifs[i].id != in.motifs[i].id || back.motifs[i].width() != in.motifs[i].width())
      std::abort();
  return 0;
}
