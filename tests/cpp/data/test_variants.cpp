#include <catch2/catch.hpp>

#include <string>

#include "common/error.hpp"
#include "data/variants.hpp"
#include "genome/genome.hpp"

using namespace gdl;

namespace {
// chr1 = 0123456789... as bases: ACGTACGTAC GGGCCCAAAT
genome::MemoryGenome small_genome() { return genome::MemoryGenome({"chr1"}, {"ACGTACGTACGGGCCCAAAT"}); }

std::pair<std::string, std::string> windows(const genome::Genome& g, const data::Variant& v, std::int64_t L) {
  std::string r(static_cast<std::size_t>(L), '?'), a(static_cast<std::size_t>(L), '?');
  data::variant_sequences(g, v, L, &r[0], &a[0]);
  return {r, a};
}
}  // namespace

TEST_CASE("variant windows: first REF base at offset L / 2, ALT windows start at the same base", "[data]") {
  auto g = small_genome();
  // SNV at 0-based 10 (G), odd L = 5: window [8, 13)
  data::Variant snv{0, 10, "G", "T"};
  auto w = data::variant_window(g, snv, 5);
  CHECK(w.start == 8);
  CHECK(w.ref_match);
  CHECK_FALSE(w.outside);
  auto s = windows(g, snv, 5);
  CHECK(s.first == "ACGGG");
  CHECK(s.second == "ACTGG");
  // even L = 4: window [8, 12), REF at offset 2
  CHECK(data::variant_window(g, snv, 4).start == 8);
  CHECK(windows(g, snv, 4).second == "ACTG");
  // deletion GGG -> G at 10: extra right flank pulled in
  data::Variant del{0, 10, "GGG", "G"};
  CHECK(windows(g, del, 5).second == "ACGCC");
  // insertion G -> GTTT: right end pushed out
  data::Variant ins{0, 10, "g", "GTTT"};
  CHECK(data::variant_window(g, ins, 5).ref_match);  // case-insensitive
  CHECK(windows(g, ins, 5).second == "ACGTT");
}

TEST_CASE("variant windows near chromosome ends read N and are flagged outside", "[data]") {
  auto g = small_genome();
  data::Variant first{0, 1, "C", "A"};
  auto w = data::variant_window(g, first, 5);
  CHECK(w.start == -1);
  CHECK(w.outside);
  CHECK(windows(g, first, 5).first == "NACGT");
  CHECK(windows(g, first, 5).second == "NAAGT");
  // the REF window fits, but the deletion's flank passes the end
  data::Variant del{0, 17, "AAT", "A"};
  CHECK_FALSE(data::variant_window(g, data::Variant{0, 17, "A", "C"}, 5).outside);
  CHECK(data::variant_window(g, del, 5).outside);
  CHECK(windows(g, del, 5).second == "CAANN");
  CHECK_FALSE(data::variant_window(g, data::Variant{0, 10, "C", "T"}, 5).ref_match);
  CHECK_THROWS_AS(data::variant_window(g, data::Variant{0, 20, "A", "C"}, 5), gdl::Error);
  CHECK_THROWS_AS(data::variant_window(g, data::Variant{3, 1, "A", "C"}, 5), gdl::Error);
}
