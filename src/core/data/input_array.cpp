#include "data/input_array.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/interrupt.hpp"

namespace gdl {
namespace data {

namespace {
// Samples per tile: 256 doubles read per (channel, position) row, 4 x 256 running sums; the
// tile's output rows (256 x C x L floats) are written sequentially per sample.
constexpr std::size_t kTile = 256;
}  // namespace

OneHotProblem check_one_hot(const ColumnMajorArray& a, bool one_hot) {
  OneHotProblem p;
  const std::size_t N = a.n, C = a.c, L = a.l;
  const double tol = 1 + 1e-4;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  std::size_t bad_sample = 0, bad_position = 0;
  double bad_sum = 0;
  bool have_bad = false;
  std::vector<double> sums(N);
  // Positions outermost: for each position the N x C values lie in C runs of N contiguous
  // doubles (both layouts), so the channel sums of a position need only an N-vector.
  std::size_t since_poll = 0;
  for (std::size_t l = 0; l < L; ++l) {
    since_poll += N * C;
    if (since_poll >= (1u << 20)) {  // a clock read per ~1 M values
      check_interrupt();
      since_poll = 0;
    }
    std::fill(sums.begin(), sums.end(), 0.0);
    for (std::size_t c = 0; c < C; ++c) {
      const double* row = a.x + a.at(0, c, l);  // samples are contiguous (stride 1)
      // No branch per value (the loop vectorises): NaN and infinities propagate into the
      // sums, which are looked at afterwards; NaN never wins a comparison.
      for (std::size_t i = 0; i < N; ++i) {
        double v = row[i];
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        sums[i] += v;
      }
    }
    for (std::size_t i = 0; i < N; ++i)
      if (!std::isfinite(sums[i])) {
        for (std::size_t c = 0; c < C; ++c)
          p.non_finite += !std::isfinite(a.x[a.at(i, c, l)]);
      }
    if (one_hot && !have_bad) {
      for (std::size_t i = 0; i < N; ++i)
        if (sums[i] > tol) {
          have_bad = true;
          bad_sample = i;
          bad_position = l;
          bad_sum = sums[i];
          break;
        }
    }
  }
  if (p.non_finite) {
    p.kind = OneHotProblem::kNonFinite;
    return p;
  }
  if (!one_hot || N * C * L == 0) return p;
  if (lo < 0 || hi > 1) {
    p.kind = OneHotProblem::kRange;
    p.min = lo;
    p.max = hi;
    return p;
  }
  if (have_bad) {
    p.kind = OneHotProblem::kSum;
    p.sample = bad_sample;
    p.position = bad_position;
    p.sum = bad_sum;
  }
  return p;
}

std::vector<float> to_row_major(const ColumnMajorArray& a) {
  const std::size_t N = a.n, C = a.c, L = a.l, per = C * L;
  std::vector<float> out(N * per);
  for (std::size_t i0 = 0; i0 < N; i0 += kTile) {
    check_interrupt();
    const std::size_t i1 = std::min(N, i0 + kTile);
    for (std::size_t c = 0; c < C; ++c)
      for (std::size_t l = 0; l < L; ++l) {
        const double* src = a.x + a.at(0, c, l);
        float* dst = out.data() + c * L + l;
        for (std::size_t i = i0; i < i1; ++i) dst[i * per] = static_cast<float>(src[i]);
      }
  }
  return out;
}

void from_row_major(const float* in, std::size_t n, const std::vector<std::size_t>& offsets,
                    double* out) {
  const std::size_t per = offsets.size();
  for (std::size_t i0 = 0; i0 < n; i0 += kTile) {
    check_interrupt();
    const std::size_t i1 = std::min(n, i0 + kTile);
    for (std::size_t f = 0; f < per; ++f) {
      double* dst = out + offsets[f];
      const float* src = in + f;
      for (std::size_t i = i0; i < i1; ++i) dst[i] = static_cast<double>(src[i * per]);
    }
  }
}

std::vector<std::size_t> column_major_offsets(const ColumnMajorArray& a) {
  std::vector<std::size_t> off(a.c * a.l);
  for (std::size_t c = 0; c < a.c; ++c)
    for (std::size_t l = 0; l < a.l; ++l) off[c * a.l + l] = a.at(0, c, l);
  return off;
}

}  // namespace data
}  // namespace gdl
