#include "data/array_source.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>
#include <sstream>

#include "common/error.hpp"

namespace gdl {
namespace data {

namespace {
// splitmix64: a seed per epoch, independent of anything that ran before.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
}  // namespace

ArraySource::ArraySource(std::shared_ptr<const ArrayData> data, ArraySourceOptions options)
    : data_(std::move(data)), options_(options) {
  const auto& d = *data_;
  if (d.n == 0) fail("the arrays hold no samples");
  if (options_.batch_size == 0) fail("batch size must be positive");
  if (d.x.size() != d.n * static_cast<std::size_t>(numel(d.x_shape)))
    fail("x holds ", d.x.size(), " values, not n x prod(shape) = ", d.n * numel(d.x_shape));
  if (d.targets.size() != d.target_shapes.size()) fail("targets and target shapes differ in number");
  for (std::size_t k = 0; k < d.targets.size(); ++k)
    if (d.targets[k].size() != d.n * static_cast<std::size_t>(numel(d.target_shapes[k])))
      fail("target ", k + 1, " holds ", d.targets[k].size(), " values for ", d.n, " samples of ",
           numel(d.target_shapes[k]));
  if (!d.weights.empty() && d.weights.size() != d.n)
    fail("weights hold ", d.weights.size(), " values for ", d.n, " samples");
}

std::size_t ArraySource::batches_per_epoch() const {
  return (data_->n + options_.batch_size - 1) / options_.batch_size;
}

BatchShapes ArraySource::shapes() const {
  BatchShapes s;
  s.x = data_->x_shape;
  s.targets = data_->target_shapes;
  s.has_weights = !data_->weights.empty();
  return s;
}

std::vector<std::size_t> ArraySource::order(std::size_t epoch) const {
  std::vector<std::size_t> idx(data_->n);
  std::iota(idx.begin(), idx.end(), 0);
  if (!options_.shuffle) return idx;
  std::mt19937_64 rng(mix(options_.seed ^ mix(epoch + 1)));
  for (std::size_t i = idx.size(); i > 1; --i) {  // Fisher-Yates, portable (no std::shuffle)
    std::size_t j = static_cast<std::size_t>(rng() % i);
    std::swap(idx[i - 1], idx[j]);
  }
  return idx;
}

void ArraySource::fill(std::size_t epoch, std::size_t i, Batch& out) const {
  std::shared_ptr<const std::vector<std::size_t>> perm;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (cached_epoch_ != epoch || !cached_) {
      cached_ = std::make_shared<const std::vector<std::size_t>>(order(epoch));
      cached_epoch_ = epoch;
    }
    perm = cached_;
  }
  const auto& d = *data_;
  std::size_t begin = i * options_.batch_size;
  if (begin >= d.n) fail("batch ", i, " is past the end of the epoch");
  std::size_t m = std::min(options_.batch_size, d.n - begin);
  out.size = m;
  auto copy_rows = [&](const std::vector<float>& src, std::size_t per, std::vector<float>& dst) {
    dst.resize(m * per);
    for (std::size_t r = 0; r < m; ++r)
      std::memcpy(dst.data() + r * per, src.data() + (*perm)[begin + r] * per, per * sizeof(float));
  };
  copy_rows(d.x, static_cast<std::size_t>(numel(d.x_shape)), out.x);
  out.targets.resize(d.targets.size());
  for (std::size_t k = 0; k < d.targets.size(); ++k)
    copy_rows(d.targets[k], static_cast<std::size_t>(numel(d.target_shapes[k])), out.targets[k]);
  if (!d.weights.empty()) copy_rows(d.weights, 1, out.weights);
  else out.weights.clear();
  out.secondary.clear();
}

std::string ArraySource::description() const {
  std::ostringstream os;
  os << "arrays: " << data_->n << " samples of length " << data_->x_shape.back() << ", "
     << data_->targets.size() << " target(s), batch " << options_.batch_size
     << (options_.shuffle ? ", shuffled" : "");
  return os.str();
}

}  // namespace data
}  // namespace gdl
