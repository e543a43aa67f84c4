// Inner loops of gdl::motif::tomtom (internal header): the convolution of the null
// distributions and the bootstrap draws of the q-values. Both reproduce the scalar code they
// replace bit for bit (same operations in the same order per value, no fused multiply-add);
// they are only laid out so that the compiler can keep values in registers and SIMD lanes.
#pragma once
#include <cstddef>

namespace gdl::motif::detail {

// out[k] = sum over taps t = 0..ntaps-1, in that order, of src[k - v[t]] * p[t], for k in
// [k0, k1) rounded up to a multiple of 8. The taps v[] ascend; src must be readable (zeros
// outside its values) on [k0 - v[ntaps - 1], k1 + 8 - v[0]).
void convolve_taps(double* out, const double* src, const int* v, const double* p, int ntaps, long k0,
                   long k1);

// One row of Pearson column scores: out[t] = num * qinv * inv[t] with num = ((qu0 u0[t] +
// qu1 u1[t]) + qu2 u2[t]) + qu3 u3[t], the target columns' u and inv in soa as five arrays of
// n; also the row's minimum and maximum.
void pearson_row(double* out, const double* soa, std::size_t n, const double* qu, double qinv,
                 double* lo, double* hi);

// The values of x[0, n) in [a, b], appended to out in order (their number is returned), and
// in *below the number of values < a: one pass of comparisons for a median search. out must
// have room for n + 1 values.
std::size_t bracket_values(const double* x, std::size_t n, double a, double b, double* out,
                           std::size_t* below);

// One row of scale_score_matrix: out[t] = nint(((x[t] + shift) - offset) * scale) (no shift
// when !shifted), and counts[out[t]] incremented (counts has kBins + 1 = 101 entries).
void scale_row(int* out, const double* x, std::size_t n, double shift, bool shifted, double offset,
               double scale, int* counts);

// The diagonal sums of each target's wq x width[e] block of the scaled score matrix s (rows
// of stride values; the block starts at column start[e]): for target e, d[start[e] + e (wq - 1)
// + wq - 1 - q + t] summed over q of s[q * stride + start[e] + t] (q < wq, t < width[e]);
// each target's wq + width[e] - 1 sums are overwritten.
void diagonal_sums(int* d, const int* s, std::size_t stride, int wq, const int* start, const int* width,
                   int ntargets);

// The bootstrap of MEME's estimate_pi0 for one query: `rounds` rounds of `samples` draws of
// drand48 continued from *state (updated), r = int(drand48() * n), counted in
// hist[round * (nbuckets) + bucket[r]]. samples must be a multiple of 4.
void bootstrap_counts(unsigned long long* state, const int* bucket, std::size_t n, int rounds,
                      int samples, int nbuckets, int* hist);

}  // namespace gdl::motif::detail
