// make_plan: the sampling tables of a generator from its options and geometry.
#include "common/error.hpp"
#include "data/plan.hpp"

namespace gdl {
namespace data {

GeneratorOptions make_plan(const genome::Genome& g, GeneratorOptions o, const Geometry& geo) {
  (void)max_n_count(geo.max_n, o.window);  // checks maxN
  o.stat_chroms = geo.chroms;
  if (o.kind == TargetKind::Continuous) {
    if (o.weighting == Weighting::Manual) check_manual_bins(o.manual_bins, o.tracks.size());
    o.starts = window_starts(g, o.window, geo);
    if (o.starts.empty())
      fail("no window of length ", o.window, " fits the included chromosomes and regions");
  } else {
    if (o.weighting == Weighting::Manual) check_manual_sparse(o.weight_positive, o.weight_negative);
    o.annotations = select_features(g, o.annotations, geo);
    o.annotations = max_n_features(g, o.annotations, o.window, geo.max_n, geo.threads);
    o.negative_space.clear();
    if (o.negative == Negative::Real) {
      Geometry neg = geo;
      neg.strict_length = false;
      o.negative_space = window_starts(g, o.window, neg);
    }
  }
  o.output_shape = o.output_shape.empty() ? Shape() : plan_shapes(shape_input(o)).labels;
  return o;
}

}  // namespace data
}  // namespace gdl
