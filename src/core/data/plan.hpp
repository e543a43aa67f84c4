// The generator's plan: what a SequenceGenerator samples, worked out from plain inputs (the R
// bridge hands them over; nothing here knows R). One function per kind of decision, each in its
// own file:
//   plan_options.cpp    option strings -> enums (every unknown string is an error naming the
//                       option and its allowed values)
//   plan_continuous.cpp window starts: included chromosomes, regions, blacklist, maxN
//   plan_sparse.cpp     features kept: included chromosomes, regions, blacklist, maxN of the
//                       centred window
//   plan_nruns.cpp      runs of N of the genome, read by threads, and N counts of windows
//   plan_weights.cpp    manual weights checked
//   plan_secondary.cpp  secondary tracks: their length over the window's centre and shape
//   plan_shapes.cpp     label / secondary / weight shapes, outputShape
//   plan.cpp            make_plan(): the pieces put together into GeneratorOptions
// Coordinates are 0-based, half-open.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/batch.hpp"
#include "data/generator.hpp"
#include "data/sampling.hpp"
#include "data/tracks.hpp"
#include "genome/genome.hpp"

namespace gdl {
namespace data {

// ---- option strings (plan_options.cpp) -----------------------------------------------------
// The index of `value` in `allowed`; anything else is an error naming `option`, the value and
// the allowed values.
std::size_t parse_choice(const std::string& option, const std::string& value,
                         const std::vector<std::string>& allowed);
TargetKind parse_kind(const std::string& s);              // "continuous", "sparse"
Downsampling parse_downsampling(const std::string& s);    // "none", "mean", "first"
Weighting parse_weighting(const std::string& s);          // "none", "balanced", "manual"
Positive parse_positive(const std::string& s);            // "match_all", "match_any"
Negative parse_negative(const std::string& s);            // "none", "real", "random", "shuffled"
genome::Ambiguous parse_ambiguous(const std::string& s);  // "quarter", "zero"

// ---- N runs (plan_nruns.cpp) ---------------------------------------------------------------
// Runs of N (and other non-ACGT letters) of one chromosome, in order.
std::vector<Interval> ambiguous_runs(const genome::Genome& g, int chrom);
// Runs of N (any non-ACGT letter) of each chromosome of `chroms`, read by `threads` threads (one
// chromosome per work item); out[i] holds the runs of chroms[i], in order.
std::vector<std::vector<Interval>> ambiguous_runs(const genome::Genome& g,
                                                  const std::vector<int>& chroms, int threads);
// N bases of [start, end) given the sorted runs of its chromosome and their cumulative lengths
// (cum[k] = bases of runs[0..k]).
std::int64_t n_count(const std::vector<Interval>& runs, const std::vector<std::int64_t>& cum,
                     std::int64_t start, std::int64_t end);
// The window starts p of [0, n_starts) whose window [p, p + window) holds more than `max_count`
// N bases, as disjoint sorted intervals (chrom set to `chrom`). Sweeps the runs (O(runs)): the N
// count changes by +1 at p = s - window and p = e, by -1 at p = e - window and p = s for a run
// [s, e).
std::vector<Interval> n_rich_starts(const std::vector<Interval>& runs, int chrom,
                                    std::int64_t n_starts, std::int64_t window,
                                    std::int64_t max_count);
// maxN (a fraction of the window) as the largest number of N a kept window may hold.
std::int64_t max_n_count(double max_n, std::int64_t window);

// ---- sampling geometry ---------------------------------------------------------------------
// A region or blacklist interval as the annotation files name its chromosome.
struct NamedInterval {
  std::string chrom;
  std::int64_t start, end;
};

struct Geometry {
  std::vector<int> chroms;              // included chromosomes (genome indexes)
  bool has_regions = false;             // windows lie inside `regions`
  std::vector<NamedInterval> regions;   // chromosome names matched with chr_prefix
  std::vector<NamedInterval> blacklist; // windows never overlap these
  ChrPrefix chr_prefix = ChrPrefix::Auto;
  double max_n = 1;            // fraction of N a window may hold (1: any)
  bool strict_length = false;  // a chromosome shorter than the window is an error (else dropped)
  int threads = 1;
};

// Regions of `named` on genome chromosomes (names matched under `mode`; unmatched dropped, as the
// R side has warned about them).
std::vector<Interval> genome_intervals(const genome::Genome& g, const std::vector<NamedInterval>& named,
                                       ChrPrefix mode);

// plan_continuous.cpp: the allowed window starts of length-`window` windows: whole windows on
// the included chromosomes, inside a region (when there are regions), overlapping no blacklisted
// base, with at most maxN N. Chromosomes shorter than the window are dropped (an error with
// strict_length, or when every chromosome is). Sorted and disjoint.
std::vector<Interval> window_starts(const genome::Genome& g, std::int64_t window, const Geometry& geo);

// plan_sparse.cpp: the features sampled: on the included chromosomes, inside a region (when there
// are regions), overlapping no blacklisted base, in the given order. An error when none is left.
std::vector<Annotation> select_features(const genome::Genome& g, const std::vector<Annotation>& all,
                                        const Geometry& geo);
// The start of the window of length `window` centred on [start, end) (keras_dna's
// start - wx // 2 - wx % 2 with wx = window - (end - start)).
std::int64_t centred_start(std::int64_t start, std::int64_t end, std::int64_t window);
// The features whose centred window holds at most maxN N (threaded over features); an error
// when none is left.
std::vector<Annotation> max_n_features(const genome::Genome& g, const std::vector<Annotation>& feats,
                                       std::int64_t window, double max_n, int threads);

// ---- weights (plan_weights.cpp) ------------------------------------------------------------
// Manual bins of continuous targets: one (edges, weights) pair per file, n + 1 increasing edges
// for n positive weights.
void check_manual_bins(const std::vector<BinWeights>& bins, std::size_t n_files);
// Manual sparse weights: (positive, negative), both finite and > 0.
void check_manual_sparse(double positive, double negative);

// ---- secondary tracks (plan_secondary.cpp) -------------------------------------------------
// The length read over the centre of the window (0: the window), at most the window.
std::int64_t secondary_length(std::int64_t wanted, std::int64_t window);
// Offset in the window of the first base of the secondary tracks read.
std::int64_t secondary_offset(std::int64_t length, std::int64_t window);
// Shape of n secondary tracks, {Ls, n} or {Ls, n / types, types}; types must divide n.
Shape secondary_shape(int n, std::int64_t wanted_length, int types, std::int64_t window);

// ---- shapes (plan_shapes.cpp) --------------------------------------------------------------
struct ShapeInput {
  TargetKind kind = TargetKind::Continuous;
  std::int64_t window = 1;
  std::int64_t target_window = 1;  // continuous
  Downsampling downsampling = Downsampling::None;
  int n_files = 1;                 // annotation files (continuous: bigWigs)
  int n_types = 0;                 // continuous: files per cell type (0: none)
  int n_ann = 1;                   // sparse: annotation types
  bool seq2seq = false;            // sparse
  bool weighted = false;
  int n_secondary = 0;
  std::int64_t secondary_length = 0;  // 0: the window
  int secondary_types = 0;
  bool secondary_as_targets = false;
  Shape output_shape;          // wanted label shape; empty: as computed
  std::size_t batch_size = 1;  // keras_dna's output_shape may start with the batch size
};
struct PlanShapes {
  Shape labels;     // first head, after outputShape
  Shape computed;   // first head as computed
  Shape secondary;  // {Ls, files} or {Ls, files / types, types}; empty without secondary
  Shape weights;    // continuous {tg}; sparse {} (one per sample)
  bool has_weights = false;
};
PlanShapes plan_shapes(const ShapeInput& in);
// The shape input of a generator's options.
ShapeInput shape_input(const GeneratorOptions& o);
// outputShape resolved against a label shape: the shape itself when it holds as many values, or
// without a leading batch size; anything else is an error naming both shapes.
Shape resolve_output_shape(const Shape& wanted, const Shape& labels, std::size_t batch_size);

// ---- the plan (plan.cpp) -------------------------------------------------------------------
// Fills the sampling tables of `options` (continuous: starts; sparse: the annotations selected
// and N-filtered, the real negatives' space) from the geometry, and resolves output_shape.
GeneratorOptions make_plan(const genome::Genome& g, GeneratorOptions options, const Geometry& geo);

}  // namespace data
}  // namespace gdl
