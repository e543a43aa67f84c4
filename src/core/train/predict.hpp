// Prediction over genomic regions: tiling with the model's input window, batched forward passes
// (windows encoded by Prefetcher worker threads into plain buffers, as in training), an optional
// reverse-complement pass, and stitching of profile outputs into per-base tracks.
// Torch-free interface (the bridge includes it without LibTorch); the work is in predict.cpp.
//
// Coordinates are 0-based, half-open. Windows may run past chromosome ends; those bases read as
// N (Genome::fetch_padded), so every base of a region is covered.
//
// Tiling of a region [a, e) of width w, for a model of input length L whose outputs cover the
// central span S of the window (S = L for per-window outputs; S = positions x bin for profile
// outputs), the span starting at window start + (L - S) / 2 (rounded down, as layerCrop):
//   w <= S: one window, its span centred on the region (start a - ceil((S - w) / 2));
//   w >  S: spans at a, a + step, ... while they end before e, then one span flush with e
//           (moved right to the next multiple of bin from a when bin > 1: N-padded).
// Profile outputs are stitched on a grid of bins from the first span's start: each bin is the
// mean over the windows covering it (NaN where none does). The reverse-complement pass reverses
// positions (channels are kept: strand-specific tracks are not swapped) and is combined with the
// forward pass per bin ("average": mean of the two means, "max": the larger) or, for per-window
// outputs, per window.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/encode.hpp"
#include "genome/genome.hpp"
#include "genome/onehot.hpp"
#include "nn/network.hpp"

namespace gdl {
namespace train {

struct Region {
  int chrom = 0;
  std::int64_t start = 0, end = 0;
};

// How an output is read. positions = 0: per window (any shape, flattened). positions > 0: a
// profile of positions x channels (the output's values, row-major), each position covering
// `bin` bases.
struct OutputLayout {
  std::int64_t positions = 0;
  std::int64_t channels = 0;
  std::int64_t bin = 1;
};

struct TilePlan {
  std::int64_t window = 0;  // L, the model's input length
  std::int64_t span = 0;    // S, bases covered by the outputs
  std::int64_t step = 1;
  std::int64_t bin = 1;
};

// Windows (input coordinates) of one region, in order; `grid_start` gets the first span's start.
std::vector<data::Window> tile_region(const Region& region, const TilePlan& plan,
                                      std::int64_t* grid_start);

struct RegionOptions {
  std::int64_t step = 0;             // >= 1
  std::string rc = "none";           // "none", "average", "max"
  std::vector<OutputLayout> layouts; // one per output (empty: all per window)
  std::size_t batch = 128;           // windows per forward pass (x 2 with the rc pass)
  std::string device = "cpu";        // resolved already
  int workers = 1;                   // encoding threads (Prefetcher workers; 0 = synchronous)
  std::string encode = "auto";       // "host", "device" or "auto" (train/device_batch.hpp)
  genome::Ambiguous ambiguous = genome::Ambiguous::Quarter;
};

struct RegionResult {
  std::int64_t grid_start = 0;                 // first span's start (0-based)
  std::int64_t bins = 0;                       // bins of the stitched tracks
  std::vector<data::Window> windows;           // input windows of the region
  std::vector<std::vector<float>> per_window;  // per output: windows x values (per-window outputs)
  std::vector<std::vector<float>> tracks;      // per output: bins x channels (profile outputs)
};

// Called after each batch with (windows done, windows in all); false stops (gdl::Error).
using PredictProgress = std::function<bool(std::size_t, std::size_t)>;

// The tiling of one region without its window list: window i is computed on demand, so a plan
// over a whole genome takes memory per region, not per window.
struct RegionTiling {
  Region region;
  std::int64_t first_span = 0;  // span start of window 0 (the grid start of the stitched bins)
  std::int64_t last_span = 0;   // span start of the last window (flush with the region's end)
  std::int64_t count = 0;       // windows
  std::int64_t bins = 0;        // bins of the stitched tracks from first_span
};
RegionTiling tiling_of(const Region& region, const TilePlan& plan);
data::Window window_at(const RegionTiling& t, const TilePlan& plan, std::int64_t i);

// Receives results as they become final, on the calling thread, in region order and within a
// region in window / bin order. What it keeps is up to it: a streamed run writes and forgets.
class PredictSink {
 public:
  virtual ~PredictSink() = default;
  // Called once before any result, with the plan of every region.
  virtual void begin(const std::vector<RegionTiling>&, const TilePlan&) {}
  // Per-window output `k` of window `index` of region `r`: `n` values (the flattened output).
  virtual void window(std::size_t r, std::size_t k, std::int64_t index, const data::Window& w,
                      const float* values, std::size_t n) = 0;
  // Profile output `k` of region `r`: bins [first, first + n) are final; values n x channels
  // (row-major); NaN where no window covers a bin.
  virtual void bins(std::size_t r, std::size_t k, std::int64_t first, std::int64_t n,
                    const float* values, std::int64_t channels) = 0;
  // Every result of region `r` has been given.
  virtual void region_done(std::size_t) {}
};

// Predicts every region and hands the results to `sink` as they become final. Memory is bounded
// by the batch (windows x output values) and the stitching buffers of the regions in flight
// (about batch x step + output span bins x channels), independent of the regions' lengths.
void predict_regions_stream(nn::Network& net, const genome::Genome& genome,
                            const std::vector<Region>& regions, const RegionOptions& options,
                            PredictSink& sink, const PredictProgress& progress = nullptr);

// A sink that keeps everything, as predict_regions() returns it.
class RegionCollector : public PredictSink {
 public:
  explicit RegionCollector(std::size_t outputs) : outputs_(outputs) {}
  void begin(const std::vector<RegionTiling>& t, const TilePlan& plan) override;
  void window(std::size_t r, std::size_t k, std::int64_t index, const data::Window& w,
              const float* values, std::size_t n) override;
  void bins(std::size_t r, std::size_t k, std::int64_t first, std::int64_t n, const float* values,
            std::int64_t channels) override;
  std::vector<RegionResult>& results() { return res_; }

 private:
  std::size_t outputs_;
  std::vector<RegionResult> res_;
};

// Predicts every region. Throws gdl::Error when the model does not take one-hot DNA alone, when a
// layout disagrees with the output's size, when profile outputs cover different spans or when the
// step is not a multiple of the bin.
std::vector<RegionResult> predict_regions(nn::Network& net, const genome::Genome& genome,
                                          const std::vector<Region>& regions,
                                          const RegionOptions& options,
                                          const PredictProgress& progress = nullptr);

}  // namespace train
}  // namespace gdl
