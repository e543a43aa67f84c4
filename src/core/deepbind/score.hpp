// Scoring sequences with DeepBind models, as the original deepbind v0.11 program does.
//
// The original (Alipanahi et al. 2015; deepbind.c v0.11, gcc -O3, float32) scores a sequence of
// length L with a model of detector length m and window W (default int(1.5 m)) as follows:
//   - L <= W: the whole sequence is one window;
//   - else every window [s, s+W), s = 0..L-W, is scored on its own, padded with m-1 N on each
//     side ("full" convolution: the detector response at each of the W+m-1 positions where it
//     overlaps the window, an N adding 0.25 x each of the four weights of its row, one after
//     another), then ReLU(response + threshold), global max pooling (and average pooling,
//     dividing by W+m-1), the dense layer(s); the sequence's score is the maximum over windows
//     (or, with --average, their sum divided by L - not by the number of windows);
//   - models with reverse_complement = 1 also score the reverse complement; the score is the
//     larger of the two.
// Every sum is a float32 sum in the original's order, so scores are reproduced bit for bit.
//
// Departures from the original, all deliberate:
//   - no 1,000-base limit; the original reverse-complements its buffer in place and the next
//     models on the same line see the reverse complement (a bug): here every model scores the
//     sequence as given;
//   - padding = Flank pads each window with its real flanking sequence (N only beyond the
//     sequence ends), as DeepBindToKeras does;
//   - strands = Both / Forward override the models' reverse_complement flags.
//
// Two implementations give the same floats: the reference path (reference.cpp, one window at a
// time, as the original) and the fast path (fast.cpp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "deepbind/model.hpp"

namespace gdl {
namespace genome {
class Genome;
}
namespace deepbind {

enum class Padding { N, Flank };
enum class Strands { Model, Both, Forward };
enum class Method { Fast, Reference };

struct ScoreOptions {
  int window = 0;            // --window-size; 0: each model's int(1.5 x detector length)
  bool average = false;      // --average (sum over windows / sequence length)
  Padding padding = Padding::N;
  Strands strands = Strands::Model;
  Method method = Method::Fast;
  bool iupac_as_n = false;   // read IUPAC ambiguity codes as N (genome sequence) instead of failing
  int threads = 1;
};

// Base codes of DeepBind: 0..3 = A, C, G, T/U (any case), 4 = N/n.
constexpr std::uint8_t kN = 4;

// Encodes n bytes; returns the index of the first byte that is not a valid base (ACGTUN in any
// case, plus the IUPAC codes when iupac_as_n), or n when all are valid.
std::size_t encode(const char* s, std::size_t n, std::uint8_t* out, bool iupac_as_n);
// Reverse complement of codes (N stays N).
void reverse_complement(const std::uint8_t* in, std::size_t n, std::uint8_t* out);

// ---- reference path (reference.cpp): the original's arithmetic, one window at a time --------

// One call of the original's apply_model: the window [start, start+n) of codes (length len),
// padded with N, or with the real flanks when flank is true.
float reference_apply(const Model& model, const std::uint8_t* codes, std::size_t len,
                      std::size_t start, std::size_t n, bool flank);
// The original's scan_model on one strand.
float reference_scan(const Model& model, const std::uint8_t* codes, std::size_t len,
                     const ScoreOptions& options);

// A sequence handed to the scorer: bytes and length (not owned).
struct SeqRef {
  const char* data;
  std::size_t len;
};

// Models prepared for scoring with a set of options.
class Scorer {
 public:
  Scorer(std::vector<Model> models, ScoreOptions options);
  ~Scorer();
  Scorer(const Scorer&) = delete;
  Scorer& operator=(const Scorer&) = delete;

  std::size_t num_models() const { return models_.size(); }
  const ScoreOptions& options() const { return options_; }

  // Scores every sequence with every model, in options().threads threads; out is column-major
  // (sequence i, model j at out[i + n*j]). Throws gdl::Error naming the first sequence (1-based,
  // with its name when names is not empty) and position that holds an invalid character, or the
  // first empty sequence; sequences are numbered from first_number.
  void score(const std::vector<SeqRef>& seqs, float* out,
             const std::vector<std::string>& names = {}, std::size_t first_number = 1) const;

  // Scores windows of `width` bases every `step` bases over [start, end) (0-based half-open)
  // of sequence `chrom` of a genome: windows start at start, start+step, ... while they end
  // at or before `end`. out: column-major windows x models; returns the number of windows.
  static std::size_t num_windows(std::int64_t start, std::int64_t end, int width, int step);
  void scan(const genome::Genome& genome, int chrom, std::int64_t start, std::int64_t end,
            int width, int step, float* out) const;

  struct Prepared;   // per-model data of the fast path (fast.cpp)
  struct Workspace;  // per-thread buffers

 private:
  float score_one(std::size_t model, const std::uint8_t* fwd, const std::uint8_t* rev,
                  std::size_t len, Workspace& ws) const;
  bool needs_reverse(std::size_t model) const;

  std::vector<Model> models_;
  ScoreOptions options_;
  std::vector<std::unique_ptr<Prepared>> prepared_;
};

}  // namespace deepbind
}  // namespace gdl
