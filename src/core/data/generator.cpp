#include "data/generator.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "common/error.hpp"
#include "data/plan.hpp"
#include "data/shuffle.hpp"
#include "genome/bases.hpp"

namespace gdl {
namespace data {

namespace {
constexpr std::uint64_t kEpochKey = 0xe70c;
constexpr std::uint64_t kFixedKey = 0xf17ed;  // epoch-independent draws (random negatives)

std::int64_t ceil_half(std::int64_t x) {  // -floor(-x / 2): Python's x//2 + x%2
  return x >= 0 ? (x + 1) / 2 : -((-x) / 2);
}

Shape label_shape(std::int64_t positions, int files, int types, bool has_positions) {
  Shape s;
  if (has_positions) s.push_back(positions);
  if (types > 0) {
    s.push_back(files / types);
    s.push_back(types);
  } else {
    s.push_back(files);
  }
  return s;
}
}  // namespace

SequenceGenerator::SequenceGenerator(std::shared_ptr<const genome::Genome> genome,
                                     GeneratorOptions options)
    : genome_(std::move(genome)), opt_(std::move(options)) {
  if (!genome_) fail("the generator needs a genome");
  if (opt_.window < 1) fail("window must be at least 1, not ", opt_.window);
  if (opt_.batch_size < 1) fail("batchSize must be at least 1");
  // jitter below the window: a shifted window still overlaps the one sampled (keras_dna's use:
  // small shifts); window_of keeps shifted windows on their chromosome.
  if (opt_.jitter < 0 || opt_.jitter >= opt_.window)
    fail("jitter (", opt_.jitter, ") must be >= 0 and smaller than the window (", opt_.window, ")");
  if (opt_.kind == TargetKind::Continuous) build_continuous();
  else build_sparse();
  build_secondary();
  shapes_.x = {4, opt_.window};
  shapes_.codes = true;
  shapes_.ambiguous = opt_.ambiguous == genome::Ambiguous::Quarter ? 0.25f : 0.0f;
  if (!opt_.output_shape.empty()) {
    for (auto d : opt_.output_shape)
      if (d < 1) fail("outputShape must be positive dimensions");
    if (numel(opt_.output_shape) != numel(shapes_.targets[0]))
      fail("outputShape (", numel(opt_.output_shape), " values) does not hold the labels (",
           numel(shapes_.targets[0]), " values per sample)");
    shapes_.targets[0] = opt_.output_shape;
  }
  // Fewer samples than one batch are fine for evaluation and prediction (a pass reads every
  // sample, the last batch partial); training refuses a source without a whole batch.
  if (n_total_ == 0) fail("the generator has no sample: include more chromosomes or annotations");
}

void SequenceGenerator::build_continuous() {
  if (opt_.tracks.empty()) fail("continuous targets need at least one bigWig file");
  const std::int64_t L = opt_.window, tg = opt_.target_window;
  if (tg < 1 || tg > L) fail("targetWindow (", tg, ") must be between 1 and the window (", L, ")");
  if (opt_.downsampling != Downsampling::None && L % tg != 0)
    fail("with downsampling, targetWindow (", tg, ") must divide the window (", L, ")");
  int nf = static_cast<int>(opt_.tracks.size());
  if (opt_.n_types > 0 && nf % opt_.n_types != 0)
    fail("nAnnotationTypes (", opt_.n_types, ") must divide the number of bigWig files (", nf, ")");
  tracks_ = std::make_unique<TrackSet>(opt_.tracks, genome_->names(), opt_.chr_prefix);
  if (opt_.stride < 1) fail("stride must be at least 1");
  starts_ = PositionSet(opt_.starts);
  n_total_ = starts_.size();
  if (opt_.stride > 1) {
    n_total_ = 0;
    for (const auto& iv : starts_.intervals()) {
      n_total_ += static_cast<std::uint64_t>((iv.end - iv.start + opt_.stride - 1) / opt_.stride);
      stride_cum_.push_back(n_total_);
    }
  }
  n_pos_samples_ = n_total_;
  norm_ = tracks_->normalisation(opt_.normalization, opt_.stat_chroms, genome_->lengths(),
                                 opt_.seed, opt_.threads);
  if (opt_.weighting == Weighting::Balanced) {
    for (std::size_t f = 0; f < tracks_->size(); ++f)
      bins_.push_back(balanced_weights(
          tracks_->sample(f, norm_[f], opt_.stat_chroms, genome_->lengths(), opt_.seed), opt_.bins));
  } else if (opt_.weighting == Weighting::Manual) {
    if (opt_.manual_bins.size() != tracks_->size())
      fail("manual weights need one set of bins per bigWig file (", tracks_->size(), "), not ",
           opt_.manual_bins.size());
    for (const auto& b : opt_.manual_bins)
      if (b.edges.size() != b.weights.size() + 1 || b.weights.empty())
        fail("manual weights: each file needs n + 1 edges for n weights");
    bins_ = opt_.manual_bins;
  }
  label_positions_ = tg;
  label_channels_ = nf;
  shapes_.targets = {label_shape(tg, nf, opt_.n_types, true)};
  if (opt_.weighting != Weighting::None) {
    shapes_.has_weights = true;
    shapes_.weights = {tg};
  }
}

void SequenceGenerator::build_sparse() {
  const std::int64_t L = opt_.window;
  const auto& lens = genome_->lengths();
  const int nch = opt_.n_files * opt_.n_ann;
  if (opt_.annotations.empty()) fail("there is no annotation to learn from (empty annotations)");
  if (opt_.real_length && opt_.augmentation)
    fail("seqLen = 'real' (each feature's own bases) cannot be combined with augmentation");
  std::vector<LabelledInterval> li;
  li.reserve(opt_.annotations.size());
  for (const auto& a : opt_.annotations) {
    if (a.chrom < 0 || static_cast<std::size_t>(a.chrom) >= genome_->size())
      fail("annotation on an unknown chromosome index ", a.chrom);
    if (a.start < 0 || a.end > lens[static_cast<std::size_t>(a.chrom)] || a.end <= a.start)
      fail("annotation ", genome_->names()[static_cast<std::size_t>(a.chrom)], ":", a.start + 1, "-",
           a.end, " is empty or past the end of the chromosome (length ",
           lens[static_cast<std::size_t>(a.chrom)], ")");
    li.push_back({a.chrom, a.start, a.end, a.channel});
  }
  index_ = IntervalIndex(li, static_cast<int>(genome_->size()), nch);
  // Positives: one anchor per distinct interval (and strand, with useStrand).
  std::vector<Annotation> uniq(opt_.annotations);
  for (auto& a : uniq) a.minus = opt_.use_strand && a.minus;
  std::sort(uniq.begin(), uniq.end(), [](const Annotation& a, const Annotation& b) {
    if (a.chrom != b.chrom) return a.chrom < b.chrom;
    if (a.start != b.start) return a.start < b.start;
    if (a.end != b.end) return a.end < b.end;
    return a.minus < b.minus;
  });
  uniq.erase(std::unique(uniq.begin(), uniq.end(),
                         [](const Annotation& a, const Annotation& b) {
                           return a.chrom == b.chrom && a.start == b.start && a.end == b.end &&
                                  a.minus == b.minus;
                         }),
             uniq.end());
  std::vector<Interval> forbidden;
  std::uint64_t total = 0;
  for (const auto& a : uniq) {
    std::int64_t len = a.end - a.start;
    std::int64_t centred = a.start - ceil_half(L - len);
    std::int64_t chrom_len = lens[static_cast<std::size_t>(a.chrom)];
    if (opt_.real_length && len > L)
      fail("seqLen = 'real' pads features to the window (", L, "), but ",
           genome_->names()[static_cast<std::size_t>(a.chrom)], ":", a.start + 1, "-", a.end,
           " is longer");
    Anchor an{a.chrom, centred, 1, a.minus, a.start, a.end};
    if (opt_.augmentation) {
      std::int64_t first = len <= L ? a.end - L : a.start;
      std::int64_t last = len <= L ? a.start : a.end - L;
      first = std::max<std::int64_t>(first, 0);
      last = std::min<std::int64_t>(last, chrom_len - L);
      if (last >= first) an = {a.chrom, first, last - first + 1, a.minus, a.start, a.end};
    }
    anchors_.push_back(an);
    total += static_cast<std::uint64_t>(an.count);
    anchor_cum_.push_back(total);
    forbidden.push_back({a.chrom, std::min(centred, a.start) - L + 1, std::max(centred + L, a.end)});
  }
  n_pos_samples_ = total;
  std::uint64_t n_neg = 0;
  if (opt_.negative == Negative::Real) {
    PositionSet space = PositionSet(opt_.negative_space).subtract(forbidden);
    std::uint64_t want = opt_.negative_ratio < 0
                             ? space.size()
                             : static_cast<std::uint64_t>(std::llround(opt_.negative_ratio * total));
    if (want > 0 && space.size() == 0)
      fail("there is no room for real negatives: every window overlaps a positive window");
    if (want > space.size()) want = space.size();
    // negatives are positions of the space (8 bytes each, in genome order); all of them: none stored
    negative_space_ = std::move(space);
    n_real_negatives_ = want;
    if (want < negative_space_.size()) {
      Permutation perm(negative_space_.size(), item_seed(opt_.seed, 0x6e6567));
      real_negatives_.resize(static_cast<std::size_t>(want));
      for (std::uint64_t k = 0; k < want; ++k) real_negatives_[static_cast<std::size_t>(k)] = perm(k);
      std::sort(real_negatives_.begin(), real_negatives_.end());
    }
    n_neg = want;
  } else if (opt_.negative == Negative::Random || opt_.negative == Negative::Shuffled) {
    if (opt_.negative_ratio < 0)
      fail("negativeRatio = 'all' needs real negatives (negativeType = 'real')");
    n_neg = static_cast<std::uint64_t>(std::llround(opt_.negative_ratio * total));
    (opt_.negative == Negative::Random ? n_random_ : n_shuffled_) = n_neg;
  }
  n_total_ = total + n_neg;
  if (opt_.weighting == Weighting::Balanced) {
    if (n_neg > 0) {
      w_pos_ = static_cast<double>(n_total_) / (2.0 * static_cast<double>(total));
      w_neg_ = static_cast<double>(n_total_) / (2.0 * static_cast<double>(n_neg));
    }
  } else if (opt_.weighting == Weighting::Manual) {
    w_pos_ = opt_.weight_positive;
    w_neg_ = opt_.weight_negative;
  }
  label_positions_ = opt_.seq2seq ? L : 1;
  label_channels_ = nch;
  shapes_.targets = {label_shape(L, nch, opt_.n_ann, opt_.seq2seq)};
  if (opt_.weighting != Weighting::None) {
    shapes_.has_weights = true;
    shapes_.weights = {};
  }
}

void SequenceGenerator::build_secondary() {
  if (opt_.secondary.empty()) return;
  std::int64_t Ls = secondary_length(opt_.secondary_length, opt_.window);
  opt_.secondary_length = Ls;
  int ns = static_cast<int>(opt_.secondary.size());
  if (opt_.secondary_types > 0 && ns % opt_.secondary_types != 0)
    fail("the number of secondary files (", ns, ") must be a multiple of its number of types (",
         opt_.secondary_types, ")");
  secondary_ = std::make_unique<TrackSet>(opt_.secondary, genome_->names(), opt_.chr_prefix);
  sec_norm_ = secondary_->normalisation(opt_.secondary_normalization, opt_.stat_chroms,
                                        genome_->lengths(), opt_.seed, opt_.threads);
  if (opt_.secondary_as_targets) {
    shapes_.targets.push_back(label_shape(Ls, ns, opt_.secondary_types, true));
  } else {
    shapes_.has_secondary = true;
    shapes_.secondary = {ns, Ls};
  }
}

SequenceGenerator::Resolved SequenceGenerator::resolve(std::size_t sample) const {
  std::uint64_t s = sample;
  if (opt_.kind == TargetKind::Continuous) {
    Resolved r{Kind::Anchor, 0, 0, false, 0};
    if (opt_.stride > 1) {
      if (s >= n_total_) fail("sample ", sample, " is out of range (", n_total_, " samples)");
      auto it = std::upper_bound(stride_cum_.begin(), stride_cum_.end(), s);
      std::size_t k = static_cast<std::size_t>(it - stride_cum_.begin());
      const Interval& iv = starts_.intervals()[k];
      r.chrom = iv.chrom;
      r.start = iv.start + static_cast<std::int64_t>(s - (k == 0 ? 0 : stride_cum_[k - 1])) * opt_.stride;
    } else {
      starts_.at(s, &r.chrom, &r.start);
    }
    return r;
  }
  if (s < n_pos_samples_) {
    auto it = std::upper_bound(anchor_cum_.begin(), anchor_cum_.end(), s);
    std::size_t a = static_cast<std::size_t>(it - anchor_cum_.begin());
    std::uint64_t before = a == 0 ? 0 : anchor_cum_[a - 1];
    const Anchor& an = anchors_[a];
    return {Kind::Anchor, an.chrom, an.first + static_cast<std::int64_t>(s - before), an.minus, 0,
            an.feature_start, an.feature_end};
  }
  s -= n_pos_samples_;
  if (s < n_real_negatives_) {
    Resolved r{Kind::RealNegative, 0, 0, false, 0};
    negative_space_.at(real_negatives_.empty() ? s : real_negatives_[static_cast<std::size_t>(s)],
                       &r.chrom, &r.start);
    if (opt_.real_length) {  // as long as a positive (chosen by the negative's index), centred
      const Anchor& an = anchors_[static_cast<std::size_t>(s % anchors_.size())];
      std::int64_t len = an.feature_end - an.feature_start;
      r.keep_start = r.start + ceil_half(opt_.window - len);
      r.keep_end = r.keep_start + len;
    }
    return r;
  }
  s -= n_real_negatives_;
  if (s < n_random_) return {Kind::RandomNegative, -1, 0, false, 0};
  s -= n_random_;
  if (s < n_shuffled_) {
    // the positive shuffled: spread over the positives (seeded), each sample its own shuffle
    std::uint64_t src = n_pos_samples_ ? (s * 0x9e3779b97f4a7c15ULL + opt_.seed) % n_pos_samples_ : 0;
    Resolved r = resolve(static_cast<std::size_t>(src));
    r.kind = Kind::ShuffledNegative;
    r.source = static_cast<std::size_t>(src);
    return r;
  }
  fail("sample ", sample, " is out of range (", n_total_, " samples)");
}

Window SequenceGenerator::window_of(std::size_t epoch, std::size_t sample) const {
  Resolved r = resolve(sample);
  Rng rng(item_seed(opt_.seed, epoch + 1, sample));
  std::int64_t start = r.start;
  bool minus = r.minus;
  if (opt_.jitter > 0 && (r.kind == Kind::Anchor || r.kind == Kind::RealNegative)) {
    start += static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(2 * opt_.jitter + 1))) -
             opt_.jitter;
    // a shift never takes the window further off its chromosome than it was (a window centred
    // on a feature near an end may start before 0 or end past the end: it stays there)
    const std::int64_t len = genome_->lengths()[static_cast<std::size_t>(r.chrom)];
    start = std::max(start, std::min<std::int64_t>(r.start, 0));
    start = std::min(start, std::max(r.start, len - opt_.window));
  }
  if (opt_.rc_augment && (rng.next() >> 63)) minus = !minus;
  if (opt_.rc) minus = !minus;
  return {r.chrom, start, start + opt_.window, minus};
}

