// The fast path of DeepBind scoring, and the Scorer that runs either path over many sequences.
//
// Same floats as the original (reference.cpp), computed with far less work:
//   - the 16 detectors of a model are the 16 lanes of one SIMD vector, layout [pos][base][lane],
//     so every sum keeps the original's order within its lane;
//   - the detector response at each alignment of the whole sequence ("interior": the detector
//     entirely inside a window) is computed once per sequence and reused by every window that
//     holds it (W - m + 1 of them);
//   - only the responses where the detector overlaps a window's N padding ("edges": m - 1 on
//     each side of each window) depend on the window. They come from partial sums of the
//     sequence's convolution (prefix sums for right edges, suffix sums for left edges) plus the
//     precomputed contribution of the N rows: one addition each instead of m to 4m. That is a
//     different order of float additions, so an edge value may differ from the original's by a
//     few units in the last place. A rigorous bound (err, below) on that difference says when it
//     cannot matter: when every edge value of a detector is certainly below the window's exact
//     interior maximum (max pooling) or certainly negative (average pooling), the pooled values
//     and thus the window's score are exactly the original's. Windows where that is not certain
//     get a bound `delta` on their score error, and only those whose bound could change the
//     result (the maximum over windows, or each term of the --average sum) are recomputed
//     exactly, one window at a time, as the original does;
//   - the dense layers run on 16 windows at once (windows in lanes), again in the original's order.
// Every kernel is free of a*b+c contraction (pragma below), so no fused multiply-add changes a
// rounding.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <new>

#include "common/error.hpp"
#include "common/interrupt.hpp"
#include "common/parallel.hpp"
#include "deepbind/score.hpp"
#include "genome/genome.hpp"

namespace gdl {
namespace deepbind {

namespace {

constexpr int kLanes = 16;
typedef float v16 __attribute__((vector_size(64), aligned(64)));  // aligned: the same in every clone

// The hot kernels are compiled for AVX-512, AVX2 and the baseline, chosen at load time.
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define GDL_DB_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GDL_DB_CLONES
#endif

// The helpers below are always inlined into the kernels, so the ABI of passing 64-byte vectors
// (which differs between targets) never applies.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif
#define GDL_DB_INLINE inline __attribute__((always_inline))
typedef int i16 __attribute__((vector_size(64), aligned(64)));
GDL_DB_INLINE v16 broadcast(float x) { return v16{} + x; }
// Lane-wise "mask ? a : b" with bit operations (the vector ?: of GCC 12 can crash the compiler
// in AVX-512 code at -O3).
GDL_DB_INLINE v16 select(const i16& mask, const v16& a, const v16& b) {
  return reinterpret_cast<v16>((reinterpret_cast<i16>(a) & mask) | (reinterpret_cast<i16>(b) & ~mask));
}
// The original's rectification: if (f < 0) f = 0.
GDL_DB_INLINE v16 relu(const v16& f) { return select(f < 0, v16{}, f); }
// The original's pooling step: if (z_max < f) z_max = f.
GDL_DB_INLINE v16 keep_max(const v16& z, const v16& f) { return select(z < f, f, z); }

// The original's convolution step for detector row r over base code c: the row's weight, or
// for an N a quarter of each of the four weights, added one after another.
GDL_DB_INLINE void add_row(v16& acc, const v16* tab, const v16* quart, long r, int c) {
  if (c != kN) {
    acc += tab[r * 5 + c];
  } else {
    acc += quart[r * 4 + 0];
    acc += quart[r * 4 + 1];
    acc += quart[r * 4 + 2];
    acc += quart[r * 4 + 3];
  }
}

// A 64-byte aligned array of vectors (std::vector would drop the alignment of v16).
class VBuf {
 public:
  v16* data() { return reinterpret_cast<v16*>(p_.get()); }
  const v16* data() const { return reinterpret_cast<const v16*>(p_.get()); }
  std::size_t size() const { return n_; }
  v16& operator[](std::size_t i) { return data()[i]; }
  const v16& operator[](std::size_t i) const { return data()[i]; }
  // Contents are not kept.
  void resize(std::size_t n) {
    if (n > cap_) {
      p_.reset(static_cast<float*>(::operator new(n * sizeof(v16), std::align_val_t(64))));
      cap_ = n;
    }
    n_ = n;
  }
  void assign(std::size_t n, const v16& x) {
    resize(n);
    for (std::size_t i = 0; i < n; ++i) data()[i] = x;
  }

