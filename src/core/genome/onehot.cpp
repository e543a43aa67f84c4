#include "genome/onehot.hpp"

#include <array>

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