void SequenceGenerator::resize(Batch& out, std::size_t n) const {
  out.size = n;
  const auto L = static_cast<std::size_t>(opt_.window);
  out.x.resize(out.want_codes ? 0 : n * 4 * L);
  out.codes.resize(out.want_codes ? n * L : 0);
  out.targets.resize(shapes_.targets.size());
  for (std::size_t h = 0; h < shapes_.targets.size(); ++h)
    out.targets[h].resize(n * static_cast<std::size_t>(numel(shapes_.targets[h])));
  out.weights.resize(shapes_.has_weights ? n * static_cast<std::size_t>(numel(shapes_.weights)) : 0);
  out.secondary.resize(shapes_.has_secondary ? n * static_cast<std::size_t>(numel(shapes_.secondary)) : 0);
}

void SequenceGenerator::sparse_labels(int chrom, std::int64_t ws, bool minus, float* y) const {
  const std::int64_t we = ws + opt_.window;
  const int C = static_cast<int>(label_channels_);
  for (int c = 0; c < C; ++c) {
    index_.overlapping(chrom, c, ws, we, [&](std::int64_t s, std::int64_t e) {
      if (opt_.seq2seq) {
        for (std::int64_t p = std::max(s, ws); p < std::min(e, we); ++p) {
          std::int64_t q = minus ? we - 1 - p : p - ws;
          y[q * C + c] = 1.0f;
        }
      } else if (opt_.positive == Positive::MatchAny || (s >= ws && e <= we) || (s <= ws && e >= we)) {
        y[c] = 1.0f;
      }
    });
  }
}

