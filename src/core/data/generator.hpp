// SequenceGenerator: training samples from a genome and annotations (keras_dna's Generator, with
// its bugs fixed), as a BatchSource filled by any number of threads.
//
// Two kinds of targets:
//  - Continuous: bigWig tracks. Every window start in `starts` is a sample (keras_dna: every
//    position of the included chromosomes). The label is the `target_window` central values (or
//    the whole window downsampled to `target_window` values), NaN read as 0, normalised per file.
//    Label shape {tg, files} or {tg, files / n_types, n_types} (file order cell1-type1,
//    cell1-type2, cell2-type1, ...).
//  - Sparse: labelled intervals (BED / GFF features). One sample per annotation, the window
//    centred on it (keras_dna: start - wx//2 - wx%2 with wx = L - len), or with `augmentation`
//    every window of length L containing it (every window inside it when it is longer than L).
//    Labels are computed for each window against every interval of each channel (match_all:
//    the interval is inside the window or contains it; match_any: any overlap), shape
//    {files, types}; with seq2seq {L, files, types}, 1 on covered bases. Negatives: "real"
//    windows drawn without replacement from `negative_space` minus every window overlapping a
//    centred positive window, "random" uniform ACGT, "shuffled" dinucleotide-shuffled positives.
//
// Each sample's window may be shifted (jitter) and reverse-complemented (rc: all samples;
// rc_augment: a random strand per sample and epoch; use_strand: minus-strand annotations).
// A reverse-complemented sample has its sequence and its position-dependent labels (tracks,
// seq2seq labels, secondary tracks) reversed; per-window class labels are unchanged.
//
// Determinism: epoch e is the permutation of the samples keyed by (seed, e); every random choice
// of a sample depends on (seed, epoch, sample) only. Coordinates are 0-based, half-open.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/batch.hpp"
#include "data/sampling.hpp"
#include "data/tracks.hpp"
#include "genome/genome.hpp"
#include "genome/onehot.hpp"

namespace gdl {
namespace data {

enum class TargetKind { Continuous, Sparse };
enum class Downsampling { None, Mean, First };
enum class Positive { MatchAll, MatchAny };
enum class Negative { None, Real, Random, Shuffled };
enum class Weighting { None, Balanced, Manual };

struct Annotation {
  int chrom;
  std::int64_t start, end;
  bool minus;
  int channel;  // file * n_types + type
};

struct GeneratorOptions {
  TargetKind kind = TargetKind::Continuous;
  std::int64_t window = 1000;  // input length L
  std::size_t batch_size = 64;
  std::uint64_t seed = 42;
  int threads = 1;  // for construction (statistics)
  genome::Ambiguous ambiguous = genome::Ambiguous::Quarter;
  bool rc = false, rc_augment = false;
  std::int64_t jitter = 0;
  std::vector<int> stat_chroms;  // chromosomes for normalisation / weight statistics
  Shape output_shape;            // labels (first head) reshaped to this; empty: as computed
  ChrPrefix chr_prefix = ChrPrefix::AsIs;  // bigWig chromosome names -> genome names

  // continuous
  std::vector<std::string> tracks;
  std::vector<Norm> normalization;
  std::int64_t target_window = 1;
  Downsampling downsampling = Downsampling::None;
  int n_types = 0;             // 0: label shape {tg, files}
  std::vector<Interval> starts;  // allowed window starts
  std::int64_t stride = 1;       // one window every `stride` starts of each interval

  // sparse
  std::vector<Annotation> annotations;
  int n_files = 1, n_ann = 1;
  bool seq2seq = false, augmentation = false, use_strand = false;
  // keras_dna's seq_len = 'real': a positive's input is its feature only, N outside it (centred
  // in the window); a real negative is N-padded likewise, to the length of a positive.
  bool real_length = false;
  Positive positive = Positive::MatchAll;
  Negative negative = Negative::Real;
  double negative_ratio = 1;  // < 0: all
  std::vector<Interval> negative_space;  // allowed window starts of real negatives

  // weights
  Weighting weighting = Weighting::None;
  int bins = 0;  // 0: 'auto'
  double weight_positive = 1, weight_negative = 1;  // manual, sparse
  std::vector<BinWeights> manual_bins;             // manual, continuous (one per file)

  // secondary tracks
  std::vector<std::string> secondary;
  std::vector<Norm> secondary_normalization;
  std::int64_t secondary_length = 0;  // 0: the window
  int secondary_types = 0;
  bool secondary_as_targets = false;
};

class SequenceGenerator : public BatchSource {
 public:
  SequenceGenerator(std::shared_ptr<const genome::Genome> genome, GeneratorOptions options);

  std::size_t batches_per_epoch() const override { return n_samples() / opt_.batch_size; }
  std::size_t batch_size() const override { return opt_.batch_size; }
  BatchShapes shapes() const override { return shapes_; }
  void fill(std::size_t epoch, std::size_t i, Batch& out) const override;
  // Every sample once, in epoch 0's order, the last batch partial.
  std::size_t pass_batches() const override {
    return (n_samples() + opt_.batch_size - 1) / opt_.batch_size;
  }
  void fill_pass(std::size_t i, Batch& out) const override;
  std::string description() const override;

