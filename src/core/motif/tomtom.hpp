// gdl::motif::tomtom: motif-motif comparison with the statistics of MEME suite's Tomtom 5.5
// (Gupta et al. 2007; MEME suite src/tomtom.c, pssm.c, qvalue.c), reproduced step by step:
//  - pseudocount 0.1 (times the background) on query and target matrices, int(nsites) sites;
//  - targets and their reverse complements; column scores of every query column against every
//    target column (pearson / ed / sandelin / kullback, MEME's formulas);
//  - "complete" scores: each query row shifted by its median (MEME's lower median), the matrix
//    scaled to integers 0..100 (offset = floor(min), scale = floor(100 / (max - offset)));
//  - empirical null per query column, convolved over each contiguous span of query columns;
//  - best alignment per target (largest complete score, ties -> larger overlap, then first);
//  - p-value of the maximum over all w_q + w_t - 1 alignments and both strands, truncated to
//    float as Tomtom does; E = p x number of targets; q-values (Storey, pi0 from Tomtom's
//    bootstrap with drand48 continued across queries exactly as one Tomtom run draws it).
// Departures: the fast Pearson path sums products without MEME's 14-significant-digit rounding
// of partial sums (options.exact_rounding restores it; results agree bin for bin on JASPAR),
// and the null of the maximum is evaluated as 1 - prod(1 - S_i)^2 at the observed score (equal
// to Tomtom's pmf recursion up to rounding) instead of over all scores.
#pragma once
#include <string>
#include <vector>

#include "motif/motif.hpp"

namespace gdl::motif {

enum class Distance { pearson, ed, sandelin, kullback };

struct TomtomOptions {
  Distance dist = Distance::ed;
  int min_overlap = 1;
  double thresh = 0.5;          // on q-values, or on E-values when evalue is true
  bool evalue = false;
  bool complete_scores = true;
  double pseudocount = 0.1;
  bool exact_rounding = false;  // MEME's RND() of Pearson partial sums
  bool reference = false;       // straightforward per-target baseline (benchmarks, tests)
  int n_nearest = 0;            // > 0: only the n_nearest best targets per query (O(k) rows)
  int threads = 1;
};

struct TomtomHit {
  int query = 0;        // index into queries
  int target = 0;       // index into targets
  int offset = 0;       // Tomtom's Optimal_offset
  double pvalue = 0, evalue = 0, qvalue = 0;
  int overlap = 0;
  std::string query_consensus, target_consensus;
  char orientation = '+';
};

// Compares every query with all targets. Hits come grouped by query (in query order), each
// group in Tomtom's order (p-value ascending, overlap descending, then "+id" before "-id").
// With n_nearest = k > 0 each group is cut to its first k rows: the statistics (q-values over
// all targets included) are those of the full comparison, and the memory held per query is
// O(k), the work per query's targets being done in per-thread scratch.
// background: letter frequencies of the query file (made strand-symmetric, as Tomtom does).
std::vector<TomtomHit> tomtom(const std::vector<Motif>& queries, const std::vector<Motif>& targets,
                              const TomtomOptions& options,
                              std::array<double, 4> background = {{0.25, 0.25, 0.25, 0.25}});

// Tomtom's consensus letter per column (first maximum, compared in float).
std::string consensus(const std::vector<double>& prob);

// Storey q-values as MEME's compute_qvalues: sorted p-values in, q-values out; pi0 from
// NUM_BOOTSTRAPS = 100 bootstraps of 1000 draws of drand48 starting at state `rng_state`.
std::vector<double> qvalues(const std::vector<double>& sorted_p, unsigned long long rng_state);

// drand48 state after n draws from state x (glibc: x' = 0x5DEECE66D x + 11 mod 2^48).
unsigned long long drand48_skip(unsigned long long x, unsigned long long n);

}  // namespace gdl::motif