void SequenceGenerator::track_labels(int chrom, std::int64_t ws, bool minus, float* y, float* w,
                                     std::vector<float>& buf) const {
  const std::int64_t L = opt_.window, tg = opt_.target_window;
  const std::size_t nf = tracks_->size();
  const bool down = opt_.downsampling != Downsampling::None;
  const std::int64_t span = down ? L : tg;
  const std::int64_t rs = down ? ws : ws + (L - tg) / 2;
  buf.resize(static_cast<std::size_t>(span));
  for (std::size_t f = 0; f < nf; ++f) {
    tracks_->values(f, chrom, rs, rs + span, buf.data());
    for (auto& v : buf) v = normalise(norm_[f], std::isnan(v) ? 0.0f : v);
    for (std::int64_t p = 0; p < tg; ++p) {
      float v;
      if (opt_.downsampling == Downsampling::Mean) {
        std::int64_t k = L / tg;
        double acc = 0;
        for (std::int64_t j = 0; j < k; ++j) acc += buf[static_cast<std::size_t>(p * k + j)];
        v = static_cast<float>(acc / static_cast<double>(k));
      } else if (opt_.downsampling == Downsampling::First) {
        v = buf[static_cast<std::size_t>(p * (L / tg))];
      } else {
        v = buf[static_cast<std::size_t>(p)];
      }
      std::int64_t q = minus ? tg - 1 - p : p;
      y[q * static_cast<std::int64_t>(nf) + static_cast<std::int64_t>(f)] = v;
    }
  }
  if (w && !bins_.empty()) {
    for (std::int64_t p = 0; p < tg; ++p) {
      double acc = 0;
      for (std::size_t f = 0; f < nf; ++f)
        acc += bins_[f].lookup(y[p * static_cast<std::int64_t>(nf) + static_cast<std::int64_t>(f)]);
      w[p] = static_cast<float>(acc / static_cast<double>(nf));
    }
  }
}

