// REF and ALT windows of sequence variants (rule in data/variants.hpp).
#include "data/variants.hpp"

#include <algorithm>
#include <cctype>

#include "common/error.hpp"
#include "genome/bases.hpp"

namespace gdl {
namespace data {

namespace {

void check_variant(const genome::Genome& g, const Variant& v) {
  if (v.chrom < 0 || static_cast<std::size_t>(v.chrom) >= g.size())
    fail("a variant is on an unknown chromosome (index ", v.chrom, ")");
  const auto len = g.lengths()[static_cast<std::size_t>(v.chrom)];
  if (v.pos < 0 || v.pos >= len)
    fail("variant at ", g.names()[static_cast<std::size_t>(v.chrom)], ":", v.pos + 1,
         " is outside the chromosome (length ", len, ")");
}

}  // namespace

VariantWindow variant_window(const genome::Genome& g, const Variant& v, std::int64_t L) {
  check_variant(g, v);
  if (L < 1) fail("the window length must be at least 1, not ", L);
  const auto len = g.lengths()[static_cast<std::size_t>(v.chrom)];
  const auto r = static_cast<std::int64_t>(v.ref.size()), a = static_cast<std::int64_t>(v.alt.size());
  VariantWindow w;
  w.start = v.pos - L / 2;
  const std::int64_t c = L / 2;  // offset of the first REF base
  // right end of the genome read by the ALT window: the flank after REF fills L - c - a bases
  const std::int64_t alt_end = v.pos + r + std::max<std::int64_t>(L - c - a, 0);
  w.outside = w.start < 0 || w.start + L > len || (a < L - c && alt_end > len);
  if (v.pos + r <= len) {
    std::string gen = g.sequence(v.chrom, v.pos, v.pos + r);
    w.ref_match = std::equal(gen.begin(), gen.end(), v.ref.begin(), [](char x, char y) {
      return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
    });
  }
  return w;
}

void variant_sequences(const genome::Genome& g, const Variant& v, std::int64_t L, char* ref_out,
                       char* alt_out) {
  check_variant(g, v);
  const std::int64_t s = v.pos - L / 2, c = L / 2;
  const auto r = static_cast<std::int64_t>(v.ref.size()), a = static_cast<std::int64_t>(v.alt.size());
  g.fetch_padded(v.chrom, s, s + L, ref_out);
  std::copy(ref_out, ref_out + c, alt_out);  // left flank, shared with REF
  const std::int64_t na = std::min(a, L - c);
  std::copy(v.alt.data(), v.alt.data() + na, alt_out + c);
  if (c + na < L) g.fetch_padded(v.chrom, v.pos + r, v.pos + r + (L - c - na), alt_out + c + na);
}

}  // namespace data
}  // namespace gdl
