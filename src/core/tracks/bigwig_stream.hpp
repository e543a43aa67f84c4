// Streamed bigWig output of predictions: values arrive in genome order, a tile at a time, and are
// written as they come, so memory is bounded by the tile, not by the genome. Each file goes
// through BigWigWriter's temporary file and is renamed only by commit(): a run that stops early
// (an error, an interrupt) leaves no file under the final name.
// Coordinates are 0-based, half-open. Torch-free.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>


namespace gdl {
namespace tracks {

// One bigWig written in order through a temporary file, without zoom levels: libBigWig builds
// zoom levels in memory when the file is closed (about 10 bytes per base of per-base data), which
// would make memory grow with the genome. Readers (rtracklayer, libBigWig, genome browsers)
// compute summaries from the data when a file has no zoom levels.
class StreamFile;

// One bigWig per track (channel) of a binned profile. Bins of `bin` bases on a grid; values of
// consecutive bins are gathered into fixed-step runs (up to kRun bins) before they are written,
// so that the file holds long blocks rather than one per tile.
class ProfileStreamWriter {
 public:
  ProfileStreamWriter(const std::vector<std::string>& paths, const std::vector<std::string>& chroms,
                      const std::vector<std::int64_t>& lengths);
  ~ProfileStreamWriter();
  std::size_t tracks() const { return writers_.size(); }
  // Bins [first, first + n) of a grid starting at `grid` (bin i covers grid + i bin ..), values
  // n x tracks() row-major, clipped to [lo, hi) (the region); NaN stays missing. Calls come in
  // chromosome order of the header and in increasing position.
  void add_bins(const std::string& chrom, std::int64_t grid, std::int64_t bin, std::int64_t first,
                std::int64_t n, const float* values, std::int64_t lo, std::int64_t hi);
  // Writes what is pending and renames every file onto its path.
  void commit();

 private:
  static constexpr std::size_t kRun = 1 << 16;
  void flush();
  std::vector<std::unique_ptr<StreamFile>> writers_;
  // the pending fixed-step run: chromosome, first base, span, values per track
  std::string chrom_;
  std::int64_t start_ = 0, span_ = 0;
  std::vector<std::vector<float>> pending_;
};

// Per-window scores written as per-base tracks (one bigWig per score): each base of the regions
// takes the score of the window whose centre is nearest (the earlier window on ties), NA outside
// the regions. Windows and regions are kept for one chromosome at a time (windows of a
// chromosome, not bases), and written when the next chromosome starts or at commit().
class WindowTrackStreamWriter {
 public:
  WindowTrackStreamWriter(const std::vector<std::string>& paths,
                          const std::vector<std::string>& chroms,
                          const std::vector<std::int64_t>& lengths);
  ~WindowTrackStreamWriter();
  std::size_t tracks() const { return writers_.size(); }
  void add_region(const std::string& chrom, std::int64_t lo, std::int64_t hi);
  // A window [start, end) and its tracks() scores. Chromosomes come in header order.
  void add_window(const std::string& chrom, std::int64_t start, std::int64_t end,
                  const float* values);
  void commit();

 private:
  void switch_to(const std::string& chrom);
  void flush();
  std::vector<std::unique_ptr<StreamFile>> writers_;
  std::string chrom_;
  std::vector<std::pair<std::int64_t, std::int64_t>> regions_;
  std::vector<double> centres_;  // 2 x centre (an integer), in arrival order
  std::vector<float> values_;    // windows x tracks
};

}  // namespace tracks
}  // namespace gdl