void SequenceGenerator::fill_sample(std::size_t epoch, std::size_t sample, Batch& out,
                                    std::size_t slot) const {
  const std::size_t L = static_cast<std::size_t>(opt_.window);
  Resolved r = resolve(sample);
  Window w = window_of(epoch, sample);
  thread_local std::string seq;
  thread_local std::vector<float> buf;
  seq.assign(L, 'N');
  if (r.kind == Kind::RandomNegative) {
    Rng rng(item_seed(opt_.seed, kFixedKey, sample));
    static const char kAcgt[] = "ACGT";
    for (std::size_t i = 0; i < L; ++i) seq[i] = kAcgt[rng.next() >> 62];
  } else if (r.kind == Kind::ShuffledNegative) {
    genome_->fetch_padded(r.chrom, r.start, r.start + opt_.window, &seq[0]);
    if (opt_.real_length) {  // shuffle the feature's bases only, N around them
      std::int64_t a = r.keep_start - r.start, b = r.keep_end - r.start;
      dinucleotide_shuffle(&seq[static_cast<std::size_t>(a)], static_cast<std::size_t>(b - a),
                           item_seed(opt_.seed, kFixedKey + 1, sample));
      std::fill(seq.begin(), seq.begin() + a, 'N');
      std::fill(seq.begin() + b, seq.end(), 'N');
    } else {
      dinucleotide_shuffle(&seq[0], L, item_seed(opt_.seed, kFixedKey + 1, sample));
    }
  } else {
    genome_->fetch_padded(w.chrom, w.start, w.end, &seq[0]);
    if (opt_.real_length) {  // N outside the kept bases (they move with the jitter)
      std::int64_t a = std::max<std::int64_t>(0, std::min(opt_.window, r.keep_start - w.start));
      std::int64_t b = std::max(a, std::min(opt_.window, r.keep_end - w.start));
      std::fill(seq.begin(), seq.begin() + a, 'N');
      std::fill(seq.begin() + b, seq.end(), 'N');
    }
  }
  if (w.minus) genome::reverse_complement(&seq[0], L);
  if (out.want_codes) genome::to_codes(seq.data(), L, out.codes.data() + slot * L);
  else genome::one_hot_ncl_f32(seq.data(), L, out.x.data() + slot * 4 * L, opt_.ambiguous);

  const std::size_t ny = static_cast<std::size_t>(label_positions_ * label_channels_);
  float* y = out.targets[0].data() + slot * ny;
  std::fill(y, y + ny, 0.0f);
  const std::size_t nw = shapes_.has_weights ? static_cast<std::size_t>(numel(shapes_.weights)) : 0;
  float* wt = nw ? out.weights.data() + slot * nw : nullptr;
  if (opt_.kind == TargetKind::Continuous) {
    track_labels(w.chrom, w.start, w.minus, y, wt, buf);
  } else {
    if (r.kind == Kind::Anchor || r.kind == Kind::RealNegative) sparse_labels(w.chrom, w.start, w.minus, y);
    if (wt) {
      bool pos = std::any_of(y, y + ny, [](float v) { return v > 0; });
      wt[0] = static_cast<float>(pos ? w_pos_ : w_neg_);
    }
  }
  if (secondary_) {
    const std::int64_t Ls = opt_.secondary_length;
    const std::int64_t ss = w.start + secondary_offset(Ls, opt_.window);
    const std::size_t ns = secondary_->size();
    buf.resize(static_cast<std::size_t>(Ls));
    float* dst = opt_.secondary_as_targets
                     ? out.targets[1].data() + slot * ns * static_cast<std::size_t>(Ls)
                     : out.secondary.data() + slot * ns * static_cast<std::size_t>(Ls);
    for (std::size_t f = 0; f < ns; ++f) {
      if (r.kind == Kind::RandomNegative) {
        std::fill(buf.begin(), buf.end(), 0.0f);
      } else {
        secondary_->values(f, w.chrom, ss, ss + Ls, buf.data());
        for (auto& v : buf) v = normalise(sec_norm_[f], std::isnan(v) ? 0.0f : v);
      }
      for (std::int64_t p = 0; p < Ls; ++p) {
        float v = buf[static_cast<std::size_t>(w.minus ? Ls - 1 - p : p)];
        if (opt_.secondary_as_targets) dst[static_cast<std::size_t>(p) * ns + f] = v;
        else dst[f * static_cast<std::size_t>(Ls) + static_cast<std::size_t>(p)] = v;
      }
    }
  }
}

