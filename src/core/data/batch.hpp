// The contract between data generation (data/) and training (train/): batches as plain float
// buffers, torch-free. Samplers implement BatchSource; the trainer wraps a Batch's buffers as
// tensors (from_blob, then a non_blocking copy to the device).
// All shapes are row-major and exclude the batch axis.
//
// Sequence travels in one of two encodings. By default a source fills `x`, the one-hot floats
// the network reads. A consumer that encodes on the device (CUDA: 16 times fewer bytes over the
// bus, and the expansion runs on the GPU) sets Batch::want_codes; a source whose shapes say
// `codes` then fills `codes`, one byte per base (0..3 = A, C, G, T; 4 = N or another ambiguity
// code, whose channels all take BatchShapes::ambiguous), and leaves `x` empty.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gdl {
namespace data {

using Shape = std::vector<std::int64_t>;

struct BatchShapes {
  Shape x;                     // one-hot input, channels-first: {4, L}
  std::vector<Shape> targets;  // one per output head, e.g. {tasks} or {Lout, tracks}
  Shape weights;               // per-sample {} (one value), per-position {Lout}; empty = none
  Shape secondary;             // secondary input {channels, Ls}; empty = none
  bool has_weights = false;
  bool has_secondary = false;
  bool codes = false;       // the source can fill Batch::codes instead of x
  float ambiguous = 0.25f;  // value of every channel at code 4 when codes are decoded
};

struct Batch {
  std::size_t size = 0;                     // N, the number of samples filled
  std::vector<float> x;                     // N x 4 x L (empty when codes are filled)
  std::vector<std::uint8_t> codes;          // N x L base codes, when want_codes is honoured
  bool want_codes = false;                  // set by the consumer; see above
  std::vector<std::vector<float>> targets;  // per head: N x prod(shape)
  std::vector<float> weights;               // N x prod(weights shape), empty if none
  std::vector<float> secondary;             // N x prod(secondary shape), empty if none
};

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual std::size_t batches_per_epoch() const = 0;
  virtual std::size_t batch_size() const = 0;
  virtual BatchShapes shapes() const = 0;
  // Fills batch i of epoch `epoch` (buffers resized as needed). Deterministic: the same
  // (epoch, i) gives the same batch whatever thread calls it and whatever ran before. Safe to
  // call concurrently on distinct Batch objects (the trainer prefetches with worker threads).
  virtual void fill(std::size_t epoch, std::size_t i, Batch& out) const = 0;
  virtual std::string description() const = 0;

  // One pass over every sample, for evaluation and prediction: a training epoch may drop the
  // last partial batch (Keras's generators do), a metric may not. Batch i of the pass holds
  // samples [i * batch_size, ...) of a fixed order, the last batch partial (Batch::size less
  // than batch_size). The defaults suit sources whose epochs already cover every sample.
  virtual std::size_t pass_batches() const { return batches_per_epoch(); }
  virtual void fill_pass(std::size_t i, Batch& out) const { fill(0, i, out); }
};

// A source seen as its pass (pass_batches / fill_pass) through the BatchSource interface, so
// that the Prefetcher and the evaluation loops read every sample without knowing the source.
class PassView : public BatchSource {
 public:
  explicit PassView(const BatchSource& source) : source_(source) {}
  std::size_t batches_per_epoch() const override { return source_.pass_batches(); }
  std::size_t batch_size() const override { return source_.batch_size(); }
  BatchShapes shapes() const override { return source_.shapes(); }
  void fill(std::size_t, std::size_t i, Batch& out) const override { source_.fill_pass(i, out); }
  std::string description() const override { return source_.description(); }

 private:
  const BatchSource& source_;
};

inline std::int64_t numel(const Shape& s) {
  std::int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

// Whether a filled batch carries its sequence as base codes (else as one-hot x).
inline bool has_codes(const Batch& b) { return b.want_codes && b.x.empty() && !b.codes.empty(); }

}  // namespace data
}  // namespace gdl
