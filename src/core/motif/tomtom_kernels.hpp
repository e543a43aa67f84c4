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

// Buckets of Pearson scores for the search of a row's median: a monotone map of [-1, 1]
// (clamped) onto 0..kPearsonBuckets - 1.
constexpr int kPearsonBuckets = 1024;

// One row of Pearson column scores: out[t] = num * qinv * inv[t] with num = ((qu0 u0[t] +
// qu1 u1[t]) + qu2 u2[t]) + qu3 u3[t], the target columns' u and inv in soa as five arrays of
// n; also the row's minimum and maximum and the count of its scores per bucket (counts has
// kPearsonBuckets entries).
void pearson_row(double* out, const double* soa, std::size_t n, const double* qu, double qinv,
                 double* lo, double* hi, int* counts);

// The scores of x[0, n) in Pearson bucket b, appended to out (in order); returns their number.
std::size_t pearson_bucket_values(const double* x, std::size_t n, int b, double* out);

// One row of scale_score_matrix: out[t] = nint(((x[t] + shift) - offset) * scale) (no shift
// when !shifted), and counts[out[t]] incremented (counts has kBins + 1 = 101 entries).
void scale_row(int* out, const double* x, std::size_t n, double shift, bool shifted, double offset,
               double scale, int* counts);

// The bootstrap of MEME's estimate_pi0 for one query: `rounds` rounds of `samples` draws of
// drand48 continued from *state (updated), r = int(drand48() * n), counted in
// hist[round * (nbuckets) + bucket[r]]. samples must be a multiple of 4.
void bootstrap_counts(unsigned long long* state, const int* bucket, std::size_t n, int rounds,
                      int samples, int nbuckets, int* hist);

}  // namespace gdl::motif::detail