SequenceGenerator::Memory SequenceGenerator::memory() const {
  Memory m;
  auto vec = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
  m.samples = sizeof(*this) + vec(anchors_) + vec(anchor_cum_) + vec(real_negatives_) + negative_space_.memory_bytes() +
              starts_.memory_bytes() + vec(stride_cum_) + vec(opt_.annotations) + vec(opt_.starts) +
              vec(opt_.negative_space) + vec(opt_.stat_chroms);
  m.index = index_.memory_bytes();
  for (const auto& n : norm_) m.statistics += vec(n);
  for (const auto& n : sec_norm_) m.statistics += vec(n);
  for (const auto& b : bins_) m.statistics += vec(b.edges) + vec(b.weights);
  for (const auto& b : opt_.manual_bins) m.statistics += vec(b.edges) + vec(b.weights);
  if (tracks_) {
    m.tracks = tracks_->memory_bytes();
    m.readers += tracks_->readers();
  }
  if (secondary_) {
    m.secondary = secondary_->memory_bytes();
    m.readers += secondary_->readers();
  }
  // fill_sample's thread_local sequence and value buffers, and TrackSet's decoding buffer
  std::size_t span = static_cast<std::size_t>(std::max(opt_.window, opt_.secondary_length));
  m.per_thread = static_cast<std::size_t>(opt_.window) + span * sizeof(float) +
                 ((tracks_ || secondary_) ? (std::size_t{1} << 16) * sizeof(float) : 0);
  return m;
}

