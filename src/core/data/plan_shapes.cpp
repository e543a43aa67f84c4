// Shapes of one sample's labels, secondary tracks and weights, known before anything is read:
// predictLabelShape() asks for them without building a generator. They match what
// SequenceGenerator fills (row-major, no batch axis).
#include "common/error.hpp"
#include "data/plan.hpp"

namespace gdl {
namespace data {

namespace {
Shape per_type(std::int64_t positions, bool has_positions, int files, int types) {
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

std::string shape_text(const Shape& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out;
}
}  // namespace

Shape resolve_output_shape(const Shape& wanted, const Shape& labels, std::size_t batch_size) {
  if (wanted.empty()) return labels;
  for (auto d : wanted)
    if (d < 1) fail("outputShape must be a vector of positive whole numbers, not (", shape_text(wanted), ")");
  const std::int64_t n = numel(labels);
  if (numel(wanted) == n) return wanted;
  if (wanted.size() > 1 && wanted[0] == static_cast<std::int64_t>(batch_size)) {
    Shape rest(wanted.begin() + 1, wanted.end());
    if (numel(rest) == n) return rest;
  }
  fail("outputShape (", shape_text(wanted), ") does not fit the labels of shape (", shape_text(labels),
       "): it must hold ", n, " values per sample");
}

PlanShapes plan_shapes(const ShapeInput& in) {
  PlanShapes out;
  const std::int64_t L = in.window;
  if (L < 1) fail("the window must be at least 1 base, not ", L);
  if (in.n_files < 1) fail("there must be at least one annotation file");
  if (in.kind == TargetKind::Continuous) {
    const std::int64_t tg = in.target_window;
    if (tg < 1 || tg > L) fail("targetWindow (", tg, ") is larger than the window (", L, ")");
    if (in.downsampling != Downsampling::None && L % tg != 0)
      fail("with downsampling, targetWindow (", tg, ") must divide the window (", L, ")");
    if (in.n_types < 0 || (in.n_types > 0 && in.n_files % in.n_types != 0))
      fail("nAnnotationTypes (", in.n_types, ") must divide the number of bigWig files (", in.n_files, ")");
    out.computed = per_type(tg, true, in.n_files, in.n_types);
    out.weights = {tg};
  } else {
    if (in.n_ann < 1) fail("there must be at least one annotation type");
    Shape s;
    if (in.seq2seq) s.push_back(L);
    s.push_back(in.n_files);
    s.push_back(in.n_ann);
    out.computed = s;
    out.weights = {};
  }
  out.has_weights = in.weighted;
  if (!in.weighted) out.weights.clear();
  if (in.n_secondary > 0)
    out.secondary = secondary_shape(in.n_secondary, in.secondary_length, in.secondary_types, L);
  out.labels = resolve_output_shape(in.output_shape, out.computed, in.batch_size);
  return out;
}

ShapeInput shape_input(const GeneratorOptions& o) {
  ShapeInput in;
  in.kind = o.kind;
  in.window = o.window;
  in.target_window = o.target_window;
  in.downsampling = o.downsampling;
  in.n_files = o.kind == TargetKind::Continuous ? static_cast<int>(o.tracks.size()) : o.n_files;
  in.n_types = o.n_types;
  in.n_ann = o.n_ann;
  in.seq2seq = o.seq2seq;
  in.weighted = o.weighting != Weighting::None;
  in.n_secondary = static_cast<int>(o.secondary.size());
  in.secondary_length = o.secondary_length;
  in.secondary_types = o.secondary_types;
  in.secondary_as_targets = o.secondary_as_targets;
  in.output_shape = o.output_shape;
  in.batch_size = o.batch_size;
  return in;
}

}  // namespace data
}  // namespace gdl
