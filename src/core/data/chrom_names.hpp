// Chromosome names of annotation files (BED, GFF, bigWig, regions) matched to a genome's
// (keras_dna's num_chr, made explicit).
#pragma once
#include <string>
#include <vector>

namespace gdl {
namespace data {

// How annotation chromosome names are matched to the genome's (keras_dna's num_chr):
//   AsIs: exact names;  Add: "chr" prepended to names without it ("1" -> "chr1");
//   Strip: a leading "chr" removed ("chr1" -> "1");  Auto: the exact name when the genome has
//   it, else the name with "chr" added or removed (and "chrM" <-> "MT") when that one is there.
enum class ChrPrefix { AsIs, Auto, Add, Strip };
ChrPrefix parse_chr_prefix(const std::string& s);  // "asis", "auto", "add", "strip"
// Index in `targets` of each of `names` under `mode`, -1 when none matches.
std::vector<int> match_chromosomes(const std::vector<std::string>& names,
                                   const std::vector<std::string>& targets, ChrPrefix mode);

}  // namespace data
}  // namespace gdl