std::size_t SequenceGenerator::sample_index(std::size_t epoch, std::size_t i, std::size_t k) const {
  Permutation perm(n_total_, item_seed(opt_.seed, kEpochKey, epoch));
  return static_cast<std::size_t>(perm(static_cast<std::uint64_t>(i) * opt_.batch_size + k));
}

void SequenceGenerator::fill(std::size_t epoch, std::size_t i, Batch& out) const {
  if (i >= batches_per_epoch())
    fail("batch ", i + 1, " does not exist: the generator has ", batches_per_epoch(), " batches per epoch");
  Permutation perm(n_total_, item_seed(opt_.seed, kEpochKey, epoch));
  resize(out, opt_.batch_size);
  for (std::size_t k = 0; k < opt_.batch_size; ++k)
    fill_sample(epoch, static_cast<std::size_t>(perm(static_cast<std::uint64_t>(i) * opt_.batch_size + k)),
                out, k);
}

void SequenceGenerator::fill_pass(std::size_t i, Batch& out) const {
  if (i >= pass_batches())
    fail("batch ", i + 1, " does not exist: a pass over the generator has ", pass_batches(), " batches");
  Permutation perm(n_total_, item_seed(opt_.seed, kEpochKey, 0));
  const std::size_t first = i * opt_.batch_size;
  const std::size_t n = std::min(opt_.batch_size, n_samples() - first);
  resize(out, n);
  for (std::size_t k = 0; k < n; ++k)
    fill_sample(0, static_cast<std::size_t>(perm(static_cast<std::uint64_t>(first + k))), out, k);
}

