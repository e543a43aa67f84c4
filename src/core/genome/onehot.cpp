#include "genome/onehot.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "common/interrupt.hpp"
#include "common/parallel.hpp"
#include "genome/bases.hpp"


namespace gdl {
namespace genome {

namespace {
// Rows of the lookup: channel values for each base code (A, C, G, T, N, invalid-as-N).
template <typename T>
std::array<std::array<T, 4>, 6> code_rows(Ambiguous amb) {
  T q = amb == Ambiguous::Quarter ? T(0.25) : T(0);
  return {{{T(1), T(0), T(0), T(0)},
           {T(0), T(1), T(0), T(0)},
           {T(0), T(0), T(1), T(0)},
           {T(0), T(0), T(0), T(1)},
           {q, q, q, q},
           {q, q, q, q}}};
}
}  // namespace

template <typename T>
std::size_t one_hot(const char* seq, std::size_t len, T* out, OneHotStrides st, Ambiguous amb) {
  const auto rows = code_rows<T>(amb);
  std::size_t bad = len;
  for (std::size_t i = 0; i < len; ++i) {
    std::uint8_t c = base_code(seq[i]);
    if (c == kCodeInvalid && bad == len) bad = i;
    T* o = out + static_cast<std::ptrdiff_t>(i) * st.pos;
    const auto& r = rows[c];
    o[0] = r[0];
    o[st.channel] = r[1];
    o[2 * st.channel] = r[2];
    o[3 * st.channel] = r[3];
  }
  return bad;
}

template std::size_t one_hot<float>(const char*, std::size_t, float*, OneHotStrides, Ambiguous);
template std::size_t one_hot<double>(const char*, std::size_t, double*, OneHotStrides, Ambiguous);

namespace {
// Samples per tile: each writes runs of 512 contiguous doubles (4 KB, whole cache lines) per
// position and channel, and reads one cache line of each of the tile's 512 sequences for 64
// positions (32 KB: L1). Positions per tile bound the time between interrupt polls whatever the
// sequences' length.
constexpr std::size_t kTileSequences = 512;
constexpr std::size_t kTilePositions = 4096;
// Below this many values one thread is quicker than starting another.
constexpr std::size_t kMinParallelValues = std::size_t{1} << 18;
constexpr std::size_t kCodes = 6;  // base codes: A C G T N invalid

// No transparent-huge-page hint on the fresh R array: with THP defrag set to "madvise" (Debian's
// default) a madvise(MADV_HUGEPAGE) region compacts memory at each fault, and on a machine up
// for hours that cost 5-10 s of system time for a 960 MB array (oneHot() of 30,000 x 1 kb strings:
// 6.6 s, 0.75 s without the hint) inside page faults no interrupt check can cut short. The
// threads still fault their disjoint blocks in parallel.

bool before(std::size_t i, std::size_t p, const InvalidBase& than) {
  return !than.found || i < than.sequence || (i == than.sequence && p < than.position);
}

// The values of two consecutive sequences (codes c, d) in one channel: one 16-byte copy per
// channel instead of two 8-byte stores (the stores, not the lookups, bound the loop).
struct PairTable {
  double v[kCodes * kCodes][4][2];
  explicit PairTable(Ambiguous amb) {
    const auto rows = code_rows<double>(amb);
    for (std::size_t c = 0; c < kCodes; ++c)
      for (std::size_t d = 0; d < kCodes; ++d)
        for (std::size_t ch = 0; ch < 4; ++ch) {
          v[c * kCodes + d][ch][0] = rows[c][ch];
          v[c * kCodes + d][ch][1] = rows[d][ch];
        }
  }
};

// Base codes 0..4 as they are; any other byte is invalid (encoded as N, reported).
constexpr std::array<std::uint8_t, 256> make_identity_codes() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = kCodeInvalid;
  for (std::uint8_t c = 0; c <= kCodeN; ++c) t[c] = c;
  return t;
}
constexpr std::array<std::uint8_t, 256> kIdentityCodes = make_identity_codes();

// The writer for sequences of bytes that `code` maps to base codes (letters or codes).
InvalidBase write_column_major(const char* const* seqs, const ColumnMajorOneHot& dst, Ambiguous amb,
                               int threads, const std::array<std::uint8_t, 256>& code) {
  const std::size_t n = dst.n, len = dst.len;
  if (n == 0 || len == 0) return {};
  const auto rows = code_rows<double>(amb);
  const PairTable pairs(amb);
  // Offset of the run (all sequences) of position p, channel c.
  auto column = [&](std::size_t p, std::size_t c) {
    return dst.nlc ? n * (p + len * c) : n * (c + 4 * p);
  };
  if (n * len * 4 < kMinParallelValues) threads = 1;
  const int nt = static_cast<int>(std::min<std::size_t>(threads < 1 ? 1 : threads, len));
  std::vector<InvalidBase> bad(static_cast<std::size_t>(nt));
  gdl::parallelize(len, nt, [&](int t, std::size_t p0, std::size_t p1) {
    InvalidBase& mine = bad[static_cast<std::size_t>(t)];
    for (std::size_t i0 = 0; i0 < n; i0 += kTileSequences) {
      const std::size_t m = std::min(kTileSequences, n - i0);
      const char* const* tile = seqs + i0;
      for (std::size_t q0 = p0; q0 < p1; q0 += kTilePositions) {
        check_interrupt();
        const std::size_t q1 = std::min(p1, q0 + kTilePositions);
        for (std::size_t p = q0; p < q1; ++p) {
          double* o[4];
          for (std::size_t c = 0; c < 4; ++c) o[c] = dst.out + column(p, c) + i0;
          unsigned any_invalid = 0;
          std::size_t k = 0;
          for (; k + 1 < m; k += 2) {
            const unsigned c = code[static_cast<unsigned char>(tile[k][p])];
            const unsigned d = code[static_cast<unsigned char>(tile[k + 1][p])];
            any_invalid |= (c == kCodeInvalid) | (d == kCodeInvalid);
            const auto& v = pairs.v[c * kCodes + d];
            std::memcpy(o[0] + k, v[0], sizeof v[0]);
            std::memcpy(o[1] + k, v[1], sizeof v[1]);
            std::memcpy(o[2] + k, v[2], sizeof v[2]);
            std::memcpy(o[3] + k, v[3], sizeof v[3]);
          }
          if (k < m) {
            const unsigned c = code[static_cast<unsigned char>(tile[k][p])];
            any_invalid |= c == kCodeInvalid;
            for (std::size_t ch = 0; ch < 4; ++ch) o[ch][k] = rows[c][ch];
          }
          if (any_invalid)  // rare: the tile's first invalid sequence at this position
            for (k = 0; k < m; ++k)
              if (code[static_cast<unsigned char>(tile[k][p])] == kCodeInvalid &&
                  before(i0 + k, p, mine)) {
                mine = {true, i0 + k, p};
                break;
              }
        }
      }
    }
  });
  InvalidBase first;
  for (const auto& b : bad)
    if (b.found && before(b.sequence, b.position, first)) first = b;
  return first;
}
}  // namespace

InvalidBase one_hot_column_major(const char* const* seqs, const ColumnMajorOneHot& dst,
                                 Ambiguous amb, int threads) {
  return write_column_major(seqs, dst, amb, threads, kBaseCode);
}

InvalidBase codes_to_column_major(const std::uint8_t* codes, const ColumnMajorOneHot& dst,
                                  Ambiguous amb, int threads) {
  std::vector<const char*> rows(dst.n);
  for (std::size_t i = 0; i < dst.n; ++i)
    rows[i] = reinterpret_cast<const char*>(codes) + i * dst.len;
  return write_column_major(rows.data(), dst, amb, threads, kIdentityCodes);
}

std::size_t one_hot_ncl_f32(const char* seq, std::size_t len, float* out, Ambiguous amb) {
  // Channel-major output: each channel row is written sequentially, which keeps the stores
  // streaming; the per-base work is one table lookup per channel.
  const float q = amb == Ambiguous::Quarter ? 0.25f : 0.0f;
  float lut[4][6];
  for (int ch = 0; ch < 4; ++ch) {
    for (int c = 0; c < 4; ++c) lut[ch][c] = (c == ch) ? 1.0f : 0.0f;
    lut[ch][4] = lut[ch][5] = q;
  }
  std::size_t bad = len;
  float* a = out;
  float* c = out + len;
  float* g = out + 2 * len;
  float* t = out + 3 * len;
  for (std::size_t i = 0; i < len; ++i) {
    std::uint8_t k = base_code(seq[i]);
    if (k == kCodeInvalid && bad == len) bad = i;
    a[i] = lut[0][k];
    c[i] = lut[1][k];
    g[i] = lut[2][k];
    t[i] = lut[3][k];
  }
  return bad;
}

}  // namespace genome
}  // namespace gdl
