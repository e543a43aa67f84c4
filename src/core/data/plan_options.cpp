// Option strings of the generator turned into enums. Every value outside the allowed set is an
// error naming the option, the value and the allowed values: a misspelt option never becomes a
// default.
#include <sstream>

#include "common/error.hpp"
#include "data/plan.hpp"

namespace gdl {
namespace data {

std::size_t parse_choice(const std::string& option, const std::string& value,
                         const std::vector<std::string>& allowed) {
  for (std::size_t i = 0; i < allowed.size(); ++i)
    if (value == allowed[i]) return i;
  std::ostringstream os;
  for (std::size_t i = 0; i < allowed.size(); ++i) os << (i ? ", '" : "'") << allowed[i] << "'";
  fail("generator option '", option, "' is '", value, "': it must be one of ", os.str());
}

TargetKind parse_kind(const std::string& s) {
  return parse_choice("kind", s, {"continuous", "sparse"}) == 0 ? TargetKind::Continuous
                                                                : TargetKind::Sparse;
}

Downsampling parse_downsampling(const std::string& s) {
  static const Downsampling v[] = {Downsampling::None, Downsampling::Mean, Downsampling::First};
  return v[parse_choice("downsampling", s, {"none", "mean", "first"})];
}

Weighting parse_weighting(const std::string& s) {
  static const Weighting v[] = {Weighting::None, Weighting::Balanced, Weighting::Manual};
  return v[parse_choice("weighting", s, {"none", "balanced", "manual"})];
}

Positive parse_positive(const std::string& s) {
  return parse_choice("positive", s, {"match_all", "match_any"}) == 0 ? Positive::MatchAll
                                                                       : Positive::MatchAny;
}

Negative parse_negative(const std::string& s) {
  static const Negative v[] = {Negative::None, Negative::Real, Negative::Random, Negative::Shuffled};
  return v[parse_choice("negative", s, {"none", "real", "random", "shuffled"})];
}

genome::Ambiguous parse_ambiguous(const std::string& s) {
  return parse_choice("ambiguous", s, {"quarter", "zero"}) == 0 ? genome::Ambiguous::Quarter
                                                                : genome::Ambiguous::Zero;
}

}  // namespace data
}  // namespace gdl