std::string SequenceGenerator::description() const {
  std::ostringstream os;
  os << "SequenceGenerator (" << (opt_.kind == TargetKind::Continuous ? "continuous" : "sparse")
     << "): " << n_total_ << " samples, window " << opt_.window << ", batches of " << opt_.batch_size;
  return os.str();
}

MultiSource::MultiSource(std::vector<std::shared_ptr<const SequenceGenerator>> sources,
                         std::vector<std::uint64_t> counts, std::size_t batch_size, std::uint64_t seed,
                         Shape output_shape)
    : sources_(std::move(sources)), counts_(std::move(counts)), batch_size_(batch_size), seed_(seed),
      output_shape_(std::move(output_shape)) {
  if (sources_.empty()) fail("multiGenerator needs at least one generator");
  if (counts_.size() != sources_.size()) fail("one count per generator is needed");
  BatchShapes s0 = sources_[0]->shapes();
  for (std::size_t d = 1; d < sources_.size(); ++d) {
    BatchShapes s = sources_[d]->shapes();
    if (s.x != s0.x || s.targets != s0.targets || s.has_weights != s0.has_weights ||
        s.weights != s0.weights || s.has_secondary != s0.has_secondary || s.secondary != s0.secondary)
      fail("generator ", d + 1, " yields shapes different from generator 1: every generator of a ",
           "multiGenerator must have the same input, label, weight and secondary shapes");
  }
  for (auto c : counts_) {
    total_ += c;
    cum_.push_back(total_);
  }
  if (total_ == 0) fail("the generators give no sample");
  if (!output_shape_.empty()) {
    for (auto d : output_shape_)
      if (d < 1) fail("outputShape must hold positive numbers");
    if (numel(output_shape_) != numel(s0.targets[0]))
      fail("outputShape (", numel(output_shape_), " values) does not hold the labels (",
           numel(s0.targets[0]), " values per sample)");
  }
}

