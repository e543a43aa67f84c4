// Shared by the libFuzzer targets (tools/fuzz.sh): a scratch file per process for the parsers
// that take a path, and the one rule every target checks -- bad input may only ever throw
// gdl::Error. Any other exception escapes LLVMFuzzerTestOneInput and libFuzzer reports it as a
// crash (deadly signal from std::terminate), as it does for sanitizer reports.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace gdlfuzz {

// <dir>/<stem>.<pid>.<ext>, dir = $GDL_FUZZ_TMP (tools/fuzz.sh points it at a RAM disk when
// there is one) or $TMPDIR or /tmp.
inline std::string scratch_path(const std::string& stem, const std::string& ext) {
  const char* d = std::getenv("GDL_FUZZ_TMP");
  if (!d || !*d) d = std::getenv("TMPDIR");
  std::string dir = d && *d ? d : "/tmp";
  return dir + "/" + stem + "." + std::to_string(::getpid()) + "." + ext;
}

inline void write_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();  // the harness itself is broken: stop, do not report a parser bug
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  if (std::fclose(f) != 0) std::abort();
}

// Removes the scratch files when the fuzzer exits normally (-runs / -max_total_time).
struct ScratchFiles {
  std::string paths[3];
  ~ScratchFiles() {
    for (const auto& p : paths)
      if (!p.empty()) std::remove(p.c_str());
  }
};

}  // namespace gdlfuzz
