// Seqlet calling on per-base contribution tracks, after TF-MoDISco-lite (jmschrei/tfmodisco-lite,
// modiscolite/extract_seqlets.py). Torch-free.
//
// For each example: sm[p] = sum of track[p .. p + window) (window sums, p = 0 .. L - window).
// Null: mu = the mode of sm (centre of the fullest of 1,000 histogram bins); Laplace rates
// lambda+ = max over q = 5, 10, .., 95 % of -ln(1 - q) / (quantile_q(sm - mu | sm >= mu)), the
// same for the negative side; `n_null` draws from the two exponentials (split as the real values
// are). Thresholds: weighted isotonic regression (PAVA) of real (1) vs null (0) on |sm|, with
// TF-MoDISco-lite's precision correction (implied fraction of nulls, at least 0.95); the smallest
// |sm| whose precision reaches 1 - fdr. The fraction of windows passing is then forced into
// [min_frac, max_frac] by moving both thresholds to the matching quantile of |sm|.
// Seqlets: per example, greedy argmax of |sm| over passing windows (the first and last `flank`
// window positions are not eligible), seqlet [p - flank, p + window + flank), then windows within
// +-(window / 2 + flank) of p are suppressed. The sign is that of sm[p]. At most `max_seqlets`
// (the largest |sm| kept).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace gdl {
namespace interpret {

struct SeqletOptions {
  int window = 21;
  int flank = 10;
  double fdr = 0.2;
  double min_frac = 0.03;
  double max_frac = 0.2;
  std::size_t max_seqlets = 20000;
  std::size_t n_null = 10000;
  std::uint64_t seed = 1;
  int threads = 0;
};

struct Seqlet {
  std::size_t example = 0;
  long start = 0;  // 0-based, half-open
  long end = 0;
  int sign = 1;    // +1 / -1: sign of the window sum
  double score = 0;  // the window sum sm[p]
};

struct SeqletCalls {
  std::vector<Seqlet> seqlets;  // by example, then by position
  double pos_threshold = 0;     // window sums >= this pass
  double neg_threshold = 0;     // window sums <= this pass (negative)
  double passing_fraction = 0;  // of all windows, after the forcing into [min_frac, max_frac]
};

// Per-base contribution: sum over the 4 channels of onehot * hyp (both n x 4 x len, row-major).
std::vector<double> contribution_track(const float* onehot, const float* hyp, std::size_t n,
                                       std::size_t len);

// Window sums of one track: len - window + 1 values.
std::vector<double> window_sums(const double* track, std::size_t len, int window);

// Weighted isotonic (non-decreasing) regression by pool-adjacent-violators; x sorted ascending.
std::vector<double> isotonic_increasing(const std::vector<double>& y, const std::vector<double>& w);

// track: n x len per-base contributions.
SeqletCalls call_seqlets(const double* track, std::size_t n, std::size_t len,
                         const SeqletOptions& opt);

}  // namespace interpret
}  // namespace gdl
