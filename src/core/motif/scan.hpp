// gdl::motif scanning with the statistics of MEME suite's FIMO 5.5 (Grant, Bailey & Noble 2011;
// MEME suite src/fimo.c, pssm.c), reproduced step by step:
//  - the motif's probabilities get a pseudocount: (p * int(nsites) + pseudo * bg) /
//    (int(nsites) + pseudo), 20 sites when nsites is unknown (MEME's apply_pseudocount_to_motif);
//  - log-odds log(p / bg) * 1.44269504 (MEME's my_log2) for every position and letter;
//  - scaled to integers as scale_score_matrix: offset = floor(min), scale = floor(1000 /
//    (max - offset)), entry = nint((x - offset) * scale), so a word scores in [0, 1000 w];
//  - the exact null distribution of the integer score under the 0-order background by
//    convolution over the columns (get_pdf_table), p(s) = P(score >= s) (get_pv_lookup);
//  - a window's score is the integer sum; it is reported as s / scale + w * offset and its
//    p-value is p(s), both rounded to 10 significant digits (fimo_score_site);
//  - the reverse strand is scanned with the reverse complement motif (its own table);
//  - a site is reported when p <= threshold; windows holding any letter other than A, C, G, T
//    are not scored (on either strand).
// Departures: q-values are Storey's with pi0 = #{p > 1/2} / (m / 2) over all m windows
// scored on both strands (FIMO estimates pi0 by bootstrap on a reservoir sample of 10,000
// p-values, which is random); hits are kept without FIMO's --max-stored-scores cap.
// Coordinates are 0-based, half-open.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "genome/genome.hpp"
#include "motif/motif.hpp"

namespace gdl::motif {

// FIMO's PSSM_RANGE: the integer range of one column.
constexpr int kScanRange = 1000;

// A motif on one strand, ready for scanning.
struct ScanPssm {
  int width = 0;
  std::vector<int> score;   // width x 4 scaled integer scores, row-major (A, C, G, T)
  double scale = 0, offset = 0;
  std::vector<double> pv;   // pv[s] = P(score >= s), s in [0, width * kScanRange]
  int min_hit = 0;          // smallest s with rounded pv[s] <= threshold (pv.size() if none)
  int half = 0;             // smallest s with pv[s] <= 0.5 (for pi0)

  double raw_score(int s) const;  // s / scale + width * offset, 10 significant digits
  double pvalue(int s) const;     // pv[s], 10 significant digits
};

// Builds the PSSM of a probability matrix (width x 4, after the pseudocount) against a
// background, with its p-value table and the integer threshold for `threshold`.
ScanPssm build_scan_pssm(const std::vector<double>& prob, const std::array<double, 4>& bg,
                         double threshold);

// Probabilities after FIMO's pseudocount.
std::vector<double> fimo_pseudocount(const Motif& m, const std::array<double, 4>& bg,
                                     double pseudocount);

// MEME's 10-significant-digit rounding of scores and p-values.
double round_significant(double x, int digits);

struct ScanOptions {
  double threshold = 1e-4;     // report p <= threshold
  double pseudocount = 0.1;
  bool both_strands = true;
  bool matched_sequence = true;
  int threads = 1;
  std::int64_t chunk = 65536;  // window starts per work item (memory per thread ~ 7 x chunk)
};

// A region of a genome to scan (0-based, half-open).
struct ScanRegion {
  int chrom = 0;
  std::int64_t start = 0, end = 0;
};

struct ScanHit {
  int motif = 0;            // index into the motifs
  int region = 0;           // index into the regions
  std::int64_t start = 0;   // 0-based start on the chromosome
  char strand = '+';
  int scaled = 0;           // integer score
  double score = 0, pvalue = 0;
  std::string sequence;     // as matched by the motif (reverse complement on '-'), upper case
};

// What a scan counted besides its hits: per motif, windows scored (both strands) and windows
// with p > 1/2, for the q-values.
struct ScanCounts {
  std::vector<std::int64_t> windows, above_half;
};

// The motifs prepared for scanning (forward, then reverse when both strands).
struct ScanSet {
  std::vector<ScanPssm> fwd, rev;
  int max_width = 0;
};
ScanSet prepare_scan(const std::vector<Motif>& motifs, const std::array<double, 4>& bg,
                     const ScanOptions& opt);

// Scans the regions of a genome with every motif. Hits reach `sink` batch by batch in
// region order, then position order, then motif order (forward strand first); memory is
// bounded by a batch of threads x 4 chunks, never by the genome. Returns the counts.
ScanCounts scan_genome(const genome::Genome& g, const std::vector<ScanRegion>& regions,
                       const ScanSet& set, const ScanOptions& opt,
                       const std::function<void(std::vector<ScanHit>&)>& sink,
                       const std::function<void()>& poll = {});

// Storey q-values of hits (any order) from the counts: q = pi0 m p / rank, made monotone.
std::vector<double> scan_qvalues(const std::vector<ScanHit>& hits, const ScanCounts& counts);

// A straightforward scan of one sequence with one PSSM (tests, benchmarks): the integer
// score of every window start, or -1 where the window holds a letter other than ACGT.
std::vector<int> scan_reference(const ScanPssm& p, const std::string& seq);

// Letter frequencies of the regions (A, C, G, T counted on both strands when both_strands).
std::array<double, 4> scan_background(const genome::Genome& g,
                                      const std::vector<ScanRegion>& regions, bool both_strands);

}  // namespace gdl::motif