// The labels are filled flat (row-major), so a reshape only changes the shape reported.
BatchShapes MultiSource::shapes() const {
  BatchShapes s = sources_[0]->shapes();
  if (!output_shape_.empty()) s.targets[0] = output_shape_;
  return s;
}

void MultiSource::fill(std::size_t epoch, std::size_t i, Batch& out) const {
  if (i >= batches_per_epoch())
    fail("batch ", i + 1, " does not exist: the generator has ", batches_per_epoch(), " batches per epoch");
  Permutation perm(total_, item_seed(seed_, kEpochKey, epoch));
  sources_[0]->resize(out, batch_size_);
  for (std::size_t k = 0; k < batch_size_; ++k) {
    std::uint64_t g = perm(static_cast<std::uint64_t>(i) * batch_size_ + k);
    std::size_t d = static_cast<std::size_t>(std::upper_bound(cum_.begin(), cum_.end(), g) - cum_.begin());
    std::uint64_t local = g - (d == 0 ? 0 : cum_[d - 1]);
    std::uint64_t n = sources_[d]->n_samples();
    Permutation pd(n, item_seed(seed_ + d + 1, kEpochKey, epoch + (local / n)));
    sources_[d]->fill_sample(epoch, static_cast<std::size_t>(pd(local % n)), out, k);
  }
}

void MultiSource::fill_pass(std::size_t i, Batch& out) const {
  if (i >= pass_batches())
    fail("batch ", i + 1, " does not exist: a pass over the generator has ", pass_batches(), " batches");
  Permutation perm(total_, item_seed(seed_, kEpochKey, 0));
  const std::uint64_t first = static_cast<std::uint64_t>(i) * batch_size_;
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(batch_size_, total_ - first));
  sources_[0]->resize(out, n);
  for (std::size_t k = 0; k < n; ++k) {
    std::uint64_t g = perm(first + k);
    std::size_t d = static_cast<std::size_t>(std::upper_bound(cum_.begin(), cum_.end(), g) - cum_.begin());
    std::uint64_t local = g - (d == 0 ? 0 : cum_[d - 1]);
    std::uint64_t ns = sources_[d]->n_samples();
    Permutation pd(ns, item_seed(seed_ + d + 1, kEpochKey, local / ns));
    sources_[d]->fill_sample(0, static_cast<std::size_t>(pd(local % ns)), out, k);
  }
}

std::string MultiSource::description() const {
  std::ostringstream os;
  os << "MultiSource of " << sources_.size() << " generators: " << total_ << " samples per epoch";
  return os.str();
}

}  // namespace data
}  // namespace gdl
