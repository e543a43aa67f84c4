// Inner loops of Tomtom's statistics (see tomtom_kernels.hpp). Torch-free.
#include "motif/tomtom_kernels.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

namespace gdl::motif::detail {

namespace {

typedef double v4d __attribute__((vector_size(32)));
typedef int v4si __attribute__((vector_size(16)));  // scaled scores of four doubles
typedef int v8si __attribute__((vector_size(32)));
typedef unsigned long long v4du __attribute__((vector_size(32)));  // drand48 states
typedef long long v4l __attribute__((vector_size(32)));  // comparisons of four doubles

// AVX2 (four doubles a lane group) where the CPU has it, SSE2 pairs otherwise. Not AVX-512:
// there GCC may fuse a * b + c into one rounding, which would change the p-values.
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define GDL_TT_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define GDL_TT_CLONES
#endif

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif
inline __attribute__((always_inline)) v4d load4(const double* p) {
  v4d r;
  std::memcpy(&r, p, sizeof r);
  return r;
}
inline __attribute__((always_inline)) void store4(double* p, const v4d& x) { std::memcpy(p, &x, sizeof x); }

constexpr unsigned long long kMask48 = (1ULL << 48) - 1;
constexpr unsigned long long kDrandA = 0x5DEECE66DULL, kDrandC = 0xB;

}  // namespace

// Output-stationary: eight outputs stay in two registers while the taps go by, so each tap
// costs two loads, where the former scatter form (dst[k + v] += src[k] * p for each tap)
// loaded and stored the whole output row once per tap. Each out[k] still adds its terms in
// tap order, starting from +0, so the sums are the same to the last bit.
GDL_TT_CLONES
void convolve_taps(double* out, const double* src, const int* v, const double* p, int ntaps, long k0,
                   long k1) {
  for (long k = k0; k < k1; k += 8) {
    v4d a0 = {0, 0, 0, 0}, a1 = {0, 0, 0, 0};
    for (int t = 0; t < ntaps; ++t) {
      const double* s = src + (k - v[t]);
      const v4d w = v4d{} + p[t];
      a0 = a0 + load4(s) * w;
      a1 = a1 + load4(s + 4) * w;
    }
    store4(out + k, a0);
    store4(out + k + 4, a1);
  }
}

GDL_TT_CLONES
void pearson_row(double* out, const double* soa, std::size_t n, const double* qu, double qinv,
                 double* lo, double* hi) {
  const double *u0 = soa, *u1 = soa + n, *u2 = soa + 2 * n, *u3 = soa + 3 * n, *inv = soa + 4 * n;
  const v4d q0 = v4d{} + qu[0], q1 = v4d{} + qu[1], q2 = v4d{} + qu[2], q3 = v4d{} + qu[3];
  const v4d qi = v4d{} + qinv;
  const double inf = std::numeric_limits<double>::infinity();
  v4d vlo = v4d{} + inf, vhi = v4d{} - inf;
  std::size_t t = 0;
  for (; t + 4 <= n; t += 4) {
    const v4d num = ((q0 * load4(u0 + t) + q1 * load4(u1 + t)) + q2 * load4(u2 + t)) + q3 * load4(u3 + t);
    const v4d x = num * qi * load4(inv + t);
    store4(out + t, x);
    vlo = x < vlo ? x : vlo;
    vhi = x > vhi ? x : vhi;
  }
  double l = inf, u = -inf;
  for (int j = 0; j < 4; ++j) {
    l = vlo[j] < l ? vlo[j] : l;
    u = vhi[j] > u ? vhi[j] : u;
  }
  for (; t < n; ++t) {
    const double num = ((qu[0] * u0[t] + qu[1] * u1[t]) + qu[2] * u2[t]) + qu[3] * u3[t];
    const double x = num * qinv * inv[t];
    out[t] = x;
    l = x < l ? x : l;
    u = x > u ? x : u;
  }
  *lo = l;
  *hi = u;
}

GDL_TT_CLONES
std::size_t bracket_values(const double* x, std::size_t n, double a, double b, double* out,
                           std::size_t* below) {
  const v4d va = v4d{} + a, vb = v4d{} + b;
  v4l cnt = {0, 0, 0, 0};
  std::size_t m = 0, t = 0;
  for (; t + 4 <= n; t += 4) {
    const v4d v = load4(x + t);
    cnt -= v < va;  // a true comparison is -1
    const v4l in = (v >= va) & (v <= vb);
    // branch-free: which lanes fall inside is random, a branch would mispredict
    out[m] = v[0];
    m -= in[0];
    out[m] = v[1];
    m -= in[1];
    out[m] = v[2];
    m -= in[2];
    out[m] = v[3];
    m -= in[3];
  }
  std::size_t lt = static_cast<std::size_t>(cnt[0] + cnt[1] + cnt[2] + cnt[3]);
  for (; t < n; ++t) {
    lt += x[t] < a;
    if (x[t] >= a && x[t] <= b) out[m++] = x[t];
  }
  *below = lt;
  return m;
}

// Four histograms, one per lane, so that runs of one bin do not wait on each other's increment.
// x + 0 equals x in the arithmetic that follows (-0 and +0 give the same scaled score), so the
// unshifted case adds 0.
GDL_TT_CLONES
void scale_row(int* out, const double* x, std::size_t n, double shift, bool shifted, double offset,
               double scale, int* counts) {
  constexpr int kBins1 = 101;
  int h[4][kBins1] = {{0}};
  int *h0 = h[0], *h1 = h[1], *h2 = h[2], *h3 = h[3];
  const v4d sh = v4d{} + (shifted ? shift : 0.0), off = v4d{} + offset, sc = v4d{} + scale;
  std::size_t t = 0;
  for (; t + 4 <= n; t += 4) {
    v4d v = ((load4(x + t) + sh) - off) * sc;
    v = v >= 0 ? v + 0.5 : v - 0.5;  // MEME's nint
    const v4si s = __builtin_convertvector(v, v4si);
    std::memcpy(out + t, &s, sizeof s);
    ++h0[s[0]];  // unrolled by hand: -O2 keeps a loop over j, with its index arithmetic
    ++h1[s[1]];
    ++h2[s[2]];
    ++h3[s[3]];
  }
  for (; t < n; ++t) {
    const double v = ((shifted ? x[t] + shift : x[t]) - offset) * scale;
    const int s = static_cast<int>(v >= 0 ? v + 0.5 : v - 0.5);
    out[t] = s;
    ++h[0][s];
  }
  for (int b = 0; b < kBins1; ++b) counts[b] = h[0][b] + h[1][b] + h[2][b] + h[3][b];
}

GDL_TT_CLONES
void diagonal_sums(int* d, const int* s, std::size_t stride, int wq, const int* start, const int* width,
                   int ntargets) {
  for (int e = 0; e < ntargets; ++e) {
    const int wt = width[e];
    int* de = d + start[e] + static_cast<std::size_t>(e) * (wq - 1);
    std::fill(de, de + wq + wt - 1, 0);
    for (int q = 0; q < wq; ++q) {
      const int* row = s + static_cast<std::size_t>(q) * stride + start[e];
      int* out = de + (wq - 1 - q);
      int t = 0;
      for (; t + 8 <= wt; t += 8) {
        v8si a, b;
        std::memcpy(&a, out + t, sizeof a);
        std::memcpy(&b, row + t, sizeof b);
        a += b;
        std::memcpy(out + t, &a, sizeof a);
      }
      for (; t < wt; ++t) out[t] += row[t];
    }
  }
}

// Four interleaved drand48 streams (x_{i+4} = A^4 x_i + c_4) break the chain of dependent
// multiplications, and four histograms the chain of increments of one (mostly the same)
// bucket. The draws of a round are the same numbers as one stream's, so are the counts.
GDL_TT_CLONES
void bootstrap_counts(unsigned long long* state, const int* bucket, std::size_t n, int rounds,
                      int samples, int nbuckets, int* hist) {
  unsigned long long a = 1, c = 0;  // x -> a x + c: k steps of the generator, k = 1..4
  unsigned long long x[4];
  for (int j = 0; j < 4; ++j) {
    c = (kDrandA * c + kDrandC) & kMask48;
    a = (kDrandA * a) & kMask48;
    x[j] = (a * *state + c) & kMask48;
  }
  // the four states in one vector: x -> (a4 x + c4) mod 2^48 is the low bits of the 64-bit
  // product, and x < 2^48 converts to double exactly through the 2^52 exponent trick
  const v4du a4 = v4du{} + a, c4 = v4du{} + c, m48 = v4du{} + kMask48;
  const v4du magic = v4du{} + 0x4330000000000000ULL;
  v4du xs = {x[0], x[1], x[2], x[3]};
  const double dn = static_cast<double>(n);
  std::vector<int> h(4 * static_cast<std::size_t>(nbuckets));
  int *h0 = h.data(), *h1 = h0 + nbuckets, *h2 = h1 + nbuckets, *h3 = h2 + nbuckets;
  for (int r = 0; r < rounds; ++r) {
    std::fill(h.begin(), h.end(), 0);
    for (int s = 0; s < samples; s += 4) {
      v4d u;
      const v4du bits = xs | magic;
      std::memcpy(&u, &bits, sizeof u);
      u = (u - 4503599627370496.0) * (1.0 / 281474976710656.0) * dn;
      const v4si idx = __builtin_convertvector(u, v4si);
      ++h0[bucket[idx[0]]];
      ++h1[bucket[idx[1]]];
      ++h2[bucket[idx[2]]];
      ++h3[bucket[idx[3]]];
      if (s + 4 < samples || r + 1 < rounds) xs = (a4 * xs + c4) & m48;
    }
    int* out = hist + static_cast<std::size_t>(r) * nbuckets;
    for (int b = 0; b < nbuckets; ++b) out[b] = h0[b] + h1[b] + h2[b] + h3[b];
  }
  const unsigned long long x3 = xs[3];
  *state = x3;
}

}  // namespace gdl::motif::detail
