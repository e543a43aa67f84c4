// The reference path of DeepBind scoring: the original v0.11 program's arithmetic, one window
// at a time, one detector at a time, every float32 sum in the original's order. Slow (it
// recomputes each position once per window that holds it) and exact; the fast path is checked
// against it.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")  // a*b+c must round twice, as in the original
#endif
#include <array>
#include <vector>

#include "deepbind/score.hpp"

namespace gdl {
namespace deepbind {

namespace {
constexpr std::array<std::uint8_t, 256> make_codes(bool iupac) {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = 255;
  t['A'] = t['a'] = 0;
  t['C'] = t['c'] = 1;
  t['G'] = t['g'] = 2;
  t['T'] = t['t'] = t['U'] = t['u'] = 3;
  t['N'] = t['n'] = kN;
  if (iupac) {
    const char* amb = "RYSWKMBDHVryswkmbdhv";
    for (const char* p = amb; *p; ++p) t[static_cast<unsigned char>(*p)] = kN;
  }
  return t;
}
constexpr std::array<std::uint8_t, 256> kStrict = make_codes(false);
constexpr std::array<std::uint8_t, 256> kIupac = make_codes(true);
}  // namespace

std::size_t encode(const char* s, std::size_t n, std::uint8_t* out, bool iupac_as_n) {
  const auto& t = iupac_as_n ? kIupac : kStrict;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint8_t c = t[static_cast<unsigned char>(s[i])];
    if (c == 255) return i;
    out[i] = c;
  }
  return n;
}

void reverse_complement(const std::uint8_t* in, std::size_t n, std::uint8_t* out) {
  for (std::size_t i = 0; i < n; ++i) {
    std::uint8_t c = in[n - 1 - i];
    out[i] = c == kN ? kN : static_cast<std::uint8_t>(3 - c);
  }
}

float reference_apply(const Model& model, const std::uint8_t* codes, std::size_t len,
                      std::size_t start, std::size_t n_, bool flank) {
  const long n = static_cast<long>(n_), m = model.detector_len, d = model.num_detectors;
  const long ws = static_cast<long>(start), L = static_cast<long>(len);
  const int h1 = model.hidden1(), h2 = model.hidden2();
  std::vector<float> featuremaps(static_cast<std::size_t>(d * (n + m - 1)));
  std::vector<float> hidden1(static_cast<std::size_t>(h1)), hidden2(static_cast<std::size_t>(h2));

  // Convolution, rectification
  for (long k = 0; k < d; ++k) {
    for (long i = 0; i < n + m - 1; ++i) {
      float f = 0;
      for (long j = 0; j < m; ++j) {
        long p = ws + (i - m + 1) + j;  // absolute position under detector row j
        bool inside = flank ? (p >= 0 && p < L) : (p >= ws && p < ws + n);
        int c = inside ? codes[p] : kN;
        if (c == kN) {
          for (int b = 0; b < 4; ++b) f += .25f * model.detector(static_cast<int>(k), static_cast<int>(j), b);
        } else {
          f += model.detector(static_cast<int>(k), static_cast<int>(j), c);
        }
      }
      f += model.thresholds[static_cast<std::size_t>(k)];
      if (f < 0) f = 0;
      featuremaps[static_cast<std::size_t>(k + d * i)] = f;
    }
  }

  // Pooling
  for (long k = 0; k < d; ++k) {
    float z_max = 0, z_sum = 0;
    for (long i = 0; i < n + m - 1; ++i) {
      float f = featuremaps[static_cast<std::size_t>(k + d * i)];
      z_sum += f;
      if (z_max < f) z_max = f;
    }
    if (model.has_avg_pooling) {
      hidden1[static_cast<std::size_t>(2 * k)] = z_max;
      hidden1[static_cast<std::size_t>(2 * k + 1)] = z_sum / static_cast<float>(n + m - 1);
    } else {
      hidden1[static_cast<std::size_t>(k)] = z_max;
    }
  }

  // Dense layer(s)
  for (int j = 0; j < h2; ++j) {
    float h = model.biases1[static_cast<std::size_t>(j)];
    for (int i = 0; i < h1; ++i)
      h += model.weights1[static_cast<std::size_t>(i * h2 + j)] * hidden1[static_cast<std::size_t>(i)];
    hidden2[static_cast<std::size_t>(j)] = h;
  }
  if (h2 == 1) return hidden2[0];  // as the original: also when num_hidden == 1
  float p = model.biases2[0];
  for (int j = 0; j < h2; ++j) {
    float h = hidden2[static_cast<std::size_t>(j)];
    if (h < 0) h = 0;
    p += model.weights2[static_cast<std::size_t>(j)] * h;
  }
  return p;
}

float reference_scan(const Model& model, const std::uint8_t* codes, std::size_t len,
                     const ScoreOptions& options) {
  const bool flank = options.padding == Padding::Flank;
  std::size_t window = options.window > 0 ? static_cast<std::size_t>(options.window)
                                          : static_cast<std::size_t>(model.default_window());
  if (len <= window) return reference_apply(model, codes, len, 0, len, flank);
  float scan_score = options.average ? 0.0f : -10000.0f;
  for (std::size_t s = 0; s + window <= len; ++s) {
    float score = reference_apply(model, codes, len, s, window, flank);
    if (options.average) scan_score += score;
    else if (score > scan_score) scan_score = score;
  }
  if (options.average) scan_score /= static_cast<float>(len);
  return scan_score;
}

}  // namespace deepbind
}  // namespace gdl
