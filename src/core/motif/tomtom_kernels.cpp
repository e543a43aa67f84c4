// Inner loops of Tomtom's statistics (see tomtom_kernels.hpp). Torch-free.
#include "motif/tomtom_kernels.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

namespace gdl::motif::detail {

namespace {

typedef double v4d __attribute__((vector_size(32)));
typedef int v4si __attribute__((vector_size(16)));  // buckets of four doubles

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

inline __attribute__((always_inline)) v4si pearson_buckets(const v4d& x) {
  v4si b = __builtin_convertvector((x + 1.0) * (0.5 * kPearsonBuckets), v4si);
  b = b < 0 ? 0 : b;
  return b > kPearsonBuckets - 1 ? kPearsonBuckets - 1 : b;
}

GDL_TT_CLONES
void pearson_row(double* out, const double* soa, std::size_t n, const double* qu, double qinv,
                 double* lo, double* hi, int* counts) {
  const double *u0 = soa, *u1 = soa + n, *u2 = soa + 2 * n, *u3 = soa + 3 * n, *inv = soa + 4 * n;
  const v4d q0 = v4d{} + qu[0], q1 = v4d{} + qu[1], q2 = v4d{} + qu[2], q3 = v4d{} + qu[3];
  const v4d qi = v4d{} + qinv;
  const double inf = std::numeric_limits<double>::infinity();
  v4d vlo = v4d{} + inf, vhi = v4d{} - inf;
  // four histograms, one per lane: runs of one bucket do not wait on each other's increment
  std::vector<int> h(4 * kPearsonBuckets, 0);
  std::size_t t = 0;
  for (; t + 4 <= n; t += 4) {
    const v4d num = ((q0 * load4(u0 + t) + q1 * load4(u1 + t)) + q2 * load4(u2 + t)) + q3 * load4(u3 + t);
    const v4d x = num * qi * load4(inv + t);
    store4(out + t, x);
    vlo = x < vlo ? x : vlo;
    vhi = x > vhi ? x : vhi;
    const v4si b = pearson_buckets(x);
    for (int j = 0; j < 4; ++j) ++h[j * kPearsonBuckets + b[j]];
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
    const v4si b = pearson_buckets(v4d{} + x);
    ++h[b[0]];
  }
  *lo = l;
  *hi = u;
  for (int c = 0; c < kPearsonBuckets; ++c)
    counts[c] = h[c] + h[kPearsonBuckets + c] + h[2 * kPearsonBuckets + c] + h[3 * kPearsonBuckets + c];
}

GDL_TT_CLONES
std::size_t pearson_bucket_values(const double* x, std::size_t n, int b, double* out) {
  std::size_t m = 0, t = 0;
  for (; t + 4 <= n; t += 4) {
    const v4si hit = pearson_buckets(load4(x + t)) == b;
    if (hit[0] | hit[1] | hit[2] | hit[3])
      for (int j = 0; j < 4; ++j)
        if (hit[j]) out[m++] = x[t + j];
  }
  for (; t < n; ++t)
    if (pearson_buckets(v4d{} + x[t])[0] == b) out[m++] = x[t];
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
  const v4d sh = v4d{} + (shifted ? shift : 0.0), off = v4d{} + offset, sc = v4d{} + scale;
  std::size_t t = 0;
  for (; t + 4 <= n; t += 4) {
    v4d v = ((load4(x + t) + sh) - off) * sc;
    v = v >= 0 ? v + 0.5 : v - 0.5;  // MEME's nint
    const v4si s = __builtin_convertvector(v, v4si);
    std::memcpy(out + t, &s, sizeof s);
    for (int j = 0; j < 4; ++j) ++h[j][s[j]];
  }
  for (; t < n; ++t) {
    const double v = ((shifted ? x[t] + shift : x[t]) - offset) * scale;
    const int s = static_cast<int>(v >= 0 ? v + 0.5 : v - 0.5);
    out[t] = s;
    ++h[0][s];
  }
  for (int b = 0; b < kBins1; ++b) counts[b] = h[0][b] + h[1][b] + h[2][b] + h[3][b];
}

// Four interleaved drand48 streams (x_{i+4} = A^4 x_i + c_4) break the chain of dependent
// multiplications, and four histograms the chain of increments of one (mostly the same)
// bucket. The draws of a round are the same numbers as one stream's, so are the counts.
void bootstrap_counts(unsigned long long* state, const int* bucket, std::size_t n, int rounds,
                      int samples, int nbuckets, int* hist) {
  unsigned long long a = 1, c = 0;  // x -> a x + c: k steps of the generator, k = 1..4
  unsigned long long x[4];
  for (int j = 0; j < 4; ++j) {
    c = (kDrandA * c + kDrandC) & kMask48;
    a = (kDrandA * a) & kMask48;
    x[j] = (a * *state + c) & kMask48;
  }
  const unsigned long long a4 = a, c4 = c;
  const double dn = static_cast<double>(n);
  std::vector<int> h(4 * static_cast<std::size_t>(nbuckets));
  for (int r = 0; r < rounds; ++r) {
    std::fill(h.begin(), h.end(), 0);
    for (int s = 0; s < samples; s += 4) {
      for (int j = 0; j < 4; ++j) {
        // x < 2^48: the signed conversion is exact and one instruction
        const double u = static_cast<double>(static_cast<long long>(x[j])) * (1.0 / 281474976710656.0);
        ++h[j * nbuckets + bucket[static_cast<int>(u * dn)]];
      }
      if (s + 4 < samples || r + 1 < rounds)
        for (int j = 0; j < 4; ++j) x[j] = (a4 * x[j] + c4) & kMask48;
    }
    int* out = hist + static_cast<std::size_t>(r) * nbuckets;
    for (int b = 0; b < nbuckets; ++b) out[b] = h[b] + h[nbuckets + b] + h[2 * nbuckets + b] + h[3 * nbuckets + b];
  }
  *state = x[3];
}

}  // namespace gdl::motif::detail