  // Sample-level access (used by MultiSource and tests).
  std::size_t n_samples() const { return static_cast<std::size_t>(n_total_); }
  std::size_t n_positive() const { return static_cast<std::size_t>(n_pos_samples_); }
  std::size_t n_negative() const { return static_cast<std::size_t>(n_total_ - n_pos_samples_); }
  // Fills slot `slot` of out (already sized for at least slot + 1 samples) with sample `sample`
  // as drawn in epoch `epoch`.
  void fill_sample(std::size_t epoch, std::size_t sample, Batch& out, std::size_t slot) const;
  // Resizes out's buffers for n samples.
  void resize(Batch& out, std::size_t n) const;
  // The sample in slot k of batch i of an epoch.
  std::size_t sample_index(std::size_t epoch, std::size_t i, std::size_t k) const;
  // The window of a sample in an epoch (after jitter and strand choice): chrom, start, minus;
  // chrom is -1 for a random sequence.
  Window window_of(std::size_t epoch, std::size_t sample) const;
  const std::vector<std::vector<NormStep>>& normalisation() const { return norm_; }
  const std::vector<BinWeights>& bin_weights() const { return bins_; }
  double weight_positive() const { return w_pos_; }
  double weight_negative() const { return w_neg_; }
  const GeneratorOptions& options() const { return opt_; }

  // Bytes the generator holds (not counting the genome it shares): sample tables (positive
  // anchors, negatives, window starts and their cumulative counts, the annotations), the
  // interval index of the labels, normalisation / weight tables, the track caches, and the
  // scratch each filling thread keeps (per_thread). Batch buffers belong to the caller.
  struct Memory {
    std::size_t samples = 0, index = 0, statistics = 0, tracks = 0, secondary = 0;
    std::size_t per_thread = 0, readers = 0;
    std::size_t total(int threads) const {
      return samples + index + statistics + tracks + secondary +
             per_thread * static_cast<std::size_t>(threads < 1 ? 1 : threads);
    }
  };
  Memory memory() const;

 private:
  enum class Kind : std::uint8_t { Anchor, RealNegative, RandomNegative, ShuffledNegative };
  struct Anchor {  // positives: a first window start and a count of consecutive starts
    int chrom;
    std::int64_t first;
    std::int64_t count;
    bool minus;
    std::int64_t feature_start, feature_end;  // the feature (real_length masks outside it)
  };
  struct Resolved {
    Kind kind;
    int chrom;
    std::int64_t start;
    bool minus;
    std::size_t source;  // shuffled: the positive sample shuffled
    // real_length: the bases kept (genome coordinates, before jitter); N elsewhere
    std::int64_t keep_start = 0, keep_end = 0;
  };
  Resolved resolve(std::size_t sample) const;
  void build_sparse();
  void build_continuous();
  void build_secondary();
  void sparse_labels(int chrom, std::int64_t start, bool minus, float* y) const;
  void track_labels(int chrom, std::int64_t start, bool minus, float* y, float* w,
                    std::vector<float>& buf) const;

  std::shared_ptr<const genome::Genome> genome_;
  GeneratorOptions opt_;
  BatchShapes shapes_;
  std::int64_t label_positions_ = 1, label_channels_ = 1;
  // sparse
  std::vector<Anchor> anchors_;
  std::vector<std::uint64_t> anchor_cum_;
  PositionSet negative_space_;                // allowed starts of real negatives
  std::vector<std::uint64_t> real_negatives_;  // positions of negative_space_ drawn (sorted);
                                               // empty when all are taken
  std::uint64_t n_real_negatives_ = 0;
  std::uint64_t n_random_ = 0, n_shuffled_ = 0;
  IntervalIndex index_;
  // continuous
  PositionSet starts_;
  std::vector<std::uint64_t> stride_cum_;  // samples up to each interval of starts_ (stride > 1)
  std::unique_ptr<TrackSet> tracks_, secondary_;
  std::vector<std::vector<NormStep>> norm_, sec_norm_;
  std::vector<BinWeights> bins_;
  double w_pos_ = 1, w_neg_ = 1;
  std::uint64_t n_pos_samples_ = 0, n_total_ = 0;
};

// Mixes samples of several generators with equal shapes (keras_dna's MultiGenerator): `counts`
// samples of each per epoch (drawn with a per-epoch permutation of each source, cycling when
// a count exceeds its source), shuffled together.
class MultiSource : public BatchSource {
 public:
  // output_shape: the labels reshaped (keras_dna's MultiGenerator output_shape); empty: as
  // the generators give them.
  MultiSource(std::vector<std::shared_ptr<const SequenceGenerator>> sources,
              std::vector<std::uint64_t> counts, std::size_t batch_size, std::uint64_t seed,
              Shape output_shape = {});
  std::size_t batches_per_epoch() const override { return static_cast<std::size_t>(total_ / batch_size_); }
  std::size_t batch_size() const override { return batch_size_; }
  BatchShapes shapes() const override;
  void fill(std::size_t epoch, std::size_t i, Batch& out) const override;
  // Epoch 0's draw of every generator's samples, the last batch partial.
  std::size_t pass_batches() const override {
    return static_cast<std::size_t>((total_ + batch_size_ - 1) / batch_size_);
  }
  void fill_pass(std::size_t i, Batch& out) const override;
  std::string description() const override;
  const std::vector<std::shared_ptr<const SequenceGenerator>>& sources() const { return sources_; }

 private:
  std::vector<std::shared_ptr<const SequenceGenerator>> sources_;
  std::vector<std::uint64_t> counts_, cum_;
  std::uint64_t total_ = 0;
  std::size_t batch_size_;
  std::uint64_t seed_;
  Shape output_shape_;
};

}  // namespace data
}  // namespace gdl
