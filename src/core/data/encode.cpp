#include "data/encode.hpp"

#include <algorithm>
#include <string>

#include "common/error.hpp"
#include "common/parallel.hpp"
#include "genome/bases.hpp"

namespace gdl {
namespace data {

namespace {
// Fetches each window (N-padded past chromosome ends, reverse-complemented on the minus strand)
// and hands its bytes to write(i, seq, L), in parallel over windows.
template <typename Write>
void for_each_window(const genome::Genome& g, const std::vector<Window>& windows, int threads,
                     Write write) {
  if (windows.empty()) return;
  const std::int64_t len = windows[0].end - windows[0].start;
  for (const auto& w : windows)
    if (w.end - w.start != len) fail("windows must have equal widths (", len, " and ", w.end - w.start, ")");
  const auto L = static_cast<std::size_t>(len);
  parallelize(windows.size(), threads, [&](int, std::size_t b, std::size_t e) {
    std::string buf(L, 'N');
    for (std::size_t i = b; i < e; ++i) {
      const Window& w = windows[i];
      g.fetch_padded(w.chrom, w.start, w.end, &buf[0]);
      if (w.minus) genome::reverse_complement(&buf[0], L);
      write(i, buf.data(), L);
    }
  });
}
}  // namespace

void encode_windows(const genome::Genome& g, const std::vector<Window>& windows, float* out,
                    genome::Ambiguous amb, int threads) {
  for_each_window(g, windows, threads, [&](std::size_t i, const char* seq, std::size_t L) {
    genome::one_hot_ncl_f32(seq, L, out + i * 4 * L, amb);
  });
}

void encode_windows_codes(const genome::Genome& g, const std::vector<Window>& windows,
                          std::uint8_t* out, int threads) {
  for_each_window(g, windows, threads, [&](std::size_t i, const char* seq, std::size_t L) {
    genome::to_codes(seq, L, out + i * L);
  });
}

std::vector<Window> random_windows(const genome::Genome& g, std::size_t n, std::int64_t width,
                                   std::uint64_t seed) {
  // Cumulative count of valid window starts per chromosome.
  std::vector<std::int64_t> cum;
  std::int64_t total = 0;
  for (auto len : g.lengths()) {
    total += std::max<std::int64_t>(len - width + 1, 0);
    cum.push_back(total);
  }
  if (total <= 0) fail("no chromosome is at least ", width, " bases long");
  std::vector<Window> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto r = static_cast<std::int64_t>(splitmix64(seed ^ splitmix64(i)) % static_cast<std::uint64_t>(total));
    auto it = std::upper_bound(cum.begin(), cum.end(), r);
    int c = static_cast<int>(it - cum.begin());
    std::int64_t before = c == 0 ? 0 : cum[static_cast<std::size_t>(c - 1)];
    out[i] = {c, r - before, r - before + width, false};
  }
  return out;
}

}  // namespace data
}  // namespace gdl
