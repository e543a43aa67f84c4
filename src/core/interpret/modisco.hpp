// Motif discovery from seqlets, after TF-MoDISco-lite (jmschrei/tfmodisco-lite). Torch-free.
// Simplifications against TF-MoDISco-lite (also in discoverMotifs()'s documentation):
//  - one round of clustering (TF-MoDISco-lite runs two, and drops seqlets whose fine and coarse
//    similarities disagree in round 0);
//  - candidate neighbours: with at most `exact_max` seqlets every pair is scored by the fine
//    similarity; above it the coarse similarity is the cosine of contribution-weighted,
//    strand-merged (canonical) contiguous k-mer profiles (k = 5, no gaps; TF-MoDISco-lite uses
//    gapped k-mers of 4..6), and only the `coarse_neighbors` best pairs per seqlet are scored;
//  - affinities: the `neighbors` most similar seqlets per row; distances
//    d = max(ln(1 / (0.5 a) - 1), 0); t-SNE conditional probabilities calibrated per row to
//    `perplexity`; symmetrised as (P + P^T) / 2 (TF-MoDISco-lite takes sqrt(P * P^T));
//  - community detection is done by the caller (R: igraph's Leiden);
//  - per cluster: every seqlet is aligned to one seed (the member with the largest summed
//    affinity inside the cluster) instead of being merged in order; no
//    re-assignment of seqlets between patterns; clusters are merged by the similarity of their
//    averaged seqlets (merge_clusters) instead of TF-MoDISco-lite's Pearson alignment similarity
//    and cross-contamination tests.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "interpret/seqlets.hpp"

namespace gdl {
namespace interpret {

// The data the seqlets index: one-hot and hypothetical contributions, both n x 4 x len row-major.
struct ContribData {
  const float* onehot = nullptr;
  const float* hyp = nullptr;
  std::size_t n = 0, len = 0;
};

// Seqlet features for the fine similarity: width x 8 (position-major): channels 0-3 the
// hypothetical contributions, 4-7 the contributions (onehot * hyp), each L1-normalised over the
// seqlet (as TF-MoDISco-lite's get_2d_data_from_patterns). `rc`: the reverse complement.
std::vector<float> seqlet_features(const ContribData& data, const Seqlet& s, bool rc);

// Continuous Jaccard of x (width wx x C) and y (width wy x C, wy <= wx) placed at column `offset`
// of x: sum sgn(x) sgn(y) min(|x|, |y|) / sum max(|x|, |y|) over the wy aligned columns.
double continuous_jaccard(const float* x, const float* y, int wy, int channels, int offset);

struct Alignment {
  double similarity = 0;
  int shift = 0;    // column k of y (as oriented) lies on column k + shift of x
  bool rc = false;  // y reverse-complemented
};

// Best continuous Jaccard of the central ceil(min_overlap * w) columns of y (forward and reverse
// complement) over every placement inside x (both w x 8 features).
Alignment best_alignment(const std::vector<float>& x, const std::vector<float>& y_fwd,
                         const std::vector<float>& y_rc, int width, double min_overlap);

struct GraphOptions {
  double min_overlap = 0.7;
  int neighbors = 30;            // kept per row for the affinity graph
  double perplexity = 10;
  std::size_t exact_max = 2000;  // all pairs scored up to this many seqlets
  int coarse_neighbors = 200;    // pairs per seqlet scored by the fine similarity above it
  int k = 5;                     // coarse k-mer length
  int threads = 0;
};

struct Graph {
  std::vector<int> from, to;  // 0-based, from < to
  std::vector<double> weight;
  std::vector<double> similarity;  // the fine similarity of each edge's pair (symmetrised)
};

// Symmetric fine similarity of two seqlets: the mean of both directions' best alignments.
double seqlet_similarity(const ContribData& data, const Seqlet& a, const Seqlet& b,
                         double min_overlap);

Graph affinity_graph(const ContribData& data, const std::vector<Seqlet>& seqlets,
                     const GraphOptions& opt);

struct MergeOptions {
  double min_overlap = 0.7;
  double threshold = 0.7;     // merged while each cluster's seqlets fit the other this well (ratio)
  std::size_t min_size = 2;   // smaller clusters take no part
  int threads = 0;
};

// Agglomerative merging of clusters (TF-MoDISco-lite merges similar patterns). Each cluster's
// seqlets are aligned to its seed and averaged over the seed's columns (contributions and
// hypothetical contributions): its aggregate. Every seqlet's fit to an aggregate is the seqlet
// similarity (the aggregate's central columns slid over it, best strand). Two clusters are
// alike when the seqlets of each fit the other's aggregate nearly as well as their own: the
// ratio of the mean fits, averaged over both directions. The most alike pair is merged while
// that ratio is at least `threshold`. A ratio, not the aggregates' own similarity: a noisy motif
// (weak attributions, homotypic clusters) has aggregates only 0.2-0.4 alike however often
// Leiden splits it, while its seqlets still fit any of the pieces 0.75-0.9 as well as their
// own (the demo's classifier), and those of a different motif fit it not at all (about 0), or up
// to 0.6 where the hypothetical contributions are not base-specific (a flat bump planted over a
// site: the hypothetical half of the features is alike for any motif). Hence 0.7. Returns the new cluster ids
// (a merged cluster keeps the smaller id of the two).
std::vector<int> merge_clusters(const ContribData& data, const std::vector<Seqlet>& seqlets,
                                const std::vector<int>& cluster, const Graph& graph,
                                const MergeOptions& opt);

struct PatternOptions {
  double min_overlap = 0.7;
  std::size_t min_seqlets = 20;
  double support = 0.5;  // columns covered by fewer than this fraction of the seqlets are trimmed
  int trim = 20;         // width of the max-information window
  int flank = 5;         // kept on each side of it (inside the supported columns)
  int threads = 0;
};

struct Pattern {
  int cluster = 0;            // the caller's cluster id
  int sign = 1;
  std::size_t n_seqlets = 0;
  int width = 0;
  std::vector<double> ppm;    // 4 x width (row-major: base, column), fractions of the seqlets
  std::vector<double> cwm;    // 4 x width: mean contribution
  std::vector<double> hcwm;   // 4 x width: mean hypothetical contribution
  std::vector<std::size_t> members;  // indices into the seqlets
  std::vector<int> member_rc;        // 1 when the member aligns reverse-complemented
  std::vector<long> member_start;    // pattern window in the member's sequence (0-based, on the
  std::vector<long> member_end;      // forward strand; may run past the sequence ends)
};

// cluster[i]: cluster of seqlet i (< 0: none). Patterns of clusters with >= min_seqlets, by
// decreasing size.
std::vector<Pattern> build_patterns(const ContribData& data, const std::vector<Seqlet>& seqlets,
                                     const std::vector<int>& cluster, const Graph& graph,
                                     const PatternOptions& opt);

}  // namespace interpret
}  // namespace gdl