 private:
  struct Free {
    void operator()(float* p) const { ::operator delete(p, std::align_val_t(64)); }
  };
  std::unique_ptr<float, Free> p_;
  std::size_t cap_ = 0, n_ = 0;
};

constexpr long kBlock = 512;  // windows per block of the approximate pass (bounds memory)

double gamma_n(double n) {
  const double u = std::ldexp(1.0, -24);
  return n * u / (1 - n * u);
}

}  // namespace

struct Scorer::Prepared {
  const Model* model = nullptr;
  bool fast = false;  // num_detectors <= 16
  int m = 0, d = 0, h1 = 0, h2 = 0;
  long window = 0;
  bool avg = false;
  VBuf tab;    // [m][5]: weights of A, C, G, T and (approximate) N = sum of quarters
  VBuf quart;  // [m][4]: .25f * weight, added one by one for an N as the original does
  VBuf npt;    // [m]: N rows 0..c-1 summed in order, + threshold (left edges)
  VBuf ntt;    // [m]: N rows R..m-1 summed in order, + threshold (right edges)
  v16 thr{}, err{};        // threshold; bound on |edge value - original's edge value|
  std::vector<float> w1, b1, w2;  // dense layers
  float b2 = 0;
  std::vector<float> aw1, ab1, aw2;  // their absolute values (error bounds)
  float ab2 = 0;
  float g_avg = 0, g1 = 0, g2 = 0;  // rounding factors of average pooling and the dense layers
};

struct Scorer::Workspace {
  std::vector<std::uint8_t> fwd, rev;
  VBuf F, Emax, Esum, X;
  VBuf X2;
  std::vector<float> H, DX, Hone, dblock;
  std::vector<float> scores[2];
  std::vector<float> delta[2];  // bound on |score - original's score| per window; 0: exact
};

namespace {

using Prepared = Scorer::Prepared;
using Workspace = Scorer::Workspace;

void prepare(const Model& M, long window, Prepared& P) {
  P.model = &M;
  P.d = M.num_detectors;
  P.m = M.detector_len;
  P.h1 = M.hidden1();
  P.h2 = M.hidden2();
  P.avg = M.has_avg_pooling;
  P.window = window;
  P.fast = P.d <= kLanes;
  if (!P.fast) return;
  const int m = P.m, d = P.d;
  P.tab.assign(static_cast<std::size_t>(m) * 5, v16{});
  P.quart.assign(static_cast<std::size_t>(m) * 4, v16{});
  P.npt.assign(static_cast<std::size_t>(m), v16{});
  P.ntt.assign(static_cast<std::size_t>(m), v16{});
  for (int k = 0; k < kLanes; ++k) P.thr[k] = k < d ? M.thresholds[static_cast<std::size_t>(k)] : -1.0f;
  for (int r = 0; r < m; ++r) {
    for (int k = 0; k < d; ++k) {
      float nsum = 0;
      for (int b = 0; b < 4; ++b) {
        float w = M.detector(k, r, b);
        P.tab[static_cast<std::size_t>(r * 5 + b)][k] = w;
        P.quart[static_cast<std::size_t>(r * 4 + b)][k] = .25f * w;
        nsum += .25f * w;
      }
      P.tab[static_cast<std::size_t>(r * 5 + 4)][k] = nsum;
    }
  }
  // N prefix (rows 0..c-1) in the original's order, and N suffix (rows R..m-1).
  v16 acc{};
  for (int c = 0; c < m; ++c) {
    P.npt[static_cast<std::size_t>(c)] = acc + P.thr;
    for (int b = 0; b < 4; ++b) acc += P.quart[static_cast<std::size_t>(c * 4 + b)];
  }
  for (int R = 1; R < m; ++R) {
    v16 t{};
    for (int r = R; r < m; ++r)
      for (int b = 0; b < 4; ++b) t += P.quart[static_cast<std::size_t>(r * 4 + b)];
    P.ntt[static_cast<std::size_t>(R)] = t + P.thr;
  }

  // Error bounds. Any float sum of n terms differs from the exact sum by at most
  // gamma(n-1) * sum|terms|; an edge value has at most 4m+1 terms (4 per N row, the threshold),
  // bounded in magnitude by T_k = sum_r max_b |w| + |threshold|. Both the original's value and
  // ours are within that of the exact value; a factor 2 on top for safety.
  const double g_conv = gamma_n(5.0 * m + 8);
  std::vector<double> e(static_cast<std::size_t>(d));
  for (int k = 0; k < d; ++k) {
    double a = 0;
    for (int r = 0; r < m; ++r) {
      double mx = 0;
      for (int b = 0; b < 4; ++b) mx = std::max(mx, std::fabs(static_cast<double>(M.detector(k, r, b))));
      a += mx;
    }
    double T = (a + std::fabs(static_cast<double>(M.thresholds[static_cast<std::size_t>(k)]))) * 1.001;
    e[static_cast<std::size_t>(k)] = 4 * g_conv * T;
    P.err[k] = static_cast<float>(e[static_cast<std::size_t>(k)] * 1.01 + 1e-30);
  }
  for (int k = d; k < kLanes; ++k) P.err[k] = 1e-30f;
  // Through pooling (average: summation order, division) and the dense layers, per window
  // (dense_delta): gamma factors, times 2 for the two computations compared.
  const double n_pos = static_cast<double>(window + m - 1);
  P.g_avg = static_cast<float>(2 * (gamma_n(n_pos + 2) + std::ldexp(2.0, -24)) * 1.01);
  P.g1 = static_cast<float>(2 * gamma_n(P.h1 + 2.0) * 1.01);
  P.g2 = static_cast<float>(2 * gamma_n(P.h2 + 2.0) * 1.01);
  P.w1 = M.weights1;
  P.b1 = M.biases1;
  P.w2 = M.weights2;
  P.b2 = M.biases2.empty() ? 0.0f : M.biases2[0];
  auto absv = [](std::vector<float> v) {
    for (auto& x : v) x = std::fabs(x);
    return v;
  };
  P.aw1 = absv(P.w1);
  P.ab1 = absv(P.b1);
  P.aw2 = absv(P.w2);
  P.ab2 = std::fabs(P.b2);
}

// Pooled values of one window, written to H in the original's hidden1 order.
GDL_DB_INLINE void write_hidden(const Prepared& P, const v16& zmax, const v16& avg, float* H) {
  if (P.avg) {
    for (int k = 0; k < P.d; ++k) {
      H[2 * k] = zmax[k];
      H[2 * k + 1] = avg[k];
    }
  } else {
    for (int k = 0; k < P.d; ++k) H[k] = zmax[k];
  }
}

// The original's apply_model on the window [ws, ws+n), padded with N (or with the real
// flanks), every lane in the original's order: pooled values to H.
GDL_DB_CLONES
void exact_window(const Prepared& P, const std::uint8_t* codes, long len, long ws, long n,
                  bool flank, float* H) {
  const int m = P.m;
  const long lo = flank ? 0 : ws, hi = flank ? len : ws + n;
  const v16* tab = P.tab.data();
  const v16* quart = P.quart.data();
  v16 zmax{}, zsum{};
  for (long i = 0; i < n + m - 1; ++i) {
    const long a = ws + i - m + 1;
    v16 f{};
    for (int j = 0; j < m; ++j) {
      const long p = a + j;
      const int c = (p >= lo && p < hi) ? codes[p] : kN;
      add_row(f, tab, quart, j, c);
    }
    f = relu(f + P.thr);
    zsum += f;
    zmax = keep_max(zmax, f);
  }
  write_hidden(P, zmax, zsum / broadcast(static_cast<float>(n + m - 1)), H);
}

// The dense layers of 16 windows (lanes) whose pooled values are X[i], in the original's
// order: scores p. With Bound, also d, a bound on the score differences from the original's
// given C[i] = dx_i + g1 (x_i + dx_i), dx_i bounding the differences of X[i] from the original's
// pooled values: |w| * C bounds both the sensitivity to dx and the rounding of both computations.
template <bool Bound>
GDL_DB_INLINE void dense_group(const Prepared& P, const v16* X, const v16* C, v16& p, v16& d) {
  const int h1 = P.h1, h2 = P.h2;
  if (h2 == 1) {
    v16 h = broadcast(P.b1[0]), dh = broadcast(P.ab1[0] * P.g1);
    for (int i = 0; i < h1; ++i) {
      h += X[i] * P.w1[static_cast<std::size_t>(i)];
      if (Bound) dh += C[i] * P.aw1[static_cast<std::size_t>(i)];
    }
    p = h;
    d = dh;
    return;
  }
  // A hidden unit certainly negative in both computations outputs exactly 0 in both; when all
  // are, both scores are exactly biases2.
  p = broadcast(P.b2);
  v16 lip{}, mag = broadcast(P.ab2), alive{};
  for (int j = 0; j < h2; ++j) {
    v16 h = broadcast(P.b1[static_cast<std::size_t>(j)]);
    v16 dh = broadcast(P.ab1[static_cast<std::size_t>(j)] * P.g1);
    for (int i = 0; i < h1; ++i) {
      const std::size_t ij = static_cast<std::size_t>(i * h2 + j);
      h += X[i] * P.w1[ij];
      if (Bound) dh += C[i] * P.aw1[ij];
    }
    p += relu(h) * P.w2[static_cast<std::size_t>(j)];
    if (Bound) {
      dh = dh * 1.001f;
      const v16 live = select(h + dh < 0, v16{}, broadcast(1.0f));
      alive += live;
      lip += live * dh * P.aw2[static_cast<std::size_t>(j)];
      mag += live * (select(h < 0, -h, h) + dh) * P.aw2[static_cast<std::size_t>(j)];
    }
  }
  d = select(alive > 0, lip + mag * P.g2, v16{});
}

// The dense layers of n windows (pooled values H, [n][h1]): scores to out. With DX (bounds on
// the differences of H from the original's pooled values, same layout), also bounds on the
// score differences to delta (0 for windows marked sure, whose H is exact).
GDL_DB_CLONES
void dense(const Prepared& P, const float* H, long n, float* out, VBuf& X,
           const float* DX = nullptr, const float* sure = nullptr, float* delta = nullptr,
           VBuf* C = nullptr) {
  const int h1 = P.h1;
  X.resize(static_cast<std::size_t>(h1));
  if (C) C->resize(static_cast<std::size_t>(h1));
  for (long g = 0; g < n; g += kLanes) {
    const long cnt = std::min<long>(kLanes, n - g);
    bool bound = false;
    if (DX)
      for (long l = 0; l < cnt; ++l) bound = bound || sure[g + l] == 0;
    for (int i = 0; i < h1; ++i) {
      v16 x{};
      for (long l = 0; l < cnt; ++l) x[l] = H[(g + l) * h1 + i];
      X[static_cast<std::size_t>(i)] = x;
      if (bound) {
        v16 dx{};
        for (long l = 0; l < cnt; ++l) dx[l] = DX[(g + l) * h1 + i];
        (*C)[static_cast<std::size_t>(i)] = dx + (x + dx) * P.g1;
      }
    }
    v16 p, d{};
    if (bound) dense_group<true>(P, X.data(), C->data(), p, d);
    else dense_group<false>(P, X.data(), nullptr, p, d);
    for (long l = 0; l < cnt; ++l) out[g + l] = p[l];
    if (DX)
      for (long l = 0; l < cnt; ++l) delta[g + l] = sure[g + l] != 0 ? 0.0f : 2.002f * d[l];
  }
}

// Approximate pass over windows [s0, s1) (window W >= m, N padding): pooled values to H
// ([s1-s0][h1]), bounds on their differences from the original's to DX (same layout), and
// whether the window's pooled values are all exactly the original's (sure, 1/0).
GDL_DB_CLONES
void approx_block(const Prepared& P, const std::uint8_t* codes, long len, long s0, long s1,
                  Workspace& w, float* H, float* DX, float* sure_out) {
  const int m = P.m;
  const long W = P.window, nb = s1 - s0;
  const long f_hi = s1 - 1 + W - m;  // last interior alignment
  const v16* tab = P.tab.data();
  const v16* quart = P.quart.data();
  const v16 ninf = broadcast(-std::numeric_limits<float>::infinity());
  w.F.resize(static_cast<std::size_t>(f_hi - s0 + 1));
  w.Emax.assign(static_cast<std::size_t>(nb), ninf);
  w.Esum.assign(static_cast<std::size_t>(nb), v16{});
  v16* F = w.F.data();
  v16* Emax = w.Emax.data();
  v16* Esum = w.Esum.data();
  const bool avg = P.avg;

  // Prefix sums from each alignment a: the full response (interior) and right edges, i.e. the
  // first R rows on sequence plus N rows R..m-1, for window s = a - W + R.
  const long a_end = std::min(s1 + W - 2, len - 1);
  for (long a = s0; a <= a_end; ++a) {
    const long r_lo = std::max<long>(1, s0 - a + W), r_hi = std::min<long>(m - 1, s1 - 1 - a + W);
    const long rows = std::min<long>(m, len - a);
    v16 acc{};
    for (long r = 0; r < rows; ++r) {
      const int c = codes[a + r];
      add_row(acc, tab, quart, r, c);
      const long R = r + 1;
      if (R >= r_lo && R <= r_hi) {
        const long s = a - W + R - s0;
        v16 v = acc + P.ntt[static_cast<std::size_t>(R)];
        Emax[s] = keep_max(Emax[s], v);
        if (avg) Esum[s] += relu(v);
      }
    }
    if (rows == m && a <= f_hi) F[a - s0] = relu(acc + P.thr);
  }
  // Suffix sums: left edges, rows c..m-1 on sequence after N rows 0..c-1, window s = a + c.
  for (long a = s0 - m + 1; a <= s1 - 2; ++a) {
    const long c_lo = std::max<long>(1, s0 - a), c_hi = std::min<long>(m - 1, s1 - 1 - a);
    if (c_lo > c_hi) continue;
    v16 acc{};
    for (long c = m - 1; c >= c_lo; --c) {
      acc += tab[c * 5 + codes[a + c]];
      if (c <= c_hi) {
        const long s = a + c - s0;
        v16 v = acc + P.npt[static_cast<std::size_t>(c)];
        Emax[s] = keep_max(Emax[s], v);
        if (avg) Esum[s] += relu(v);
      }
    }
  }
  // Per window: exact interior pooling, then the edges.
  const v16 npos = broadcast(static_cast<float>(W + m - 1));
  for (long s = 0; s < nb; ++s) {
    v16 imax{}, isum{};
    for (long a = s; a <= s + W - m; ++a) {
      isum += F[a];
      imax = keep_max(imax, F[a]);
    }
    // A pooled max is exact when no edge can reach the exact interior maximum; an average
    // when every edge value is certainly negative (then all are 0 after the ReLU).
    const v16 bound = Emax[s] + P.err;
    const v16 zmax = keep_max(imax, relu(Emax[s]));
    v16 zavg{}, dmax = select(bound < imax, v16{}, P.err), davg{};
    if (avg) {
      zavg = (isum + Esum[s]) / npos;
      dmax = select(bound < 0, v16{}, P.err);
      davg = select(bound < 0, v16{}, (P.err + P.err) + broadcast(P.g_avg) * (zavg + P.err + P.err));
    }
    bool sure = true;
    for (int k = 0; k < kLanes; ++k) sure = sure && dmax[k] == 0;
    sure_out[s] = sure ? 1.0f : 0.0f;
    write_hidden(P, zmax, zavg, H + s * P.h1);
    write_hidden(P, dmax, davg, DX + s * P.h1);
  }
}

// Padding with the real flanks: every window's responses are the sequence's own full
// convolution (N beyond its ends), computed once; exact.
GDL_DB_CLONES
void flank_block(const Prepared& P, const std::uint8_t* codes, long len, long s0, long s1,
                 Workspace& w, float* H) {
  const int m = P.m;
  const long W = P.window;
  const long a0 = s0 - m + 1, a1 = s1 - 1 + W - 1;
  const v16* tab = P.tab.data();
  const v16* quart = P.quart.data();
  w.F.resize(static_cast<std::size_t>(a1 - a0 + 1));
  v16* F = w.F.data();
  for (long a = a0; a <= a1; ++a) {
    v16 f{};
    for (int j = 0; j < m; ++j) {
      const long p = a + j;
      const int c = (p >= 0 && p < len) ? codes[p] : kN;
      add_row(f, tab, quart, j, c);
    }
    F[a - a0] = relu(f + P.thr);
  }
  const v16 npos = broadcast(static_cast<float>(W + m - 1));
  for (long s = s0; s < s1; ++s) {
    v16 zmax{}, zsum{};
    for (long a = s - m + 1; a <= s + W - 1; ++a) {
      zsum += F[a - a0];
      zmax = keep_max(zmax, F[a - a0]);
    }
    write_hidden(P, zmax, zsum / npos, H + (s - s0) * P.h1);
  }
}

// Score of one window computed exactly as the original (the refinement step).
float exact_score(const Prepared& P, const std::uint8_t* codes, long len, long ws, long n,
                  bool flank, Workspace& w) {
  w.Hone.resize(static_cast<std::size_t>(P.h1));
  exact_window(P, codes, len, ws, n, flank, w.Hone.data());
  float out;
  dense(P, w.Hone.data(), 1, &out, w.X);
  return out;
}

// Scores of every window of one strand to w.scores[st], and to w.delta[st] a bound on their
// differences from the original's (0: exact).
void strand_windows(const Prepared& P, const std::uint8_t* codes, long len, bool flank, int st,
                    Workspace& w) {
  const long W = P.window, nw = len - W + 1;
  auto& scores = w.scores[st];
  auto& delta = w.delta[st];
  scores.resize(static_cast<std::size_t>(nw));
  delta.assign(static_cast<std::size_t>(nw), 0.0f);
  if (!flank && W < P.m) {  // edges overlap: no reuse; every window as the original
    for (long s = 0; s < nw; ++s) scores[static_cast<std::size_t>(s)] = exact_score(P, codes, len, s, W, false, w);
    return;
  }
  for (long s0 = 0; s0 < nw; s0 += kBlock) {
    gdl::check_interrupt();  // a long sequence is many blocks
    const long s1 = std::min(nw, s0 + kBlock), nb = s1 - s0;
    w.H.resize(static_cast<std::size_t>(nb * P.h1));
    if (flank) {
      flank_block(P, codes, len, s0, s1, w, w.H.data());
      dense(P, w.H.data(), nb, scores.data() + s0, w.X);
      continue;
    }
    w.DX.resize(static_cast<std::size_t>(nb * P.h1));
    w.dblock.resize(static_cast<std::size_t>(nb));
    approx_block(P, codes, len, s0, s1, w, w.H.data(), w.DX.data(), w.dblock.data());
    dense(P, w.H.data(), nb, scores.data() + s0, w.X, w.DX.data(), w.dblock.data(), delta.data() + s0, &w.X2);
  }
}

}  // namespace

Scorer::Scorer(std::vector<Model> models, ScoreOptions options)
    : models_(std::move(models)), options_(options) {
  if (options_.window < 0) gdl::fail("window must be positive (or 0 for each model's default)");
  for (const auto& m : models_) validate_model(m);
  prepared_.reserve(models_.size());
  for (const auto& m : models_) {
    auto p = std::make_unique<Prepared>();
    long window = options_.window > 0 ? options_.window : m.default_window();
    prepare(m, window, *p);
    prepared_.push_back(std::move(p));
  }
}

Scorer::~Scorer() = default;

bool Scorer::needs_reverse(std::size_t model) const {
  switch (options_.strands) {
    case Strands::Both: return true;
    case Strands::Forward: return false;
    default: return models_[model].reverse_complement;
  }
}

float Scorer::score_one(std::size_t mi, const std::uint8_t* fwd, const std::uint8_t* rev,
                        std::size_t len_, Workspace& w) const {
  const Model& M = models_[mi];
  const Prepared& P = *prepared_[mi];
  const int nst = needs_reverse(mi) ? 2 : 1;
  const std::uint8_t* strand[2] = {fwd, rev};
  if (options_.method == Method::Reference || !P.fast) {
    float s = reference_scan(M, fwd, len_, options_);
    if (nst == 2) {
      float r = reference_scan(M, rev, len_, options_);
      if (r > s) s = r;
    }
    return s;
  }
  const long len = static_cast<long>(len_), W = P.window;
  const bool flank = options_.padding == Padding::Flank;
  if (len <= W) {  // the whole sequence is one window
    float s = exact_score(P, fwd, len, 0, len, false, w);
    if (nst == 2) {
      float r = exact_score(P, rev, len, 0, len, false, w);
      if (r > s) s = r;
    }
    return s;
  }
  for (int st = 0; st < nst; ++st) strand_windows(P, strand[st], len, flank, st, w);
  const long nw = len - W + 1;

  if (options_.average) {
    float best = 0;
    for (int st = 0; st < nst; ++st) {
      float acc = 0.0f;
      for (long s = 0; s < nw; ++s) {
        auto S = static_cast<std::size_t>(s);
        acc += w.delta[st][S] > 0 ? exact_score(P, strand[st], len, s, W, false, w) : w.scores[st][S];
      }
      acc /= static_cast<float>(len);
      if (st == 0 || acc > best) best = acc;
    }
    return best;
  }
  // Maximum over windows: recompute exactly only the unsure windows that might be the maximum.
  double lower = -std::numeric_limits<double>::infinity();
  for (int st = 0; st < nst; ++st)
    for (long s = 0; s < nw; ++s) {
      auto S = static_cast<std::size_t>(s);
      double v = static_cast<double>(w.scores[st][S]) - w.delta[st][S];
      if (v > lower) lower = v;
    }
  float best = -10000.0f;
  for (int st = 0; st < nst; ++st)
    for (long s = 0; s < nw; ++s) {
      auto S = static_cast<std::size_t>(s);
      float v = w.scores[st][S];
      if (w.delta[st][S] > 0) {
        if (static_cast<double>(v) + w.delta[st][S] < lower) continue;
        v = exact_score(P, strand[st], len, s, W, false, w);
      }
      if (v > best) best = v;
    }
  return best;
}

void Scorer::score(const std::vector<SeqRef>& seqs, float* out,
                   const std::vector<std::string>& names, std::size_t first_number) const {
  const std::size_t n = seqs.size(), nm = models_.size();
  // Check every sequence first, so the error names the first bad one whatever the threads.
  std::vector<std::uint8_t> buf;
  for (std::size_t i = 0; i < n; ++i) {
    auto who = [&]() {
      std::string s = "sequence " + std::to_string(i + first_number);
      if (i < names.size() && !names[i].empty()) s += " ('" + names[i] + "')";
      return s;
    };
    if (seqs[i].len == 0) gdl::fail(who(), " is empty");
    buf.resize(seqs[i].len);
    std::size_t bad = encode(seqs[i].data, seqs[i].len, buf.data(), options_.iupac_as_n);
    if (bad < seqs[i].len) {
      unsigned char ch = static_cast<unsigned char>(seqs[i].data[bad]);
      std::string shown = (ch >= 32 && ch < 127) ? std::string(1, static_cast<char>(ch))
                                                 : "\\x" + std::to_string(static_cast<int>(ch));
      gdl::fail(who(), " has an invalid character '", shown, "' at position ", bad + 1,
                " (DeepBind reads A, C, G, T, U and N, in upper or lower case",
                options_.iupac_as_n ? ", and IUPAC codes as N)" : ")");
    }
  }
  bool any_rev = false;
  for (std::size_t j = 0; j < nm; ++j) any_rev = any_rev || needs_reverse(j);
  gdl::parallelize(n, options_.threads, [&](int, std::size_t b, std::size_t e) {
    Workspace w;
    for (std::size_t i = b; i < e; ++i) {
      gdl::check_interrupt();
      const std::size_t len = seqs[i].len;
      w.fwd.resize(len);
      w.rev.resize(len);
      encode(seqs[i].data, len, w.fwd.data(), options_.iupac_as_n);
      if (any_rev) reverse_complement(w.fwd.data(), len, w.rev.data());
      for (std::size_t j = 0; j < nm; ++j) out[i + n * j] = score_one(j, w.fwd.data(), w.rev.data(), len, w);
    }
  });
}

std::size_t Scorer::num_windows(std::int64_t start, std::int64_t end, int width, int step) {
  if (width < 1 || step < 1) gdl::fail("width and step must be positive");
  if (end - start < width) return 0;
  return static_cast<std::size_t>((end - start - width) / step + 1);
}

void Scorer::scan(const genome::Genome& genome, int chrom, std::int64_t start, std::int64_t end,
                  int width, int step, float* out) const {
  const std::size_t nw = num_windows(start, end, width, step);
  if (nw == 0) return;
  std::string seq(static_cast<std::size_t>(end - start), 'N');
  genome.fetch(chrom, start, end, &seq[0]);
  std::vector<std::uint8_t> codes(seq.size());
  std::size_t bad = encode(seq.data(), seq.size(), codes.data(), options_.iupac_as_n);
  if (bad < seq.size())
    gdl::fail("the genome has an invalid character '", seq[bad], "' at ",
              genome.names()[static_cast<std::size_t>(chrom)], ":", start + static_cast<std::int64_t>(bad) + 1);
  std::vector<SeqRef> refs(nw);
  for (std::size_t i = 0; i < nw; ++i)
    refs[i] = {seq.data() + i * static_cast<std::size_t>(step), static_cast<std::size_t>(width)};
  score(refs, out);
}

}  // namespace deepbind
}  // namespace gdl
